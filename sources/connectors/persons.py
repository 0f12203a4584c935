"""Person identifiers at the door: the same keyed pseudonyms and age band in every connector.

Every system spells names and dates its own way, so they are normalised before hashing:
the same person gets the same `persoon_sleutel` (from the BSN) and `naam_sleutel` (from name
and birth date, the fallback for people without a BSN) whichever system delivered them.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from sources.connectors.distinct import map_distinct, per_distinct
from sources.pseudonymise import Pseudonymiser

AGE_BANDS = [(0, 11), (12, 17), (18, 23), (24, 29), (30, 44), (45, 64), (65, 200)]
TEST_SURNAMES = {"test", "testpersoon", "proefpersoon"}


def _normal(text: pd.Series) -> pd.Series:
    """Case, accents and spacing removed: 'Crützen ' and 'CRUTZEN' are one name."""

    def fold(value: object) -> str:
        if not isinstance(value, str):
            return ""
        stripped = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return " ".join(stripped.casefold().split())

    return map_distinct(text, fold)


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates written as dd-mm-jjjj or jjjj-mm-dd (or already dates) as Timestamps; others NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return per_distinct(values, _parse_distinct_dates)


def _parse_distinct_dates(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    dutch = pd.to_datetime(text, format="%d-%m-%Y", errors="coerce")
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return dutch.fillna(iso)


def person_keys(
    pseudonymiser: Pseudonymiser, bsn: pd.Series, achternaam: pd.Series, voornamen: pd.Series, geboortedatum: pd.Series
) -> pd.DataFrame:
    """persoon_sleutel (BSN) and naam_sleutel (name + birth date) for each row; null where unknown."""
    born = per_distinct(geboortedatum, lambda days: parse_dates(days).dt.strftime("%Y-%m-%d").fillna(""))
    surname = _normal(achternaam)
    naam = surname + "|" + _normal(voornamen) + "|" + born
    known = (surname != "") & (born != "")
    return pd.DataFrame(
        {
            "persoon_sleutel": pseudonymiser.many("bsn", map_distinct(bsn, _bsn_text)),
            "naam_sleutel": pseudonymiser.many("naam", naam.where(known)),
        },
        index=bsn.index,
    )


def _bsn_text(value: object) -> str | None:
    """The BSN as hashed: its text without surrounding spaces; None when missing or blank."""
    if type(value) is str:  # nearly always
        return value.strip() or None
    if value is None or pd.isna(value):
        return None
    return str(value).strip() or None


def age_band(geboortedatum: pd.Series, on: pd.Series) -> pd.Series:
    """The age band (0-11, 12-17, 18-23, 24-29, 30-44, 45-64, 65+) on a date; the birth date is not kept."""
    born, day = parse_dates(geboortedatum), parse_dates(on)
    had_birthday = (day.dt.month > born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day >= born.dt.day))
    age = (day.dt.year - born.dt.year - (~had_birthday).astype(int)).to_numpy(dtype=float, na_value=np.nan)
    in_band = [(age >= low) & (age <= high) for low, high in AGE_BANDS]
    names = [f"{low}+" if high >= 200 else f"{low}-{high}" for low, high in AGE_BANDS]
    return pd.Series(np.select(in_band, names, default=None).astype(object), index=born.index, dtype="object")


def is_test_person(achternaam: pd.Series) -> pd.Series:
    """Test records are registered on a test person ('Test', 'Testpersoon'): flagged before the name goes."""
    return _normal(achternaam).isin(TEST_SURNAMES)
