"""Small-cell suppression for public exports, as statistics offices do it (CBS: τ-ARGUS).

Primary suppression: a count of 1 up to threshold - 1 is shown as '<5' (the threshold in the label).
Secondary suppression: cells that would give a hidden count away are hidden too, shown as 'x'
(CBS's sign for "geheim"):

* every row and column with a total holds no hidden cell or at least two, and
* no hidden cell can be worked out from the published cells, the sums and the labels together
  (disclosure_audit.py), which also catches '37, <5, <5, <5, total 40' and chains of rows and columns.

The next cell to hide is the smallest other non-zero cell of the row or column concerned, totals last
(they stay published whenever something else can protect the cell). The internal marts are never
suppressed; only the exports and the report in public mode are.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from orchestration.publishing.disclosure_audit import exposed_cells, pinned_by_one_line
from orchestration.publishing.layout import TOTAL_COLUMN
from orchestration.publishing.table_structure import Cell, cells_of, count_columns, is_derived, lines_of

SECONDARY_LABEL = "x"
THRESHOLD_VARIABLE = "VH_SUPPRESSION_THRESHOLD"


@dataclass(frozen=True)
class SuppressionSettings:
    """Public mode: counts from 1 to threshold - 1 are not published."""

    threshold: int = 5

    def __post_init__(self) -> None:
        if self.threshold < 3:  # '<2' would print the value itself: 1
            raise ValueError(f"a suppression threshold must be at least 3, got {self.threshold}")

    @property
    def primary_label(self) -> str:
        return f"<{self.threshold}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SuppressionSettings:
        """The threshold from VH_SUPPRESSION_THRESHOLD, 5 when unset."""
        return cls(threshold=int(environ.get(THRESHOLD_VARIABLE, "5")))


def mode_name(settings: SuppressionSettings | None) -> str:
    return "intern" if settings is None else "openbaar"


def mode_description(settings: SuppressionSettings | None) -> str:
    """One Dutch sentence for every export and report: which figures the reader is looking at."""
    if settings is None:
        return "Interne versie: exacte cijfers, zonder celonderdrukking. Niet bestemd voor publicatie."
    t = settings.threshold
    return (
        f"Openbare versie: aantallen van 1 tot en met {t - 1} zijn weergegeven als ‘<{t}’; met ‘{SECONDARY_LABEL}’"
        " gemarkeerde cellen zijn weggelaten zodat geen afgeschermd aantal uit de totalen kan worden teruggerekend."
    )


def suppress(table: pd.DataFrame, threshold: int = 5, *, hidden_elsewhere: Iterable[Cell] = ()) -> pd.DataFrame:
    """The table as it may be published: small counts as '<threshold', cells that would give them away as 'x'.

    Count columns are the numeric ones; a row labelled 'Totaal' holds the column totals, a column named
    'totaal' the row totals (see table_structure.py). Percentages are hidden with the count they are a
    share of. `hidden_elsewhere`: cells (row position, column) to hide from the start because another
    table hides the same figure. Returns a copy whose count and percentage columns hold ints, labels or None.
    """
    settings = SuppressionSettings(threshold)
    counts = count_columns(table)
    percentages = [str(c) for c in table.columns if is_derived(str(c))]
    base = TOTAL_COLUMN if TOTAL_COLUMN in counts else (counts[0] if counts else None)
    hidden = suppression_pattern(table, threshold, hidden_elsewhere=hidden_elsewhere)
    result = table.copy()
    for column in counts + percentages:
        shown = []
        for row, value in enumerate(table[column]):
            if pd.isna(value):
                shown.append(None)
            elif column in counts and (row, column) in hidden:
                shown.append(settings.primary_label if 0 < value < threshold else SECONDARY_LABEL)
            elif column in percentages and (row, base) in hidden:
                shown.append(SECONDARY_LABEL)
            else:
                shown.append(int(value))
        result[column] = pd.Series(shown, index=table.index, dtype=object)
    return result


def suppression_pattern(table: pd.DataFrame, threshold: int, *, hidden_elsewhere: Iterable[Cell] = ()) -> set[Cell]:
    """The cells to hide: the small ones, then others until no hidden count can be worked out."""
    cells, lines = cells_of(table), lines_of(table)
    totals = {line.total for line in lines}
    sole_members = {line.members[0] for line in lines if len(line.members) == 1}
    column_order = {column: i for i, column in enumerate(count_columns(table))}
    hidden = {cell for cell, value in cells.items() if 0 < value < threshold} | (set(hidden_elsewhere) & set(cells))

    def cheapest(candidates: Iterable[Cell]) -> Cell | None:
        # A hidden zero protects nothing (a reader pins it down), so only non-zero cells. Totals last; a row's
        # only cell late (hiding it hides its total too); a cell that completes more rows and columns first.
        completes = Counter(c for line in lines if len(set(line.cells) & hidden) == 1 for c in line.cells)
        free = [c for c in candidates if c not in hidden and cells[c] != 0]
        return min(
            free,
            key=lambda c: (c in totals, c in sole_members, -completes[c], cells[c], c[0], column_order[c[1]]),
            default=None,
        )

    while True:
        lone = next((line for line in lines if len(set(line.cells) & hidden) == 1), None)
        pinning = lone or next(
            (
                line
                for line in lines
                if len(set(line.cells) & hidden) > 1 and pinned_by_one_line(cells, line, hidden, threshold)
            ),
            None,
        )
        if pinning is not None:  # a row or column that gives a hidden cell away by itself: hide its smallest other cell
            near = pinning.cells
        else:  # rows and columns that give a cell away only together: hide more around that cell
            exposed = exposed_cells(cells, lines, hidden, threshold)
            if not exposed:
                return hidden
            near = tuple(c for line in lines if exposed[0] in line.cells for c in line.cells)
        extra = cheapest(near) or cheapest(cells)
        if extra is None:
            raise RuntimeError(f"cannot protect the hidden cells of this table: {sorted(hidden)}")
        hidden.add(extra)
