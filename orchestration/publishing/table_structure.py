"""How a report table's totals tie its cells together: which columns hold counts, and which rows and
columns sum to a total. Suppression (suppression.py) and its audit (disclosure_audit.py) reason
over these lines."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from orchestration.publishing.layout import TOTAL_COLUMN, TOTAL_LABEL

Cell = tuple[int, str]  # (row position, column name)


@dataclass(frozen=True)
class Line:
    """A row or column with a total: its member cells sum to the total cell."""

    members: tuple[Cell, ...]
    total: Cell

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.members, self.total)


def is_derived(column: str) -> bool:
    """Percentages follow from counts: they are in no sum, and are hidden with their count."""
    return column.startswith("percentage")


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns holding counts: numeric, not boolean, not derived."""
    return [
        str(c)
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]) and not is_derived(c)
    ]


def label_columns(table: pd.DataFrame) -> list[str]:
    counts = count_columns(table)
    return [str(c) for c in table.columns if c not in counts and not is_derived(c)]


def cells_of(table: pd.DataFrame) -> dict[Cell, int]:
    """Every count in the table; a null is no cell (the report prints nothing there)."""
    return {
        (row, column): int(table[column].iloc[row])
        for row in range(len(table))
        for column in count_columns(table)
        if not pd.isna(table[column].iloc[row])
    }


def lines_of(table: pd.DataFrame) -> list[Line]:
    """The sums in the table: per row, the counts add up to column 'totaal'; per column, the rows add up to
    the row labelled 'Totaal'. With several label columns (Bijlage 3: rubriek, omschrijving) the leading
    ones split the table into blocks that each have their own total row."""
    counts, labels, cells = count_columns(table), label_columns(table), cells_of(table)
    if not labels:
        return []
    row_label, block_keys = labels[-1], labels[:-1]
    if block_keys:
        blocks = [list(rows) for rows in table.reset_index(drop=True).groupby(block_keys, sort=False).indices.values()]
    else:
        blocks = [list(range(len(table)))]
    lines = []
    for rows in blocks:
        total_row = next((r for r in rows if str(table[row_label].iloc[r]).strip() == TOTAL_LABEL), None)
        if TOTAL_COLUMN in counts:
            for r in rows:
                members = tuple((r, c) for c in counts if c != TOTAL_COLUMN and (r, c) in cells)
                if members and (r, TOTAL_COLUMN) in cells:
                    lines.append(Line(members, (r, TOTAL_COLUMN)))
        if total_row is not None:
            for c in counts:
                members = tuple((r, c) for r in rows if r != total_row and (r, c) in cells)
                if members and (total_row, c) in cells:
                    lines.append(Line(members, (total_row, c)))
    return lines
