"""Row rules of a delivery contract, evaluated vectorised over a whole delivery.

Each rule names the column it checks and returns, per row, the reason the row breaks it (or
None). A row is quarantined with the first reason that applies, so the order of rules is the
order in which a reader of the quarantine wants to hear about problems.
"""

from __future__ import annotations

import re
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
    check: Callable[[pd.Series], pd.Series | np.ndarray | list[bool]]  # per value, True where it breaks the rule
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


def texts(values: pd.Series) -> list[str | None]:
    """The values as a list of text, a missing one as None. The checks go through it value by value in
    plain Python: pandas' string methods took three times as long on a column of Python strings."""
    listed = values.to_numpy(dtype=object, na_value=None)
    if pd.api.types.infer_dtype(listed, skipna=True) in ("string", "empty"):
        return listed.tolist()
    return [v if v is None or type(v) is str else str(v) for v in listed.tolist()]


def required(column: str) -> Rule:
    def broken(s: pd.Series) -> list[bool]:
        return [v is None or not v.strip() for v in texts(s)]

    return Rule(column, broken, "{column} is missing", per_value=True)


def dutch_date(column: str, optional: bool = False, personal: bool = False) -> Rule:
    """A dd-mm-jjjj date; for a personal field (a birth date) the reason does not repeat the value."""

    def broken(s: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(s, format="%d-%m-%Y", errors="coerce")
        bad = parsed.isna()
        return bad & s.notna() & (s.str.strip() != "") if optional else bad

    shown = "{column}" if personal else "{column} '{value}'"
    return Rule(column, broken, shown + " is not a date (dd-mm-jjjj)", per_value=True)


def positive_integer(column: str) -> Rule:
    return matches(column, r"[1-9][0-9]{0,5}", "a positive whole number")


def matches(column: str, pattern: str, description: str) -> Rule:
    """The whole value matches the pattern; a missing value does not (unless the pattern matches '')."""
    compiled = re.compile(pattern)

    def broken(s: pd.Series) -> list[bool]:
        return [compiled.fullmatch(v or "") is None for v in texts(s)]

    return Rule(column, broken, "{column} '{value}' is not " + description, per_value=True)


def one_of(column: str, allowed: Sequence[str]) -> Rule:
    allowed_set = set(allowed)
    reason = "{column} '{value}' is not one of " + ", ".join(allowed)
    return Rule(column, lambda s: ~s.isin(allowed_set), reason, per_value=True)


def elfproef(column: str) -> Rule:
    """An empty BSN is allowed (not everybody has one); a filled one must pass the 11-proef."""

    def broken(s: pd.Series) -> np.ndarray:
        values = s.fillna("").tolist()
        failing = ~elfproef_passes(values)
        # an empty or blank value fails the proef but breaks no rule; only the failing few are looked at
        positions = np.flatnonzero(failing)
        failing[positions] = [values[p].strip() != "" for p in positions]
        return failing

    return Rule(column, broken, "{column} fails the 11-proef", per_value=True)


def at_most(column: str, limit: int = MAX_FIELD_CHARACTERS) -> Rule:
    """A field of sane length; the reason does not repeat the value (it may be a megabyte)."""
    reason = f"{{column}} is longer than {limit} characters"
    return Rule(column, lambda s: longer_than(s, limit), reason, per_value=True)


def longer_than(values: pd.Series, limit: int) -> np.ndarray:
    """Per value, whether it is text of more than `limit` characters (a missing value has no length).
    A too long value is rare: the longest is found first, which settles nearly every column at once."""
    listed = values.to_numpy(dtype=object).tolist()
    if max((len(v) for v in listed if isinstance(v, str)), default=0) <= limit:
        return np.zeros(len(listed), dtype=bool)
    return np.array([isinstance(v, str) and len(v) > limit for v in listed], dtype=bool)


def field_lengths(columns: Sequence[str]) -> list[Rule]:
    """A length rule per column, checked first so that no later reason quotes a huge value."""
    return [at_most(column) for column in columns]


def passes(frame: pd.DataFrame, rules: Sequence[Rule]) -> pd.Series:
    """Per row, whether it breaks none of `rules`."""
    return first_violation(frame, rules).isna()


# a quarantined row's record of whether the person's fields passed their rules: their clear values never
# land, so a requeue (sources/requeue.py) cannot check them again
PERSON_FIELDS_VALID = "_person_fields_valid"


def split_refused(
    frame: pd.DataFrame, rows: pd.DataFrame, reasons: pd.Series, person_rules: Sequence[Rule]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The prepared `rows` (aligned with the delivered `frame`) no rule refused, and the refused ones with
    their `reason` and whether the person's fields passed `person_rules`."""
    refused = reasons.notna()
    person_ok = passes(frame[refused], person_rules)
    return rows[~refused], rows[refused].assign(reason=reasons[refused], **{PERSON_FIELDS_VALID: person_ok})
