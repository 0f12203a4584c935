"""Suppression across tables: a figure the report prints in two tables is hidden in both or in neither.

Each table is suppressed on its own first. Where one table hides a figure (a small count, or a cell
hidden to protect one) that another table prints as the same quantity, a reader would take it from
the other table and work the hidden cells out again. So the other table hides it too, which may make
that table hide more, and so on until no identity between the tables is hidden on one side only.
The identities are the report's own (expectations/identities.py), the same ones the audit checks.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.identities import IDENTITIES
from expectations.report_tables import CellRef
from orchestration.publishing.layout import ReportTable
from orchestration.publishing.suppression import suppression_pattern
from orchestration.publishing.table_structure import Cell, count_columns


def coordinated_patterns(
    tables: Mapping[str, pd.DataFrame], layouts: Mapping[str, ReportTable], threshold: int
) -> dict[str, set[Cell]]:
    """Per table key, the cells to hide so that every identity between two of `tables` agrees."""
    pairs = identity_pairs(tables, layouts)
    forced: dict[str, set[Cell]] = {key: set() for key in tables}
    while True:
        hidden = {
            key: suppression_pattern(frame, threshold, hidden_elsewhere=forced[key]) for key, frame in tables.items()
        }
        one_sided = [
            (key, cell)
            for left, right, left_key, right_key in pairs
            if (left in hidden[left_key]) != (right in hidden[right_key])
            for key, cell in ((left_key, left), (right_key, right))
            if cell not in hidden[key]
        ]
        if not one_sided:
            return hidden
        for key, cell in one_sided:  # forced only grows, so this ends (at worst with everything hidden)
            forced[key].add(cell)


def identity_pairs(
    tables: Mapping[str, pd.DataFrame], layouts: Mapping[str, ReportTable]
) -> list[tuple[Cell, Cell, str, str]]:
    """The report's identities between two of `tables`, as (cell, cell, its table, the other's table)."""
    positions = {key: cell_positions(frame, layouts[key]) for key, frame in tables.items()}
    return [
        (positions[left.tabel][left], positions[right.tabel][right], left.tabel, right.tabel)
        for identity in IDENTITIES
        for left, right in [(identity.target, identity.parts[0])]
        if left in positions.get(left.tabel, {}) and right in positions.get(right.tabel, {})
    ]


def cell_positions(table: pd.DataFrame, layout: ReportTable) -> dict[CellRef, Cell]:
    """Each count cell under the name report_cells gives it: (tabel, row label, printed column heading)."""
    label = table.columns[0]
    return {
        CellRef(layout.key, str(row_label), layout.heading(column)): (row, column)
        for row, row_label in enumerate(table[label])
        for column in count_columns(table)
        if not pd.isna(table[column].iloc[row])
    }
