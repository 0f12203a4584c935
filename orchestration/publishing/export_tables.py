"""What the exports hold, as plain rows: every mart exactly (internal), or the public selection with
the report's tables suppressed and the record-level facts left out (a reader could recount any
hidden cell from them)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.publishing.marts import assert_no_person_level_columns, mart_query, published_marts
from orchestration.publishing.report_tables import LoadedTable, report_cells
from orchestration.publishing.suppression import SuppressionSettings

RECORD_LEVEL_PREFIX = "fct_"


@dataclass(frozen=True)
class ExportTable:
    name: str
    columns: list[str]
    types: list[str]  # DuckDB types, for Parquet
    rows: list[tuple]  # Python values: int, str, bool, date, datetime, Decimal, float or None


def export_tables(
    con: duckdb.DuckDBPyConnection, report: list[LoadedTable], suppression: SuppressionSettings | None
) -> list[ExportTable]:
    """The marts to export, in the report's order, then report_cells, facts and dimensions."""
    shown = {table.layout.mart: table.shown for table in report}
    tables = []
    for name in published_marts(con):
        if suppression is not None and name.startswith(RECORD_LEVEL_PREFIX):
            continue
        relation = con.sql(mart_query(name))
        columns, types = list(relation.columns), [str(t) for t in relation.types]
        assert_no_person_level_columns(name, columns)
        if suppression is None:
            rows = relation.fetchall()
        elif name in shown:
            rows, types = _rows_as_shown(shown[name], types)
        elif name == "report_cells":
            rows, types = _rows_as_shown(report_cells(report, con), types)
        else:  # the dimensions hold no counts
            rows = relation.fetchall()
        tables.append(ExportTable(name, columns, types, rows))
    return tables


def _rows_as_shown(frame: pd.DataFrame, types: list[str]) -> tuple[list[tuple], list[str]]:
    """Rows of a suppressed table; a column with '<5' or 'x' in it becomes text."""
    texts = {i for i, column in enumerate(frame.columns) if any(isinstance(v, str) for v in frame[column])}
    rows = [tuple(_python(v, as_text=i in texts) for i, v in enumerate(row)) for row in frame.itertuples(index=False)]
    return rows, ["VARCHAR" if i in texts else t for i, t in enumerate(types)]


def _python(value: object, as_text: bool) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    plain = value.item() if hasattr(value, "item") else value
    return str(plain) if as_text else plain
