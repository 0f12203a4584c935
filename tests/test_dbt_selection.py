"""A nightly dbt build builds what new rows change, and only that (orchestration/dbt_selection.py).

The plans are worked out on the manifest of the session's 2011 build; the fingerprints on copies of
its project and warehouse; and a nightly run of a small world is checked against a full rebuild.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import duckdb
import pytest

from orchestration import dbt_selection
from orchestration.environment import DBT_PROJECT_DIR
from orchestration.headless import DayRange
from orchestration.publishing.dbt_docs_site import every_model_compiled
from orchestration.summary import what_ran

# the models built in every run; orchestration.assets.transform loads the dbt project when imported,
# which needs the environment the session's pipeline prepares
READ_BY_THE_RUN = ("report_cells", "bijlage_3_in_een_oogopslag", "report_cell_members")
TRAJECTEN = "source.veiligheidshuis.vh.vh_trajecten"


@pytest.fixture(scope="module")
def manifest(pipeline) -> dict:
    return json.loads((pipeline.paths.dbt_target / "build" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def fingerprints(pipeline, manifest) -> dict[str, str]:
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        return dbt_selection.source_fingerprints(con, manifest)


def built_models(manifest: dict, plan: dbt_selection.BuildPlan) -> set[str]:
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] not in plan.excluded
    }


def names_of(manifest: dict, uids) -> set[str]:
    return {manifest["nodes"][uid]["name"] for uid in uids}


def test_the_first_build_a_changed_project_and_a_missing_model_build_everything(manifest, fingerprints):
    record = {"project": "p", "sources": fingerprints}
    assert dbt_selection.plan_build(manifest, None, "p", fingerprints).everything
    assert dbt_selection.plan_build(manifest, record, "another project", fingerprints).everything
    missing = ["model.veiligheidshuis.stg_vh__meldingen"]
    assert dbt_selection.plan_build(manifest, record, "p", fingerprints, missing).everything
    unchanged = dbt_selection.plan_build(manifest, record, "p", fingerprints)
    assert not unchanged.everything
    # an incremental fact keeps the rows earlier builds made: without a record, or made by another project,
    # they are made again; a missing model is built whole anyway, and the others' rows are this project's
    assert dbt_selection.plan_build(manifest, None, "p", fingerprints).from_scratch
    assert dbt_selection.plan_build(manifest, record, "another project", fingerprints).from_scratch
    assert not dbt_selection.plan_build(manifest, record, "p", fingerprints, missing).from_scratch
    assert not unchanged.from_scratch


def test_a_changed_source_builds_the_models_downstream_of_it_and_their_tests_and_nothing_else(manifest, fingerprints):
    record = {"project": "p", "sources": {**fingerprints, TRAJECTEN: "an older fingerprint"}}
    plan = dbt_selection.plan_build(manifest, record, "p", fingerprints, always=READ_BY_THE_RUN)

    downstream = names_of(manifest, dbt_selection.downstream(manifest, {TRAJECTEN}))
    assert {"stg_vh__trajecten", "int_trajecten", "tabel_06_korte_trajecten_per_doelgroep"} <= downstream
    assert built_models(manifest, plan) == downstream | set(READ_BY_THE_RUN)
    assert plan.changed_sources == ["vh_trajecten"]
    # the police's models and their tests stay as they are; the tests on what is built run
    assert {"stg_politie__mutaties", "int_meldingen"} <= set(plan.excluded)
    tests = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    on_trajecten = [
        n["name"] for n in tests.values() if "model.veiligheidshuis.stg_vh__trajecten" in n["depends_on"]["nodes"]
    ]
    on_police_only = [
        n["name"] for n in tests.values() if n["depends_on"]["nodes"] == ["model.veiligheidshuis.stg_politie__mutaties"]
    ]
    assert on_trajecten and on_police_only
    assert not set(on_trajecten) & set(plan.excluded)
    assert set(on_police_only) <= set(plan.excluded)
    # the source's own tests run too
    source_tests = [n["name"] for n in tests.values() if TRAJECTEN in n["depends_on"]["nodes"]]
    assert source_tests and not set(source_tests) & set(plan.excluded)


def test_with_nothing_new_only_the_models_the_run_reads_are_built(manifest, fingerprints):
    record = {"project": "p", "sources": fingerprints}
    plan = dbt_selection.plan_build(manifest, record, "p", fingerprints, always=READ_BY_THE_RUN)
    assert built_models(manifest, plan) == set(READ_BY_THE_RUN)
    assert plan.changed_sources == []


def test_the_models_built_every_run_are_those_the_other_assets_read(pipeline):
    graph = pipeline.defs.resolve_asset_graph()

    def built_by_dbt(key) -> bool:
        return graph.has(key) and graph.get(key).assets_def.node_def.name == "veiligheidshuis_dbt"

    read = {
        parent.path[-1]
        for key in graph.get_all_asset_keys()
        if not built_by_dbt(key)
        for parent in graph.get(key).parent_keys
        if built_by_dbt(parent)
    }
    from orchestration.assets import transform
    from orchestration.assets.publish import MARTS

    assert read == set(READ_BY_THE_RUN) == set(transform.READ_BY_THE_RUN)
    assert {key.path[-1] for key in MARTS} - {"reconciliation"} <= read


def test_the_project_fingerprint_follows_every_file_and_setting_dbt_reads(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    settings = {"VH_REPORT_YEAR": "2011", "VH_SURROGATE_SALT": "s", "VH_DBT_TARGET": "duckdb"}
    before = dbt_selection.project_fingerprint(project, settings)
    assert dbt_selection.project_fingerprint(project, settings) == before
    assert dbt_selection.project_fingerprint(project, {**settings, "VH_REPORT_YEAR": "2010"}) != before
    assert dbt_selection.project_fingerprint(project, {**settings, "VH_SURROGATE_SALT": "t"}) != before
    model = project / "models" / "marts" / "report_cells.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    assert dbt_selection.project_fingerprint(project, settings) != before


def test_the_source_fingerprint_follows_any_change_of_a_row(pipeline, manifest, fingerprints, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(pipeline.paths.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert dbt_selection.source_fingerprints(con, manifest) == fingerprints
        first = "(select min(rowid) from raw.vh_trajecten where categorie = 'kort')"
        con.execute(f"update raw.vh_trajecten set categorie = 'lang' where rowid = {first}")
        changed = dbt_selection.source_fingerprints(con, manifest)
    assert {uid for uid in fingerprints if changed[uid] != fingerprints[uid]} == {TRAJECTEN}


def test_a_nightly_run_builds_only_what_the_new_day_changes_and_equals_a_full_rebuild(tmp_path, staged_pipeline):
    run = staged_pipeline(tmp_path, days=5, seed=6)
    assert run.run_job("nightly_load", DayRange(date(2011, 1, 1), date(2011, 1, 4))).success
    assert (
        dbt_selection.read_record(run.paths.dbt_target / "build") is not None
    )  # the first build was whole and is recorded

    nightly = run.run_job("nightly_load", DayRange(date(2011, 1, 5), date(2011, 1, 5)))
    assert nightly.success
    rebuilt = {e.asset_key.path[-1] for e in nightly.asset_materializations_for_node("veiligheidshuis_dbt")}
    assert {"stg_politie__mutaties", "int_meldingen", *READ_BY_THE_RUN} <= rebuilt
    assert (
        not {"stg_vh__meldingen", "stg_om__strafzaken", "int_trajecten", "tabel_06_korte_trajecten_per_doelgroep"}
        & rebuilt
    )
    cells = "select tabel, rij, kolom, waarde from marts.report_cells order by all"
    after_nightly = run.query(cells)
    # the docs site still shows every model's SQL: kept from the first build, as neither the project nor
    # the warehouse's columns changed (the night's manifest holds the SQL of the models it built only)
    site = run.paths.reports / "dbt_docs"
    assert not every_model_compiled(run.paths.dbt_target / "build" / "manifest.json")
    assert every_model_compiled(site / "manifest.json")
    (docs,) = nightly.asset_materializations_for_node("published__dbt_docs")
    assert docs.metadata["unchanged_project_and_catalog"].value is True
    # `vhpipe run` says why a night ran fewer checks than a full load
    built, validated = what_ran(nightly)
    assert built.startswith(f"dbt builds {len(rebuilt)} of ") and "politie_mutaties" in built
    kept = re.fullmatch(r"GX validated (\d+) of (\d+) suites; (\d+) kept their outcome on unchanged rows", validated)
    assert kept and int(kept[1]) + int(kept[3]) == int(kept[2]) and int(kept[3]) > int(kept[1]) > 0

    full = run.run_job("full_refresh", DayRange(date(2011, 1, 5), date(2011, 1, 5)))
    assert full.success
    # the full_refresh job builds every model again (its run tag asks dbt for --full-refresh)
    everything = {e.asset_key.path[-1] for e in full.asset_materializations_for_node("veiligheidshuis_dbt")}
    assert rebuilt < everything and {"stg_vh__meldingen", "fct_meldingen", "int_trajecten"} <= everything
    assert what_ran(full)[0] == "dbt builds every model (the full_refresh job)"
    assert run.query(cells).equals(after_nightly)

    # a changed project (here: its record of the last build says another) rebuilds the incremental facts
    # from scratch: rows an earlier project made, here one spoiled by hand, do not stay
    with duckdb.connect(str(run.paths.warehouse)) as con:
        con.execute(
            "update marts.fct_meldingen set doelgroep = 'made by another project' "
            "where melding_sleutel = (select min(melding_sleutel) from marts.fct_meldingen)"
        )
    record = dbt_selection.read_record(run.paths.dbt_target / "build")
    dbt_selection.write_record(run.paths.dbt_target / "build", "another project", record["sources"])
    changed = run.run_job("nightly_load", DayRange(date(2011, 1, 5), date(2011, 1, 5)))
    assert changed.success
    assert what_ran(changed)[0] == "dbt builds every model from scratch (the dbt project or its settings changed)"
    assert "made by another project" not in set(
        run.query("select distinct doelgroep from marts.fct_meldingen")["doelgroep"]
    )
    assert run.query(cells).equals(after_nightly)
