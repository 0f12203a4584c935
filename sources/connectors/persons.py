"""Person identifiers at the door: the same keyed pseudonyms and age band in every connector.

Every system spells names and dates its own way, so they are normalised before hashing:
the same person gets the same `persoon_sleutel` (from the BSN) and `naam_sleutel` (from name
and birth date, the fallback for people without a BSN) whichever system delivered them.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from sources.connectors.distinct import DistinctValues, factorize, per_distinct
from sources.pseudonymise import Pseudonymiser

AGE_BANDS = [(0, 11), (12, 17), (18, 23), (24, 29), (30, 44), (45, 64), (65, 200)]
TEST_SURNAMES = {"test", "testpersoon", "proefpersoon"}
BAND_NAMES = np.array([*(f"{low}+" if high >= 200 else f"{low}-{high}" for low, high in AGE_BANDS), None], dtype=object)


Distinct = tuple[np.ndarray, np.ndarray]  # per row a position, and the text at each position


def _fold(value: object) -> str:
    """Case, accents and spacing removed: 'Crützen ' and 'CRUTZEN' are one name."""
    if not isinstance(value, str):
        return ""
    stripped = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(stripped.casefold().split())


def _fold_distinct(factorized: tuple[np.ndarray, pd.Series]) -> Distinct:
    """The positions, and each distinct value folded."""
    codes, uniques = factorized
    return codes, np.array([_fold(v) for v in uniques.tolist()], dtype=object)


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


def person_columns(
    pseudonymiser: Pseudonymiser,
    distinct: DistinctValues,
    bsn: str,
    achternaam: str,
    voornamen: str,
    geboortedatum: str,
    on: str,
) -> pd.DataFrame:
    """Per row what lands of a person, from the named columns of the frame of `distinct`: persoon_sleutel,
    naam_sleutel, leeftijdsklasse (on the date in column `on`) and is_testpersoon, as person_keys, age_band
    and is_test_person give them; each column is factorized once for all four (and for the rules)."""
    index = distinct.frame.index
    surname = _fold_distinct(distinct.factorized(achternaam))
    born_codes, born = _parse_distinct(distinct.factorized(geboortedatum))
    day_codes, day = _parse_distinct(distinct.factorized(on))
    first_names = _fold_distinct(distinct.factorized(voornamen))
    columns = _keys(pseudonymiser, index, distinct.factorized(bsn), surname, first_names, (born_codes, born))
    columns["leeftijdsklasse"] = age_band(
        pd.Series(born.to_numpy()[born_codes], index=index), pd.Series(day.to_numpy()[day_codes], index=index)
    )
    columns["is_testpersoon"] = _test_person_flags(surname, index)
    return columns


def person_keys(
    pseudonymiser: Pseudonymiser, bsn: pd.Series, achternaam: pd.Series, voornamen: pd.Series, geboortedatum: pd.Series
) -> pd.DataFrame:
    """persoon_sleutel (BSN) and naam_sleutel (name + birth date) for each row; null where unknown."""
    return _keys(
        pseudonymiser,
        bsn.index,
        factorize(bsn),
        _fold_distinct(factorize(achternaam)),
        _fold_distinct(factorize(voornamen)),
        _parse_distinct(factorize(geboortedatum)),
    )


def _parse_distinct(factorized: tuple[np.ndarray, pd.Series]) -> tuple[np.ndarray, pd.Series]:
    """The positions, and the distinct values parsed as dates (parse_dates)."""
    codes, uniques = factorized
    return codes, parse_dates(uniques)


def _keys(
    pseudonymiser: Pseudonymiser,
    index: pd.Index,
    bsn: tuple[np.ndarray, pd.Series],
    surname: Distinct,
    first_names: Distinct,
    born: tuple[np.ndarray, pd.Series],
) -> pd.DataFrame:
    born_codes, born_days = born
    born_text = born_days.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "persoon_sleutel": _bsn_pseudonyms(pseudonymiser, bsn),
            "naam_sleutel": _naam_pseudonyms(pseudonymiser, surname, first_names, (born_codes, born_text)),
        },
        index=index,
    )


def _bsn_pseudonyms(pseudonymiser: Pseudonymiser, bsn: tuple[np.ndarray, pd.Series]) -> list[str | None]:
    """The pseudonym of each row's BSN, made once per distinct value (a person recurs on many rows)."""
    codes, uniques = bsn
    pseudonyms = pseudonymiser.each("bsn", [_bsn_text(v) for v in uniques.tolist()])
    return np.array(pseudonyms, dtype=object)[codes].tolist()


def _bsn_text(value: object) -> str | None:
    """The BSN as hashed: its text without surrounding spaces; None when missing or blank."""
    if type(value) is str:  # nearly always
        return value.strip() or None
    if value is None or pd.isna(value):
        return None
    return str(value).strip() or None


def _naam_pseudonyms(
    pseudonymiser: Pseudonymiser, surname: Distinct, first_names: Distinct, born: Distinct
) -> list[str | None]:
    """The pseudonym of 'surname|first names|birth day', made once per distinct combination (a person
    recurs on many rows); none without a surname or a valid birth date."""
    codes, (surnames, names, days) = _combinations([surname, first_names, born])
    texts = [f"{s}|{n}|{d}" if s != "" and d != "" else None for s, n, d in zip(surnames, names, days, strict=True)]
    return np.array(pseudonymiser.each("naam", texts), dtype=object)[codes].tolist()


def _combinations(parts: list[Distinct]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per row the position of its combination of parts among the distinct combinations, and per part
    its text in each distinct combination."""
    codes, first_texts = parts[0]
    members = [np.arange(len(first_texts))]  # per part, its position in each distinct combination so far
    for part_codes, part_texts in parts[1:]:
        pair = codes.astype(np.int64) * len(part_texts) + part_codes
        codes, combined = pd.factorize(pair)
        members = [m[combined // len(part_texts)] for m in members] + [combined % len(part_texts)]
    texts = [part[1][member] for part, member in zip(parts, members, strict=True)]
    return codes, texts


def age_band(geboortedatum: pd.Series, on: pd.Series) -> pd.Series:
    """The age band (0-11, 12-17, 18-23, 24-29, 30-44, 45-64, 65+) on a date; the birth date is not kept."""
    born, day = parse_dates(geboortedatum), parse_dates(on)
    had_birthday = (day.dt.month > born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day >= born.dt.day))
    age = (day.dt.year - born.dt.year - (~had_birthday).astype(int)).to_numpy(dtype=float, na_value=np.nan)
    in_band = [(age >= low) & (age <= high) for low, high in AGE_BANDS]
    # per row the position of its band (none: the last), so that every row shares its band's text
    band = np.select(in_band, range(len(AGE_BANDS)), default=len(AGE_BANDS))
    return pd.Series(BAND_NAMES[band], index=born.index, dtype="object")


def is_test_person(achternaam: pd.Series) -> pd.Series:
    """Test records are registered on a test person ('Test', 'Testpersoon'): flagged before the name goes."""
    return _test_person_flags(_fold_distinct(factorize(achternaam)), achternaam.index).rename(achternaam.name)


def _test_person_flags(surname: Distinct, index: pd.Index) -> pd.Series:
    codes, folded = surname
    return pd.Series(folded[codes], index=index).isin(TEST_SURNAMES)
