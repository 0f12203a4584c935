"""Atomicity: `vhpipe run` killed with SIGKILL during extract, during dbt and during publish leaves the raw
layer consistent (every ledger line's rows all there, no row without one) and the published copy at its
previous version; the writer lock is free again and DuckDB recovers its WAL, so the next `vhpipe run`
completes without repair and equals the truth. Re-running a day changes no mart and no export byte.

Two small worlds (three days of police drops) go through it in the module's fixture, side by side to save
time: one is killed in extract, killed in dbt, then run to the end; the other is run to the end, killed while
publishing, then one day is run again. The tests read what they saw. The data folders lie on /dev/shm where
there is one: the Dagster instance's SQLite event log syncs every event to disk, which makes a run twice as
slow on a real disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from reliability import PersonData, ledger_problems, person_data_in_folder

from orchestration.locking import WarehouseBusyError, exclusive_writer
from sources.paths import DataPaths
from sources.simulator.truth import read_truth

pytestmark = pytest.mark.e2e

VHPIPE = str(Path(sys.executable).parent / "vhpipe")
RUN_TIMEOUT = 300  # seconds; a small world's run takes about one minute
LAST_DAY = ["--from", "2011-01-04", "--to", "2011-01-04"]


@dataclass
class AfterKill:
    """What a killed run left behind, looked at before anything else touched the warehouse."""

    wal_existed: bool
    lock_free: bool
    problems: list[str]
    tables: set[str]
    deliveries: int
    published: bytes | None


@dataclass
class Completed:
    """A complete `vhpipe run` and what it left: every mart's rows and every export file's SHA-256."""

    process: subprocess.CompletedProcess
    marts: dict[str, list[str]]
    report: dict[tuple[str, str, str], int]  # marts.report_cells
    exports: dict[str, str]
    published: bytes | None


@dataclass
class KilledWorld:
    paths: DataPaths  # the world killed in extract and in dbt
    world: object  # its simulated world, with its persons
    publishing: DataPaths  # the world killed while publishing
    after: dict[str, AfterKill] = field(default_factory=dict)
    runs: dict[str, Completed] = field(default_factory=dict)


@pytest.fixture(scope="module")
def fast_folder(tmp_path_factory) -> Iterator[Callable[[str], Path]]:
    """New folders on /dev/shm (removed afterwards), or under pytest's tmp_path where there is none."""
    shm = Path("/dev/shm")
    made: list[Path] = []

    def folder(name: str) -> Path:
        if not (shm.is_dir() and os.access(shm, os.W_OK)):
            return tmp_path_factory.mktemp(name)
        made.append(Path(tempfile.mkdtemp(prefix=f"vhpipe-{name}-", dir=shm)))
        return made[-1]

    yield folder
    for root in made:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def killed(fast_folder, staged_pipeline) -> KilledWorld:
    """Both worlds' stories, run side by side (each a chain of `vhpipe run`s on its own data folder)."""
    crashing = staged_pipeline(fast_folder("killed"), days=3, seed=3)
    publishing = staged_pipeline(fast_folder("published"), days=3, seed=3)  # (a seed whose drops have no gaps)
    seen = KilledWorld(crashing.paths, crashing.simulation.world, publishing.paths)
    with ThreadPoolExecutor(max_workers=2) as pool:
        chains = [pool.submit(crash_in_extract_and_dbt, seen), pool.submit(crash_while_publishing, seen)]
        for chain in chains:
            chain.result()
    return seen


def crash_in_extract_and_dbt(seen: KilledWorld) -> None:
    seen.after["extract"] = kill_run(seen.paths, when=paused_in_extract, pause_at="extract")
    seen.after["dbt"] = kill_run(seen.paths, when=dbt_models_built(5))
    seen.runs["after the kills"] = complete_run(seen.paths)


def crash_while_publishing(seen: KilledWorld) -> None:
    seen.runs["first"] = complete_run(seen.publishing)
    assert seen.publishing.published.exists(), seen.runs["first"].process.stdout[-3000:]
    if publishing_exists():
        seen.after["publish"] = kill_run(seen.publishing, when=publishing_temporary_file)
    seen.runs["again"] = complete_run(seen.publishing, *LAST_DAY)


def publishing_exists() -> bool:
    try:
        from orchestration.assets.publish import PUBLISH_ASSETS  # noqa: F401
    except ImportError:
        return False
    return True


# --- running and killing


