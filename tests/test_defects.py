"""Every defect changes a published figure when it is left unhandled.

Each test simulates the 2011 world with only that defect switched on, reads a report cell the
naive way straight from what was delivered (the drop files, the GPS database, the register's
store or API) and shows it differs from the truth of that cell; then it reads the same cell the
handled way and shows it matches. Without the defect the naive reading would match the truth,
so a test fails as soon as the simulator stops producing its defect.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sources.connectors import politie, vh
from sources.connectors.errors import DeliveryError
from sources.paths import PROJECT_ROOT, DataPaths
from sources.pseudonymise import Pseudonymiser
from sources.simulator import simulate, vh_api, vh_register
from sources.simulator.defects import DefectRates
from sources.simulator.om import DATABASE_FILE
from sources.simulator.truth import read_truth

YEAR = 2011
SEED = 0
PSEUDONYMISER = Pseudonymiser(b"test-key-defects")
# rates raised above their default where the default could leave a small world untouched
VISIBLE_RATES = {
    "repeated_delivery": 0.2,
    "test_records": 0.02,
    "invalid_rows": 0.02,
    "api_http_500": 0.3,
    "api_timeout": 0.3,
}
LANDED_DAYS = 31  # tests that run the police connector play one month: it lands a drop a day
GEMEENTEN_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "gemeenten.csv"
CLIENT_TIMEOUT = 0.5  # seconds; the simulated API stalls 2 s, so a stall costs a test only this long


def defect_rates(name: str) -> DefectRates:
    """Only `name` switched on, at a rate at which a scale-1 world surely shows it."""
    only = DefectRates.only(name)
    return replace(only, **{name: VISIBLE_RATES[name]}) if name in VISIBLE_RATES else only


def simulate_only(tmp_path: Path, name: str, days: int | None = None) -> DataPaths:
    paths = DataPaths(tmp_path)
    simulate(paths, year=YEAR, scale=1, seed=SEED, days=days, defects=defect_rates(name))
    return paths


def truth_cell(paths: DataPaths, tabel: str, rij: str, kolom: str) -> int:
    truth = read_truth(paths.truth)
    cell = truth[(truth["tabel"] == tabel) & (truth["rij"] == rij) & (truth["kolom"] == kolom)]
    assert len(cell) == 1, f"no single truth cell for tabel {tabel}, {rij} × {kolom}"
    return int(cell["waarde"].iloc[0])


# --- reading what was delivered ------------------------------------------------------------------


def police_rows(paths: DataPaths) -> pd.DataFrame:
    """Every row of every police drop, as text, with the drop's file name and its delivery date."""
    frames = []
    for path in sorted(paths.landing_for("politie").glob("*.csv")):
        frame = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
        frames.append(frame.assign(bestand=path.name, leverdatum=pd.to_datetime(path.name[16:24])))
    return pd.concat(frames, ignore_index=True)


def mutaties(rows: pd.DataFrame) -> int:
    return rows["Mutatienummer"].nunique()


def latest_versions(rows: pd.DataFrame) -> pd.DataFrame:
    versie = rows["Versie"].astype(int)
    return rows[versie == versie.groupby(rows["Mutatienummer"]).transform("max")]


def store(paths: DataPaths, kind: str) -> pd.DataFrame:
    """One record kind of the VH register's store, as the API serves it."""
    with closing(sqlite3.connect(paths.landing_for("vh") / vh_register.STORE_FILE)) as con:
        return pd.read_sql(f"select * from {kind}", con)


def gps(paths: DataPaths, table: str) -> pd.DataFrame:
    with closing(sqlite3.connect(paths.landing_for("om") / DATABASE_FILE)) as con:
        return pd.read_sql(f"select * from {table}", con)


def in_year(dates: pd.Series) -> pd.Series:
    return dates.str.startswith(str(YEAR))


def canonical_gemeente(names: pd.Series) -> pd.Series:
    """Place names mapped to their municipality with the pipeline's seed; null outside the district."""
    seed = pd.read_csv(GEMEENTEN_SEED)
    district = seed[seed["in_district"]].set_index("naam_in_bron")["gemeente"]
    return names.map(district)


def register_jeugd_meldingen(paths: DataPaths, gemeente: str | None = None) -> int:
    """The register's jeugd meldingen of the year (in a gemeente), the part of Table 2 the police do not give."""
    meldingen = store(paths, "meldingen")
    chosen = (meldingen["doelgroep"] == "JGD") & in_year(meldingen["meldingsdatum"])
    if gemeente:
        chosen &= meldingen["gemeente"] == gemeente
    return int(chosen.sum())


