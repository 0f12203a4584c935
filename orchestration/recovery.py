"""Runs that died unfinished: found and closed by the next headless run, so they block nothing.

A run whose process is killed (SIGKILL, an out-of-memory kill, a reboot) never reports its end: the
Dagster instance keeps it STARTED, with its slot of the `warehouse` pool (limit 1) and its place
under the run queue's limit on `vhpipe/warehouse=writer`. Every later run would wait for it forever.
"""

from __future__ import annotations

import os

import dagster as dg

UNFINISHED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def recover_dead_runs(instance: dg.DagsterInstance) -> list[tuple[str, int]]:
    """Mark failed the runs whose process died unfinished (SIGKILL, a crash, a reboot) and free their pool slots.

    Such a run stays STARTED in the instance and keeps its slot of the `warehouse` pool (limit 1) and its
    place under the run queue's limit, so every later run would wait for it forever. A run is dead when
    the process that started it is gone from this host (the pipeline runs on one host: DuckDB is a file).
    """
    recovered = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        pid = _process_of(instance, run.run_id)
        if pid is None or _alive(pid):
            continue
        instance.report_run_failed(run, message=f"the run's process {pid} is gone (killed or crashed)")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append((run.run_id, pid))
    for run_id in instance.event_log_storage.get_concurrency_run_ids():  # slots of runs that ended without freeing
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return recovered


def _process_of(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The process that ran `run_id`: every event carries the pid of the process that wrote it."""
    for record in instance.all_logs(run_id, of_type={dg.DagsterEventType.RUN_START, dg.DagsterEventType.STEP_START}):
        if record.dagster_event and record.dagster_event.pid:
            return record.dagster_event.pid
    return None  # not started yet (a run being launched): leave it alone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
