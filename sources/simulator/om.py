"""The Openbaar Ministerie (GPS) side of the simulated world: a relational database.

GPS is played by one SQLite file, `gps.sqlite`, holding the OM's casusoverleggen (JCO),
veelplegersplannen and strafzaken with the persons they concern. Every row carries
`gewijzigd_op`, the moment the OM last changed it, which is what the connector pulls by.
Place names are written as the OM's clerks write them, old municipality names included.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from sources.simulator.defects import DefectRates
from sources.simulator.numbering import parketnummer
from sources.simulator.persons import valid_bsns
from sources.simulator.world import World

DATABASE_FILE = "gps.sqlite"
OLD_NAMES = {"Eijsden-Margraten": ["Eijsden", "Margraten"]}  # merged on 1 January 2011
SPELLING_VARIANTS = {
    "Maastricht": ["MAASTRICHT"],
    "Eijsden-Margraten": ["Eijsden Margraten"],
    "Meerssen": ["MEERSSEN"],
    "Valkenburg aan de Geul": ["Valkenburg a/d Geul", "Valkenburg"],
}
TEST_PERSON = {"persoon_id": "OM-TEST", "achternaam": "Testpersoon", "voornamen": "Test", "geboortedatum": "1980-01-01"}
TEST_PARKETNUMMER_START = 900000  # test cases get their own range of volgnummers

SCHEMA = """
create table personen (
    persoon_nr integer primary key,
    bsn text,
    achternaam text,
    voornamen text,
    geboortedatum text,
    gewijzigd_op text not null
);
create table casusoverleggen (
    casusoverleg_id integer primary key,
    parketnummer text not null,
    persoon_nr integer references personen (persoon_nr),
    soort_overleg text,
    datum_overleg text,
    pleeggemeente text,
    gewijzigd_op text not null
);
create table veelplegersplannen (
    plan_id integer primary key,
    persoon_nr integer references personen (persoon_nr),
    doelgroep text,
    gemeente text,
    startdatum text,
    einddatum text,
    gewijzigd_op text not null
);
create table strafzaken (
    parketnummer text primary key,
    persoon_nr integer references personen (persoon_nr),
    feitdatum text,
    feitcode text,
    pleeggemeente text,
    grond text,
    gewijzigd_op text not null
);
create index personen_gewijzigd_op on personen (gewijzigd_op);
create index casusoverleggen_gewijzigd_op on casusoverleggen (gewijzigd_op);
create index veelplegersplannen_gewijzigd_op on veelplegersplannen (gewijzigd_op);
create index strafzaken_gewijzigd_op on strafzaken (gewijzigd_op);
"""


def publish(world: World, folder: Path, defects: DefectRates, rng: np.random.Generator) -> Path:
    """Write the OM's registrations of `world` to `folder/gps.sqlite`, replacing an earlier file.

    The same world, defects and rng state give the same database content, row for row.
    """
    overleggen, persons = _with_test_records(world, defects, rng)
    tables = {
        "casusoverleggen": _casusoverleggen(overleggen, defects, rng),
        "veelplegersplannen": _veelplegersplannen(world.veelplegersplannen, defects, rng),
        "strafzaken": _strafzaken(world.strafzaken, defects, rng),
    }
    personen = _personen(persons, tables)
    numbers = dict(zip(personen["persoon_id"], personen["persoon_nr"], strict=True))
    for name, frame in tables.items():
        tables[name] = frame.assign(persoon_nr=frame["persoon_id"].map(numbers)).drop(columns="persoon_id")

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATABASE_FILE
    path.unlink(missing_ok=True)
    _write(path, {"personen": personen.drop(columns="persoon_id"), **tables})
    return path


def _with_test_records(
    world: World, defects: DefectRates, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Casusoverleggen and persons, with a `test_records` share of extra overleggen on a test person."""
    overleggen = world.casusoverleggen
    n = round(len(overleggen) * defects.test_records)
    if n == 0:
        return overleggen, world.persons
    taken = set(world.persons["bsn"].dropna())
    bsn = next(b for b in valid_bsns(rng, 16) if b not in taken)
    test_person = pd.DataFrame([{**TEST_PERSON, "bsn": bsn}])
    test_person["geboortedatum"] = pd.to_datetime(test_person["geboortedatum"])
    tests = overleggen.iloc[rng.integers(0, len(overleggen), size=n)].copy()
    yy = world.year % 100
    tests["casusoverleg_id"] = overleggen["casusoverleg_id"].max() + 1 + np.arange(n)
    tests["parketnummer"] = [parketnummer(TEST_PARKETNUMMER_START, 100_000, i, yy) for i in range(n)]
    tests["persoon_id"] = TEST_PERSON["persoon_id"]
    tests["defect"] = "test_record"
    return pd.concat([overleggen, tests], ignore_index=True), pd.concat([world.persons, test_person], ignore_index=True)