def land_police(paths: DataPaths, warehouse: Path) -> tuple[list, pd.DataFrame]:
    """The police connector's landing: the ledger outcomes and the accepted raw rows."""
    with duckdb.connect(str(warehouse)) as con:
        outcomes = politie.extract(con, paths.landing_for("politie"), PSEUDONYMISER)
        raw = con.execute(f"select * from raw.{politie.TABLE}").df()
    return outcomes, raw


# --- police drops ----------------------------------------------------------------------------------


def test_repeated_delivery_counts_a_drop_twice(tmp_path):
    paths = simulate_only(tmp_path, "repeated_delivery", days=LANDED_DAYS)
    rows = police_rows(paths)
    truth = truth_cell(paths, "1", "Mutaties politie", "aantal")

    naive = int(rows.groupby("bestand")["Mutatienummer"].nunique().sum())  # each file read as news
    assert naive > truth

    outcomes, raw = land_police(paths, tmp_path / "vh.duckdb")
    repeats = [o for o in outcomes if "_herlevering" in o.delivery.name]
    assert repeats
    assert all(o.duplicates == o.received and o.accepted == 0 for o in repeats)
    assert raw["mutatienummer"].nunique() == truth


def test_corrected_records_count_every_version_and_the_first_selectiecode(tmp_path):
    paths = simulate_only(tmp_path, "corrected_records")
    rows = police_rows(paths)
    mutaties_truth = truth_cell(paths, "1", "Mutaties politie", "aantal")
    jeugd_truth = truth_cell(paths, "2", "Jeugd", "Totaal")

    every_version = len(rows[["Mutatienummer", "Versie"]].drop_duplicates())
    assert every_version > mutaties_truth
    first = rows[rows["Versie"] == "1"].drop_duplicates("Mutatienummer")
    jeugd_by_first_code = int((first["Selectiecode"] == "JGD").sum()) + register_jeugd_meldingen(paths)
    assert jeugd_by_first_code != jeugd_truth

    latest = latest_versions(rows).drop_duplicates("Mutatienummer")
    assert len(latest) == mutaties_truth
    assert int((latest["Selectiecode"] == "JGD").sum()) + register_jeugd_meldingen(paths) == jeugd_truth


@pytest.mark.parametrize(
    ("defect", "gemeente"),
    [("spelling_variants", "Maastricht"), ("old_municipality_names", "Eijsden-Margraten")],
)
def test_place_names_as_written_lose_meldingen_of_a_gemeente(tmp_path, defect, gemeente):
    paths = simulate_only(tmp_path, defect)
    jeugd = police_rows(paths).query("Selectiecode == 'JGD'").drop_duplicates("Mutatienummer")
    truth = truth_cell(paths, "2", "Jeugd", gemeente)
    register = register_jeugd_meldingen(paths, gemeente)

    literal = int((jeugd["Pleegplaats"] == gemeente).sum()) + register
    assert literal < truth

    assert int((canonical_gemeente(jeugd["Pleegplaats"]) == gemeente).sum()) + register == truth


def test_outside_district_mutaties_are_counted(tmp_path):
    paths = simulate_only(tmp_path, "outside_district")
    rows = police_rows(paths)
    truth = truth_cell(paths, "1", "Mutaties politie", "aantal")

    assert mutaties(rows) > truth
    assert mutaties(rows[canonical_gemeente(rows["Pleegplaats"]).notna()]) == truth


def test_test_records_are_counted(tmp_path):
    paths = simulate_only(tmp_path, "test_records")
    rows = police_rows(paths)
    truth = truth_cell(paths, "1", "Mutaties politie", "aantal")

    assert mutaties(rows) > truth
    on_test_person = rows.loc[rows["Achternaam"] == "Testpersoon", "Mutatienummer"]
    assert mutaties(rows[~rows["Mutatienummer"].isin(on_test_person)]) == truth


def test_late_arrivals_fall_in_the_next_year_by_delivery_date(tmp_path):
    paths = simulate_only(tmp_path, "late_arrivals")
    rows = police_rows(paths)
    truth = truth_cell(paths, "1", "Mutaties politie", "aantal")

    delivered_in_year = rows[rows["leverdatum"].dt.year == YEAR]
    assert mutaties(delivered_in_year) < truth

    happened_in_year = pd.to_datetime(rows["Mutatiedatum"], format="%d-%m-%Y").dt.year == YEAR
    assert mutaties(rows[happened_in_year]) == truth


