"""Which marts leave the warehouse, the guard that no person-level column leaves with them, and
reading them in a stable order."""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb
import pandas as pd

from orchestration.publishing.layout import TABLES

MARTS_SCHEMA = "marts"
PUBLISHED_PREFIXES = ("tabel_", "bijlage_3_", "report_cells", "fct_", "dim_")
REPORT_MARTS = tuple(table.mart for table in TABLES)
REQUIRED_MARTS = (*REPORT_MARTS, "report_cells")
SORTED = "order by all"  # the order of the marts that are not the report's tables, in every file made of them

# The published copy's metadata (published_copy.py). Its format says how the copy stores the marts:
# 2, each sorted as mart_query reads it. A copy of another format is read with a sort, and not reused.
METADATA_SCHEMA = "publicatie"
COPY_FORMAT = 2

# Hashes of a source record id, documented as not linkable to a person (see the fct_ models' docs).
SURROGATE_KEYS = frozenset({"melding_sleutel", "vervolgactie_sleutel", "traject_sleutel", "huisverbod_sleutel"})
PERSON_LEVEL = re.compile(r"persoon|bsn|naam|geboorte|pseudoniem|_sleutel$")
NOT_PERSON_LEVEL = frozenset({"maandnaam"})  # dim_datum's month name


class PersonLevelColumnError(RuntimeError):
    """A column that may identify a person was about to leave the warehouse."""


def is_published_mart(name: str) -> bool:
    return name.startswith(PUBLISHED_PREFIXES)


def person_level_columns(columns: Iterable[str]) -> list[str]:
    return [
        c
        for c in columns
        if PERSON_LEVEL.search(c.lower()) and c not in SURROGATE_KEYS and c.lower() not in NOT_PERSON_LEVEL
    ]


def assert_no_person_level_columns(table: str, columns: Iterable[str]) -> None:
    if found := person_level_columns(columns):
        raise PersonLevelColumnError(f"{table} has person-level column(s) {found}: it must not be published")


def published_marts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """The publishable marts in `catalog` (the connection's own database by default): the report's
    tables in the report's order, then report_cells, the facts and the dimensions by name."""
    where_catalog = "and table_catalog = ?" if catalog else "and table_catalog = current_database()"
    names = [
        row[0]
        for row in con.execute(
            f"select table_name from information_schema.tables where table_schema = ? {where_catalog}",
            [MARTS_SCHEMA, catalog] if catalog else [MARTS_SCHEMA],
        ).fetchall()
        if is_published_mart(row[0])
    ]
    report_order = {name: i for i, name in enumerate(REQUIRED_MARTS)}
    return sorted(names, key=lambda n: (report_order.get(n, len(report_order)), n))


def mart_query(name: str, stored_in_order: bool = False, catalog: str | None = None) -> str:
    """A query for the mart's rows in a stable order: the report's tables as dbt ordered them (the
    report's order, kept by DuckDB's insertion order), everything else sorted; `stored_in_order`: the
    database stores them sorted already (a published copy, see `stored_in_order`), which a scan keeps.
    `catalog`: the attached database to read (the connection's own when None)."""
    ordered = "" if name in REPORT_MARTS or stored_in_order else f" {SORTED}"
    return f'select * from {f"{catalog}." if catalog else ""}{MARTS_SCHEMA}."{name}"{ordered}'


def stored_in_order(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's database is a published copy of the current format: its marts stored in
    the order `mart_query` reads them in, which DuckDB's scans keep (insertion order)."""
    try:
        rows = con.execute(f"select formaat from {METADATA_SCHEMA}.versie").fetchall()
    except duckdb.Error:  # the warehouse, or a copy written before the format was recorded
        return False
    return rows == [(COPY_FORMAT,)]


def read_mart(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    frame = con.execute(mart_query(name)).df()
    assert_no_person_level_columns(name, frame.columns)
    return frame


def infer_report_year(con: duckdb.DuckDBPyConnection) -> int | None:
    """The year the report tables describe, which the marts do not store: the year whose meldingen in
    fct_meldingen add up to Table 1's total. None when no year (or more than one) fits."""
    fitting = con.execute(
        f"""
        select jaar from {MARTS_SCHEMA}.fct_meldingen group by jaar
        having count(*) = (
            select aantal from {MARTS_SCHEMA}.tabel_01_meldingen_naar_herkomst where herkomst = 'Totaal'
        )
        """
    ).fetchall()
    return fitting[0][0] if len(fitting) == 1 else None
