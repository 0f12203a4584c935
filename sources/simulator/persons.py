"""Simulated persons: valid BSNs, Dutch names and birth dates, generated vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

ACHTERNAMEN = np.array(
    [
        "Jansen",
        "Janssen",
        "de Vries",
        "Smeets",
        "Peeters",
        "Vossen",
        "Bemelmans",
        "Coenen",
        "Hermans",
        "Schreurs",
        "Willems",
        "Geelen",
        "Ramaekers",
        "Lemmens",
        "Wetzels",
        "Crützen",
        "Hendrikx",
        "Dassen",
        "Kerckhoffs",
        "Nijsten",
        "Maës",
        "van den Boorn",
        "Habets",
        "Lenaerts",
        "Senden",
        "Pluijmen",
        "Ernst",
        "Brouwers",
        "Moonen",
        "El Amrani",
        "Yildiz",
        "Öztürk",
    ]
)
VOORNAMEN = np.array(
    [
        "Jeroen",
        "Anouk",
        "Kévin",
        "Loïs",
        "Sanne",
        "Noël",
        "Bram",
        "Lotte",
        "Mohamed",
        "Fleur",
        "Ruud",
        "Ilse",
        "Thijs",
        "Chantal",
        "Dylan",
        "Zoë",
        "Stijn",
        "Mariëlle",
        "Jordy",
        "Daphne",
    ]
)
_NAMES = len(ACHTERNAMEN) * len(VOORNAMEN)  # the distinct (achternaam, voornamen) pairs
NAME_AND_BIRTH = ["achternaam", "voornamen", "geboortedatum"]  # how a person without a BSN is known
_BSN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2])


def valid_bsns(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct nine-digit BSNs that pass the 11-proef, in random order."""
    values = np.empty(0, dtype=np.int64)
    while values.size < n:
        want = int((n - values.size) * 1.2) + 16
        digits = rng.integers(0, 10, size=(want, 8))
        digits[:, 0] = rng.integers(1, 10, size=want)  # no leading zero, as issued
        check = (digits @ _BSN_WEIGHTS) % 11
        ok = check < 10
        numbers = digits[ok] @ (10 ** np.arange(8, 0, -1)) + check[ok]
        values = np.unique(np.concatenate([values, numbers]))
    return rng.permutation(values)[:n].astype(str)


def generate_persons(
    rng: np.random.Generator, n: int, min_age: int, max_age: int, reference: np.datetime64, prefix: str
) -> pd.DataFrame:
    """A pool of `n` persons aged between min_age and max_age on `reference`."""
    # ages counted in calendar years (365.25 days), so an age range holds on the reference day exactly
    age_days = rng.integers(int(np.ceil(min_age * 365.25)) + 1, int((max_age + 1) * 365.25) - 2, size=n)
    return pd.DataFrame(
        {
            "persoon_id": [f"{prefix}{i:07d}" for i in range(n)],
            "bsn": valid_bsns(rng, n),
            "achternaam": rng.choice(ACHTERNAMEN, size=n),
            "voornamen": rng.choice(VOORNAMEN, size=n),
            "geboortedatum": reference - age_days.astype("timedelta64[D]"),
        }
    )


def day_of_age(geboortedatum: np.ndarray, age: int) -> np.ndarray:
    """The day each person turns `age` (someone born on 29 February: 1 March in a common year)."""
    born = pd.DatetimeIndex(geboortedatum)
    first_of_month = pd.to_datetime(pd.DataFrame({"year": born.year + age, "month": born.month, "day": 1}))
    return (first_of_month + pd.to_timedelta(born.day - 1, unit="D")).to_numpy().astype("datetime64[D]")


def rename_namesakes(rng: np.random.Generator, persons: pd.DataFrame) -> pd.DataFrame:
    """A person without a BSN gets another name where an earlier one without a BSN has the same name and birth date.

    Without a BSN, name and birth date are all the source systems know a person by. In a real
    population (thousands of surnames and first names) two people without a BSN hardly ever share
    them; drawn from this module's few names they do once a world holds millions of persons, and
    two people would then be one.
    """
    without_bsn = persons["bsn"].isna()
    if without_bsn.any() and persons.loc[without_bsn, "geboortedatum"].value_counts().max() > _NAMES:
        raise ValueError(f"more persons without a BSN born on one day than the {_NAMES} names to tell them apart")
    while (namesakes := _namesakes(persons, without_bsn)).size:
        persons.loc[namesakes, "achternaam"] = rng.choice(ACHTERNAMEN, size=namesakes.size)
        persons.loc[namesakes, "voornamen"] = rng.choice(VOORNAMEN, size=namesakes.size)
    return persons


def _namesakes(persons: pd.DataFrame, without_bsn: pd.Series) -> pd.Index:
    """Persons without a BSN whose name and birth date an earlier one without a BSN has."""
    repeated = persons.loc[without_bsn, NAME_AND_BIRTH].duplicated()
    return repeated.index[repeated.to_numpy()]
