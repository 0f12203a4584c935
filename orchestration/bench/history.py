"""A benchmark's figures as JSON (`vhpipe bench --json FILE`), and a benchmark compared with an earlier one
(`vhpipe bench --compare FILE`): per scale the median of every stage, the connectors' rates and the night,
earlier and now, with their ratio, so that a change is quoted as medians and ratios of one machine.

The file holds medians (and each run's wall time, for their spread), not the workers' reports: what a comparison
needs, and no path of a throw-away data folder.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from orchestration.bench.report import RUN_TOTAL, STAGES, machine, table, targets
from orchestration.bench.runner import BenchResult, BuildParts, ScaleResult

FORMAT = "vhpipe-bench/1"
SUMMARY_KEYS = ("started", "code", "machine", "scales", "incremental", "targets")


class BenchHistoryError(ValueError):
    """An earlier benchmark's file that cannot be compared with: missing, unreadable, or of another kind."""


def summary(bench: BenchResult) -> dict:
    """The benchmark's figures: per scale the medians the report shows, the night, and the targets."""
    return {
        "format": FORMAT,
        "started": bench.started.isoformat(timespec="seconds") if bench.started else None,
        "code": bench.code,
        "machine": dict(machine(bench.load_at_start, bench.code)),
        "year": bench.year,
        "scaled_year": bench.scaled_year,
        "seed": bench.seed,
        "scales": [_scale_summary(s) for s in bench.scales if s.runs],
        "incremental": _night_summary(bench),
        "targets": [asdict(target) for target in targets(bench)],
    }


def _night_summary(bench: BenchResult) -> dict | None:
    """The incremental measurement's nights, and the median full run of its scale they are set against."""
    incremental = bench.incremental
    if not incremental or not incremental.worker:
        return None
    full = next((s for s in bench.scales if s.scale == incremental.scale and s.runs), None)
    return {
        "scale": incremental.scale,
        "nights": incremental.worker["nightly_walls"],
        "night": incremental.nightly_seconds(),
        "stages": incremental.worker["nightly"]["seconds"],
        "transform_parts": _parts(incremental.nightly_transform_parts()),
        "full_rebuild": full.median_run() if full else None,
    }


def _scale_summary(result: ScaleResult) -> dict:
    return {
        "scale": result.scale,
        "runs": len(result.runs),
        "source_rows": result.source_rows(),
        "load": list(result.load_range()),
        "speed_check": list(result.speed_range()),
        "stages": {stage: result.median_stage(stage) for stage in STAGES},
        "vhpipe_run": result.median_run(),
        "vhpipe_runs": [run.vhpipe_run_seconds() for run in result.runs],
        "connectors": [
            {"name": name, "rows": rows, "quarantined": quarantined, "seconds": seconds}
            for name, rows, quarantined, seconds in result.connectors()
        ],
        "transform_parts": _parts(result.transform_parts()),
        "peak_mib": result.peak_mib(),
        "baselines": {
            "floor": result.median_of(lambda run: run.floor["seconds"]),
            "peer": result.median_of(lambda run: run.peer["seconds"]),
        },
    }


def _parts(parts: BuildParts | None) -> dict | None:
    return asdict(parts) if parts else None


def write_summary(path: Path, figures: dict) -> None:
    """`summary`'s figures into `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # the figures as measured: rounded here, a median could print one hundredth apart from the table's
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_summary(path: Path) -> dict:
    """An earlier benchmark's figures, as `write_summary` wrote them."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise BenchHistoryError(f"cannot read the earlier benchmark {path}: {problem.strerror or problem}") from None
    try:
        found = json.loads(text)
    except json.JSONDecodeError as problem:
        raise BenchHistoryError(f"{path} is not JSON ({problem.msg} at line {problem.lineno})") from None
    kind = found.get("format") if isinstance(found, dict) else None
    if kind != FORMAT:
        raise BenchHistoryError(
            f"{path} is not a benchmark written by `vhpipe bench --json` of this version "
            f"(format {kind!r}, expected {FORMAT!r})"
        )
    if missing := [key for key in SUMMARY_KEYS if key not in found]:
        raise BenchHistoryError(f"{path} lacks {', '.join(missing)}: not as `vhpipe bench --json` writes it")
    return found


