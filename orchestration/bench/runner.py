"""`vhpipe bench`: the pipeline on simulated worlds of several scales, each run in its own data folder.

Per run: simulate, then `vhpipe run` in a fresh process (split into stages by its Dagster run), then
the two baselines (the DuckDB floor and the pandas peer) on the warehouse the run loaded, each in
its own process.
Medians over the runs of a scale; ratios are ratios of medians.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from orchestration.bench.measure import median
from sources.paths import PROJECT_ROOT

BENCH_KEY = "vhpipe-bench-key-simulated-data-only"  # the worlds are simulated and thrown away
# settings that would point a worker at real systems or at another data folder
FOREIGN_SETTINGS = ("VH_API_URL", "OM_DATABASE_URL", "VH_KEY_FILE", "VH_MODE", "VH_SURROGATE_SALT")


class WorkerError(RuntimeError):
    pass


# the machine's 1-minute load average at the start of every worker: other work on the machine slows a run
LOAD_SEEN: list[float] = []
# the seconds a fixed piece of Python took at the start of every worker: a shared virtual machine's
# cores also change speed (the same loop has taken 0.7 s and 1.1 s within a quarter of an hour)
SPEED_SEEN: list[float] = []
SPEED_CHECK_ITERATIONS = 2_000_000


def speed_check() -> float:
    """Seconds one core takes for a fixed loop of Python additions (lower is faster)."""
    start = time.perf_counter()
    total = 0
    for number in range(SPEED_CHECK_ITERATIONS):
        total += number
    return time.perf_counter() - start


@dataclass
class CellCheck:
    """How a baseline's report cells compare with the pipeline's (as multisets of 4-tuples)."""

    missing: list[tuple] = field(default_factory=list)  # the pipeline's, not the baseline's
    extra: list[tuple] = field(default_factory=list)  # the baseline's, not the pipeline's

    @property
    def same(self) -> bool:
        return not self.missing and not self.extra

    def describe(self) -> str:
        if self.same:
            return "same cells"
        shown = "; ".join(map(str, (self.missing + self.extra)[:3]))
        return f"MISMATCH: {len(self.missing)} cells missing, {len(self.extra)} extra (e.g. {shown})"


def compare_cells(pipeline: list, baseline: list) -> CellCheck:
    ours, theirs = Counter(map(tuple, pipeline)), Counter(map(tuple, baseline))
    return CellCheck(missing=sorted((ours - theirs).elements()), extra=sorted((theirs - ours).elements()))


STAGES = ("simulate", "extract", "transform", "checks", "publish", "overhead")
# the kinds of a build's nodes, in the order its parts are shown, and their names in the report
NODE_KINDS = {"model": "models", "test": "data tests", "seed": "seeds", "unit_test": "unit tests"}


@dataclass(frozen=True)
class BuildParts:
    """What `dbt build` spent the transform's time on, as medians over runs (stages.dbt_build_parts)."""

    kinds: dict[str, tuple[int, float]]  # kind of node: (nodes run, their seconds together)
    between_nodes: float  # dbt's elapsed time beyond its nodes' own: its work from one node to the next
    # the dbt step beyond dbt's elapsed time: planning the build (the sources' fingerprints), dbt starting (its
    # manifest read), what follows its last node (dbt closing the warehouse, the build's record), Dagster's events
    around_dbt: float
    slowest_models: list[tuple[str, float]]


def build_parts(builds: list[tuple[dict | None, float]], slowest: int = 3) -> BuildParts | None:
    """The medians of the parts of builds given as (stages.dbt_build_parts, the dbt step's seconds);
    None when no build was read (a run that built nothing, a worker that did not read it)."""
    read = [(dbt, step) for dbt, step in builds if dbt]
    if not read:
        return None
    seen = {kind for dbt, _ in read for kind in dbt["kinds"]}
    kinds = {}
    place = {kind: i for i, kind in enumerate(NODE_KINDS)}  # a kind not named comes after them, by name
    for kind in sorted(seen, key=lambda k: (place.get(k, len(place)), k)):
        parts = [dbt["kinds"].get(kind, {"nodes": 0, "seconds": 0.0}) for dbt, _ in read]
        kinds[kind] = (round(median([p["nodes"] for p in parts]) or 0), median([p["seconds"] for p in parts]) or 0.0)
    models = {name for dbt, _ in read for name in dbt["models"]}
    per_model = {
        name: median([dbt["models"][name] for dbt, _ in read if name in dbt["models"]]) or 0.0 for name in models
    }
    return BuildParts(
        kinds=kinds,
        between_nodes=median([dbt["elapsed"] - sum(p["seconds"] for p in dbt["kinds"].values()) for dbt, _ in read])
        or 0.0,
        around_dbt=median([step - dbt["elapsed"] for dbt, step in read]) or 0.0,
        slowest_models=sorted(per_model.items(), key=lambda item: (-item[1], item[0]))[:slowest],
    )