def test_invalid_rows_are_counted(tmp_path):
    paths = simulate_only(tmp_path, "invalid_rows", days=LANDED_DAYS)
    rows = police_rows(paths)
    truth = truth_cell(paths, "1", "Mutaties politie", "aantal")

    assert mutaties(rows) > truth

    outcomes, raw = land_police(paths, tmp_path / "vh.duckdb")
    extra_numbers = rows["Mutatienummer"].str[-6:].astype(int) >= 900_000  # the simulator's defect-only range
    assert sum(o.quarantined for o in outcomes) == int(extra_numbers.sum())
    assert raw["mutatienummer"].nunique() == truth


# --- OM and the VH register ------------------------------------------------------------------------


def test_a_jco_in_both_systems_is_counted_twice(tmp_path):
    paths = simulate_only(tmp_path, "cross_system_jco")
    overleggen = gps(paths, "casusoverleggen")
    acties = store(paths, "vervolgacties")
    truth = truth_cell(paths, "4", "Justitieel casusoverleg", "Jeugd")

    om_jco = int(((overleggen["soort_overleg"] == "JCO jeugd") & in_year(overleggen["datum_overleg"])).sum())
    vh_jco = int(((acties["soort"] == "JCO") & (acties["doelgroep"] == "JGD") & in_year(acties["datum"])).sum())
    assert om_jco + vh_jco > truth

    assert om_jco == truth  # the OM holds every JCO; the register's are copies


def test_out_of_period_meldingen_are_counted(tmp_path):
    paths = simulate_only(tmp_path, "out_of_period")
    partners = store(paths, "meldingen").query("herkomst == 'partner'")
    truth = truth_cell(paths, "1", "Meldingen partners", "aantal")

    assert len(partners) > truth
    assert int(in_year(partners["meldingsdatum"]).sum()) == truth


# --- the VH register's API -------------------------------------------------------------------------


def pull_once(base_url: str, endpoint: str, page_size: int = 50) -> list[dict]:
    """Pages asked for once each, until one comes back empty; a page that fails is simply missing."""
    records, page = [], 1
    while True:
        url = f"{base_url}{vh_api.API_PREFIX}{endpoint}?page={page}&page_size={page_size}"
        try:
            with urllib.request.urlopen(url, timeout=CLIENT_TIMEOUT) as response:
                data = json.loads(response.read())["data"]
        except OSError:  # HTTP 500, a stall past the timeout, a dropped connection: no retry
            data = None
        if data == []:
            return records
        records += data or []
        page += 1


def partner_meldingen(records: list[dict]) -> int:
    return sum(r["herkomst"] == "partner" and r["meldingsdatum"].startswith(str(YEAR)) for r in records)


@pytest.mark.parametrize("defect", ["api_http_500", "api_timeout"])
def test_a_flaky_api_pulled_once_loses_meldingen(tmp_path, defect):
    paths = simulate_only(tmp_path, defect)
    folder = paths.landing_for("vh")
    truth = truth_cell(paths, "1", "Meldingen partners", "aantal")

    with vh_api.serve(folder) as url:
        assert partner_meldingen(pull_once(url, "meldingen")) < truth

    with (
        vh_api.serve(folder) as url,
        duckdb.connect(str(tmp_path / "once.duckdb")) as con,
        pytest.raises(DeliveryError),
    ):
        vh.extract(con, url, PSEUDONYMISER, timeout=CLIENT_TIMEOUT, max_attempts=1)

    with vh_api.serve(folder) as url, duckdb.connect(str(tmp_path / "retried.duckdb")) as con:
        vh.extract(con, url, PSEUDONYMISER, timeout=CLIENT_TIMEOUT)
        for kind, table in (("meldingen", "vh_meldingen"), ("vervolgacties", "vh_vervolgacties")):
            assert con.execute(f"select count(*) from raw.{table}").fetchone()[0] == len(store(paths, kind))
        landed = con.execute(
            "select count(*) from raw.vh_meldingen where herkomst = 'partner' and meldingsdatum like ?",
            [f"{YEAR}-%"],
        ).fetchone()[0]
    assert landed == truth
