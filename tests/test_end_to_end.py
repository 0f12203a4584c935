"""The whole pipeline on the simulated 2011 world, every defect on: simulator → four connectors →
raw → dbt → marts → checks. The marts must reproduce the report and the simulator's truth.

Every test runs on both warehouse engines (`engine_pipeline`): the DuckDB file and PostgreSQL."""

import json

import pandas as pd
import pytest

from sources.paths import PROJECT_ROOT
from sources.simulator.truth import read_truth

pytestmark = pytest.mark.e2e

PUBLISHED = PROJECT_ROOT / "dbt_project" / "seeds" / "gepubliceerde_cijfers.csv"
# The report contradicts itself in these cells; the world follows the rest of the report
# (sources/simulator/calibration/README.md), so the records give another value.
CONTRADICTIONS = {
    ("4", "Ter opvolging door partnerorganisatie(s)", "Huiselijk geweld"): (306, 610),
    ("4", "Ter opvolging door partnerorganisatie(s)", "Volwassen ex-gedetineerden"): (30, 65),
    ("5", "Noord-West", "Afgehandeld door partners"): (38, 22),
    ("5", "Noord-Oost", "Afgehandeld door partners"): (21, 8),
    ("5", "Zuid-Oost", "Afgehandeld door partners"): (14, 6),
    ("5", "Zuid-West en centrum (inclusief OGGZ)", "Afgehandeld door partners"): (18, 17),
    ("9", "Opgelegde huisverboden", "Totaal"): (39, 40),
}


def query(engine_pipeline, sql: str) -> pd.DataFrame:
    return engine_pipeline.query(sql)


