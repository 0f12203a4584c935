"""The JSON suites catch what they promise on small hand-made frames (no warehouse), and name the
offending row; conditional expectations (a row_condition per doelgroep) are really evaluated."""

import json

import pandas as pd
import pytest

from expectations.report import offline_assets
from expectations.runner import SUITES_DIR, load_suite_definition, run_suite
from expectations.seeds import code_sets


def run(suite: str, rows: list[dict], id_column: str):
    return run_suite(suite, pd.DataFrame(rows), id_column, parameters=code_sets(), subject=f"test.{suite}")


def test_every_suite_file_is_valid_json_with_explained_expectations():
    for path in SUITES_DIR.glob("*.json"):
        definition = load_suite_definition(path.stem)
        assert definition["name"] == path.stem, path
        for expectation in definition["expectations"]:
            assert expectation["type"].startswith("expect_"), path
            assert path.stem == "raw_ledger_reconciliation" or expectation["meta"]["explanation"], path
    assert json.loads((SUITES_DIR / "raw_politie_mutaties.json").read_text())["include"] == ["_raw_common"]


def test_a_huisverbod_extended_without_being_imposed_is_named():
    base = {"gemeente": "Maastricht", "datum_rihg": pd.Timestamp("2011-03-01"), "is_samenloop_strafrecht": False}
    rows = [
        {**base, "registratienummer": "HV-1", "is_opgelegd": True, "datum_opgelegd": pd.Timestamp("2011-03-01"),
         "einddatum": pd.Timestamp("2011-03-11"), "duur_dagen": 10, "is_ingetrokken": False, "is_verlengd": False},
        {**base, "registratienummer": "HV-2", "is_opgelegd": False, "datum_opgelegd": pd.NaT, "einddatum": pd.NaT,
         "duur_dagen": None, "is_ingetrokken": False, "is_verlengd": True},
    ]  # fmt: skip
    outcome = run("int_huisverboden", rows, "registratienummer")
    assert not outcome.success
    assert outcome.failures == [
        "test.int_huisverboden: a huisverbod that was not imposed cannot be extended: HV-2 (is_verlengd=True)"
    ]


def test_jeugd_meldingen_mostly_on_adults_fail_but_a_few_do_not():
    def melding(i: int, leeftijdsklasse: str) -> dict:
        return {"melding_id": f"M{i}", "bron": "politie", "herkomst": "politie", "doelgroep": "Jeugd",
                "gemeente": "Meerssen", "jaar": 2011, "jaar_van_datum": 2011, "leeftijdsklasse": leeftijdsklasse,
                "stadsdeelgroep": None}  # fmt: skip

    mostly_young = [melding(i, "12-17") for i in range(9)] + [melding(9, "18-23")]
    assert run("int_meldingen", mostly_young, "melding_id").success
    mostly_adult = [melding(i, "24-29") for i in range(5)] + [melding(9, "12-17")]
    failures = run("int_meldingen", mostly_adult, "melding_id").failures
    assert len(failures) == 1 and "jeugd meldingen are mostly on 12-17 year olds" in failures[0]


def test_a_traject_that_ends_before_it_starts_is_named():
    rows = [
        {"traject_id": "T1", "categorie": "kort", "doelgroep": "Jeugd", "gemeente": "Meerssen", "stadsdeelgroep": None,
         "startdatum": pd.Timestamp("2011-05-01"), "einddatum": pd.Timestamp("2011-04-01"),
         "earliest_allowed": pd.Timestamp("2000-01-01")},
    ]  # fmt: skip
    (failure,) = run("int_trajecten", rows, "traject_id").failures
    assert failure.startswith("test.int_trajecten: a traject ends on or after its start: T1 (einddatum=2011-04-01")


def test_the_data_docs_rewrite_refuses_a_cdn_it_cannot_serve_offline(tmp_path):
    if not offline_assets.installed():
        offline_assets.install()  # npm ci of the pinned front-end packages
    page = tmp_path / "index.html"
    page.write_text('<script src="https://cdn.example.org/lib.js"></script>', encoding="utf-8")
    with pytest.raises(offline_assets.OfflineAssetError, match=r"cdn\.example\.org"):
        offline_assets.make_offline(tmp_path)
    page.write_text('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>', encoding="utf-8")
    offline_assets.make_offline(tmp_path)
    assert page.read_text() == '<script src="static/vendor/jquery/dist/jquery.min.js"></script>'
    assert (tmp_path / "static" / "vendor" / "jquery" / "dist" / "jquery.min.js").stat().st_size > 80_000


def test_a_frame_is_validated_without_gx_hashing_every_value_of_it():
    """GX fingerprints each pandas batch by hashing all its values (twice per suite, half the time of a
    raw table's suite); the runner turns that off. Fails when a GX upgrade renames the setting."""
    rows = [{"traject_id": "VHT-1", "startdatum": pd.Timestamp("2011-01-01"), "einddatum": pd.Timestamp("2011-02-01")}]
    outcome = run("int_trajecten", rows, "traject_id")
    markers = outcome.validation.meta["batch_markers"]
    assert "ge_load_time" in markers
    assert "pandas_data_fingerprint" not in markers
