"""Registration numbers that keep their source's format at any scale.

A police unit or a parket numbers a year's cases with six digits. A scaled world holds `scale`
districts' worth of cases, so when a range of numbers is used up the numbering goes on under the
next unit's or parket's code, as the cases of another district would, rather than growing a
seventh digit that the delivery contracts reject.
"""

from __future__ import annotations

POLICE_UNIT = 2300  # the Maastricht unit: PL2300-…
PARKET = 3  # the Maastricht parket: 03/…
EXTRA_MUTATIES = 900_000  # a unit's numbers from here up belong to rows that exist only through a defect


def _within(first_code: int, first: int, size: int, index: int) -> tuple[int, int]:
    """The code and number of the `index`-th (0-based) number of ranges `first`…`first + size - 1`."""
    code, offset = divmod(index, size)
    return first_code + code, first + offset


def mutatienummer(year: int, index: int) -> str:
    """The `index`-th true mutatie of the year: numbers 1 to 899,999 per unit."""
    unit, number = _within(POLICE_UNIT, 1, EXTRA_MUTATIES - 1, index)
    return f"PL{unit:04d}-{year}{number:06d}"


def extra_mutatienummer(year: int, index: int) -> str:
    """The `index`-th mutatie that a defect adds: numbers 900,000 and up per unit."""
    unit, number = _within(POLICE_UNIT, EXTRA_MUTATIES, 1_000_000 - EXTRA_MUTATIES, index)
    return f"PL{unit:04d}-{year}{number:06d}"


def parketnummer(first: int, size: int, index: int, yy: int) -> str:
    """The `index`-th parketnummer of a range of volgnummers (`first`, `size` of them per parket)."""
    parket, number = _within(PARKET, first, size, index)
    return f"{parket:02d}/{number:06d}-{yy:02d}"
