"""Retention: `purge` removes person-level rows older than the retention period, all versions together,
logs itself in raw._purges, keeps the ledger reconcilable and the OM provision log at least four years."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from reliability import RAW_TABLES, ledger_problems, load_all, raw_state

from orchestration import maintenance
from sources import retention
from sources.connectors import om
from sources.paths import DataPaths
from sources.pseudonymise import Pseudonymiser
from sources.retention import RETENTION, RetentionError, purge
from sources.simulator import simulate

KEY = Pseudonymiser(b"test-key-retention")
AS_OF = date(2016, 2, 1)  # five years on from the simulated January 2011
CUTOFF = date(2011, 2, 1)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> DataPaths:
    """Forty days of 2011 (every defect on) landed by all four connectors, once for the module."""
    paths = DataPaths(tmp_path_factory.mktemp("retention"))
    simulate(paths, year=2011, days=40, seed=1)
    paths.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        load_all(paths, con, KEY)
    return paths


@pytest.fixture
def paths(loaded, tmp_path) -> DataPaths:
    """A copy of the loaded data folder of one's own (the purge changes it)."""
    shutil.copytree(loaded.root, tmp_path / "data")
    return DataPaths(tmp_path / "data")


@pytest.fixture
def con(paths):
    with duckdb.connect(str(paths.warehouse)) as connection:
        yield connection


def record_days(con, table: str) -> dict[str, date | None]:
    """Per record key the day its story ends (as the purge sees it), over all its versions."""
    rule = RETENTION[table]
    return dict(con.execute(f"select {rule.key}, max({rule.end_day()}) from raw.{table} group by all").fetchall())


def test_a_purge_removes_the_records_older_than_the_cutoff_with_every_version_and_logs_it(con):
    before = {t: record_days(con, t) for t in RAW_TABLES}
    counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
    report = purge(con, 5, today=AS_OF)
    assert report.cutoff == CUTOFF
    for table in RAW_TABLES:
        after = record_days(con, table)
        old = {k for k, day in before[table].items() if day is not None and day < CUTOFF}
        if not RETENTION[table].runs_until_ended:
            assert not old & set(after), f"{table} kept records that ended before the cutoff"
        assert {k for k, day in before[table].items() if day is None or day >= CUTOFF} <= set(after), table
        left = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        assert counts[table] - left == report.rows[table]
    assert report.rows["politie_mutaties"] > 0 and report.rows["vh_meldingen"] > 0
    logged = dict(con.execute("select table_name, sum(rows) from raw._purges group by all").fetchall())
    assert logged == report.rows
    assert con.execute("select distinct cutoff, retention_years from raw._purges").fetchall() == [(CUTOFF, 5)]
    assert ledger_problems(con) == []  # rows in raw + rows purged = rows the ledger accepted


def test_a_plan_still_running_is_kept_and_a_closed_one_goes_with_all_its_versions(paths, con):
    plans = dict(con.execute("select plan_id, startdatum from raw.om_veelplegersplannen").fetchall())
    running = con.execute("select plan_id from raw.om_veelplegersplannen where einddatum is null").fetchall()
    early_and_running = sorted(p for (p,) in running if plans[p] < str(CUTOFF))
    closing_plan, still_running = early_and_running[:2]
    # the OM closes one plan (back-dated to January 2011): a second version lands, with an end date
    with closing(sqlite3.connect(paths.landing_for("om") / "gps.sqlite")) as gps, gps:
        gps.execute(
            "update veelplegersplannen set einddatum = '2011-01-20', gewijzigd_op = '2012-06-01 09:00:00' "
            "where plan_id = ?",
            [closing_plan],
        )
    om.extract(con, om.default_url(paths.landing_for("om")), KEY)
    versions = "select count(*) from raw.om_veelplegersplannen where plan_id = ?"
    assert con.execute(versions, [closing_plan]).fetchone() == (2,)
    purge(con, 5, today=AS_OF)
    assert con.execute(versions, [closing_plan]).fetchone() == (0,)  # both versions: the plan ended before the cutoff
    assert con.execute(versions, [still_running]).fetchone() == (1,)  # started before the cutoff, runs still
    assert ledger_problems(con) == []


