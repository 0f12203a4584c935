"""The nightly load as a data engineer schedules, watches, backfills and re-runs it."""

import contextlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_defs
from orchestration.environment import prepare_environment
from orchestration.headless import DayRange
from orchestration.locking import WarehouseBusyError, exclusive_writer
from sources.paths import DataPaths
from sources.simulator import simulate
from sources.simulator.defects import DefectRates
from sources.simulator.truth import read_truth

VHPIPE = str(Path(sys.executable).parent / "vhpipe")


def query(paths: DataPaths, sql: str):
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(paths: DataPaths) -> dict:
    """What a re-run must leave alone: the report, the ledger and every raw table's rows."""
    tables = [t for (t,) in query(paths, "select table_name from information_schema.tables where table_schema='raw'")]
    return {
        "report": sorted(query(paths, "select * from marts.report_cells")),
        "ledger": sorted(query(paths, "select delivery_id, received, accepted from raw._deliveries")),
        "raw": {t: query(paths, f"select count(*) from raw.{t}")[0][0] for t in tables if t != "_om_verstrekkingen"},
    }


# --- start-up


def test_vhpipe_builds_its_parser_without_importing_the_heavy_stack():
    # `vhpipe run` starts dbt's parse as soon as its arguments are read, to run beside the imports of
    # Dagster, pandas and GX; a parser that imported them would hold the parse back by most of a second
    heavy = "{'pandas', 'dagster', 'sqlalchemy', 'great_expectations'}"
    probe = f"import sys, orchestration.cli as c; c.build_parser(); print(sorted({heavy} & set(sys.modules)))"
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert imported.strip() == "[]"


# --- schedule, sensor


def test_the_nightly_schedule_loads_yesterday_at_two_in_amsterdam(tmp_path):
    defs = build_defs(prepare_environment(DataPaths(tmp_path)))
    schedule = defs.resolve_schedule_def("nightly_load_0200")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Amsterdam"
    tick = datetime(2011, 3, 2, 2, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with dg.instance_for_test() as instance:
        result = schedule.evaluate_tick(dg.build_schedule_context(instance=instance, scheduled_execution_time=tick))
    (request,) = result.run_requests
    assert request.partition_key == "2011-03-01"
    assert schedule.job_name == "nightly_load"


def test_the_sensor_asks_one_run_per_new_drop_and_none_once_asked(tmp_path):
    paths = prepare_environment(DataPaths(tmp_path))
    simulate(paths, year=2011, days=3, defects=DefectRates.none())
    defs = build_defs(paths)
    sensor = defs.resolve_sensor_def("new_delivery")
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, definitions=defs))
        (request,) = first.run_requests
        assert request.partition_key == "2011-01-03"  # the last police drop's day
        assert sensor.job_name == "nightly_load"
        again = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor, definitions=defs))
        assert again.run_requests == [] and again.skip_message
        # a late drop lands: a new run, for the day it was delivered
        late = paths.landing_for("politie") / "BVH_VH_mutaties_20110105.csv"
        shutil.copy(sorted(paths.landing_for("politie").glob("*.csv"))[0], late)
        (request,) = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor, definitions=defs)
        ).run_requests
        assert request.partition_key == "2011-01-05"


# --- backfill, re-runs, late days (on the session's loaded 2011 world and small worlds of their own)


def test_a_year_of_daily_partitions_loads_in_one_run_with_one_dbt_build(pipeline):
    result = pipeline.result
    police = {
        e.partition for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "politie_mutaties"
    }
    drops = {p.name[16:24] for p in pipeline.paths.landing_for("politie").glob("*.csv")}
    assert len(police) > 365 and {d.replace("-", "") for d in police} >= drops
    dbt_steps = [e for e in result.all_events if e.is_step_success and e.step_key == "veiligheidshuis_dbt"]
    assert len(dbt_steps) == 1


