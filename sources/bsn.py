"""The BSN (burgerservicenummer) and its 11-proef."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress

import numpy as np

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def passes_elfproef(bsn: str) -> bool:
    """True when `bsn` is nine digits whose weighted sum (9..2, -1) is a multiple of 11."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(bsn, _WEIGHTS, strict=True))
    return total % 11 == 0 and total != 0


def elfproef_passes(values: Sequence[str]) -> np.ndarray:
    """passes_elfproef of each value; nine ASCII digits (nearly every BSN) are checked all at once."""
    values = list(values)
    # the values of nine characters, and whether their text together is ASCII digits only: a few passes in C
    # where a check per value in Python cost most of the rule (a BSN column is mostly distinct values)
    nine = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) == 9
    plain, text = nine, "".join(compress(values, nine))
    if not (text.isascii() and text.isdigit()):  # some value of nine characters is not nine ASCII digits
        plain = _plain(values, nine)
        text = "".join(compress(values, plain))
    passes = np.zeros(len(values), dtype=bool)
    if plain.any():
        digits = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 9).astype(np.int64) - ord("0")
        total = digits @ np.array(_WEIGHTS)
        passes[plain] = (total % 11 == 0) & (total != 0)
    for position in np.flatnonzero(~plain):  # other digits (isdigit takes more than 0-9), other lengths
        passes[position] = passes_elfproef(values[position])
    return passes


def _plain(values: list[str], nine: np.ndarray) -> np.ndarray:
    """Which values are nine ASCII digits, value by value (some value of nine characters is not)."""
    return np.fromiter(
        (is_nine and v.isascii() and v.isdigit() for v, is_nine in zip(values, nine, strict=True)),
        dtype=bool,
        count=len(values),
    )
