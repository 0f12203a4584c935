"""Row rules of a delivery contract, evaluated vectorised over a whole delivery.

Each rule names the column it checks and returns, per row, the reason the row breaks it (or
None). A row is quarantined with the first reason that applies, so the order of rules is the
order in which a reader of the quarantine wants to hear about problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sources.bsn import elfproef_passes
from sources.connectors.distinct import DistinctValues

MAX_FIELD_CHARACTERS = 1000  # no field of any contract comes near this; longer is garbage (or an attack)


@dataclass(frozen=True)
class Rule:
    column: str
    check: Callable[[pd.Series], pd.Series]  # True where the value breaks the rule
    reason: str  # may use {value}, and {detail} when `details` is given
    details: pd.Series | None = None  # per row, what the reason says besides the value (aligned with the frame)
    # the check looks at each value alone (not at its row or other rows): it is then run once per
    # distinct value of the column, which is most of the work saved on a large delivery
    per_value: bool = False


def first_violation(frame: pd.DataFrame, rules: Sequence[Rule], distinct: DistinctValues | None = None) -> pd.Series:
    """Per row, the reason of the first rule it breaks, or None; `distinct` (of this frame) lets later
    work on the frame reuse the columns factorized here."""
    reasons = np.full(len(frame), None, dtype=object)
    unexplained = np.ones(len(frame), dtype=bool)  # rows no rule has given a reason yet
    distinct = distinct if distinct is not None else DistinctValues(frame)
    if distinct.frame is not frame:
        raise ValueError("the distinct values given are of another frame")
    for rule in rules:
        values = frame[rule.column]
        if rule.per_value and (factorized := distinct.factorized_unless_mostly_distinct(rule.column)) is not None:
            codes, uniques = factorized
            broken = np.asarray(rule.check(uniques), dtype=bool)[codes]
        else:
            broken = np.asarray(rule.check(values), dtype=bool)
        broken = broken & unexplained
        if broken.any():
            details = np.asarray(rule.details)[broken] if rule.details is not None else [None] * int(broken.sum())
            reasons[broken] = [
                rule.reason.format(column=rule.column, value=v, detail=d)
                for v, d in zip(values.to_numpy()[broken], details, strict=True)
            ]
            unexplained &= ~broken
    return pd.Series(reasons, index=frame.index, dtype="object")


def required(column: str) -> Rule:
    return Rule(column, lambda s: s.isna() | (s.str.strip() == ""), "{column} is missing", per_value=True)


def dutch_date(column: str, optional: bool = False, personal: bool = False) -> Rule:
    """A dd-mm-jjjj date; for a personal field (a birth date) the reason does not repeat the value."""

    def broken(s: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(s, format="%d-%m-%Y", errors="coerce")
        bad = parsed.isna()
        return bad & s.notna() & (s.str.strip() != "") if optional else bad

    shown = "{column}" if personal else "{column} '{value}'"
    return Rule(column, broken, shown + " is not a date (dd-mm-jjjj)", per_value=True)


def positive_integer(column: str) -> Rule:
    return Rule(
        column,
        lambda s: ~s.fillna("").str.fullmatch(r"[1-9][0-9]{0,5}"),
        "{column} '{value}' is not a positive whole number",
        per_value=True,
    )


def matches(column: str, pattern: str, description: str) -> Rule:
    return Rule(
        column,
        lambda s: ~s.fillna("").str.fullmatch(pattern),
        "{column} '{value}' is not " + description,
        per_value=True,
    )


def one_of(column: str, allowed: Sequence[str]) -> Rule:
    allowed_set = set(allowed)
    reason = "{column} '{value}' is not one of " + ", ".join(allowed)
    return Rule(column, lambda s: ~s.isin(allowed_set), reason, per_value=True)


def elfproef(column: str) -> Rule:
    """An empty BSN is allowed (not everybody has one); a filled one must pass the 11-proef."""

    def broken(s: pd.Series) -> pd.Series:
        filled = s.notna() & (s.str.strip() != "")
        return filled & ~elfproef_passes(s.fillna("").tolist())

    return Rule(column, broken, "{column} fails the 11-proef", per_value=True)


def at_most(column: str, limit: int = MAX_FIELD_CHARACTERS) -> Rule:
    """A field of sane length; the reason does not repeat the value (it may be a megabyte)."""
    reason = f"{{column}} is longer than {limit} characters"
    return Rule(column, lambda s: s.str.len() > limit, reason, per_value=True)  # a missing value has no length


def field_lengths(columns: Sequence[str]) -> list[Rule]:
    """A length rule per column, checked first so that no later reason quotes a huge value."""
    return [at_most(column) for column in columns]


def passes(frame: pd.DataFrame, rules: Sequence[Rule]) -> pd.Series:
    """Per row, whether it breaks none of `rules`."""
    return first_violation(frame, rules).isna()
