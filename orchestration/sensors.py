"""Start a load when a source drops a file: a police drop or a gemeente workbook.

The sensor compares the landing folders with the ledger (what was loaded) and with its own
cursor (what it already asked for), so a file gets one run, and a police drop's run loads up
to the drop's delivery day.
"""

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from sources import duckdb_memory
from sources.connectors.politie import delivery_day
from sources.paths import DataPaths

FILE_DROPS = {"politie": "*.csv", "gemeenten": "*.xlsx"}


def landed_names(warehouse: Path) -> set[str]:
    """Names of the file deliveries the ledger holds (none when there is no warehouse yet)."""
    if not warehouse.exists():
        return set()
    with duckdb_memory.connect(warehouse, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = '_deliveries'"
        ).fetchall()[0][0]
        if not exists:
            return set()
        return {r[0] for r in con.execute("select delivery_name from raw._deliveries").fetchall()}


def new_files(paths: DataPaths, seen: set[str]) -> list[Path]:
    """Files in the police and gemeenten landing folders that are neither loaded nor already asked for."""
    loaded = landed_names(paths.warehouse)
    found = [f for system, pattern in FILE_DROPS.items() for f in sorted(paths.landing_for(system).glob(pattern))]
    return [f for f in found if f.name not in loaded and _identity(f) not in seen]


def _identity(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}"


def partition_for(files: list[Path], today: date) -> str:
    """The partition that loads them: the latest police delivery day, else yesterday's."""
    days = [d for d in (delivery_day(f) for f in files) if d is not None]
    day = max(days) if days else today - timedelta(days=1)
    return day.isoformat()


def build_new_delivery_sensor(job: object, paths_of: Callable[[], DataPaths]) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_delivery",
        job=job,
        minimum_interval_seconds=60,
        description="Starts the nightly load when a new police drop or gemeente workbook lands.",
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def new_delivery(context: dg.SensorEvaluationContext):
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        files = new_files(paths_of(), seen)
        if not files:
            return dg.SkipReason("no new police drop or gemeente workbook")
        partition = partition_for(files, date.today())
        context.update_cursor(json.dumps(sorted(seen | {_identity(f) for f in files})))
        return dg.RunRequest(
            run_key="|".join(sorted(_identity(f) for f in files)),
            partition_key=partition,
            tags={"vhpipe/trigger": "new_delivery", "vhpipe/files": str(len(files))},
        )

    return new_delivery
