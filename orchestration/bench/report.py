"""The benchmark's tables (plain text, for the terminal and for docs/benchmark.md) and its targets."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

from orchestration.bench.runner import NODE_KINDS, BenchResult, BuildParts, IncrementalResult, ScaleResult

STAGES = {
    "simulate": "simulate",
    "extract": "extract (the 4 connectors)",
    "transform": "transform and test (dbt build)",
    "checks": "GX checks (ledger, freshness, audit)",
    "publish": "publish and reports",
    "overhead": "start-up and run bookkeeping",
}
RUN_TOTAL = "vhpipe run (extract to publish)"
WHOLE_TOTAL = "total (simulate + vhpipe run)"
PEAK_KINDS = ("process tree at once", "simulator")  # what the machine must hold at the worst moment
HTTP_CONNECTOR = "vh (HTTP API)"
GIB = 1024
QUARANTINE_WARNING = 0.05  # a larger share of a source's rows in quarantine means the world breaks the contract


def table(rows: list[tuple], headers: tuple[str, ...]) -> str:
    """Aligned columns: the first to the left, the others to the right."""
    text = [tuple(str(c) for c in row) for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in text) for i in range(len(headers))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join([line(text[0]), "  ".join("-" * w for w in widths), *(line(r).rstrip() for r in text[1:])])


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "n/a"
    value = numerator / denominator
    return f"{value:.2f}×" if value < 1 else f"{value:.1f}×"  # a share of a run: 0.47×, not 0.5×


def speed_checks(result: ScaleResult) -> str:
    """The speed check's range over the runs (seconds of a fixed Python loop; lower is faster)."""
    fast, slow = result.speed_range()
    return f"{fast:.2f} to {slow:.2f} s" if slow else "n/a"


def scale_report(result: ScaleResult) -> str:
    if not result.runs:
        return f"Scale {result.scale}: no run finished\n\n" + "\n".join(f"FAILED: {e}" for e in result.errors)
    runs = len(result.runs)
    low, high = result.load_range()
    heading = (
        f"Scale {result.scale}: {result.source_rows():,} source rows; "
        f"{'median of ' + str(runs) + ' runs' if runs > 1 else '1 run'}; "
        f"machine load (1-min average) {low:.1f} to {high:.1f} on {os.cpu_count()} cores; "
        f"speed check {speed_checks(result)}"
    )
    stage_rows = [(label, seconds(result.median_stage(stage))) for stage, label in STAGES.items()]
    stage_rows += [(RUN_TOTAL, seconds(result.median_run())), (WHOLE_TOTAL, seconds(result.median_total()))]
    connector_rows = [
        (name, f"{rows:,}", share(quarantined, rows), seconds(secs), f"{rows / secs:,.0f}" if secs else "n/a")
        for name, rows, quarantined, secs in result.connectors()
    ]
    memory_rows = [(kind, f"{mib:,.0f}") for kind, mib in result.peak_mib().items()]
    transform = result.median_stage("transform")
    floor = result.median_of(lambda r: r.floor["seconds"])
    peer = result.median_of(lambda r: r.peer["seconds"])
    checks = result.cell_checks()
    ratio_rows = [
        (f"transform / {name}", seconds(transform), seconds(base), ratio(transform, base), checks[which].describe())
        for name, which, base in (("DuckDB floor", "floor", floor), ("pandas peer", "peer", peer))
    ]
    first = result.runs[0].pipeline
    parts = [
        heading,
        table(stage_rows, ("stage", "seconds")),
        table(connector_rows, ("extract per connector", "rows received", "quarantined", "seconds", "rows/s")),
        *quarantine_warnings(result),
        table(memory_rows, ("peak memory (max RSS)", "MiB")),
        table(ratio_rows, ("ratio (same run, same data)", "transform s", "baseline s", "ratio", "report cells")),
        *transform_parts_report(result.transform_parts()),
        f"report cells against the simulator's truth: {result.truth_check().describe()}",
        f"checks: {first['checks']['passed']} of {first['checks']['evaluated']} passed "
        "(dbt tests, GX ledger suites, GX audit groups; freshness checks only warn)",
    ]
    parts += [f"WARNING: a check failed (not blocking publication): {check}" for check in failed_checks(result)]
    parts += [f"FAILED: {problem}" for problem in result.failures()]
    return "\n\n".join(parts)


