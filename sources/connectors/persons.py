"""Person identifiers at the door: the same keyed pseudonyms and age band in every connector.

Every system spells names and dates its own way, so they are normalised before hashing:
the same person gets the same `persoon_sleutel` (from the BSN) and `naam_sleutel` (from name
and birth date, the fallback for people without a BSN) whichever system delivered them.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

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

    return text.map(fold)


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates written as dd-mm-jjjj or jjjj-mm-dd (or already dates) as Timestamps; others NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string")
    dutch = pd.to_datetime(text, format="%d-%m-%Y", errors="coerce")
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return dutch.fillna(iso)


def person_keys(
    pseudonymiser: Pseudonymiser, bsn: pd.Series, achternaam: pd.Series, voornamen: pd.Series, geboortedatum: pd.Series
) -> pd.DataFrame:
    """persoon_sleutel (BSN) and naam_sleutel (name + birth date) for each row; null where unknown."""
    born = parse_dates(geboortedatum)
    naam = _normal(achternaam) + "|" + _normal(voornamen) + "|" + born.dt.strftime("%Y-%m-%d").fillna("")
    known = (_normal(achternaam) != "") & born.notna()
    bsn_text = bsn.astype("string").str.strip()
    return pd.DataFrame(
        {
            "persoon_sleutel": pseudonymiser.many("bsn", bsn_text.where(bsn_text != "")),
            "naam_sleutel": pseudonymiser.many("naam", naam.where(known)),
        },
        index=bsn.index,
    )


def age_band(geboortedatum: pd.Series, on: pd.Series) -> pd.Series:
    """The age band (0-11, 12-17, 18-23, 24-29, 30-44, 45-64, 65+) on a date; the birth date is not kept."""
    born, day = parse_dates(geboortedatum), parse_dates(on)
    had_birthday = (day.dt.month > born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day >= born.dt.day))
    age = day.dt.year - born.dt.year - (~had_birthday).astype(int)
    bands = pd.Series([None] * len(age), index=age.index, dtype="object")
    for low, high in AGE_BANDS:
        bands[(age >= low) & (age <= high)] = f"{low}+" if high >= 200 else f"{low}-{high}"
    return bands


def is_test_person(achternaam: pd.Series) -> pd.Series:
    """Test records are registered on a test person ('Test', 'Testpersoon'): flagged before the name goes."""
    return _normal(achternaam).isin(TEST_SURNAMES)