@dataclass
class Run:
    """One run at one scale: every worker's result."""

    simulate: dict
    pipeline: dict
    floor: dict
    peer: dict
    load: list[float] = field(default_factory=list)  # the 1-minute load average when each worker started
    speed: list[float] = field(default_factory=list)  # speed_check() when each worker started

    def stage_seconds(self) -> dict[str, float]:
        return {"simulate": self.simulate["seconds"], **self.pipeline["seconds"]}

    def vhpipe_run_seconds(self) -> float:
        """The wall time of `vhpipe run`, as measured from outside (every stage but simulate)."""
        return self.pipeline["wall"]

    def peak_mib(self) -> dict[str, float]:
        return {
            **self.pipeline["memory_mib"],
            "simulator": self.simulate["peak_rss_mib"],
            "DuckDB floor": self.floor["peak_rss_mib"],
            "pandas peer": self.peer["peak_rss_mib"],
        }


@dataclass
class ScaleResult:
    scale: int
    runs: list[Run]
    errors: list[str] = field(default_factory=list)  # runs that did not finish, with why

    def median_stage(self, stage: str) -> float | None:
        return median([r.stage_seconds()[stage] for r in self.runs])

    def median_run(self) -> float:
        """Median wall time of `vhpipe run` (extract to publish, start-up included)."""
        return median([r.vhpipe_run_seconds() for r in self.runs]) or 0.0

    def median_total(self) -> float:
        """Median of simulate + `vhpipe run`, per run."""
        return median([r.simulate["seconds"] + r.vhpipe_run_seconds() for r in self.runs]) or 0.0

    def median_of(self, pick: Callable[[Run], float]) -> float:
        return median([pick(r) for r in self.runs]) or 0.0

    def connectors(self) -> list[tuple[str, int, int, float]]:
        """(connector, rows received, rows quarantined, median seconds) in the order the pipeline pulls them."""
        names = [c["name"] for c in self.runs[0].pipeline["connectors"]]
        out = []
        for name in names:
            runs = [c for r in self.runs for c in r.pipeline["connectors"] if c["name"] == name]
            seconds = median([c["seconds"] for c in runs]) or 0.0
            out.append((name, runs[0]["received"], runs[0]["quarantined"], seconds))
        return out

    def source_rows(self) -> int:
        return sum(rows for _, rows, _, _ in self.connectors())

    def transform_parts(self) -> BuildParts | None:
        return build_parts([(r.pipeline.get("dbt"), r.pipeline["seconds"]["transform"]) for r in self.runs])

    def truth_check(self) -> CellCheck:
        """The pipeline's report cells against the simulator's truth (the first run that differs, if any)."""
        results = [compare_cells(r.pipeline["truth"], r.pipeline["cells"]) for r in self.runs]
        return next((c for c in results if not c.same), results[0])

    def load_range(self) -> tuple[float, float]:
        seen = [load for r in self.runs for load in r.load] or [0.0]
        return min(seen), max(seen)

    def speed_range(self) -> tuple[float, float]:
        seen = [speed for r in self.runs for speed in r.speed] or [0.0]
        return min(seen), max(seen)

    def peak_mib(self) -> dict[str, float]:
        """Per process kind, the highest peak over the runs."""
        peaks = [r.peak_mib() for r in self.runs]
        return {kind: max(p[kind] for p in peaks) for kind in peaks[0]}

    def cell_checks(self) -> dict[str, CellCheck]:
        """The first mismatch of each baseline over the runs (or a match)."""
        checks = {}
        for which in ("floor", "peer") if self.runs else ():
            results = [compare_cells(r.pipeline["cells"], getattr(r, which)["cells"]) for r in self.runs]
            checks[which] = next((c for c in results if not c.same), results[0])
        return checks

    def failures(self) -> list[str]:
        problems = list(self.errors)
        for i, run in enumerate(self.runs, 1):
            if not run.pipeline["ok"]:
                failed = ", ".join(run.pipeline["checks"]["failed"][:10]) or "none"
                problems.append(f"run {i}: vhpipe run failed (failed checks: {failed})\n{run.pipeline['output_tail']}")
        return problems


