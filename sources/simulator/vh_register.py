"""The Veiligheidshuis register's store: meldingen, vervolgacties and trajecten as its API serves them.

The register keeps its own codes (doelgroep, soort) and the client in clear with every record;
each record carries `gewijzigd_op`, the moment it was last changed, which the API's
`updated_since` parameter filters on. The store is a SQLite file that `vh_api` serves; next to
it `api.json` holds the fault-injection settings of the API (rates and the seed of its draws).

Every record of the world is published, defect rows included (a JCO the OM also holds, a record
dated the previous year, a test record on the test person 'Testpersoon'); with the
`invalid_rows` rate the register also holds extra records that break the contract.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd

from sources.simulator.defects import DefectRates
from sources.simulator.world import World

STORE_FILE = "register.sqlite"
API_SETTINGS_FILE = "api.json"
STALL_SECONDS = 2.0  # a "timeout" stalls this long: longer than the connector's default timeout

DOELGROEP_CODES = {
    "Jeugd": "JGD",
    "Huiselijk geweld": "HG",
    "Volwassen veelplegers": "VP",
    "Geprioriteerden": "PGA",
    "Volwassen ex-gedetineerden": "EXG",
    "Multiproblematiek": "MPR",
    "Centrum Jeugd en Gezin": "CJG",
}
VERVOLGACTIE_SOORT_CODES = {
    "Ter opvolging door partnerorganisatie(s)": "PARTNER",
    "Zorgcasusoverleg": "ZCO",
    "Justitieel casusoverleg": "JCO",
    "Justitieel casusoverleg volwassen veelplegers": "JCOVP",
    "Integrale aanpak": "IA",
}
TRAJECT_SOORT_CODES = {
    "Netwerkoverleg risicojeugd": "NWO-RJ",
    "Nazorgoverleg ex-gedetineerden": "NAZORG",
    "Netwerkoverleg stadsdelen": "NWO-SD",
    "Integrale aanpak": "IA",
    "Plan na huisverbod": "PLAN-HV",
}
CODE_LISTS = {
    "doelgroep": DOELGROEP_CODES,
    "vervolgactie_soort": VERVOLGACTIE_SOORT_CODES,
    "traject_soort": TRAJECT_SOORT_CODES,
}
HERKOMST_CODES = {"gevangeniswezen": "gevangeniswezen", "partners": "partner"}
TEST_ACHTERNAAM = "Testpersoon"
MODIFIED_LATER_SHARE = 0.08  # records changed again after registration (a correction, a note)
CLIENT_COLUMNS = ["client_bsn", "client_achternaam", "client_voornamen", "client_geboortedatum"]

# store columns per record kind, in the order the API serves them; `id` is the register's key
STORE_COLUMNS = {
    "meldingen": [
        "id",
        "meldingsdatum",
        "herkomst",
        "melder",
        "doelgroep",
        "gemeente",
        "buurt",
        "geregistreerd_op",
        "gewijzigd_op",
        *CLIENT_COLUMNS,
    ],
    "vervolgacties": [
        "id",
        "melding_id",
        "datum",
        "soort",
        "doelgroep",
        "gemeente",
        "buurt",
        "gewijzigd_op",
        *CLIENT_COLUMNS,
    ],
    "trajecten": [
        "id",
        "categorie",
        "soort",
        "doelgroep",
        "gemeente",
        "buurt",
        "startdatum",
        "einddatum",
        "gewijzigd_op",
        *CLIENT_COLUMNS,
    ],
}
# which field of a record an invalid copy breaks, per kind (the date a record is about, and its code)
RECORD_DATE = {"meldingen": "meldingsdatum", "vervolgacties": "datum", "trajecten": "startdatum"}
RECORD_CODE = {"meldingen": "doelgroep", "vervolgacties": "soort", "trajecten": "soort"}


def publish(world: World, folder: Path, defects: DefectRates, rng: np.random.Generator) -> Path:
    """Write the register's store and API settings into `folder`; returns the store's path."""
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / STORE_FILE
    store.unlink(missing_ok=True)
    kinds = {
        "meldingen": _meldingen(world, rng),
        "vervolgacties": _vervolgacties(world, rng),
        "trajecten": _trajecten(world, rng),
    }
    with closing(sqlite3.connect(store)) as con, con:
        for kind, records in kinds.items():
            invalid = _invalid_copies(records, kind, defects.invalid_rows, rng)
            _write_kind(con, kind, pd.concat([records, invalid], ignore_index=True))
    write_api_settings(folder, defects, seed=int(rng.integers(0, 2**31)))
    return store


def write_api_settings(folder: Path, defects: DefectRates, seed: int) -> Path:
    """The API's fault injection: rates per request and the seed of its draws; tests add `scripted_faults`."""
    settings = {
        "seed": seed,
        "api_http_500": defects.api_http_500,
        "api_timeout": defects.api_timeout,
        "stall_seconds": STALL_SECONDS,
        "scripted_faults": [],
    }
    path = folder / API_SETTINGS_FILE
    path.write_text(json.dumps(settings, indent=2) + "\n")
    return path


