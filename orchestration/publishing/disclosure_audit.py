"""The attacker's view of a suppressed table: which hidden counts can be worked out exactly.

A reader knows every published cell, every sum (lines), that a '<t' cell lies in 1..t-1 and that an
'x' cell is 0 or at least t (else it would read '<t'). For each hidden cell we ask an integer
program for its smallest and largest value consistent with all of that at once; when they meet,
the cell is disclosed. This catches what a count of hidden cells per row cannot: a row 37, <5, <5,
<5 with total 40 gives away three ones, and chains of rows and columns can pin a cell too.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from orchestration.publishing.table_structure import Cell, Line


def exposed_cells(cells: dict[Cell, int], lines: Iterable[Line], suppressed: set[Cell], threshold: int) -> list[Cell]:
    """Hidden cells whose value follows from what is published, in row-major order."""
    model = _ReaderModel(cells, list(lines), suppressed, threshold)
    return [cell for cell in sorted(suppressed) if model.is_pinned(cell)]


def is_exposed(cell: Cell, cells: dict[Cell, int], lines: Iterable[Line], suppressed: set[Cell], threshold: int) -> bool:
    """Whether this one hidden cell follows from what is published."""
    return _ReaderModel(cells, list(lines), suppressed, threshold).is_pinned(cell)


class _ReaderModel:
    """What a reader knows, as an integer program over the hidden cells."""

    def __init__(self, cells: dict[Cell, int], lines: list[Line], suppressed: set[Cell], threshold: int) -> None:
        hidden = sorted(suppressed)
        self.index = {cell: i for i, cell in enumerate(hidden)}
        secondary = [cell for cell in hidden if not 0 < cells[cell] < threshold]
        self.n_vars = len(hidden) + len(secondary)  # a count per hidden cell, a 0/1 switch per 'x' cell
        ceiling = max(cells.values(), default=0)  # no cell exceeds the largest total: at least as tight as a reader's

        rows, lower, upper = [], [], []
        for line in lines:
            coefficients, constant = np.zeros(self.n_vars), 0
            for cell, sign in [*((m, 1) for m in line.members), (line.total, -1)]:
                if cell in self.index:
                    coefficients[self.index[cell]] += sign
                else:
                    constant -= sign * cells[cell]
            if coefficients.any():
                rows.append(coefficients)
                lower.append(constant)
                upper.append(constant)
        for k, cell in enumerate(secondary):  # an 'x' is 0 (switch off) or between threshold and ceiling (on)
            switch = len(hidden) + k
            at_least = np.zeros(self.n_vars)
            at_least[[self.index[cell], switch]] = [1, -threshold]
            at_most = np.zeros(self.n_vars)
            at_most[[self.index[cell], switch]] = [1, -ceiling]
            rows += [at_least, at_most]
            lower += [0, -np.inf]
            upper += [np.inf, 0]

        small = [0 < cells[c] < threshold for c in hidden]
        self.options = {
            "integrality": np.ones(self.n_vars),
            "bounds": Bounds(
                [1 if s else 0 for s in small] + [0] * len(secondary),
                [threshold - 1 if s else ceiling for s in small] + [1] * len(secondary),
            ),
            "constraints": [LinearConstraint(np.array(rows), lower, upper)] if rows else [],
        }

    def is_pinned(self, cell: Cell) -> bool:
        return self._extreme(cell, 1) == self._extreme(cell, -1)

    def _extreme(self, cell: Cell, sign: int) -> int:
        objective = np.zeros(self.n_vars)
        objective[self.index[cell]] = sign
        result = milp(objective, **self.options)
        if result.status != 0:  # the true table is a solution, so this is a bug, not a safe table
            raise RuntimeError(f"disclosure audit found no solution ({result.message})")
        return round(sign * result.fun)