@pytest.fixture(scope="module")
def small_world(tmp_path_factory, fresh_pipeline):
    """Five days of police drops (and a year of the other systems), loaded once."""
    return fresh_pipeline(tmp_path_factory.mktemp("small"), days=5, seed=4)


def test_rerunning_the_same_day_changes_nothing(small_world):
    before = snapshot(small_world.paths)
    again = small_world.run_job("nightly_load", DayRange(date(2011, 1, 5), date(2011, 1, 5)))
    assert again.success
    assert snapshot(small_world.paths) == before


def test_a_day_delivered_late_is_picked_up_by_the_next_run(tmp_path, staged_pipeline):
    run = staged_pipeline(tmp_path, days=6, seed=5, defects=DefectRates.none())
    paths = run.paths
    third = paths.landing_for("politie") / "BVH_VH_mutaties_20110103.csv"
    held_back = tmp_path / third.name
    shutil.move(third, held_back)  # the police send the 3rd's drop only after the 4th's run
    first = run.run_job("nightly_load", DayRange(date(2011, 1, 1), date(2011, 1, 4)))
    # the gap does not go unnoticed: only the delivery contracts fail, and they name the missing day
    failed = [e for e in first.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] in ([], ["raw_delivery_contracts"])
    assert all("20110103" in (e.description or "") or "2011-01-03" in (e.description or "") for e in failed)
    assert not query(paths, "select * from raw._deliveries where delivery_name = 'BVH_VH_mutaties_20110103.csv'")
    shutil.move(held_back, third)  # it arrives, late
    second = run.run_job("nightly_load", DayRange(date(2011, 1, 6), date(2011, 1, 6)))
    assert second.success
    assert query(paths, "select count(*) from raw._deliveries where delivery_name = 'BVH_VH_mutaties_20110103.csv'")[0][
        0
    ]
    truth = read_truth(paths.truth).set_index(["tabel", "rij", "kolom"])["waarde"]
    (police,) = query(paths, "select waarde from marts.report_cells where tabel='1' and rij='Mutaties politie'")[0]
    assert police == truth[("1", "Mutaties politie", "aantal")]


# --- one writer, failures


