"""The report's tables as they leave the pipeline: exact (internal) or suppressed (public).

In public mode Tables 1-9 are suppressed together, so that a figure two tables share is hidden in
both or in neither (coordination.py), and the tables that repeat another table's figures follow it,
so no figure hidden in one table is printed in another:

* Bijlage 3 repeats Table 1's counts and the totals of Tables 2, 4, 6 and 7;
* report_cells holds every cell of every table.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.publishing.coordination import coordinated_patterns
from orchestration.publishing.layout import TABLES, TABLES_BY_KEY, TOTAL_COLUMN, TOTAL_LABEL, ReportTable
from orchestration.publishing.marts import read_mart
from orchestration.publishing.suppression import SuppressionSettings, suppress
from orchestration.publishing.table_structure import is_derived

# Where each rubriek of Bijlage 3 comes from: (table, 'column' or 'row', which one).
BIJLAGE_3_SOURCES = {
    "Meldingen per herkomst": ("1", "column", "aantal"),
    "Meldingen per doelgroep": ("2", "column", TOTAL_COLUMN),
    "Vervolgacties per doelgroep": ("4", "row", TOTAL_LABEL),
    "Korte trajecten per doelgroep": ("6", "column", TOTAL_COLUMN),
    "Lange trajecten per doelgroep": ("7", "column", TOTAL_COLUMN),
}


@dataclass(frozen=True)
class LoadedTable:
    layout: ReportTable
    exact: pd.DataFrame
    shown: pd.DataFrame  # exact, or suppressed in public mode


def load_report_tables(con: duckdb.DuckDBPyConnection, suppression: SuppressionSettings | None) -> list[LoadedTable]:
    """Tables 1-9 and Bijlage 3, in the report's order."""
    exact = {table.key: read_mart(con, table.mart) for table in TABLES}
    if suppression is None:
        return [LoadedTable(table, exact[table.key], exact[table.key]) for table in TABLES]
    tables = {key: frame for key, frame in exact.items() if key != "B3"}
    hidden = coordinated_patterns(tables, TABLES_BY_KEY, suppression.threshold)
    shown = {key: suppress(frame, suppression.threshold, hidden_elsewhere=hidden[key]) for key, frame in tables.items()}
    shown["B3"] = _bijlage_3_as_its_sources(exact["B3"], exact, shown, suppression)
    return [LoadedTable(table, exact[table.key], shown[table.key]) for table in TABLES]


def report_cells(tables: list[LoadedTable], con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """marts.report_cells with each figure as shown: the mart itself in internal mode, else every cell
    replaced by the same cell of the suppressed table. Sorted by tabel, rij, kolom."""
    cells = con.execute("select * from marts.report_cells order by tabel, rij, kolom").df()
    if all(t.shown is t.exact for t in tables):
        return cells
    shown = {}
    for table in tables:
        frame = table.shown
        if table.layout.key == "B3":
            for row in frame.itertuples(index=False):
                shown["B3", row.omschrijving, row.rubriek] = row.aantal
            continue
        label = frame.columns[0]
        for _, row in frame.iterrows():
            for column in frame.columns[1:]:
                shown[table.layout.key, row[label], table.layout.heading(column)] = row[column]
    keys = list(zip(cells["tabel"], cells["rij"], cells["kolom"], strict=True))
    if unknown := [k for k in keys if k not in shown]:
        raise ValueError(f"report_cells holds cells no report table shows, cannot suppress them: {unknown[:5]}")
    cells["waarde"] = pd.Series([shown[k] for k in keys], index=cells.index, dtype=object)
    return cells


def _bijlage_3_as_its_sources(
    bijlage: pd.DataFrame,
    exact: dict[str, pd.DataFrame],
    shown: dict[str, pd.DataFrame],
    suppression: SuppressionSettings,
) -> pd.DataFrame:
    """Bijlage 3 showing each figure as the table it repeats shows it."""
    result = bijlage.copy()
    result["aantal"] = result["aantal"].astype(object)
    for rubriek, rows in bijlage.groupby("rubriek", sort=False).groups.items():
        source = BIJLAGE_3_SOURCES.get(rubriek)
        exact_figures, shown_figures = _figures(exact, source), _figures(shown, source)
        if exact_figures != [int(v) for v in bijlage.loc[rows, "aantal"]]:
            # the marts disagree with themselves; suppress the rubriek on its own rather than guess
            warnings.warn(f"Bijlage 3 '{rubriek}' does not repeat {source}: suppressed on its own", stacklevel=2)
            shown_figures = list(suppress(bijlage.loc[rows], suppression.threshold)["aantal"])
        result.loc[rows, "aantal"] = pd.Series(shown_figures, index=rows, dtype=object)
    return result


def _figures(tables: dict[str, pd.DataFrame], source: tuple[str, str, str] | None) -> list:
    if source is None:
        return []
    key, axis, which = source
    frame = tables[key]
    if axis == "column":
        return [_plain(v) for v in frame[which]]
    row = frame[frame[frame.columns[0]] == which].iloc[0]
    return [_plain(row[c]) for c in frame.columns[1:] if not is_derived(str(c))]


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else int(value)
