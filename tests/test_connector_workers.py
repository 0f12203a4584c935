"""Connectors prepare batches in worker processes: the same rows land as when prepared in place, in
the same order, and a drop that breaks the contract still stops the run after the drops before it."""

import os
import pickle
import threading

import duckdb
import pytest

from sources.connectors import ledger, politie, workers
from sources.connectors.errors import DeliveryError
from sources.paths import DataPaths
from sources.pseudonymise import Pseudonymiser
from sources.simulator import simulate
from sources.simulator.defects import DefectRates

KEY = Pseudonymiser(b"test-key")
LANDED = """
select * exclude (_loaded_at) from raw.politie_mutaties order by _delivery_id, _row_number
"""
LEDGER = """
select delivery_id, received, accepted, quarantined, duplicates from raw._deliveries order by delivery_id
"""
QUARANTINE = "select delivery_id, row_number, reason, record from raw._quarantine order by delivery_id, row_number"


def test_results_come_back_in_the_tasks_order_from_worker_processes():
    tasks = [str(n) for n in range(20)]
    assert list(workers.in_order(int, [])) == []
    # int() runs in the workers; the processes that ran them are not this one
    assert list(workers.in_order(int, tasks, workers=2)) == list(range(20))
    pids = set(workers.in_order(_pid, tasks, workers=2))
    assert pids and os.getpid() not in pids


def test_an_error_in_a_worker_is_raised_at_its_task_after_the_results_before_it():
    results = []
    with pytest.raises(ValueError, match="invalid literal for int"):
        for result in workers.in_order(int, ["1", "2", "drie", "4"], workers=2):
            results.append(result)
    assert results == [1, 2]


def test_one_task_or_one_worker_is_done_in_place():
    assert list(workers.in_order(_pid, ["a"], workers=2)) == [os.getpid()]
    assert set(workers.in_order(_pid, ["a", "b"], workers=1)) == {os.getpid()}


def test_the_worker_count_comes_from_the_environment_and_is_checked(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "3")
    assert workers.worker_count() == 3
    for wrong in ("0", "twee"):
        monkeypatch.setenv(workers.WORKERS_VARIABLE, wrong)
        with pytest.raises(ValueError, match=workers.WORKERS_VARIABLE):
            workers.worker_count()


def test_what_crosses_to_a_worker_survives_the_trip():
    # the key travels, not the hash states: the copy makes the same pseudonyms
    copy = pickle.loads(pickle.dumps(KEY))
    assert copy.pseudonym("bsn", "123456782") == KEY.pseudonym("bsn", "123456782")
    error = pickle.loads(pickle.dumps(DeliveryError("politie", "drop.csv", "cut off", row=7)))
    assert (error.source, error.delivery, error.row, error.problem) == ("politie", "drop.csv", 7, "cut off")
    assert str(error) == "politie delivery drop.csv, row 7: cut off"


@pytest.fixture(scope="module")
def drops(tmp_path_factory):
    """Three weeks of police drops with the usual defects, more invalid rows and drops delivered twice."""
    paths = DataPaths(tmp_path_factory.mktemp("world"))
    simulate(paths, year=2011, scale=3, seed=5, days=21, defects=DefectRates(repeated_delivery=0.3, invalid_rows=0.05))
    return paths.landing_for("politie")


def land(folder, warehouse, **options):
    with duckdb.connect(str(warehouse)) as con:
        outcomes = politie.extract(con, folder, KEY, **options)
        return outcomes, [con.execute(sql).fetchall() for sql in (LANDED, LEDGER, QUARANTINE)]


def test_drops_are_split_in_even_runs_as_many_as_a_multiple_of_the_workers(drops):
    taken = pending(drops)
    size = {d.path: d.path.stat().st_size for d in taken}
    total, largest = sum(size.values()), max(size.values())
    assert politie.batches(taken, total, workers_count=2) == [taken]  # it fits in one: done in place
    for workers_count in (1, 2, 3):
        runs = politie.batches(taken, total // 5, workers_count)
        assert [d for run in runs for d in run] == taken  # every drop once, in order
        assert len(runs) >= 5 and len(runs) % workers_count == 0
        assert all(sum(size[d.path] for d in run) <= total / len(runs) + largest for run in runs)


def test_drops_prepared_by_workers_land_as_drops_prepared_in_place(drops, tmp_path, monkeypatch):
    sizes = sorted(p.stat().st_size for p in drops.glob("*.csv"))
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "1")
    in_place, in_place_tables = land(drops, tmp_path / "in_place.duckdb")
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "2")
    small = 3 * sizes[len(sizes) // 2]  # a few drops per batch: several batches, in two workers
    assert len(politie.batches(pending(drops), small, workers_count=2)) >= 4
    by_workers, by_workers_tables = land(drops, tmp_path / "workers.duckdb", batch_bytes=small)
    assert [o.delivery for o in by_workers] == [o.delivery for o in in_place]
    assert by_workers_tables == in_place_tables
    rows, ledger_lines, quarantine = by_workers_tables
    assert len(rows) > 100 and quarantine and any(duplicates for *_, duplicates in ledger_lines)
    assert all(
        received == accepted + quarantined + duplicates
        for _, received, accepted, quarantined, duplicates in ledger_lines
    )


def test_a_broken_drop_in_a_worker_stops_the_run_after_the_drops_before_it(drops, tmp_path, monkeypatch):
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "2")
    folder = tmp_path / "politie"
    folder.mkdir()
    for drop in drops.glob("*.csv"):
        (folder / drop.name).write_bytes(drop.read_bytes())
    sizes = sorted(p.stat().st_size for p in folder.glob("*.csv"))
    size = 2 * sizes[len(sizes) // 2]  # two or three drops per batch
    # the second drop of a later batch: batches before it land whole, and so does the drop before it
    runs = politie.batches(pending(folder), size, workers_count=2)
    index, run = next((i, run) for i, run in enumerate(runs) if i >= 2 and len(run) >= 2)
    broken = run[1].path
    # a renamed column, as long as the name it replaces: the batches stay as they were
    broken.write_bytes(broken.read_bytes().replace(b"Pleegplaats", b"Plaatspleeg", 1))
    assert [d.path for d in politie.batches(pending(folder), size, workers_count=2)[index]] == [d.path for d in run]
    with duckdb.connect(str(tmp_path / "vh.duckdb")) as con:
        with pytest.raises(DeliveryError, match=rf"politie delivery {broken.name}: header does not match"):
            politie.extract(con, folder, KEY, batch_bytes=size)
        landed = [row[0] for row in con.execute("select delivery_name from raw._deliveries order by 1").fetchall()]
    names = sorted(p.name for p in folder.glob("*.csv"))
    assert landed == names[: names.index(broken.name)]


def pending(folder) -> list[politie.DropFile]:
    with duckdb.connect() as con:
        ledger.ensure_ledger(con)
        return politie.pending_drops(con, folder)


def _pid(_: object) -> int:
    return os.getpid()


def test_in_threads_results_come_back_in_order_and_an_error_at_its_task():
    main = threading.get_ident()
    tasks = [str(n) for n in range(20)]
    assert list(workers.in_order(int, tasks, workers=2, threads=True)) == list(range(20))
    idents = set(workers.in_order(_thread, tasks, workers=2, threads=True))
    assert idents and main not in idents  # threads of the pool, not the caller's
    results = []
    with pytest.raises(ValueError, match="invalid literal for int"):
        for result in workers.in_order(int, ["1", "2", "drie", "4"], workers=2, threads=True):
            results.append(result)
    assert results == [1, 2]


def _thread(_: object) -> int:
    return threading.get_ident()
