"""Work done once per distinct value of a column instead of once per row.

A delivery repeats its values a lot (a person's BSN and name on each of their rows, a day's date
on every row of that day, a handful of codes in a whole column), so a connector checks, parses
and normalises each distinct value once and spreads the results over the rows. A column of
mostly distinct values (keys, moments of change) is worked on row by row: finding its distinct
values would cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

SAMPLE_ROWS = 1000


def mostly_distinct(values: pd.Series) -> bool:
    """Whether the column holds more distinct values than half its rows, estimated from a sample of
    rows spread over it: among s sampled rows of a column with d distinct values, about s²/2d
    pairs repeat a value (a column of birth dates shows a few dozen, one of keys none)."""
    step = max(1, len(values) // SAMPLE_ROWS)
    sample = values.iloc[::step]
    repeats = len(sample) - sample.nunique(dropna=False)
    if step == 1:  # the sample is the column
        return repeats < len(values) / 2
    return repeats == 0 or len(sample) ** 2 / (2 * repeats) > len(values) / 2


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Per row the position of its value among the distinct values, and those values (a missing
    value included, once), in the column's own dtype."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype)


def per_distinct(values: pd.Series, function: Callable[[pd.Series], object]) -> pd.Series:
    """`function` of the distinct values, spread over the rows; for a function that looks at each
    value alone (the result for a value never depends on the other rows)."""
    if mostly_distinct(values):
        return pd.Series(np.asarray(function(values)), index=values.index, name=values.name)
    codes, uniques = factorize(values)
    return pd.Series(np.asarray(function(uniques))[codes], index=values.index, name=values.name)


def map_distinct(values: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """`function` called on each distinct value, as an object column aligned with `values`."""
    return per_distinct(values, lambda uniques: np.array([function(v) for v in uniques.tolist()], dtype=object))


class DistinctValues:
    """The columns of one frame, each factorized at most once: the rules, the pseudonyms and the age band
    of a batch look at the same columns, and every pass over a large column counts. The frame must not
    change while this is in use."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._factorized: dict[str, tuple[np.ndarray, pd.Series]] = {}
        self._mostly_distinct: dict[str, bool] = {}

    def factorized(self, column: str) -> tuple[np.ndarray, pd.Series]:
        """factorize of the column."""
        if column not in self._factorized:
            self._factorized[column] = factorize(self.frame[column])
        return self._factorized[column]

    def factorized_unless_mostly_distinct(self, column: str) -> tuple[np.ndarray, pd.Series] | None:
        """factorize of the column, or None for a column of mostly distinct values (worked on row by row)
        that nothing has factorized yet."""
        if column in self._factorized:  # paid for already: work per distinct value is never more
            return self._factorized[column]
        if column not in self._mostly_distinct:
            self._mostly_distinct[column] = mostly_distinct(self.frame[column])
        return None if self._mostly_distinct[column] else self.factorized(column)

    def rebuilt(self, column: str) -> pd.Series:
        """The column with the same values, made of one object per distinct value: the later passes over
        it (row hashes, landing) read a few objects again and again instead of one scattered per row."""
        codes, uniques = self.factorized(column)
        return pd.Series(uniques.array.take(codes), index=self.frame.index, name=column)