def test_a_second_run_is_refused_while_one_writes_with_a_clear_message(tmp_path):
    paths = prepare_environment(DataPaths(tmp_path))
    simulate(paths, year=2011, days=2, defects=DefectRates.none())
    env = {**os.environ, "VH_DATA_DIR": str(tmp_path)}
    with exclusive_writer(paths.warehouse, "the nightly load of the test"):
        refused = subprocess.run([VHPIPE, "run"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 3
    assert "not started" in refused.stderr and "the nightly load of the test" in refused.stderr
    assert not paths.warehouse.exists()  # the refused run wrote nothing


def test_the_writer_lock_makes_a_second_writer_wait_or_refuse(tmp_path):
    warehouse = tmp_path / "vh.duckdb"
    hold_for_two_seconds = (
        "import time\nfrom pathlib import Path\nfrom orchestration.locking import exclusive_writer\n"
        f"with exclusive_writer(Path({str(warehouse)!r}), 'holder'):\n"
        "    print('held', flush=True)\n    time.sleep(2)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold_for_two_seconds], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WarehouseBusyError, match="being written by holder"), exclusive_writer(warehouse, "second"):
        pass
    started = time.monotonic()
    with exclusive_writer(warehouse, "patient", wait_seconds=30):
        waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert 0.5 < waited < 30


class _Webhook(http.server.BaseHTTPRequestHandler):
    received: list = []  # noqa: RUF012

    def do_POST(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_failing_step_is_written_to_the_alerts_file_and_the_webhook(tmp_path, monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("VH_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/alerts")
    paths = prepare_environment(DataPaths(tmp_path))
    monkeypatch.setenv("VH_DATA_DIR", str(tmp_path))
    simulate(paths, year=2011, days=2, defects=DefectRates.none())
    broken = sorted(paths.landing_for("politie").glob("*.csv"))[-1]
    broken.write_text(broken.read_text(encoding="cp1252").replace("Pleegplaats", "Plaats"), encoding="cp1252")
    result = build_defs(paths).resolve_job_def("nightly_load").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=DayRange(date(2011, 1, 1), date(2011, 1, 2)).tags(),
        raise_on_error=False,
    )  # fmt: skip
    server.shutdown()
    assert not result.success
    (alert,) = [json.loads(line) for line in (tmp_path / "logs" / "alerts.jsonl").read_text().splitlines()]
    assert alert["step"] == "politie_mutaties" and alert["run_id"] == result.run_id
    assert broken.name in alert["error"] and "Pleegplaats" in alert["error"]
    assert _Webhook.received == [alert]


# --- the UI, as a new user meets it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query_text: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query_text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def test_the_ui_serves_every_asset_check_schedule_and_sensor_over_graphql(tmp_path):
    port = _free_port()
    env = {**os.environ, "VH_DATA_DIR": str(tmp_path), "PORT": str(port)}
    # a test run started in the background (nohup, `&`) ignores Ctrl-C, and the UI would inherit that:
    # it starts as from a terminal, where Ctrl-C interrupts
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        ui = subprocess.Popen(
            [VHPIPE, "ui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
    finally:
        signal.signal(signal.SIGINT, ignored)
    try:
        deadline = time.monotonic() + 120
        repositories = None
        while time.monotonic() < deadline and not repositories:
            time.sleep(2)
            try:
                repositories = _graphql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes {"
                                        " name schedules { name } sensors { name } jobs { name } } } } }")  # fmt: skip
                repositories = repositories["repositoriesOrError"].get("nodes")
            except OSError:
                continue
        assert repositories, "the UI did not come up with the code location"
        (repository,) = repositories
        assert {s["name"] for s in repository["schedules"]} == {"nightly_load_0200"}
        assert {s["name"] for s in repository["sensors"]} == {"new_delivery"}
        assert {"nightly_load", "full_refresh", "audit_checks"} <= {j["name"] for j in repository["jobs"]}
        nodes = _graphql(port, "{ assetNodes { assetKey { path } assetChecksOrError {"
                               " ... on AssetChecks { checks { name } } } } }")["assetNodes"]  # fmt: skip
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {
            "raw/politie_mutaties",
            "raw/vh_meldingen",
            "marts/report_cells",
            "marts/tabel_09_tijdelijk_huisverbod",
        } <= keys
        checks = {
            (("/".join(n["assetKey"]["path"])), c["name"]) for n in nodes for c in n["assetChecksOrError"]["checks"]
        }
        assert ("raw/politie_mutaties", "ledger_reconciles") in checks
        assert ("raw/gemeenten_huisverboden", "delivered_recently") in checks
        assert any(name.startswith("unique_report_cells") or "report_cells" in name for _, name in checks)
    finally:
        # Ctrl-C, as a data engineer stops it: the terminal interrupts the whole foreground process group,
        # dagster dev (vhpipe ui execs it) and the webserver, daemon and code server it started
        os.killpg(ui.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            ui.wait(timeout=60)
        deadline = time.monotonic() + 30
        while (leftovers := _processes_in_group(ui.pid)) and time.monotonic() < deadline:
            time.sleep(1)
        if leftovers:
            os.killpg(ui.pid, signal.SIGKILL)
    assert leftovers == [], f"vhpipe ui left processes running after it was stopped: {leftovers}"


def _processes_in_group(group: int) -> list[str]:
    listing = subprocess.run(["ps", "-e", "-o", "pgid=,pid=,args="], capture_output=True, text=True, check=True)
    rows = [line.split(None, 2) for line in listing.stdout.splitlines()]
    return [" ".join(row[1:]) for row in rows if len(row) == 3 and row[0] == str(group)]