def _meldingen(world: World, rng: np.random.Generator) -> pd.DataFrame:
    m = world.meldingen
    records = pd.DataFrame(
        {
            "id": m["melding_id"],
            "meldingsdatum": _date_text(m["meldingsdatum"]),
            "herkomst": m["herkomst"].map(HERKOMST_CODES),
            "melder": m["melder"],
            "doelgroep": m["doelgroep"].map(DOELGROEP_CODES),
            "gemeente": m["gemeente"],
            "buurt": m["buurt"],
            "geregistreerd_op": _date_text(m["geregistreerd_op"]),
            "gewijzigd_op": _gewijzigd_op(rng, m["geregistreerd_op"]),
        }
    )
    return _with_client(records, world.persons, m["persoon_id"], m["defect"])


def _vervolgacties(world: World, rng: np.random.Generator) -> pd.DataFrame:
    v = world.vervolgacties
    records = pd.DataFrame(
        {
            "id": v["vervolgactie_id"],
            "melding_id": v["melding_id"],
            "datum": _date_text(v["datum"]),
            "soort": v["soort"].map(VERVOLGACTIE_SOORT_CODES),
            "doelgroep": v["doelgroep"].map(DOELGROEP_CODES),
            "gemeente": v["gemeente"],
            "buurt": v["buurt"],
            "gewijzigd_op": _gewijzigd_op(rng, v["geregistreerd_op"]),
        }
    )
    return _with_client(records, world.persons, v["persoon_id"], v["defect"])


def _trajecten(world: World, rng: np.random.Generator) -> pd.DataFrame:
    t = world.trajecten
    # closing a traject changes its record: an ended traject was last changed on its einddatum
    changed = t["geregistreerd_op"].where(
        t["einddatum"].isna() | (t["einddatum"] < t["geregistreerd_op"]), t["einddatum"]
    )
    records = pd.DataFrame(
        {
            "id": t["traject_id"],
            "categorie": t["categorie"],
            "soort": t["soort"].map(TRAJECT_SOORT_CODES),
            "doelgroep": t["doelgroep"].map(DOELGROEP_CODES),
            "gemeente": t["gemeente"],
            "buurt": t["buurt"],
            "startdatum": _date_text(t["startdatum"]),
            "einddatum": _date_text(t["einddatum"]),
            "gewijzigd_op": _gewijzigd_op(rng, changed),
        }
    )
    return _with_client(records, world.persons, t["persoon_id"], t.get("defect"))


def _date_text(values: pd.Series) -> pd.Series:
    text = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    return text.astype(object).where(text.notna(), None)


def _gewijzigd_op(rng: np.random.Generator, registered: pd.Series) -> pd.Series:
    """The registration day at a random time of day; some records changed again up to two months later."""
    day = pd.to_datetime(registered).to_numpy().astype("datetime64[s]")
    n = len(day)
    later = np.where(rng.random(n) < MODIFIED_LATER_SHARE, rng.integers(1, 61, n), 0).astype("timedelta64[D]")
    seconds = rng.integers(7 * 3600, 19 * 3600, n).astype("timedelta64[s]")  # office hours
    return pd.Series(day + later + seconds, index=registered.index).dt.strftime("%Y-%m-%dT%H:%M:%S")


def _with_client(records: pd.DataFrame, persons: pd.DataFrame, persoon_id: pd.Series, defect: pd.Series | None):
    """The client in clear, as the register holds it; a test record is registered on a test person."""
    client = persons.set_index("persoon_id").reindex(persoon_id.to_numpy())
    records["client_bsn"] = client["bsn"].to_numpy()
    records["client_achternaam"] = client["achternaam"].to_numpy()
    records["client_voornamen"] = client["voornamen"].to_numpy()
    records["client_geboortedatum"] = _date_text(client["geboortedatum"]).to_numpy()
    if defect is not None:
        test = (defect == "test_record").to_numpy()
        records.loc[test, "client_achternaam"] = TEST_ACHTERNAAM
        records.loc[test, "client_bsn"] = None
    return records


def _invalid_copies(records: pd.DataFrame, kind: str, rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """Extra records that break the contract (a date that does not exist, an unknown code, a bad BSN)."""
    n = round(len(records) * rate)
    if n == 0:
        return records.iloc[0:0]
    copies = records.iloc[rng.integers(0, len(records), n)].copy().reset_index(drop=True)
    prefix = records["id"].iloc[0].rsplit("-", 1)[0]
    copies["id"] = [f"{prefix}-{9_000_001 + i}" for i in range(n)]
    breaks = np.arange(n) % 3
    copies.loc[breaks == 0, RECORD_DATE[kind]] = "2011-02-30"
    copies.loc[breaks == 1, RECORD_CODE[kind]] = "ONBEKEND"
    copies.loc[breaks == 2, "client_bsn"] = "123456780"  # nine digits that fail the 11-proef
    return copies


def _write_kind(con: sqlite3.Connection, kind: str, records: pd.DataFrame) -> None:
    columns = STORE_COLUMNS[kind]
    con.execute(f"create table {kind} ({', '.join(f'{c} text' for c in columns)}, primary key (id))")
    con.execute(f"create index {kind}_paging on {kind} (gewijzigd_op, id)")
    rows = records[columns].astype(object).where(records[columns].notna(), None)
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(f"insert into {kind} values ({placeholders})", rows.itertuples(index=False, name=None))