def kill_run(paths: DataPaths, when: Callable[[DataPaths, Path], bool], pause_at: str | None = None) -> AfterKill:
    """Start `vhpipe run`, SIGKILL its whole process group (dbt included) once `when` holds, look at the remains."""
    extra = {"VH_TEST_PAUSE_AT": pause_at} if pause_at else {}
    stderr = paths.root / "logs" / f"killed_{pause_at or when.__name__}.stderr"
    stderr.parent.mkdir(parents=True, exist_ok=True)
    with stderr.open("w") as err:
        env = {**os.environ, "VH_DATA_DIR": str(paths.root), **extra}
        process = subprocess.Popen(
            [VHPIPE, "run"], env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        try:
            wait_for(lambda: when(paths, stderr), process, stderr)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    return look_after_kill(paths)


def wait_for(moment: Callable[[], bool], process: subprocess.Popen, stderr: Path) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while not moment():
        if process.poll() is not None:
            pytest.fail(f"the run ended (exit {process.returncode}) before the moment to kill it:\n{_tail(stderr)}")
        if time.monotonic() > deadline:
            pytest.fail(f"no moment to kill the run within {RUN_TIMEOUT} s:\n{_tail(stderr)}")
        time.sleep(0.005)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


def paused_in_extract(paths: DataPaths, stderr: Path) -> bool:
    """The VH_TEST_PAUSE_AT hook: a delivery's rows written in its transaction, no ledger line, no commit."""
    return "VH_TEST_PAUSE_AT: paused at extract" in stderr.read_text(errors="replace")


def dbt_models_built(count: int) -> Callable[[DataPaths, Path], bool]:
    def dbt_midway(paths: DataPaths, stderr: Path) -> bool:
        logs = paths.dbt_target.glob("*/dbt.log")
        return any(log.read_text(errors="replace").count('"name": "LogModelResult"') >= count for log in logs)

    return dbt_midway


def publishing_temporary_file(paths: DataPaths, stderr: Path) -> bool:
    """The new published copy being written next to the old one, before the swap."""
    folder = paths.published.parent
    return folder.is_dir() and any(p.name.endswith(".tmp") for p in folder.iterdir())


def look_after_kill(paths: DataPaths) -> AfterKill:
    wal_existed = paths.warehouse.with_name(paths.warehouse.name + ".wal").exists()
    try:
        with exclusive_writer(paths.warehouse, "the test, after the kill"):
            lock_free = True
    except WarehouseBusyError:
        lock_free = False
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:  # opening replays the WAL
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
        problems = ledger_problems(con) if "_deliveries" in tables else ["no ledger"]
        deliveries = con.execute("select count(*) from raw._deliveries").fetchone()[0] if not problems else -1
    published = paths.published.read_bytes() if paths.published.exists() else None
    return AfterKill(wal_existed, lock_free, problems, tables, deliveries, published)


def complete_run(paths: DataPaths, *args: str) -> Completed:
    env = {**os.environ, "VH_DATA_DIR": str(paths.root)}
    process = subprocess.run(
        [VHPIPE, "run", *args], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        listed = con.execute("select table_name from information_schema.tables where table_schema = 'marts'")
        marts = {
            t: sorted(map(repr, con.execute(f'select * from marts."{t}"').fetchall())) for (t,) in listed.fetchall()
        }
        cells = con.execute("select tabel, rij, kolom, waarde from marts.report_cells").fetchall()
    exports = {
        str(p.relative_to(paths.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((paths.root / "exports").rglob("*"))
        if p.is_file()
    }
    published = paths.published.read_bytes() if paths.published.exists() else None
    report = {(str(t), r, k): int(v) for t, r, k, v in cells}
    return Completed(process, marts, report, exports, published)


# --- what the killed runs left, and the runs after them


def test_a_run_killed_inside_a_delivery_leaves_no_trace_of_it_and_duckdb_recovers_its_wal(killed):
    after = killed.after["extract"]
    assert after.lock_free  # the OS released the writer lock with the process
    assert after.problems == []  # no row without its ledger line: the paused delivery is wholly absent
    # the tables were created in this run and committed to the WAL only: they exist, so the WAL was replayed
    assert after.wal_existed and {"_deliveries", "_quarantine"} <= after.tables
    assert after.published is None  # nothing was published


def test_a_run_killed_while_dbt_builds_leaves_raw_consistent(killed):
    after = killed.after["dbt"]
    assert after.lock_free
    assert after.problems == []
    assert after.deliveries > killed.after["extract"].deliveries  # this run's extract had landed everything
    assert after.published is None


def test_the_next_vhpipe_run_completes_without_repair_and_equals_the_truth(killed):
    first = killed.runs["after the kills"]
    assert first.process.returncode == 0, first.process.stdout[-3000:] + first.process.stderr[-3000:]
    assert "died unfinished" in first.process.stderr  # the killed runs were marked failed, their slots freed
    with duckdb.connect(str(killed.paths.warehouse), read_only=True) as con:
        assert ledger_problems(con) == []
    truth = read_truth(killed.paths.truth).itertuples(index=False)
    assert first.report == {(str(r.tabel), r.rij, r.kolom): int(r.waarde) for r in truth}


def test_a_run_killed_while_publishing_leaves_the_previous_published_copy(killed):
    if "publish" not in killed.after:
        pytest.skip("orchestration/publishing is not wired into the job")
    after = killed.after["publish"]
    assert after.lock_free
    assert after.problems == []
    assert after.published == killed.runs["first"].published  # the half-written copy was never swapped in


def test_after_a_kill_while_publishing_rerunning_a_day_changes_no_mart_and_no_export_byte(killed):
    first, again = killed.runs["first"], killed.runs["again"]
    for run in (first, again):
        assert run.process.returncode == 0, run.process.stdout[-3000:] + run.process.stderr[-3000:]
    assert again.marts == first.marts and len(first.marts) >= 15
    assert again.exports == first.exports
    folder = killed.publishing.published.parent
    assert [p.name for p in folder.iterdir() if ".tmp" in p.name] == []  # the killed copy's debris is gone
    if "publish" in killed.after:
        assert list(killed.publishing.exports.rglob("*.parquet")), "publishing wrote no exports to compare"
    with duckdb.connect(str(killed.publishing.warehouse), read_only=True) as con:
        assert ledger_problems(con) == []


def test_no_dagster_event_log_or_run_log_on_disk_holds_person_data(killed):
    """The Dagster instance's SQLite event logs and `vhpipe run`'s logs, as `vhpipe run` leaves them on disk
    (test_privacy searches everything else a run writes)."""
    assert list(killed.paths.dagster_home.rglob("*.db")), "the runs left no Dagster event log to search"
    person_data = PersonData.of(killed.world)
    for folder in (killed.paths.dagster_home, killed.paths.root / "logs"):
        assert person_data_in_folder(folder, person_data, skip=()) == {}
