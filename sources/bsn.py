"""The BSN (burgerservicenummer) and its 11-proef."""

from __future__ import annotations

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def passes_elfproef(bsn: str) -> bool:
    """True when `bsn` is nine digits whose weighted sum (9..2, -1) is a multiple of 11."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(bsn, _WEIGHTS, strict=True))
    return total % 11 == 0 and total != 0
