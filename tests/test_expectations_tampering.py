"""Tampering with a built 2011 warehouse makes a named check fail, with a message naming the table
and the cell, or the delivery. Each test works on its own copy of the session's warehouse; the
harmonised-layer tamperings rebuild the marts from the tampered models with dbt."""

import duckdb
import pytest
from dbt_cli import copy_warehouse, run_dbt

from expectations.suites_api import run_harmonised, run_raw_table, run_reconciliation

pytestmark = pytest.mark.e2e

TAMPERED_MODELS = ["int_meldingen", "int_vervolgacties", "int_huisverboden"]


def failures(outcomes, suite: str) -> str:
    (outcome,) = [o for o in outcomes if o.suite == suite]
    assert not outcome.success, f"{suite} passed"
    return "\n".join(outcome.failures)


@pytest.fixture(scope="module")
def harmonised_tampering(pipeline, tmp_path_factory):
    """One melding removed, one vervolgactie doubled, one huisverbod moved to Meerssen; marts rebuilt."""
    workdir = tmp_path_factory.mktemp("tampered-harmonised")
    warehouse = copy_warehouse(pipeline.paths.warehouse, workdir / "warehouse")
    with duckdb.connect(str(warehouse)) as con:
        (melding,) = con.execute(
            "select melding_id from intermediate.int_meldingen "
            "where jaar = 2011 and doelgroep = 'Jeugd' and gemeente = 'Meerssen' order by melding_id limit 1"
        ).fetchone()
        con.execute("delete from intermediate.int_meldingen where melding_id = ?", [melding])
        (vervolgactie,) = con.execute(
            "select vervolgactie_id from intermediate.int_vervolgacties where jaar = 2011 "
            "and soort = 'Zorgcasusoverleg' and doelgroep = 'Huiselijk geweld' order by vervolgactie_id limit 1"
        ).fetchone()
        con.execute(
            "insert into intermediate.int_vervolgacties select * from intermediate.int_vervolgacties "
            "where vervolgactie_id = ?",
            [vervolgactie],
        )
        (huisverbod,) = con.execute(
            "select registratienummer from intermediate.int_huisverboden "
            "where jaar = 2011 and is_opgelegd and gemeente = 'Maastricht' order by registratienummer limit 1"
        ).fetchone()
        con.execute(
            "update intermediate.int_huisverboden set gemeente = 'Meerssen' where registratienummer = ?", [huisverbod]
        )
    # rebuild what is built from the tampered models (not the models themselves, nor the incremental facts)
    selected = [f"{model}+" for model in TAMPERED_MODELS]
    excluded = [*TAMPERED_MODELS, "fct_meldingen", "fct_vervolgacties", "fct_huisverboden", "fct_trajecten"]
    dbt = run_dbt(
        ["run", "--select", *selected, "--exclude", *excluded], warehouse=warehouse, report_year=2011, workdir=workdir
    )
    assert dbt.process.returncode == 0, dbt.output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcomes = [*run_harmonised(con, 2011), *run_reconciliation(con, 2011)]
    return outcomes, vervolgactie


def test_a_removed_melding_fails_the_reconciliation_naming_the_cell(harmonised_tampering):
    outcomes, _ = harmonised_tampering
    published = failures(outcomes, "report_vs_published")
    assert "Tabel 2 · Jeugd × Meerssen (berekend=157, verwacht=158)" in published
    assert "Tabel 1 · Totaal × aantal (berekend=3361, verwacht=3362)" in published
    assert "meldingen 2011 (Tabel 1 · Totaal × aantal) (bijlage_3=3361, gepubliceerd=3362)" in failures(
        outcomes, "report_headline_totals"
    )


def test_a_doubled_vervolgactie_fails_integrity_and_reconciliation_naming_it_and_the_cell(harmonised_tampering):
    outcomes, vervolgactie = harmonised_tampering
    assert vervolgactie in failures(outcomes, "int_vervolgacties")
    assert "Tabel 4 · Zorgcasusoverleg × Huiselijk geweld (berekend=40, verwacht=39)" in failures(
        outcomes, "report_vs_published"
    )