def test_quarantined_records_go_on_their_own_date_or_else_on_the_day_they_arrived(con):
    quarantined = con.execute("select count(*) from raw._quarantine").fetchone()[0]
    undated = con.execute(  # quarantined because their date was impossible: they go by their arrival
        "select count(*) from raw._quarantine where reason like '%datum%is not a date%'"
    ).fetchone()[0]
    report = purge(con, 5, today=AS_OF)
    assert 0 < report.rows["_quarantine"] <= quarantined - undated  # January's go, later and undated ones stay
    assert ledger_problems(con) == []
    arrived = con.execute("select max(quarantined_at)::date from raw._quarantine").fetchone()[0]
    later = purge(con, 5, today=arrived.replace(year=arrived.year + 6))
    assert later.rows["_quarantine"] == quarantined - report.rows["_quarantine"]
    assert ledger_problems(con) == []


def test_the_om_provision_log_is_kept_at_least_four_years_whatever_the_setting(con):
    logged = con.execute(f"select count(*) from raw.{retention.PROVISION_LOG}").fetchone()[0]
    assert logged == 3
    now = datetime.now(UTC).date()
    with pytest.raises(
        RetentionError, match=r"at least 4 years \(Wet justitiële en strafvorderlijke gegevens art\. 39j\)"
    ):
        purge(con, 2, provision_log_years=3, today=now)
    three_years_on = purge(con, 2, today=now.replace(year=now.year + 3))
    assert three_years_on.provision_log_years == 4
    assert three_years_on.rows[retention.PROVISION_LOG] == 0
    five_years_on = purge(con, 2, today=now.replace(year=now.year + 5))
    assert five_years_on.rows[retention.PROVISION_LOG] == logged


def test_the_retention_period_comes_from_the_environment_and_must_be_given(con, monkeypatch):
    monkeypatch.setenv(retention.RETENTION_VARIABLE, "5")
    assert purge(con, today=AS_OF, dry_run=True).retention_years == 5
    monkeypatch.delenv(retention.RETENTION_VARIABLE)
    with pytest.raises(RetentionError, match="pass --older-than-years N or set VH_RETENTION_YEARS"):
        purge(con, today=AS_OF)
    monkeypatch.setenv(retention.RETENTION_VARIABLE, "vijf")
    with pytest.raises(RetentionError, match="not a whole number"):
        purge(con, today=AS_OF)
    with pytest.raises(RetentionError, match="would purge the current report year"):
        purge(con, 0, today=AS_OF)


def test_a_dry_run_reports_and_removes_nothing(con):
    before = raw_state(con)
    report = purge(con, 5, today=AS_OF, dry_run=True)
    assert report.total > 0
    assert raw_state(con) == before


def test_a_table_with_person_keys_but_no_retention_rule_refuses_the_purge(con):
    con.execute("create table raw.nieuwe_bron (persoon_sleutel varchar, _delivery_id varchar)")
    before = raw_state(con)
    with pytest.raises(RetentionError, match=r"\['nieuwe_bron'\] hold person keys but have no retention rule"):
        purge(con, 5, today=AS_OF)
    assert raw_state(con) == before


def test_vhpipe_purge_names_the_setting_the_purge_reads():
    # the parser names it without importing the purge (which imports the connectors)
    assert maintenance.RETENTION_VARIABLE == retention.RETENTION_VARIABLE


def test_vhpipe_purge_reports_what_it_removed_and_waits_for_no_other_writer(paths, monkeypatch, capsys):
    monkeypatch.setenv("VH_DATA_DIR", str(paths.root))
    holder = hold_writer_lock(paths.warehouse)
    try:
        assert maintenance.main(["purge", "--older-than-years", "5", "--as-of", "2016-02-01"]) == 2
        assert "vhpipe purge: refused: the warehouse" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert maintenance.main(["purge", "--older-than-years", "5", "--as-of", "2016-02-01"]) == 0
    out = capsys.readouterr().out
    assert "Retention 5 years: removed" in out and "dated before 2011-02-01" in out and "raw._purges" in out
    assert maintenance.main(["purge", "--older-than-years", "5", "--provision-log-years", "2"]) == 2
    assert "must be kept at least 4 years" in capsys.readouterr().err


def hold_writer_lock(warehouse: Path) -> subprocess.Popen:
    """Another process holding the warehouse's writer lock, until killed."""
    code = (
        "import sys, time, pathlib\nfrom orchestration.locking import exclusive_writer\n"
        f"with exclusive_writer(pathlib.Path({str(warehouse)!r}), 'the nightly load'):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder
