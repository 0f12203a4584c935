"""Running a job without the UI: the days a run covers, the writer lock, the run itself."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from orchestration.locking import exclusive_writer
from orchestration.recovery import recover_dead_runs
from sources.connectors.politie import delivery_day
from sources.paths import DataPaths


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    def tags(self) -> dict[str, str]:
        """The run tags that make one run of a partitioned job cover every day in the range."""
        return {
            "dagster/asset_partition_range_start": self.first.isoformat(),
            "dagster/asset_partition_range_end": self.last.isoformat(),
        }

    def __str__(self) -> str:
        return f"{self.first} … {self.last}" if self.first != self.last else str(self.first)


def delivered_days(paths: DataPaths, today: date | None = None) -> DayRange:
    """The days of the police drops in the landing zone, or yesterday when there are none."""
    days = sorted(d for d in map(delivery_day, paths.landing_for("politie").glob("*.csv")) if d)
    if not days:
        yesterday = (today or date.today()) - timedelta(days=1)
        return DayRange(yesterday, yesterday)
    return DayRange(days[0], days[-1])


def run_job(
    defs: dg.Definitions,
    paths: DataPaths,
    job: str,
    days: DayRange | None,
    log_file: Path,
    verbose: bool = False,
    wait_seconds: float = 0.0,
) -> dg.ExecuteInProcessResult:
    """Run `job` in process over `days`, holding the warehouse's writer lock for the whole run."""
    level = "DEBUG" if verbose else "WARNING"
    run_config = {"loggers": {"console": {"config": {"log_level": level}}}}
    job_def = defs.resolve_job_def(job)
    tags = days.tags() if (days and job_def.partitions_def is not None) else {}
    holder = f"vhpipe run {job} (pid {os.getpid()})"
    instance = dg.DagsterInstance.get()
    with (
        exclusive_writer(paths.warehouse, holder, wait_seconds),
        log_file.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(sys.stdout if verbose else log),
    ):
        for run_id, pid in recover_dead_runs(instance):
            print(f"vhpipe run: run {run_id} died unfinished (process {pid} is gone); marked failed", file=sys.stderr)
        return job_def.execute_in_process(instance=instance, run_config=run_config, tags=tags, raise_on_error=False)