def transform_parts_report(parts: BuildParts | None) -> list[str]:
    """The dbt step by part (nodes of each kind, dbt's work between them, what surrounds dbt) and the
    slowest models: what the transform's time is made of, measured in the same run."""
    if parts is None:
        return []
    rows = [(NODE_KINDS.get(kind, kind), f"{nodes:,}", seconds(secs)) for kind, (nodes, secs) in parts.kinds.items()]
    rows += [
        ("dbt between its nodes", "", seconds(parts.between_nodes)),
        ("the build's plan, dbt's start and close", "", seconds(parts.around_dbt)),
    ]
    slowest = ", ".join(f"{name} {secs:.2f}" for name, secs in parts.slowest_models)
    return [table(rows, ("transform (dbt build) by part", "nodes", "seconds")) + f"\nslowest models (s): {slowest}"]


def failed_checks(result: ScaleResult) -> list[str]:
    """The checks that failed in any run of the scale, with in how many runs."""
    failed = [check for run in result.runs for check in run.pipeline["checks"]["failed"]]
    return [f"{check} (in {failed.count(check)} of {len(result.runs)} runs)" for check in dict.fromkeys(failed)]


def quarantine_warnings(result: ScaleResult) -> list[str]:
    """A source whose rows mostly go to quarantine loads less than it was given: say so, with why."""
    warnings = []
    reasons = result.runs[0].pipeline["quarantine_reasons"]
    for name, rows, quarantined, _ in result.connectors():
        if rows and quarantined / rows > QUARANTINE_WARNING:
            source = name.split()[0]
            why = "; ".join(f"{reason} ({count:,})" for s, reason, count in reasons if s == source)
            warnings.append(f"WARNING: {name} quarantined {quarantined / rows:.0%} of its rows: {why}")
    return warnings


def incremental_report(incremental: IncrementalResult, full: ScaleResult | None) -> str:
    measured = incremental.worker
    if measured is None:
        return f"Incremental at scale {incremental.scale}: FAILED: {incremental.error}"
    initial, nightly = measured["initial"], measured["nightly"]
    rows = [("initial load: vhpipe run (the year without its last day)", seconds(initial["wall"]))]
    rows += [
        (f"nightly: {STAGES[stage]}", seconds(nightly["seconds"][stage])) for stage in STAGES if stage != "simulate"
    ]
    rows.append((f"nightly: {RUN_TOTAL}", seconds(incremental.nightly_seconds())))
    if full is not None and full.runs:
        rows.append((f"full rebuild at scale {full.scale}: {RUN_TOTAL} (table above)", seconds(full.median_run())))
        rows.append(("nightly / full rebuild", ratio(incremental.nightly_seconds(), full.median_run())))
    new_rows = sum(c["received"] for c in nightly["connectors"]) - sum(c["received"] for c in initial["connectors"])
    notes = [
        f"Incremental at scale {incremental.scale}: the police drops of {measured['day']} "
        f"({', '.join(measured['held_back_files'])}) held back, then delivered: {new_rows:,} new rows; "
        f"the nightly run is `vhpipe run --from {measured['day']} --to {measured['day']}`; {nights_text(measured)}",
        table(rows, ("step", "seconds")),
        *transform_parts_report(incremental.nightly_transform_parts()),
        "report cells after the nightly run "
        + ("equal the simulator's truth" if measured["same_cells_as_truth"] else "DIFFER from the simulator's truth"),
    ]
    notes += [
        f"WARNING: a check failed in the {which} run (not blocking publication): {check}"
        for which in ("initial", "nightly")
        for check in measured[which]["checks"]["failed"]
    ]
    notes += [f"FAILED: {problem}" for problem in incremental.failures()]
    return "\n\n".join(notes)


def nights_text(measured: dict) -> str:
    walls = measured["nightly_walls"]
    if len(walls) == 1:
        return "1 night"
    each = ", ".join(f"{wall:.2f}" for wall in walls)
    return f"{len(walls)} nights from the same loaded year ({each} s), the stages of the median night"


@dataclass(frozen=True)
class Target:
    description: str
    measured: str
    met: bool


def peak_of(result: ScaleResult) -> float:
    peaks = result.peak_mib()
    return max(peaks[kind] for kind in PEAK_KINDS)


NIGHT_TARGET_SCALE = 100


