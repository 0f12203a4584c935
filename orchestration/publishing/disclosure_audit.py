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

from orchestration.publishing.table_structure import Cell, Line


def exposed_cells(cells: dict[Cell, int], lines: Iterable[Line], suppressed: set[Cell], threshold: int) -> list[Cell]:
    """Hidden cells whose value follows from what is published, in row-major order."""
    model = _ReaderModel(cells, list(lines), suppressed, threshold)
    return [cell for cell in sorted(suppressed) if model.is_pinned(cell)]


def no_knowledge_ceiling(cells: dict[Cell, int]) -> int:
    """An upper bound for an 'x' that tells a reader nothing: the published totals bound a hidden cell already;
    where they are hidden too, a reader knows no limit (a tight one, like the true grand total, would make the
    reader stronger than they are and hide far too much)."""
    return sum(cells.values()) + 1


def pinned_by_one_line(cells: dict[Cell, int], line: Line, suppressed: set[Cell], threshold: int) -> bool:
    """Whether this row or column on its own gives a hidden cell away: the common case, solved exactly with
    interval arithmetic instead of an integer program (it runs for every line, every round)."""
    ceiling = no_knowledge_ceiling(cells)
    terms = [(cell, 1) for cell in line.members] + [(line.total, -1)]  # sum of sign * value = 0
    constant = sum(sign * cells[cell] for cell, sign in terms if cell not in suppressed)
    domains = {cell: _domain(cells[cell], threshold, ceiling) for cell, _ in terms if cell in suppressed}
    for cell, sign in terms:
        if cell not in suppressed:
            continue
        rest = [(0, 0)]
        for other, other_sign in terms:
            if other != cell and other in suppressed:
                rest = _add(rest, domains[other] if other_sign > 0 else [(-hi, -lo) for lo, hi in domains[other]])
        # sign * value + rest + constant = 0
        possible = [(-(constant + hi), -(constant + lo)) for lo, hi in rest]
        possible = possible if sign > 0 else [(-hi, -lo) for lo, hi in possible]
        feasible = _intersect(domains[cell], possible)
        if sum(hi - lo + 1 for lo, hi in feasible) == 1:
            return True
    return False


def _domain(value: int, threshold: int, ceiling: int) -> list[tuple[int, int]]:
    """What a reader knows of a hidden cell: '<t' is 1..t-1, 'x' is 0 or t..ceiling."""
    return [(1, threshold - 1)] if 0 < value < threshold else [(0, 0), (threshold, ceiling)]


def _add(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return _merge([(a_lo + b_lo, a_hi + b_hi) for a_lo, a_hi in a for b_lo, b_hi in b])


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    both = [(max(a_lo, b_lo), min(a_hi, b_hi)) for a_lo, a_hi in a for b_lo, b_hi in b]
    return _merge([(lo, hi) for lo, hi in both if lo <= hi])


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


class _ReaderModel:
    """What a reader knows, as an integer program over the hidden cells."""

    def __init__(self, cells: dict[Cell, int], lines: list[Line], suppressed: set[Cell], threshold: int) -> None:
        # scipy's import (~0.3 s) only when a table hides cells: a run publishing every cell never needs it
        from scipy.optimize import Bounds, LinearConstraint

        hidden = sorted(suppressed)
        self.index = {cell: i for i, cell in enumerate(hidden)}
        secondary = [cell for cell in hidden if not 0 < cells[cell] < threshold]
        self.n_vars = len(hidden) + len(secondary)  # a count per hidden cell, a 0/1 switch per 'x' cell
        ceiling = no_knowledge_ceiling(cells)

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
        from scipy.optimize import milp

        result = milp(objective, **self.options)
        if result.status != 0:  # the true table is a solution, so this is a bug, not a safe table
            raise RuntimeError(f"disclosure audit found no solution ({result.message})")
        return round(sign * result.fun)
