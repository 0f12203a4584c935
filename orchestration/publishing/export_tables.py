"""What the exports hold, as plain rows: every mart exactly (internal), or the public selection: the
report's tables and report_cells suppressed, the dimensions as they are, and nothing else. The
record-level facts stay out (a reader could recount any hidden cell from them), and so does any mart
this module has no suppression rule for."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.publishing.marts import (
    assert_no_person_level_columns,
    mart_query,
    published_marts,
    stored_in_order,
)
from orchestration.publishing.report_tables import LoadedTable, report_cells
from orchestration.publishing.suppression import SuppressionSettings

RECORD_LEVEL_PREFIX = "fct_"
DIMENSION_PREFIX = "dim_"  # reference lists (gemeenten, doelgroepen, buurten, days): no counts


@dataclass(frozen=True)
class ExportTable:
    """A table to export: either the rows a suppressed table shows, or the query of a mart exported
    exactly, which the writers stream from the export's connection (a record-level fact of a national
    year has millions of rows: they never pass through Python one by one)."""

    name: str
    columns: list[str]
    types: list[str]  # DuckDB types, for Parquet
    rows: list[tuple] | None = None  # Python values: int, str, bool, date, datetime, Decimal, float or None
    query: str | None = None


def export_tables(
    con: duckdb.DuckDBPyConnection, report: list[LoadedTable], suppression: SuppressionSettings | None
) -> list[ExportTable]:
    """The marts to export: the report's tables in the report's order, report_cells, then the rest by name."""
    shown = {table.layout.mart: table.shown for table in report}
    in_order = stored_in_order(con)  # a published copy: its marts are read in order without a sort
    tables = []
    for name in published_marts(con):
        if suppression is not None and not (
            name in shown or name == "report_cells" or name.startswith(DIMENSION_PREFIX)
        ):
            continue
        query = mart_query(name, in_order)
        relation = con.sql(query)
        columns, types = list(relation.columns), [str(t) for t in relation.types]
        assert_no_person_level_columns(name, columns)
        if suppression is not None and name in shown:
            tables.append(ExportTable(name, columns, *_rows_as_shown(shown[name])))
        elif suppression is not None and name == "report_cells":
            tables.append(ExportTable(name, columns, *_rows_as_shown(report_cells(report, con))))
        else:
            tables.append(ExportTable(name, columns, types, query=query))
    return tables


def _rows_as_shown(frame: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """Types and rows of a suppressed table, every column as text: a count may read '<5' or 'x', in any year."""
    rows = [tuple(_text(v) for v in row) for row in frame.itertuples(index=False)]
    return ["VARCHAR"] * len(frame.columns), rows


def _text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value.item() if hasattr(value, "item") else value)