def targets(bench: BenchResult) -> list[Target]:
    by_scale = {s.scale: s for s in bench.scales}
    found: list[Target] = []
    if (one := by_scale.get(1)) and one.runs:
        run = one.median_run()
        found.append(Target("scale 1: the whole vhpipe run under 30 s", f"{run:.1f} s", run < 30))
    if (hundred := by_scale.get(100)) and hundred.runs:
        rebuild, peak = hundred.median_run(), peak_of(hundred)
        transform, peer = hundred.median_stage("transform") or 0, hundred.median_of(lambda r: r.peer["seconds"])
        found += [
            Target("scale 100: full rebuild (vhpipe run) under 90 s", f"{rebuild:.1f} s", rebuild < 90),
            Target("scale 100: peak memory under 2 GiB", f"{peak / GIB:.2f} GiB", peak < 2 * GIB),
            Target(
                "scale 100: transform faster than the pandas peer",
                f"{transform:.1f} s vs {peer:.1f} s",
                transform < peer,
            ),
        ]
    if (thousand := by_scale.get(1000)) and thousand.runs:
        rebuild, peak = thousand.median_run(), peak_of(thousand)
        transform, floor = thousand.median_stage("transform") or 0, thousand.median_of(lambda r: r.floor["seconds"])
        found += [
            Target("scale 1000: full rebuild (vhpipe run) under 10 minutes", f"{rebuild:.0f} s", rebuild < 600),
            Target("scale 1000: peak memory under 8 GiB", f"{peak / GIB:.2f} GiB", peak < 8 * GIB),
            Target("scale 1000: transform within 3× the DuckDB floor", ratio(transform, floor), transform <= 3 * floor),
        ]
        for name, rows, _, secs in thousand.connectors():
            floor_rate = 20_000 if name == HTTP_CONNECTOR else 100_000
            rate = rows / secs if secs else 0
            found.append(
                Target(f"scale 1000: {name} at least {floor_rate:,} rows/s", f"{rate:,.0f} rows/s", rate >= floor_rate)
            )
    incremental, full = bench.incremental, by_scale.get(bench.incremental.scale) if bench.incremental else None
    # the target is set at scale 100; a night at another scale shows its ratio in its own table only
    if incremental and incremental.scale == NIGHT_TARGET_SCALE and incremental.worker and full and full.runs:
        rebuild, nightly = full.median_run(), incremental.nightly_seconds()
        found.append(
            Target(
                f"scale {incremental.scale}: incremental nightly run under a third of the full rebuild",
                f"{nightly:.1f} s vs {rebuild:.1f} s",
                nightly < rebuild / 3,
            )
        )
    return found


def targets_report(bench: BenchResult) -> str:
    rows = [(t.description, t.measured, "met" if t.met else "MISSED") for t in targets(bench)]
    return table(rows, ("target", "measured", "")) if rows else "(no target applies to the scales measured)"


def machine(load_at_start: tuple[float, float, float], code: str) -> list[tuple[str, str]]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "unknown"
    )
    memory_kib = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("memory", f"{memory_kib / 1024 / 1024:.1f} GiB"),
        ("load average at start (1, 5, 15 min)", ", ".join(f"{load:.2f}" for load in load_at_start)),
        ("OS", platform.platform()),
        ("code", code),
        ("Python", platform.python_version()),
        *((package, version(package)) for package in ("duckdb", "dbt-core", "dbt-duckdb", "pandas", "dagster")),
    ]


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def full_report(bench: BenchResult) -> str:
    by_scale = {s.scale: s for s in bench.scales}
    parts = [scale_report(s) for s in bench.scales]
    if bench.incremental:
        parts.append(incremental_report(bench.incremental, by_scale.get(bench.incremental.scale)))
    parts.append(targets_report(bench))
    return "\n\n\n".join(parts)


def markdown(bench: BenchResult, command: str, when: datetime | None = None) -> str:
    when = when or datetime.now().astimezone()
    repeats = ", ".join(f"scale {scale}: {n}" for scale, n in bench.repeats.items())
    fence = "```"
    return "\n".join(
        [
            "# Benchmark",
            "",
            f"Generated by `{command}` on {when:%Y-%m-%d %H:%M %Z}; regenerate it with the same command.",
            "",
            "## Machine",
            "",
            "| | |",
            "|---|---|",
            *(f"| {name} | {value} |" for name, value in machine(bench.load_at_start, bench.code)),
            "",
            "## Method",
            "",
            METHOD.format(year=bench.year, scaled_year=bench.scaled_year, seed=bench.seed, repeats=repeats),
            "",
            "## Results",
            "",
            fence,
            full_report(bench),
            fence,
            "",
        ]
    )


