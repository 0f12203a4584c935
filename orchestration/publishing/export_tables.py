"""What the exports hold, as plain rows: every mart exactly (internal), or the public selection: the
report's tables and report_cells suppressed, the dimensions as they are, and nothing else. The
record-level facts stay out (a reader could recount any hidden cell from them), and so does any mart
this module has no suppression rule for."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.publishing.marts import assert_no_person_level_columns, mart_query, published_marts
from orchestration.publishing.report_tables import LoadedTable, report_cells
from orchestration.publishing.suppression import SuppressionSettings

RECORD_LEVEL_PREFIX = "fct_"
DIMENSION_PREFIX = "dim_"  # reference lists (gemeenten, doelgroepen, buurten, days): no counts


@dataclass(frozen=True)
class ExportTable:
    name: str
    columns: list[str]
    types: list[str]  # DuckDB types, for Parquet
    rows: list[tuple]  # Python values: int, str, bool, date, datetime, Decimal, float or None


def export_tables(
    con: duckdb.DuckDBPyConnection, report: list[LoadedTable], suppression: SuppressionSettings | None
) -> list[ExportTable]:
    """The marts to export: the report's tables in the report's order, report_cells, then the rest by name."""
    shown = {table.layout.mart: table.shown for table in report}
    tables = []
    for name in published_marts(con):
        if suppression is not None and not (
            name in shown or name == "report_cells" or name.startswith(DIMENSION_PREFIX)
        ):
            continue
        relation = con.sql(mart_query(name))
        columns, types = list(relation.columns), [str(t) for t in relation.types]
        assert_no_person_level_columns(name, columns)
        if suppression is None:
            rows = relation.fetchall()
        elif name in shown:
            rows, types = _rows_as_shown(shown[name])
        elif name == "report_cells":
            rows, types = _rows_as_shown(report_cells(report, con))
        else:
            rows = relation.fetchall()
        tables.append(ExportTable(name, columns, types, rows))
    return tables


def _rows_as_shown(frame: pd.DataFrame) -> tuple[list[tuple], list[str]]:
    """Rows of a suppressed table, every column as text: a count may read '<5' or 'x', in any year."""
    rows = [tuple(_text(v) for v in row) for row in frame.itertuples(index=False)]
    return rows, ["VARCHAR"] * len(frame.columns)


def _text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value.item() if hasattr(value, "item") else value)
