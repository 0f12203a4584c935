"""Every suite, run on a built warehouse: what the orchestration wires as asset checks.

Three groups, by what they guard:
- `raw`: the delivery contract of each raw table (columns and types, mandatory fields, code sets,
  dates inside the delivery period), its ledger (every row received accounted for, in raw or in
  quarantine, no rows of unknown deliveries), the share of BSNs passing the 11-proef per delivery,
  and the deliveries the source promised. Subject `raw.<table>`.
- `harmonised`: integrity of the intermediate models beyond dbt's row tests. Subject `intermediate.<model>`.
- `reconciliation`: the marts add up, agree across tables, follow from the registrations and (for
  the published year) equal the published figures. Subject `marts.report_cells`; blocking.

Each function returns `SuiteOutcome`s whose failures name the table and the cell, or the delivery.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations import harmonised, ledger, reconciliation
from expectations.publication import computed_cells, find_contradictions, published_values
from expectations.raw_contracts import RAW_TABLES, RAW_TABLES_BY_NAME, ROW_ORDER, RawTable, rows_query, schema_frame
from expectations.reuse import OutcomeStore
from expectations.runner import SHOWN_ROWS, SuiteOutcome, run_suite, run_suite_on_query
from expectations.seeds import CALIBRATION_YEAR, code_sets
from sources import duckdb_memory

RAW, HARMONISED, RECONCILIATION = "raw", "harmonised", "reconciliation"
REPORT_CELLS = "marts.report_cells"


def run_all(warehouse_path: str | Path, year: int, store: OutcomeStore | None = None) -> list[SuiteOutcome]:
    """Every suite on the warehouse file (opened read-only), for the report year `year`.

    With a `store`, every suite takes the outcome kept for unchanged rows (expectations/reuse.py); the
    store then drops the outcomes this audit no longer used."""
    with duckdb_memory.connect(warehouse_path, read_only=True) as con:
        outcomes = [
            *run_raw_contracts(con, year, store),
            *run_harmonised(con, year, store),
            *run_reconciliation(con, year, store),
        ]
    if store is not None:
        store.drop_unused()
    return outcomes


def run_raw_contracts(
    con: duckdb.DuckDBPyConnection, year: int, store: OutcomeStore | None = None
) -> list[SuiteOutcome]:
    return [outcome for table in RAW_TABLES for outcome in run_raw_table(con, table.name, year, store)]


def run_raw_table(
    con: duckdb.DuckDBPyConnection, table_name: str, year: int, store: OutcomeStore | None = None
) -> list[SuiteOutcome]:
    """The suites guarding one raw table (`politie_mutaties`, …): for the asset check of that table."""
    table: RawTable = RAW_TABLES_BY_NAME[table_name]
    deliveries = ledger.deliveries_frame(con, table)
    outcomes = [
        _run("raw_table_schema", schema_frame(con, table), "column", table.relation, RAW, store),
        _run_on_query(
            con,
            table.suite,
            rows_query(table),
            "delivery_row",
            table.relation,
            RAW,
            ROW_ORDER,
            store,
            ("_delivery_id", "_loaded_at"),
        ),
        _run("raw_delivery_ledger", deliveries, "delivery_key", table.relation, RAW, store),
        _run("raw_delivery_bsn", deliveries, "delivery_key", table.relation, RAW, store),
    ]
    promised = ledger.expected_deliveries(con, table, year)
    if promised is not None:
        outcomes.append(_run("raw_delivery_completeness", promised, "expected_delivery", table.relation, RAW, store))
    return outcomes


def run_harmonised(con: duckdb.DuckDBPyConnection, year: int, store: OutcomeStore | None = None) -> list[SuiteOutcome]:
    def whole(suite: str, sql: str, id_column: str) -> SuiteOutcome:
        return _run_on_query(
            con,
            suite,
            sql,
            id_column,
            f"intermediate.{suite}",
            HARMONISED,
            store=store,
            delivery=("delivery_id", "loaded_at"),
        )

    return [
        whole("int_meldingen", harmonised.MELDINGEN, "melding_id"),
        _run(
            "int_meldingen_spreiding",
            harmonised.meldingen_spreiding(con, year),
            "deel",
            "intermediate.int_meldingen",
            HARMONISED,
            store,
        ),
        whole("int_vervolgacties", harmonised.VERVOLGACTIES, "vervolgactie_id"),
        whole("int_trajecten", harmonised.TRAJECTEN, "traject_id"),
        whole("int_huisverboden", harmonised.HUISVERBODEN, "registratienummer"),
    ]


def run_reconciliation(
    con: duckdb.DuckDBPyConnection, year: int, store: OutcomeStore | None = None
) -> list[SuiteOutcome]:
    """Blocking: report_cells against its own sums, the identities, the registrations and the publication.

    The comparison with the published figures runs only when `year` is the published report's year
    and the registrations cover all of it.
    """
    computed = computed_cells(con)
    outcomes = [
        _run(
            "report_cells_totals", reconciliation.totals_frame(computed), "check", REPORT_CELLS, RECONCILIATION, store
        ),
        _run(
            "report_cross_table_identities",
            reconciliation.identities_frame(computed),
            "check",
            REPORT_CELLS,
            RECONCILIATION,
            store,
        ),
        _run(
            "report_headline_totals",
            reconciliation.headline_frame(con, year, computed),
            "maat",
            REPORT_CELLS,
            RECONCILIATION,
            store,
        ),
    ]
    if year == CALIBRATION_YEAR and harmonised.year_is_complete(con, year):
        contradictions = find_contradictions(published_values())
        frame = reconciliation.published_frame(computed, contradictions)
        outcomes.append(_run("report_vs_published", frame, "cel", REPORT_CELLS, RECONCILIATION, store))
    return outcomes


def _run(
    suite: str, frame, id_column: str, subject: str, group: str, store: OutcomeStore | None = None
) -> SuiteOutcome:
    # a report has a few hundred cells: name every one that fails; raw tables can fail by the thousand
    shown = None if group == RECONCILIATION else SHOWN_ROWS
    return run_suite(
        suite, frame, id_column, parameters=code_sets(), subject=subject, group=group, shown_rows=shown, store=store
    )


def _run_on_query(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    sql: str,
    id_column: str,
    subject: str,
    group: str,
    order_by=None,
    store: OutcomeStore | None = None,
    delivery: tuple[str, str] | None = None,
) -> SuiteOutcome:
    """A suite on a whole table: only its columns are read, in parts when the table is large; with a
    store, per group of deliveries (`delivery`: the columns of a row's delivery and of when it was
    loaded), so that a night validates its new deliveries."""
    delivery_column, loaded_column = delivery or (None, None)
    return run_suite_on_query(
        suite,
        con,
        sql,
        id_column,
        order_by=order_by,
        parameters=code_sets(),
        subject=subject,
        group=group,
        store=store,
        delivery_column=delivery_column,
        loaded_column=loaded_column,
    )