@dataclass
class IncrementalResult:
    scale: int
    worker: dict | None
    error: str | None = None

    def nightly_transform_parts(self) -> BuildParts | None:
        """The parts of the median night's dbt build."""
        if not self.worker:
            return None
        night = self.worker["nightly"]
        return build_parts([(night.get("dbt"), night["seconds"]["transform"])])

    def nightly_seconds(self) -> float:
        """The median night's wall time."""
        if not self.worker:
            return 0.0
        return median(self.worker["nightly_walls"])

    def failures(self) -> list[str]:
        if self.worker is None:
            return [f"incremental: {self.error}"]
        problems = []
        if not self.worker["initial"]["ok"]:
            problems.append(f"incremental: the initial vhpipe run failed:\n{self.worker['initial']['output_tail']}")
        problems += [
            f"incremental: night {number} of the nightly vhpipe run failed:\n{tail}"
            for number, tail in self.worker["failed_nights"]
        ]
        if not self.worker["same_cells_as_truth"]:
            problems.append("incremental: the report cells after the nightly run differ from the simulator's truth")
        return problems


@dataclass
class BenchResult:
    year: int
    seed: int
    repeats: dict[int, int]
    scales: list[ScaleResult]
    incremental: IncrementalResult | None
    load_at_start: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scaled_year: int = 2010  # the year of the worlds above scale 1
    code: str = "unknown"  # the commit measured, read when the benchmark started (code_description)
    started: datetime | None = None  # when the benchmark started

    def problems(self) -> list[str]:
        """What makes the benchmark's figures untrustworthy: a failed run, cells that differ."""
        found = [f"scale {s.scale}: {p}" for s in self.scales for p in s.failures()]
        found += [
            f"scale {s.scale}: {which}: {check.describe()}"
            for s in self.scales
            for which, check in s.cell_checks().items()
            if not check.same
        ]
        found += [
            f"scale {s.scale}: the pipeline against the simulator's truth: {s.truth_check().describe()}"
            for s in self.scales
            if s.runs and not s.truth_check().same
        ]
        return found + (self.incremental.failures() if self.incremental else [])


# The calibration year's published figures are those of scale 1: a scaled 2011 world fails the blocking
# comparison with the publication (by design) and is never published. Scaled worlds play another year.
SCALED_YEAR = 2010


def world_year(scale: int, year: int, scaled_year: int = SCALED_YEAR) -> int:
    return year if scale == 1 else scaled_year


def default_repeats(scale: int) -> int:
    """Three runs, for a median, up to scale 100 (the targets are medians); one at scale 1000 (ten minutes)."""
    return 3 if scale <= 100 else 1


def worker_environment(folder: Path, year: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_SETTINGS}
    env.setdefault("VH_PSEUDONYM_KEY", BENCH_KEY)
    env.update({"VH_DATA_DIR": str(folder), "VH_REPORT_YEAR": str(year), **(extra or {})})
    return env