def comparison(before: dict, now: dict) -> str:
    """Every figure of a scale measured in both, earlier and now, and now ÷ earlier; then the night, and
    the targets whose verdict changed."""
    parts = [_heading(before, now)]
    earlier = {s["scale"]: s for s in before["scales"]}
    common = [s for s in now["scales"] if s["scale"] in earlier]
    if not common and not _same_night_scale(before, now):
        parts.append("No scale was measured in both: nothing to compare.")
    for scale in common:
        parts.append(_scale_comparison(earlier[scale["scale"]], scale))
    if _same_night_scale(before, now):
        parts.append(_night_comparison(before["incremental"], now["incremental"]))
    changed = _changed_targets(before["targets"], now["targets"])
    if changed:
        parts.append(table(changed, ("target", "earlier", "now")))
    return "\n\n".join(parts)


def _heading(before: dict, now: dict) -> str:
    lines = [f"Compared with the benchmark started {before['started']} ({before['code']}); this one: {now['code']}."]
    for field in ("CPU", "cores", "memory"):
        if before["machine"].get(field) != now["machine"].get(field):
            lines.append(
                f"The machines differ in {field}: {before['machine'].get(field)} earlier, {now['machine'].get(field)} "
                "now; a ratio then says as much about the machines as about the code."
            )
    return "\n".join(lines)


def _scale_comparison(before: dict, now: dict) -> str:
    rows = [(label, "s", before["stages"].get(stage), now["stages"].get(stage)) for stage, label in STAGES.items()]
    rows.append((RUN_TOTAL, "s", before["vhpipe_run"], now["vhpipe_run"]))
    rows += [
        (f"transform baseline: {name}", "s", before["baselines"][which], now["baselines"][which])
        for which, name in (("floor", "DuckDB floor"), ("peer", "pandas peer"))
    ]
    rates_before = {c["name"]: _rate(c) for c in before["connectors"]}
    rows += [(c["name"], "rows/s", rates_before.get(c["name"]), _rate(c)) for c in now["connectors"]]
    rows += [(f"peak: {kind}", "MiB", before["peak_mib"].get(kind), mib) for kind, mib in now["peak_mib"].items()]
    heading = (
        f"Scale {now['scale']}: median of {before['runs']} run(s) earlier, {now['runs']} now; "
        f"load {_range(before['load'], 1)} earlier, {_range(now['load'], 1)} now; "
        f"speed check {_range(before['speed_check'], 2)} s earlier, {_range(now['speed_check'], 2)} s now"
    )
    if before["source_rows"] != now["source_rows"]:
        heading += f"\nNOTE: other worlds: {before['source_rows']:,} source rows earlier, {now['source_rows']:,} now"
    return heading + "\n\n" + table([_compared(*row) for row in rows], ("figure", "earlier", "now", "now/earlier"))


def _night_comparison(before: dict, now: dict) -> str:
    rows = [(f"nightly: {STAGES[stage]}", "s", before["stages"].get(stage), s) for stage, s in now["stages"].items()]
    rows.append((f"nightly: {RUN_TOTAL}", "s", before["night"], now["night"]))
    rows.append(("nightly / full rebuild", "×", _share(before), _share(now)))
    heading = (
        f"Incremental at scale {now['scale']}: the median of {len(before['nights'])} night(s) earlier, "
        f"{len(now['nights'])} now"
    )
    return heading + "\n\n" + table([_compared(*row) for row in rows], ("figure", "earlier", "now", "now/earlier"))


def _same_night_scale(before: dict, now: dict) -> bool:
    return bool(
        before["incremental"] and now["incremental"] and before["incremental"]["scale"] == now["incremental"]["scale"]
    )


def _changed_targets(before: list[dict], now: list[dict]) -> list[tuple[str, str, str]]:
    earlier = {t["description"]: t for t in before}
    return [
        (t["description"], _verdict(earlier[t["description"]]), _verdict(t))
        for t in now
        if t["description"] in earlier and earlier[t["description"]]["met"] != t["met"]
    ]


def _verdict(target: dict) -> str:
    return f"{target['measured']}, {'met' if target['met'] else 'MISSED'}"


def _rate(connector: dict) -> float | None:
    return connector["rows"] / connector["seconds"] if connector["seconds"] else None


def _share(night: dict) -> float | None:
    return night["night"] / night["full_rebuild"] if night["full_rebuild"] else None


def _range(values: list[float], digits: int) -> str:
    low, high = values
    return f"{low:.{digits}f} to {high:.{digits}f}"


def _compared(label: str, unit: str, before: float | None, now: float | None) -> tuple[str, str, str, str]:
    """A figure's row: seconds and ratios to the hundredth, rows per second and MiB whole."""

    def shown(value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:,.0f}" if unit in ("rows/s", "MiB") else f"{value:.2f}"

    ratio = f"{now / before:.2f}×" if before and now is not None else "n/a"
    return f"{label} ({unit})", shown(before), shown(now), ratio
