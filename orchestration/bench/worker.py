"""One measurement in a process of its own: `python -m orchestration.bench.worker MODE FOLDER OUT`.

A fresh process per measurement keeps each one's peak memory its own (ru_maxrss only grows).
The runner sets the environment (VH_DATA_DIR, VH_REPORT_YEAR, the key); the result is written as
JSON to OUT.

Modes: `simulate` (needs BENCH_SCALE and BENCH_SEED), `pipeline` (`vhpipe run` on the simulated
world, timed from outside and split into stages by its Dagster run), `floor`, `peer` (the
baselines on the warehouse the run loaded), `incremental` (a year without its last day, then that
day delivered and the nightly `vhpipe run` for it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from orchestration.bench.measure import TreePeak, peak_rss_mib, stopwatch
from sources.paths import DataPaths

HELD_BACK = "held-back-politie"  # beside landing/: the drops the incremental measurement delivers late


def run_simulate(paths: DataPaths, year: int) -> dict:
    from sources.simulator import simulate

    seconds: dict[str, float] = {}
    with stopwatch(seconds, "simulate"):
        simulate(paths, year=year, scale=int(os.environ["BENCH_SCALE"]), seed=int(os.environ["BENCH_SEED"]))
    return {"seconds": seconds["simulate"]}


def vhpipe_run(paths: DataPaths, name: str, days: tuple[date, date] | None = None) -> dict:
    """`vhpipe run` as a night's run starts it (a new process), timed, with its process tree's memory."""
    from orchestration.bench import stages

    vhpipe = Path(sys.executable).parent / "vhpipe"
    command = [str(vhpipe)] if vhpipe.exists() else [sys.executable, "-m", "orchestration.cli"]
    command.append("run")
    if days:
        command += ["--from", days[0].isoformat(), "--to", days[1].isoformat()]
    seconds: dict[str, float] = {}
    log = paths.root / f"bench-{name}.out"
    started = time.time()
    with log.open("w", encoding="utf-8") as sink, stopwatch(seconds, "wall"), TreePeak() as memory:
        status = subprocess.call(command, stdout=sink, stderr=subprocess.STDOUT)
    run = stages.last_run_stages(paths)
    run.seconds["overhead"] = max(0.0, seconds["wall"] - sum(run.seconds.values()))
    return {
        "exit_status": status,
        "wall": seconds["wall"],
        "seconds": run.seconds,
        "steps": run.steps,
        "connectors": [asdict(c) for c in run.connectors],
        "dbt": stages.dbt_build_parts(paths, since=started),
        # `vhpipe run` also exits 1 when a non-blocking check fails: the run is reported, not failed
        "ok": run.success,
        "checks": {"passed": run.checks_passed, "evaluated": run.checks_evaluated, "failed": run.failed_checks},
        "memory_mib": {
            "vhpipe run process": max(memory.peak_mib("vhpipe run"), memory.peak_mib("orchestration.cli run")),
            "dbt (largest dbt process)": memory.peak_mib("/dbt "),
            "process tree at once": memory.total_mib,
        },
        "output_tail": log.read_text(encoding="utf-8", errors="replace")[-1500:] if not run.success else "",
    }


def run_pipeline(paths: DataPaths) -> dict:
    from orchestration.bench import stages

    result = vhpipe_run(paths, "pipeline")
    result["cells"] = stages.report_cells(paths)
    result["truth"] = stages.truth_cells(paths)
    result["quarantine_reasons"] = stages.quarantine_reasons(paths)
    return result


def run_baseline(paths: DataPaths, year: int, which: str) -> dict:
    if which == "floor":
        from orchestration.bench.floor import floor_cells as cells_of
    else:
        from orchestration.bench.pandas_peer import peer_cells as cells_of
    seconds: dict[str, float] = {}
    with stopwatch(seconds, which):
        cells = cells_of(paths.warehouse, year)
    return {"seconds": seconds[which], "cells": [tuple(row) for row in cells.itertuples(index=False)]}


def hold_back_last_day(paths: DataPaths, year: int) -> list[Path]:
    """Move the police drops of the year's last day (31 December) out of the landing zone; returns
    where they went. Not the last drop of all: the late drops of January are small and not a night's load."""
    from sources.connectors.politie import delivery_day

    landing = paths.landing_for("politie")
    drops = {path: delivery_day(path) for path in landing.glob("*.csv")}
    last = max(day for day in drops.values() if day and day.year == year)
    aside = paths.root / HELD_BACK
    aside.mkdir(exist_ok=True)
    held = [path for path, day in drops.items() if day == last]
    return [Path(shutil.move(path, aside / path.name)) for path in held]