def _casusoverleggen(overleggen: pd.DataFrame, defects: DefectRates, rng: np.random.Generator) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "casusoverleg_id": overleggen["casusoverleg_id"].astype("int64"),
            "parketnummer": overleggen["parketnummer"],
            "persoon_id": overleggen["persoon_id"],
            "soort_overleg": overleggen["soort_overleg"],
            "datum_overleg": _iso_date(overleggen["datum"]),
            "pleeggemeente": _as_written(overleggen["gemeente"], defects, rng),
            "gewijzigd_op": _changed_on(overleggen["datum"], rng),
        }
    )
    return rows.sort_values("casusoverleg_id", ignore_index=True)


def _veelplegersplannen(plannen: pd.DataFrame, defects: DefectRates, rng: np.random.Generator) -> pd.DataFrame:
    # a plan is last changed when it ended, or else when it started
    last_change = plannen["einddatum"].fillna(plannen["startdatum"])
    rows = pd.DataFrame(
        {
            "plan_id": plannen["plan_id"].astype("int64"),
            "persoon_id": plannen["persoon_id"],
            "doelgroep": plannen["doelgroep"],
            "gemeente": _as_written(plannen["gemeente"], defects, rng),
            "startdatum": _iso_date(plannen["startdatum"]),
            "einddatum": _iso_date(plannen["einddatum"]),
            "gewijzigd_op": _changed_on(last_change, rng),
        }
    )
    return rows.sort_values("plan_id", ignore_index=True)


def _strafzaken(strafzaken: pd.DataFrame, defects: DefectRates, rng: np.random.Generator) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "parketnummer": strafzaken["parketnummer"],
            "persoon_id": strafzaken["persoon_id"],
            "feitdatum": _iso_date(strafzaken["feitdatum"]),
            "feitcode": strafzaken["feitcode"],
            "pleeggemeente": _as_written(strafzaken["gemeente"], defects, rng),
            "grond": strafzaken["grond"],
            "gewijzigd_op": _changed_on(strafzaken["feitdatum"], rng),
        }
    )
    return rows.sort_values("parketnummer", ignore_index=True)


def _personen(persons: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Only the persons the OM knows, numbered by the OM, registered when their first row was."""
    mentions = pd.concat([t[["persoon_id", "gewijzigd_op"]] for t in tables.values()], ignore_index=True)
    first_change = mentions.groupby("persoon_id")["gewijzigd_op"].min()
    known = persons[persons["persoon_id"].isin(first_change.index)].sort_values("persoon_id", ignore_index=True)
    return pd.DataFrame(
        {
            "persoon_nr": np.arange(1, len(known) + 1),
            "persoon_id": known["persoon_id"],
            "bsn": known["bsn"],
            "achternaam": known["achternaam"],
            "voornamen": known["voornamen"],
            "geboortedatum": _iso_date(known["geboortedatum"]),
            "gewijzigd_op": known["persoon_id"].map(first_change),
        }
    )


def _as_written(gemeenten: pd.Series, defects: DefectRates, rng: np.random.Generator) -> pd.Series:
    """Place names as the OM's clerks typed them: some old municipality names and spelling variants."""
    written = gemeenten.astype(object).to_numpy(copy=True)
    old = rng.random(len(written)) < defects.old_municipality_names
    variant = ~old & (rng.random(len(written)) < defects.spelling_variants)
    for gemeente, names in OLD_NAMES.items():
        mask = old & (written == gemeente)
        written[mask] = rng.choice(names, size=int(mask.sum()))
    for gemeente, names in SPELLING_VARIANTS.items():
        mask = variant & (written == gemeente)
        written[mask] = rng.choice(names, size=int(mask.sum()))
    return pd.Series(written, index=gemeenten.index)


def _changed_on(event: pd.Series, rng: np.random.Generator) -> pd.Series:
    """The event date plus 0-3 days at a random second: when the clerk registered it."""
    days = rng.integers(0, 4, len(event)).astype("timedelta64[D]")
    seconds = rng.integers(0, 24 * 3600, len(event)).astype("timedelta64[s]")
    stamps = pd.Series(pd.to_datetime(event).to_numpy() + days + seconds, index=event.index)
    return stamps.dt.strftime("%Y-%m-%d %H:%M:%S")


def _iso_date(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None)


def _write(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Create the schema and insert every table in the given (primary-key) order, in one transaction."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.executescript(SCHEMA)
        con.execute("begin")
        for name, frame in tables.items():
            columns = ", ".join(frame.columns)
            marks = ", ".join("?" * len(frame.columns))
            con.executemany(f"insert into {name} ({columns}) values ({marks})", _plain_rows(frame))
        con.execute("commit")
    finally:
        con.close()


def _plain_rows(frame: pd.DataFrame) -> list[list[object]]:
    """Rows of Python ints, strings and None: what sqlite3 binds without guessing."""
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