def test_a_huisverbod_moved_to_another_gemeente_breaks_the_identity_of_tables_7_and_9(harmonised_tampering):
    outcomes, _ = harmonised_tampering
    identities = failures(outcomes, "report_cross_table_identities")
    moved_from = "Tabel 9 · Opgelegde huisverboden × Maastricht = Tabel 7 · Huiselijk geweld × Maastricht"
    moved_to = "Tabel 9 · Opgelegde huisverboden × Meerssen = Tabel 7 · Huiselijk geweld × Meerssen"
    assert f"{moved_from} (waarde=32, verwacht=33)" in identities
    assert f"{moved_to} (waarde=2, verwacht=1)" in identities
    assert "Tabel 9 · Opgelegde huisverboden × Maastricht (berekend=32" in failures(outcomes, "report_vs_published")


def test_the_untampered_suites_still_pass_on_the_tampered_warehouse(harmonised_tampering):
    outcomes, _ = harmonised_tampering
    assert {o.suite for o in outcomes if o.success} >= {"int_trajecten", "int_huisverboden", "report_cells_totals"}


@pytest.fixture
def raw_copy(pipeline, tmp_path):
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        yield con


def police_drop(con, nth: int) -> tuple[str, str]:
    """A regular daily police drop of 2011 (not a re-delivery), by its place in the year."""
    return con.execute(
        "select delivery_id, delivery_name from raw._deliveries "
        "where regexp_matches(delivery_name, '^BVH_VH_mutaties_2011\\d{4}\\.csv$') "
        "order by delivery_name limit 1 offset ?",
        [nth],
    ).fetchone()


def test_a_dropped_delivery_fails_completeness_naming_the_missing_drop(raw_copy):
    delivery_id, name = police_drop(raw_copy, 164)
    for table, column in [
        ("raw.politie_mutaties", "_delivery_id"),
        ("raw._quarantine", "delivery_id"),
        ("raw._deliveries", "delivery_id"),
    ]:
        raw_copy.execute(f"delete from {table} where {column} = ?", [delivery_id])
    outcomes = run_raw_table(raw_copy, "politie_mutaties", 2011)
    assert [o.suite for o in outcomes if not o.success] == ["raw_delivery_completeness"]
    assert f"raw.politie_mutaties: the promised delivery is in the ledger: politie {name}" in failures(
        outcomes, "raw_delivery_completeness"
    )


def test_rows_of_a_delivery_the_ledger_does_not_know_fail_naming_the_delivery(raw_copy):
    delivery_id, _ = police_drop(raw_copy, 200)
    raw_copy.execute("delete from raw._deliveries where delivery_id = ?", [delivery_id])
    ledger = failures(run_raw_table(raw_copy, "politie_mutaties", 2011), "raw_delivery_ledger")
    assert f"belong to a delivery in the ledger (raw._deliveries): {delivery_id} (in_ledger=False)" in ledger


def test_a_landed_row_or_a_quarantined_row_lost_behind_the_ledgers_back_names_the_delivery(raw_copy):
    (vh_delivery,) = raw_copy.execute("select min(_delivery_id) from raw.vh_vervolgacties").fetchone()
    raw_copy.execute("delete from raw.vh_vervolgacties where _delivery_id = ? and _row_number = 1", [vh_delivery])
    (quarantined_delivery,) = raw_copy.execute(
        "select min(delivery_id) from raw._quarantine where delivery_id like 'vh:vervolgacties%'"
    ).fetchone()
    raw_copy.execute(
        "delete from raw._quarantine where delivery_id = $d "
        "and row_number = (select min(row_number) from raw._quarantine where delivery_id = $d)",
        {"d": quarantined_delivery},
    )
    ledger = failures(run_raw_table(raw_copy, "vh_vervolgacties", 2011), "raw_delivery_ledger")
    assert f"rows landed in raw = rows the ledger accepted: {vh_delivery} (landed=" in ledger
    assert f"rows in raw._quarantine = rows the ledger quarantined: {quarantined_delivery} (quarantine_rows=" in ledger


def test_a_code_outside_the_contracts_code_set_names_the_delivery_and_row(raw_copy):
    delivery_id, _ = police_drop(raw_copy, 10)
    raw_copy.execute(
        "update raw.politie_mutaties set selectiecode = 'XX' where _delivery_id = ? and _row_number = 1", [delivery_id]
    )
    contract = failures(run_raw_table(raw_copy, "politie_mutaties", 2011), "raw_politie_mutaties")
    rule = "selectiecode is one of the codes of the politie_selectiecodes seed (JGD, HG, VP, PGA)"
    assert f"{rule}: {delivery_id} rij 1 (selectiecode=XX)" in contract