def put_back(paths: DataPaths, held: list[Path]) -> None:
    for path in held:
        shutil.move(path, paths.landing_for("politie") / path.name)


def run_incremental(paths: DataPaths, year: int, nights: int = 1) -> dict:
    """Load the year without its last day (one `vhpipe run`), deliver that day's drops, and time the
    nightly `vhpipe run` for that day `nights` times, each on the data folder as the first night found
    it; its report cells must still be the simulator's truth after each. `nightly` is the median night."""
    from orchestration.bench import stages
    from sources.connectors.politie import delivery_day

    held = hold_back_last_day(paths, year)
    initial = vhpipe_run(paths, "initial")
    put_back(paths, held)
    day = delivery_day(held[0])
    before_night = paths.root.with_name(paths.root.name + "-before-night")
    measured, same_cells = [], []
    try:
        if nights > 1:
            copy_data_folder(paths.root, before_night)
        for night in range(nights):
            if night:
                copy_data_folder(before_night, paths.root)
            measured.append(vhpipe_run(paths, f"nightly-{night + 1}", (day, day)))
            cells = stages.report_cells(paths)
            same_cells.append(sorted(map(tuple, cells)) == sorted(map(tuple, stages.truth_cells(paths))))
    finally:
        shutil.rmtree(before_night, ignore_errors=True)
    walls = [night["wall"] for night in measured]
    return {
        "initial": initial,
        "nightly": sorted(measured, key=lambda night: night["wall"])[(len(measured) - 1) // 2],
        "nightly_walls": walls,
        "failed_nights": [
            (number, night["output_tail"]) for number, night in enumerate(measured, 1) if not night["ok"]
        ],
        "day": day.isoformat(),
        "held_back_files": [p.name for p in held],
        "same_cells_as_truth": all(same_cells),
    }


def copy_data_folder(source: Path, destination: Path) -> None:
    """Make `destination` the data folder `source` is (times kept: the dbt manifest is judged by them),
    leaving the bench's own files (bench-*) of `destination` alone: the worker's log is open."""
    destination.mkdir(exist_ok=True)
    for entry in destination.iterdir():
        if not entry.name.startswith("bench-"):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for entry in source.iterdir():
        if entry.name.startswith("bench-"):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, destination / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, destination / entry.name, follow_symlinks=False)


def main(argv: list[str]) -> int:
    mode, folder, out = argv
    paths = DataPaths(Path(folder))
    year = int(os.environ["VH_REPORT_YEAR"])
    if mode == "simulate":
        result = run_simulate(paths, year)
    elif mode == "pipeline":
        result = run_pipeline(paths)
    elif mode in {"floor", "peer"}:
        result = run_baseline(paths, year, mode)
    elif mode == "incremental":
        result = run_incremental(paths, year, int(os.environ.get("BENCH_NIGHTS", "1")))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    result["peak_rss_mib"] = peak_rss_mib()
    Path(out).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    from orchestration.environment import prepare_environment

    # the same data folder as the `vhpipe run` this worker starts (which prepares it again)
    prepare_environment(DataPaths(Path(sys.argv[2])))
    sys.exit(main(sys.argv[1:]))