METHOD = """\
Each run simulates a world (seed {seed}, every defect on) into a temporary data folder of its own: at scale 1
the {year} world, whose report cells the pipeline checks against the published report; above scale 1 the
{scaled_year} world, because the published {year} figures hold only at scale 1 (a scaled {year} world fails
that blocking check by design and is never published). Then it runs the real command, `vhpipe run` (the
nightly job over every delivered day), in a new process, timed from outside: that wall time is the
pipeline's figure and includes everything a night's run does (imports, `dbt parse` of the fresh data
folder, extract, `dbt build`, checks, publication, reports, the summary). It is split into stages by the
steps of the Dagster run it recorded:

- **extract**: each connector's step up to its last materialisation; the VH register's API is served on
  localhost by the simulator, with its simulated HTTP 500s and 2-second stalls (the connector waits 1 s,
  then retries with backoff), so that connector's rate includes simulated network faults;
- **transform and test**: the dbt step (`dbt build` through dagster-dbt: models, seeds and data tests, and
  Dagster recording an event per model and per test; dbt's unit tests run in the project's tests, not
  each night);
- **GX checks**: the GX ledger suite at the end of each connector's step, the freshness checks and the audit
  step (every GX suite, Data Docs, the reconciliation page);
- **publish and reports**: the published copy, exports, annual report and dbt docs site;
- **start-up and run bookkeeping**: the rest of the wall time (imports, `dbt parse`, creating and closing the
  Dagster run and its events, the summary).

The baselines run afterwards on the warehouse the run loaded, each in a process of its own, timed from
opening the warehouse to holding the cells: the **DuckDB floor** (`orchestration/bench/floor.sql`, one plain
script in one read-only connection, seeds read from their CSVs) and the **pandas peer**
(`orchestration/bench/pandas_peer.py`: the raw tables read with DuckDB, everything else pandas). Both must
produce exactly the pipeline's `marts.report_cells` (tabel, rij, kolom, waarde as multisets), and the
pipeline's cells must equal the simulator's truth; a difference is printed as MISMATCH and makes the command
fail. The transform ratio sets the whole dbt step (every model, mart and test) against the baselines, which
compute only the report cells. The table "transform (dbt build) by part" splits that step, from the
`run_results.json` dbt wrote in the same run: per kind of node how many ran and their own seconds together,
dbt's work between its nodes (the rest of the elapsed time dbt reports), and the rest of the step (planning
the build, which reads the fingerprints of the sources' rows, dbt starting and reading its manifest, and
what follows dbt's last node until the step ends: dbt closing the warehouse, the record of the build;
Dagster records the events while dbt runs); below it the slowest models. Each part is a median over the
runs, so the parts need not add up to the step's median exactly.

Peak memory is sampled from /proc every 0.1 s while `vhpipe run` runs: each process's own peak (VmHWM) and
the peak of the process tree's RSS summed (the pipeline process and dbt at the same moment); the
simulator's and the baselines' are their processes' maximum RSS.
Runs per scale ({repeats}); figures are medians over the runs and ratios are ratios of medians. Extract
throughput is rows received ÷ the connector's time; the share quarantined is shown beside it (above 5% is a
warning: the simulated world breaks the delivery contract). The incremental measurement loads the
{scaled_year} world without the police drops of its last day (one `vhpipe run`; the {scaled_year} world at
scale 1 too, where the {year} world without its last day fails the check against the published figures),
puts those drops back and times the nightly `vhpipe run` for that day; OM and VH hold nothing new by then,
so the night's new rows are police rows. The night is run as many times as a full run of its scale (three
times up to scale 100), each time on a copy of the data folder as the first night found it, and the median
night is compared with the median full run. It is measured right after the full runs of its scale (before
a larger scale), so that the two sides of that ratio meet the machine in the same state.

The machine is shared (other jobs, CI runs): its 1-minute load average is recorded when each measurement
starts and shown per scale. A load above the number of cores means other work competed for the CPU and the
figures are slower than on an idle machine. A virtual machine's cores also change speed with what the host
runs, unseen in the load: the **speed check** is the seconds one core took for a fixed loop of 2 million
Python additions when each measurement started (lower is faster). Compare runs only at similar loads and
similar speed checks.
"""