def cells(frame: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    return {(str(r.tabel), r.rij, r.kolom): int(r.waarde) for r in frame.itertuples(index=False)}


def test_run_succeeds_with_every_check_passing(engine_pipeline):
    assert engine_pipeline.result.success
    evaluations = engine_pipeline.result.get_asset_check_evaluations()
    assert len(evaluations) > 100, "the run evaluated (almost) no checks"
    assert [e.check_name for e in evaluations if not e.passed] == []
    ledger_checks = {e.asset_key.to_user_string() for e in evaluations if e.check_name == "ledger_reconciles"}
    assert ledger_checks == {
        "raw/politie_mutaties", "raw/om_casusoverleggen", "raw/om_veelplegersplannen", "raw/om_strafzaken",
        "raw/vh_meldingen", "raw/vh_vervolgacties", "raw/vh_trajecten", "raw/gemeenten_huisverboden",
    }  # fmt: skip


def test_the_run_publishes_the_dbt_docs_site_of_what_it_built(engine_pipeline):
    site = engine_pipeline.paths.reports / "dbt_docs"
    catalog = json.loads((site / "catalog.json").read_text())
    manifest = json.loads((site / "manifest.json").read_text())
    assert (site / "index.html").stat().st_size > 0
    marts = {
        uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model" and "marts" in node["fqn"]
    }
    assert marts and marts <= catalog["nodes"].keys()
    assert not catalog.get("errors")


def test_report_cells_equal_the_simulators_truth_cell_for_cell(engine_pipeline):
    truth = cells(read_truth(engine_pipeline.paths.truth))
    report = cells(query(engine_pipeline, "select * from marts.report_cells"))
    assert len(report) == len(truth) > 200
    assert {k: (v, report.get(k)) for k, v in truth.items() if report.get(k) != v} == {}


def test_report_cells_equal_every_figure_the_report_states_consistently(engine_pipeline):
    published = pd.read_csv(PUBLISHED, dtype={"tabel": str})
    report = cells(query(engine_pipeline, "select * from marts.report_cells"))
    differing = {
        (r.tabel, r.rij, r.kolom): (int(r.waarde), report.get((r.tabel, r.rij, r.kolom)))
        for r in published.itertuples(index=False)
        if report.get((r.tabel, r.rij, r.kolom)) != r.waarde
    }
    assert differing == CONTRADICTIONS
    assert report[("1", "Totaal", "aantal")] == 3362
    assert report[("4", "Totaal", "Totaal")] == 2926
    assert report[("6", "Totaal", "Totaal")] == 593
    assert report[("7", "Totaal", "Totaal")] == 338


@pytest.mark.parametrize(
    ("mart", "tabel", "row_column"),
    [
        ("tabel_01_meldingen_naar_herkomst", "1", "herkomst"),
        ("tabel_02_meldingen_per_doelgroep_per_gemeente", "2", "doelgroep"),
        ("tabel_03_meldingen_multiproblematiek_per_stadsdeel", "3", "stadsdeel"),
        ("tabel_04_vervolgacties_per_doelgroep", "4", "soort_vervolgactie"),
        ("tabel_05_vervolgacties_multiproblematiek_per_stadsdeel", "5", "stadsdeel"),
        ("tabel_06_korte_trajecten_per_doelgroep", "6", "doelgroep"),
        ("tabel_07_plannen_van_aanpak_per_doelgroep", "7", "doelgroep"),
        ("tabel_08_plannen_multiproblematiek_per_stadsdeel", "8", "stadsdeel"),
        ("tabel_09_tijdelijk_huisverbod", "9", "omschrijving"),
    ],
)
def test_every_mart_equals_the_truth(engine_pipeline, mart, tabel, row_column):
    """Each wide mart, read back cell by cell with its printed headings, holds the truth's values."""
    truth = {k: v for k, v in cells(read_truth(engine_pipeline.paths.truth)).items() if k[0] == tabel}
    headings = {kolom for (_, _, kolom) in truth}
    wide = query(engine_pipeline, f"select * from marts.{mart}").set_index(row_column)
    by_column = {c: h for h in headings for c in wide.columns if _column_name(h) == c}
    read_back = {
        (tabel, rij, by_column[c]): int(v) for rij, row in wide.iterrows() for c, v in row.items() if pd.notna(v)
    }
    assert read_back == truth


def _column_name(heading: str) -> str:
    """The mart's column name for a printed heading (as pivot_cells names them)."""
    special = {"aantal": "aantal", "% van totaal": "percentage_van_totaal"}
    return special.get(heading, heading.lower().replace("-", "_").replace(" ", "_"))


def test_bijlage_3_equals_the_truth(engine_pipeline):
    truth = {(k[1], k[2]): v for k, v in cells(read_truth(engine_pipeline.paths.truth)).items() if k[0] == "B3"}
    mart = query(engine_pipeline, "select * from marts.bijlage_3_in_een_oogopslag")
    assert {(r.omschrijving, r.rubriek): r.aantal for r in mart.itertuples()} == truth


def test_every_received_row_is_accounted_for(engine_pipeline):
    ledger = query(engine_pipeline, "select * from raw._deliveries")
    assert (ledger["received"] == ledger["accepted"] + ledger["quarantined"] + ledger["duplicates"]).all()
    assert set(ledger["source"]) == {"politie", "om", "vh", "gemeenten"}
    quarantine = query(engine_pipeline, "select delivery_id, count(*) as n from raw._quarantine group by delivery_id")
    per_delivery = ledger.set_index("delivery_id")["quarantined"]
    assert quarantine.set_index("delivery_id")["n"].to_dict() == per_delivery[per_delivery > 0].to_dict()
    # the defects are really there: repeated drops, quarantined rows
    assert ledger["duplicates"].sum() > 0
    assert ledger["quarantined"].sum() > 0


def test_what_was_left_out_is_counted_per_reason(engine_pipeline):
    excluded = query(engine_pipeline, "select * from intermediate.int_uitgesloten_records")
    counts = {(r.bron, r.reden): r.aantal for r in excluded.itertuples()}
    world = engine_pipeline.simulation.world
    copies = int((world.vervolgacties["defect"] == "cross_system_jco").sum())
    assert counts[("vh", "ook bij het OM geregistreerd (JCO)")] == copies > 0
    assert counts[("politie", "buiten het district")] > 0
    assert counts[("politie", "vervangen door een latere versie")] > 0


def test_no_bsn_name_or_birth_date_of_the_simulated_world_reaches_the_warehouse(engine_pipeline):
    world = engine_pipeline.simulation.world
    police = world.politie_mutaties
    bsns = set(world.persons["bsn"].dropna()) | set(police["bsn"].dropna())
    surnames = set(world.persons["achternaam"]) | set(police["achternaam"])
    born = pd.to_datetime(pd.concat([world.persons["geboortedatum"], police["geboortedatum"]]))
    dates = set(born.dt.strftime("%d-%m-%Y")) | set(born.dt.strftime("%Y-%m-%d"))
    tables = query(
        engine_pipeline,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('information_schema', 'pg_catalog')",
    ).itertuples(index=False)
    dump = "\n".join(query(engine_pipeline, f'select * from "{s}"."{t}"').to_csv() for s, t in tables)
    tokens = set(dump.replace(",", " ").replace('"', " ").split())
    assert not bsns & tokens
    assert not {s for s in surnames if len(s) > 4} & tokens
    # birth dates of persons: dates may legitimately occur as event dates, so look for them in
    # the columns that could carry a birth date only: there are none (the age band replaces it)
    columns = query(
        engine_pipeline,
        "select column_name from information_schema.columns "
        "where table_schema not in ('information_schema', 'pg_catalog')",
    )["column_name"]
    assert not [c for c in columns if "geboorte" in c]
    assert dates  # the world had birth dates to leak