def run_worker(mode: str, folder: Path, year: int, extra: dict[str, str] | None = None) -> dict:
    """Run one measurement in a fresh process; its output goes to a log file in the folder."""
    LOAD_SEEN.append(os.getloadavg()[0])
    SPEED_SEEN.append(speed_check())
    out = folder / f"bench-{mode}.json"
    log = folder / f"bench-{mode}.log"
    with log.open("w", encoding="utf-8") as sink:
        status = subprocess.call(
            [sys.executable, "-m", "orchestration.bench.worker", mode, str(folder), str(out)],
            env=worker_environment(folder, year, extra),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    if status != 0 or not out.exists():
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise WorkerError(f"bench worker {mode} failed (exit {status}) in {folder}:\n{tail}")
    return json.loads(out.read_text(encoding="utf-8"))


def simulated_folder(scale: int, year: int, seed: int, work_dir: Path | None) -> tuple[Path, dict]:
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)  # `--work-dir` may name a folder that is not there yet
    folder = Path(tempfile.mkdtemp(prefix=f"vhpipe-bench-scale{scale}-", dir=work_dir))
    simulation = run_worker("simulate", folder, year, {"BENCH_SCALE": str(scale), "BENCH_SEED": str(seed)})
    return folder, simulation


def measure_run(scale: int, year: int, seed: int, work_dir: Path | None, keep: bool) -> Run:
    LOAD_SEEN.clear()
    SPEED_SEEN.clear()
    folder, simulation = simulated_folder(scale, year, seed, work_dir)
    try:
        pipeline = run_worker("pipeline", folder, year)
        floor, peer = run_worker("floor", folder, year), run_worker("peer", folder, year)
        return Run(simulation, pipeline, floor, peer, load=list(LOAD_SEEN), speed=list(SPEED_SEEN))
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def measure_incremental(
    scale: int, year: int, seed: int, work_dir: Path | None, keep: bool, nights: int
) -> IncrementalResult:
    """`nights` nightly runs, each from the same loaded year (the median of a night), on the `year` world."""
    folder, _ = simulated_folder(scale, year, seed, work_dir)
    try:
        return IncrementalResult(scale, run_worker("incremental", folder, year, {"BENCH_NIGHTS": str(nights)}))
    except WorkerError as failed:
        return IncrementalResult(scale, None, error=str(failed))
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


INCREMENTAL = "incremental"  # in measurement_order: where the incremental measurement comes


def measurement_order(scales: list[int], incremental_scale: int | None) -> list[int | str]:
    """The scales in the order given, the incremental measurement (INCREMENTAL) right after the full runs
    of its scale, or last when that scale is not among them. Its target is a ratio to those runs: taken
    minutes apart rather than after the larger scales, the two are measured on the machine in the same
    state (its speed drifts, and a scale-1000 run leaves its memory and page cache changed)."""
    order: list[int | str] = list(scales)
    if incremental_scale:
        place = scales.index(incremental_scale) + 1 if incremental_scale in scales else len(scales)
        order.insert(place, INCREMENTAL)
    return order


def run_bench(
    scales: list[int],
    *,
    year: int = 2011,
    scaled_year: int = SCALED_YEAR,
    seed: int = 0,
    repeat: int | None = None,
    incremental_scale: int | None = 100,
    work_dir: Path | None = None,
    keep: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> BenchResult:
    repeats = {scale: repeat or default_repeats(scale) for scale in scales}
    load_at_start, started = os.getloadavg(), datetime.now().astimezone()
    code = code_description()  # now: the tree may change while the benchmark runs (its report is written into it)
    results = []
    incremental = None
    for scale in measurement_order(scales, incremental_scale):
        if scale == INCREMENTAL:
            progress(f"scale {incremental_scale}: incremental (one new day of police drops)")
            # the scaled year's world at every scale: the published figures, a blocking check of the report
            # year's world at scale 1, hold for its whole year, not for the year without its last day
            nights = repeat or default_repeats(incremental_scale)
            incremental = measure_incremental(incremental_scale, scaled_year, seed, work_dir, keep, nights)
            continue
        result = ScaleResult(scale, runs=[])
        for i in range(repeats[scale]):
            progress(f"scale {scale}: run {i + 1} of {repeats[scale]}")
            try:
                result.runs.append(measure_run(scale, world_year(scale, year, scaled_year), seed, work_dir, keep))
            except WorkerError as failed:  # keep what the other runs and scales measured
                progress(str(failed))
                result.errors.append(f"run {i + 1}: {failed}")
        results.append(result)
    return BenchResult(year, seed, repeats, results, incremental, load_at_start, scaled_year, code, started)


def code_description() -> str:
    """The commit measured, `-dirty` when the working tree has changes."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"git {described.stdout.strip()}"
