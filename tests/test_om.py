"""The OM (GPS) source: the simulator's SQLite database and the connector that pulls it by watermark."""

import csv
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from sources.bsn import passes_elfproef
from sources.connectors import om
from sources.connectors.errors import DeliveryError
from sources.paths import PROJECT_ROOT
from sources.simulator import om as gps
from sources.simulator.defects import DefectRates
from sources.simulator.world import World, generate_world

TABLES = {"casusoverleggen": "casusoverleg_id", "veelplegersplannen": "plan_id", "strafzaken": "parketnummer"}
OM_DEFECTS = DefectRates.only("old_municipality_names", "spelling_variants", "test_records")


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(2011, 1, 0, DefectRates.none())


@pytest.fixture
def folder(tmp_path, world) -> Path:
    """A clean GPS database of the world in its own folder."""
    gps.publish(world, tmp_path / "om", DefectRates.none(), np.random.default_rng(0))
    return tmp_path / "om"


@pytest.fixture
def warehouse(tmp_path):
    with duckdb.connect(str(tmp_path / "vh.duckdb")) as con:
        yield con


def gps_execute(folder: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Change or read the GPS database as the OM's own application would."""
    with sqlite3.connect(folder / gps.DATABASE_FILE) as con:
        return con.execute(sql, params).fetchall()


def dump(path: Path) -> str:
    with sqlite3.connect(path) as con:
        return "\n".join(con.iterdump())


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from raw.om_{t}").fetchone()[0] for t in TABLES}


def landed_state(con) -> tuple:
    """Everything an extract can change, to show that a failing one changed nothing."""
    return tuple(
        con.execute(f"select * from {table} order by all").fetchall()
        for table in (
            *(f"raw.om_{t}" for t in TABLES),
            "raw._deliveries",
            "raw._quarantine",
            "raw._watermarks",
            "raw._om_verstrekkingen",
        )
    )


def pull_order(folder: Path, table: str) -> list:
    """Keys of a table in the order the connector numbers its rows."""
    key = TABLES[table]
    return [r[0] for r in gps_execute(folder, f"select {key} from {table} order by gewijzigd_op, {key}")]


# --- the simulated GPS database ---


def test_publish_writes_the_oms_frames_and_only_the_persons_it_knows(folder, world):
    for table in TABLES:  # the world's frames carry the names of the OM's tables
        assert gps_execute(folder, f"select count(*) from {table}")[0][0] == len(getattr(world, table))
    om_persons = pd.concat(
        [world.casusoverleggen["persoon_id"], world.veelplegersplannen["persoon_id"], world.strafzaken["persoon_id"]]
    ).nunique()
    assert gps_execute(folder, "select count(*) from personen")[0][0] == om_persons
    dangling = gps_execute(
        folder,
        "select count(*) from casusoverleggen c left join personen p using (persoon_nr) where p.persoon_nr is null",
    )
    assert dangling == [(0,)]


def test_gewijzigd_op_is_the_event_date_plus_up_to_three_days(folder):
    rows = gps_execute(folder, "select datum_overleg, gewijzigd_op from casusoverleggen")
    lag = pd.to_datetime([r[1] for r in rows]) - pd.to_datetime([r[0] for r in rows])
    assert lag.min() >= pd.Timedelta(0)
    assert lag.max() < pd.Timedelta(days=4)
    indexes = {r[0] for r in gps_execute(folder, "select name from sqlite_master where type = 'index'")}
    assert {f"{t}_gewijzigd_op" for t in TABLES} <= indexes


def test_same_seed_gives_an_identical_database_and_another_seed_does_not(tmp_path):
    def publish(seed: int, name: str) -> str:
        world = generate_world(2011, 1, seed, OM_DEFECTS)
        return dump(gps.publish(world, tmp_path / name, OM_DEFECTS, np.random.default_rng(seed)))

    first = publish(0, "a")
    assert first == publish(0, "b")
    assert first != publish(1, "c")


def test_place_name_defects_use_only_names_the_gemeenten_seed_maps(tmp_path, world):
    defects = DefectRates(**{**OM_DEFECTS.as_dict(), "spelling_variants": 0.3, "old_municipality_names": 0.5})
    folder = tmp_path / "om"
    gps.publish(world, folder, defects, np.random.default_rng(0))
    with (PROJECT_ROOT / "dbt_project" / "seeds" / "gemeenten.csv").open(encoding="utf-8") as seed:
        mapped = {row["naam_in_bron"] for row in csv.DictReader(seed)}
    written = {
        r[0]
        for r in gps_execute(
            folder,
            "select pleeggemeente from casusoverleggen union select gemeente from veelplegersplannen "
            "union select pleeggemeente from strafzaken",
        )
    }
    assert written <= mapped
    assert {"Eijsden", "Margraten", "MAASTRICHT"} <= written


def test_test_records_are_extra_casusoverleggen_on_a_testpersoon_with_a_valid_bsn(tmp_path, world):
    folder = tmp_path / "om"
    gps.publish(world, folder, OM_DEFECTS, np.random.default_rng(0))
    tests = gps_execute(
        folder,
        "select p.bsn from casusoverleggen c join personen p using (persoon_nr) where p.achternaam = 'Testpersoon'",
    )
    assert len(tests) == round(len(world.casusoverleggen) * OM_DEFECTS.test_records) > 0
    assert all(passes_elfproef(bsn) for (bsn,) in tests)
    total = gps_execute(folder, "select count(*) from casusoverleggen")[0][0]
    assert total == len(world.casusoverleggen) + len(tests)


# --- the connector ---


def test_first_extract_lands_every_row_and_the_ledger_balances(folder, warehouse, world):
    outcomes = om.extract(warehouse, om.default_url(folder))
    assert [o.delivery.name for o in outcomes] == [f"{t} gewijzigd_op>(start)" for t in TABLES]
    assert counts(warehouse) == {t: len(getattr(world, t)) for t in TABLES}
    ledger = warehouse.execute(
        "select delivery_name, received, accepted, quarantined, duplicates from raw._deliveries where source = 'om'"
    ).fetchall()
    for name, received, accepted, quarantined, duplicates in ledger:
        table = name.split(" ")[0]
        assert received == accepted + quarantined + duplicates == accepted == counts(warehouse)[table]


def test_pulled_values_become_text_as_sqlite_holds_it_whatever_type_the_database_gives():
    # SQLite gives text and whole numbers; a typed database (PostgreSQL) gives dates, moments and decimals
    records = [
        (1, "12/345678-11", None, date(2011, 3, 4), datetime(2011, 3, 4, 9, 30), Decimal("1.50"), b"Gulpen", 7),
        (22, "12/345679-11", None, None, datetime(2011, 3, 5, 10, 0, 0, 250000), 2, "Wittem", None),
    ]
    columns = om._as_text_columns(records, 8)
    assert [list(columns[position]) for position in range(8)] == [
        ["1", "22"],
        ["12/345678-11", "12/345679-11"],
        [None, None],
        ["2011-03-04", None],
        ["2011-03-04 09:30:00", "2011-03-05 10:00:00.250000"],
        ["1.50", "2"],
        ["Gulpen", "Wittem"],
        ["7", None],  # a number column with a gap (persoon_in_personen of a row whose person is missing)
    ]
    assert [len(column) for column in om._as_text_columns([], 3).values()] == [0, 0, 0]


def test_second_extract_lands_nothing_new(folder, warehouse):
    om.extract(warehouse, om.default_url(folder))
    before = landed_state(warehouse)
    assert om.extract(warehouse, om.default_url(folder)) == []
    assert landed_state(warehouse) == before


def test_a_changed_row_is_pulled_again_and_only_that_row(folder, warehouse):
    om.extract(warehouse, om.default_url(folder))
    plan_id, changed_on = gps_execute(
        folder, "select plan_id, gewijzigd_op from veelplegersplannen where einddatum is null order by plan_id"
    )[0]
    gps_execute(
        folder,
        "update veelplegersplannen set einddatum = '2012-01-10', gewijzigd_op = '2012-01-11 09:00:00' "
        "where plan_id = ?",
        (plan_id,),
    )
    [outcome] = om.extract(warehouse, om.default_url(folder))
    assert outcome.delivery.name.startswith("veelplegersplannen gewijzigd_op>")
    assert (outcome.received, outcome.accepted) == (1, 1)
    versions = warehouse.execute(
        "select einddatum, gewijzigd_op from raw.om_veelplegersplannen where plan_id = ? order by gewijzigd_op",
        [str(plan_id)],
    ).fetchall()
    assert versions == [(None, changed_on), ("2012-01-10", "2012-01-11 09:00:00")]
    assert om.stored_watermark(warehouse, om.VEELPLEGERSPLANNEN) == "2012-01-11 09:00:00"


def test_a_row_pulled_again_unchanged_counts_as_a_duplicate(folder, warehouse):
    om.extract(warehouse, om.default_url(folder))
    watermark = om.stored_watermark(warehouse, om.STRAFZAKEN)
    # the watermark set back a second: the last strafzaak comes again, unchanged
    earlier = (pd.Timestamp(watermark) - pd.Timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    warehouse.execute("update raw._watermarks set watermark = ? where entity = 'strafzaken'", [earlier])
    [outcome] = om.extract(warehouse, om.default_url(folder))
    assert (outcome.received, outcome.accepted, outcome.duplicates) == (1, 0, 1)


def test_a_reset_watermark_pulls_everything_again_lands_nothing_and_logs_the_provision(folder, warehouse):
    om.extract(warehouse, om.default_url(folder))
    before = landed_state(warehouse)
    warehouse.execute("delete from raw._watermarks where source = 'om'")
    assert om.extract(warehouse, om.default_url(folder)) == []
    after = landed_state(warehouse)
    assert after[:-1] == before[:-1]  # rows, ledger, quarantine and watermarks as they were
    assert len(after[-1]) == len(before[-1]) + len(TABLES)  # each provision logged again


CORRUPTIONS = [
    ("update casusoverleggen set datum_overleg = '2011-02-30' where casusoverleg_id = ?", "datum_overleg '2011-02-30'"),
    ("update casusoverleggen set parketnummer = '' where casusoverleg_id = ?", "parketnummer is missing"),
    ("update casusoverleggen set parketnummer = '03/5318-11' where casusoverleg_id = ?", "parketnummer '03/5318-11'"),
    ("update casusoverleggen set soort_overleg = 'JCO onbekend' where casusoverleg_id = ?", "soort_overleg"),
    ("update casusoverleggen set persoon_nr = 999999 where casusoverleg_id = ?", "persoon_nr '999999'"),
    (
        "update personen set bsn = '123456789' "
        "where persoon_nr = (select persoon_nr from casusoverleggen where casusoverleg_id = ?)",
        "bsn fails the 11-proef",
    ),
]


def test_corrupt_rows_are_quarantined_with_column_and_row_number_and_the_rest_lands(folder, warehouse, world):
    order = pull_order(folder, "casusoverleggen")
    corrupted = {}
    for position, (sql, reason) in enumerate(CORRUPTIONS):
        casusoverleg_id = order[10 * position + 5]
        gps_execute(folder, sql, (casusoverleg_id,))
        corrupted[order.index(casusoverleg_id) + 1] = reason
    [casusoverleggen, *_] = om.extract(warehouse, om.default_url(folder))
    assert (casusoverleggen.quarantined, casusoverleggen.accepted) == (
        len(CORRUPTIONS),
        len(world.casusoverleggen) - len(CORRUPTIONS),
    )
    quarantine = warehouse.execute(
        "select row_number, reason from raw._quarantine where delivery_id = ? order by row_number",
        [casusoverleggen.delivery.delivery_id],
    ).fetchall()
    assert [r[0] for r in quarantine] == sorted(corrupted)
    for row_number, reason in quarantine:
        assert reason.startswith(corrupted[row_number]), reason
    assert "123456789" not in str(warehouse.execute("select * from raw._quarantine").fetchall())


def test_a_dropped_table_raises_naming_it_and_changes_nothing_landed(folder, warehouse):
    om.extract(warehouse, om.default_url(folder))
    before = landed_state(warehouse)
    gps_execute(folder, "update casusoverleggen set gewijzigd_op = '2012-02-01 10:00:00' where casusoverleg_id = 1")
    gps_execute(folder, "drop table strafzaken")
    with pytest.raises(DeliveryError, match="strafzaken") as raised:
        om.extract(warehouse, om.default_url(folder))
    assert raised.value.source == "om"
    assert "no such table" in str(raised.value)
    assert landed_state(warehouse) == before  # not even the changed casusoverleg of this run


def test_a_locked_database_gives_a_clear_delivery_error_and_lands_nothing(folder, warehouse):
    holder = sqlite3.connect(folder / gps.DATABASE_FILE, isolation_level=None)
    holder.execute("begin exclusive")
    try:
        with pytest.raises(DeliveryError, match=r"casusoverleggen.*database is locked"):
            om.extract(warehouse, om.default_url(folder) + "?timeout=0.1")
    finally:
        holder.execute("rollback")
        holder.close()
    assert counts(warehouse) == dict.fromkeys(TABLES, 0)
    assert warehouse.execute("select count(*) from raw._deliveries").fetchone() == (0,)


def test_an_unreachable_database_raises_and_creates_no_file(tmp_path, warehouse):
    missing = tmp_path / "nowhere"
    with pytest.raises(DeliveryError, match=r"casusoverleggen.*unable to open"):
        om.extract(warehouse, om.default_url(missing))
    assert not missing.exists()
    with pytest.raises(DeliveryError, match="database URL"):
        om.extract(warehouse, "nosuchdialect://host/gps")


def test_no_bsn_name_or_birth_date_of_the_world_reaches_raw_or_the_quarantine(tmp_path, warehouse, world):
    folder = tmp_path / "om"
    gps.publish(world, folder, OM_DEFECTS, np.random.default_rng(0))
    gps_execute(folder, "update casusoverleggen set datum_overleg = 'gisteren' where casusoverleg_id = 3")
    outcomes = om.extract(warehouse, om.default_url(folder))
    assert sum(o.quarantined for o in outcomes) >= 1
    tables = warehouse.execute("select table_name from information_schema.tables where table_schema = 'raw'").fetchall()
    landed = "\n".join(warehouse.execute(f'select * from raw."{t}"').df().to_csv() for (t,) in tables)
    personen = pd.DataFrame(
        gps_execute(folder, "select bsn, achternaam, voornamen, geboortedatum from personen"),
        columns=["bsn", "achternaam", "voornamen", "geboortedatum"],
    )
    born = pd.to_datetime(personen["geboortedatum"])
    leaked = [
        value
        for value in [
            *personen["bsn"].dropna(),
            *personen["achternaam"],
            *born.dt.strftime("%Y-%m-%d"),
            *born.dt.strftime("%d-%m-%Y"),
        ]
        if value in landed
    ]
    assert leaked == []


def test_test_persons_are_flagged_at_the_door(tmp_path, warehouse, world):
    folder = tmp_path / "om"
    gps.publish(world, folder, OM_DEFECTS, np.random.default_rng(0))
    om.extract(warehouse, om.default_url(folder))
    flagged = warehouse.execute("select count(*) from raw.om_casusoverleggen where is_testpersoon").fetchone()[0]
    assert flagged == round(len(world.casusoverleggen) * OM_DEFECTS.test_records)


def test_every_provision_is_logged_with_its_watermarks(folder, warehouse):
    om.extract(warehouse, om.default_url(folder))
    first_to = om.stored_watermark(warehouse, om.CASUSOVERLEGGEN)
    gps_execute(folder, "update casusoverleggen set gewijzigd_op = '2012-02-01 10:00:00' where casusoverleg_id = 1")
    om.extract(warehouse, om.default_url(folder))
    log = warehouse.execute(
        "select v.entity, v.rows, v.watermark_from, v.watermark_to, v.doel, d.received "
        "from raw._om_verstrekkingen v join raw._deliveries d using (delivery_id) order by v.verstrekt_op"
    ).fetchall()
    deliveries = warehouse.execute("select count(*) from raw._deliveries where source = 'om'").fetchone()[0]
    assert len(log) == deliveries == 4
    assert all(rows == received and doel == om.DOEL for _, rows, _, _, doel, received in log)
    assert [entry[2] for entry in log[:3]] == [None, None, None]
    assert log[3][:4] == ("casusoverleggen", 1, first_to, "2012-02-01 10:00:00")
