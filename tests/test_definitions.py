"""The Dagster code location loads and holds the whole walking skeleton."""

import dagster as dg

from orchestration.definitions import defs


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)


def test_every_layer_is_an_asset():
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw/politie_mutaties", "staging/stg_politie__mutaties", "marts/tabel_01_meldingen_naar_herkomst"} <= keys


def test_dbt_assets_are_grouped_by_layer():
    graph = defs.resolve_asset_graph()
    group = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert group["raw/politie_mutaties"] == "raw"
    assert group["staging/stg_politie__mutaties"] == "staging"
    assert group["marts/tabel_01_meldingen_naar_herkomst"] == "marts"


def test_gx_validation_is_a_blocking_asset_check_on_the_raw_asset():
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("raw/politie_mutaties", "ledger_reconciles") in checks
    key = dg.AssetCheckKey(dg.AssetKey(["raw", "politie_mutaties"]), "ledger_reconciles")
    assert graph.get_check_spec(key).blocking


def test_jobs_are_defined():
    assert defs.resolve_job_def("nightly_load") is not None
    assert defs.resolve_job_def("audit_checks") is not None
