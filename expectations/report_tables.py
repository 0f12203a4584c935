"""The arithmetic every table of the report promises, read off the table's own structure.

A table is a set of cells (tabel, rij, kolom). Where it has a `Totaal` row, each column's total
is the sum of the column's other cells; where it has a `Totaal` column, each row's total is the
sum of the row's other cells; a `% van totaal` cell is its row's count as a whole percentage of
the grand total, halves rounded up. A cell the report leaves blank counts as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import NamedTuple

TOTAAL = "Totaal"


class CellRef(NamedTuple):
    tabel: str
    rij: str
    kolom: str

    def label(self) -> str:
        """`Tabel 4 · Ter opvolging door partnerorganisatie(s) × Huiselijk geweld`."""
        return f"{table_name(self.tabel)} · {self.rij} × {self.kolom}"


def table_name(tabel: str) -> str:
    return "Bijlage 3" if tabel == "B3" else f"Tabel {tabel}"


def is_percentage(kolom: str) -> bool:
    return kolom.startswith("%")


def percentage(part: int, whole: int) -> int:
    """A whole percentage as the report prints it: halves rounded up, 0 of nothing."""
    return floor(Fraction(100 * part, whole) + Fraction(1, 2)) if whole else 0


@dataclass(frozen=True)
class Constraint:
    """`target` equals what `parts` give: their sum (`rijtotaal`, `kolomtotaal`, `identiteit`), or for
    `percentage` the first part as a percentage of the second. `grond` is the report's sentence an
    identity rests on."""

    kind: str
    target: CellRef
    parts: tuple[CellRef, ...]
    grond: str = ""

    @property
    def cells(self) -> tuple[CellRef, ...]:
        return (self.target, *self.parts)

    def expected(self, values: Mapping[CellRef, int]) -> int:
        """What the parts make of the target, blank cells counting as 0."""
        if self.kind == "percentage":
            part, whole = (values.get(p, 0) for p in self.parts)
            return percentage(part, whole)
        return sum(values.get(p, 0) for p in self.parts)

    def holds(self, values: Mapping[CellRef, int]) -> bool:
        return values.get(self.target, 0) == self.expected(values)

    def name(self) -> str:
        """Names the table and the cell the constraint is about, for messages and the report."""
        if self.kind == "identiteit":
            return f"{self.target.label()} = {self.parts[0].label()}"
        what = {"rijtotaal": "rijtotaal", "kolomtotaal": "kolomtotaal", "percentage": "percentage van het totaal"}
        return f"{self.target.label()} ({what[self.kind]})"


def table_cells(cells: Iterable[CellRef]) -> dict[str, tuple[list[str], list[str]]]:
    """Per table its rows and columns, in the order they first appear."""
    layout: dict[str, tuple[list[str], list[str]]] = {}
    for cell in cells:
        rows, columns = layout.setdefault(cell.tabel, ([], []))
        if cell.rij not in rows:
            rows.append(cell.rij)
        if cell.kolom not in columns:
            columns.append(cell.kolom)
    return layout


def table_constraints(cells: Iterable[CellRef]) -> list[Constraint]:
    """The row totals, column totals and percentages each table's structure implies."""
    constraints: list[Constraint] = []
    for tabel, (rows, columns) in table_cells(cells).items():
        counts = [k for k in columns if not is_percentage(k)]
        if TOTAAL in rows:
            for kolom in counts:
                parts = tuple(CellRef(tabel, r, kolom) for r in rows if r != TOTAAL)
                constraints.append(Constraint("kolomtotaal", CellRef(tabel, TOTAAL, kolom), parts))
        if TOTAAL in counts:
            for rij in rows:
                parts = tuple(CellRef(tabel, rij, k) for k in counts if k != TOTAAL)
                constraints.append(Constraint("rijtotaal", CellRef(tabel, rij, TOTAAL), parts))
        basis = TOTAAL if TOTAAL in counts else (counts[0] if len(counts) == 1 else None)
        if basis is not None and TOTAAL in rows:
            for kolom in (k for k in columns if is_percentage(k)):
                for rij in rows:
                    parts = (CellRef(tabel, rij, basis), CellRef(tabel, TOTAAL, basis))
                    constraints.append(Constraint("percentage", CellRef(tabel, rij, kolom), parts))
    return constraints
