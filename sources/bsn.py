"""The BSN (burgerservicenummer) and its 11-proef."""

from __future__ import annotations

from collections.abc import Sequence

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
    plain = np.fromiter((len(v) == 9 and v.isascii() and v.isdigit() for v in values), dtype=bool, count=len(values))
    passes = np.zeros(len(values), dtype=bool)
    if plain.any():
        text = "".join(v for v, is_plain in zip(values, plain, strict=True) if is_plain)
        digits = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 9).astype(np.int64) - ord("0")
        total = digits @ np.array(_WEIGHTS)
        passes[plain] = (total % 11 == 0) & (total != 0)
    for position in np.flatnonzero(~plain):  # other digits (isdigit takes more than 0-9), other lengths
        passes[position] = passes_elfproef(values[position])
    return passes
