"""`vhpipe`: simulate the sources, run the pipeline headless, serve the Dagster UI."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.environment import prepare_environment
from orchestration.long_lived import long_lived
from sources.paths import data_paths

if TYPE_CHECKING:
    from sources.simulator.defects import DefectRates


def cmd_simulate(args: argparse.Namespace) -> int:
    from sources.simulator import simulate

    paths = data_paths()
    defects, described = _simulation_defects(args)
    with _simulation_progress(shown_anyway=args.progress) as step_done:
        result = simulate(
            paths, year=args.year, scale=args.scale, seed=args.seed, days=args.days, defects=defects, progress=step_done
        )
    delivered = ", ".join(f"{system} {len(files)}" for system, files in result.deliveries.items())
    print(
        f"Simulated {result.year} (scale {result.scale}, seed {result.seed}) into {paths.landing}\n"
        f"Defects: {described}\n"
        f"Deliveries: {delivered}\n"
        f"Expected report cells: {result.truth_file}"
    )
    return 0


@contextlib.contextmanager
def _simulation_progress(shown_anyway: bool) -> Iterator[Callable[[str], None]]:
    """A bar on stderr with one step per simulation step (the world, each source system, the truth)."""
    from tqdm import tqdm

    from sources.simulator import SIMULATION_STEPS

    # disable=None is tqdm's "only when stderr is a terminal": no bar in logs and pipes unless asked for;
    # mininterval=0 draws every one of the few steps, however fast a small world goes
    disable = False if shown_anyway else None
    with tqdm(total=len(SIMULATION_STEPS), desc="simulate", unit="step", mininterval=0, disable=disable) as bar:
        bar.set_postfix_str(f"now: {SIMULATION_STEPS[0]}")

        def step_done(step: str) -> None:
            following = SIMULATION_STEPS[SIMULATION_STEPS.index(step) + 1 :]
            bar.set_postfix_str(f"now: {following[0]}" if following else "done", refresh=False)
            bar.update()

        yield step_done


def _simulation_defects(args: argparse.Namespace) -> tuple[DefectRates, str]:
    """The defect rates `vhpipe simulate` asked for, and how to describe them."""
    from sources.simulator.defects import DefectRates

    if args.no_defects:
        return DefectRates.none(), "none"
    if args.defects is None:
        return DefectRates(), "default rates"
    try:
        return DefectRates.from_file(args.defects), f"rates from {args.defects}"
    except (OSError, ValueError) as exc:  # a missing file, bad JSON, an unknown name, a rate outside 0..1
        raise SystemExit(f"vhpipe simulate --defects: {exc}") from exc


def cmd_run(args: argparse.Namespace) -> int:
    from sources.pseudonymise import key_problem

    if problem := key_problem():  # production without a usable key: refuse before anything is written
        print(f"vhpipe run: not started: {problem}", file=sys.stderr)
        return 2
    try:
        paths = prepare_environment(report_year=args.jaar, warehouse_url=args.warehouse)
    except ValueError as bad_url:
        print(f"vhpipe run: not started: {bad_url}", file=sys.stderr)
        return 2
    log_dir = paths.root / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "last_run.log"

    with long_lived():  # the imports and the definitions live as long as the run: kept out of collections
        from orchestration.dbt_manifest import start_parse_if_stale

        parse = start_parse_if_stale()  # a fresh data folder: dbt parses while Dagster and dagster-dbt import
        import dagster_dbt  # noqa: F401

        if parse is not None:
            # the parse outlasts that import: meanwhile import GX, which the first connector's check needs
            from expectations.runner import import_great_expectations

            import_great_expectations()
            parse.wait()  # a failed parse is run again, and reported, when the definitions load
        from orchestration.definitions import defs
        from orchestration.headless import DayRange, delivered_days, run_job
        from orchestration.locking import WarehouseBusyError
        from orchestration.summary import CheckResult, render_summary, what_ran

    default = delivered_days(paths)
    days = DayRange(args.first or default.first, args.last or args.first or default.last)
    try:
        result = run_job(defs, paths, args.job, days, log_file, args.verbose, args.wait)
    except WarehouseBusyError as busy:
        print(f"vhpipe run: not started: {busy}", file=sys.stderr)
        return 3
    checks = [
        CheckResult(e.asset_key.to_user_string(), e.check_name, e.passed, e.description, e.severity.value)
        for e in result.get_asset_check_evaluations()
    ]
    print(render_summary(paths, result.run_id, result.success, checks, log_file, days, what_ran(result)))
    blocking_failures = [c for c in checks if not c.passed and c.severity == "ERROR"]
    return 0 if result.success and not blocking_failures else 1


def cmd_explain(args: argparse.Namespace) -> int:
    from orchestration.explain import UnknownCellError, explain_cell, render
    from orchestration.postgres.settings import built_warehouse_file

    paths = prepare_environment(warehouse_url=args.warehouse)
    try:
        explanation = explain_cell(built_warehouse_file(paths), args.tabel, args.rij, args.kolom)
    except UnknownCellError as unknown:
        print(f"vhpipe explain: no such cell: {unknown}", file=sys.stderr)
        return 2
    print(render(explanation, limit=args.limit))
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    prepare_environment(warehouse_url=args.warehouse)
    port = str(args.port or os.environ.get("PORT", "3000"))
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "dev", "-m", "orchestration.definitions", "-h", args.host, "-p", port]
    # become `dagster dev`: a stop signal for vhpipe ui then reaches it, and it stops the webserver,
    # the daemon and the code server it started (a child would be orphaned with them still running)
    os.execv(dagster, command)
    return 1  # not reached


def cmd_bench(args: argparse.Namespace) -> int:
    from orchestration.bench.history import BenchHistoryError, comparison, read_summary, summary, write_summary
    from orchestration.bench.report import full_report, markdown
    from orchestration.bench.runner import run_bench

    try:
        scales = [int(s) for s in args.scales.split(",")]
    except ValueError:
        scales = []
    if not scales or min(scales) < 1:
        raise SystemExit(f"vhpipe bench --scales: expected whole numbers of 1 or more (1,10,100), got {args.scales!r}")
    try:  # read before the benchmark runs: a wrong file is said at once, not after a quarter of an hour
        earlier = read_summary(args.compare) if args.compare else None
    except BenchHistoryError as problem:
        print(f"vhpipe bench --compare: {problem}", file=sys.stderr)
        return 2
    result = run_bench(
        scales,
        year=args.year,
        scaled_year=args.scaled_year,
        seed=args.seed,
        repeat=args.repeat,
        incremental_scale=args.incremental_scale,
        work_dir=args.work_dir,
        keep=args.keep,
        progress=lambda message: print(f"bench: {message}", file=sys.stderr, flush=True),
    )
    print(full_report(result))
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(markdown(result, regenerating_command(args)), encoding="utf-8")
        print(f"\nWritten to {args.write}")
    figures = summary(result)
    if args.json:
        write_summary(args.json, figures)
        print(f"\nFigures written to {args.json} (compare a later benchmark with them: --compare {args.json})")
    if earlier is not None:
        print("\n\n" + comparison(earlier, figures))
    # a missed target is a finding to report, not a failure of the command; wrong cells or a failed run are
    for problem in result.problems():
        print(f"vhpipe bench: {problem}", file=sys.stderr)
    return 1 if result.problems() else 0


def regenerating_command(args: argparse.Namespace) -> str:
    """The `vhpipe bench` command that writes the same files again, as the Markdown names it: every option
    that shapes the figures or names a file written, spelled out (a later change of a default does not
    change what it measures), and not --compare, --work-dir or --keep: an earlier benchmark's file or a
    scratch folder, gone where the document is read, would make the command fail."""
    shaping = [
        ("--scales", args.scales),
        ("--repeat", args.repeat),
        ("--incremental-scale", args.incremental_scale),
        ("--year", args.year),
        ("--scaled-year", args.scaled_year),
        ("--seed", args.seed),
        ("--write", args.write),
        ("--json", args.json),
    ]
    given = [[flag, str(value)] for flag, value in shaping if value is not None]
    return shlex.join(["vhpipe", "bench", *(word for option in given for word in option)])


def cmd_postgres_roles(args: argparse.Namespace) -> int:
    from orchestration.postgres.roles import MissingRoleError, set_up_roles
    from orchestration.postgres.settings import configured_warehouse

    prepare_environment(warehouse_url=args.warehouse)
    if not (warehouse := configured_warehouse()):
        print("vhpipe postgres-roles: no PostgreSQL warehouse: give --warehouse or VH_WAREHOUSE_URL", file=sys.stderr)
        return 2
    try:
        set_up_roles(warehouse, args.analyst_role)
    except MissingRoleError as missing:
        print(f"vhpipe postgres-roles: {missing}", file=sys.stderr)
        return 2
    print(
        f"{warehouse}: role {args.analyst_role} reads the schema marts (now and as dbt rebuilds it), nothing else.\n"
        f"Give each analyst a login of their own in it: "
        f"create role <name> login password '…' in role {args.analyst_role};"
    )
    return 0


def _add_warehouse_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--warehouse",
        metavar="URL",
        default=None,
        help="build in PostgreSQL: postgresql://user:password@host:port/dbname (default: $VH_WAREHOUSE_URL, "
        "else the DuckDB file in the data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vhpipe", description="Veiligheidshuis data pipeline")
    commands = parser.add_subparsers(dest="command", required=True)
    from orchestration.maintenance import add_commands

    add_commands(commands)  # purge (retention) and requeue (quarantine after a fix)

    simulate = commands.add_parser("simulate", help="generate a simulated year into the landing zone")
    simulate.add_argument("--year", type=int, default=2011)
    simulate.add_argument("--scale", type=int, default=1, help="volume multiplier (districts' worth)")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--days", type=int, default=None, help="play only the first N days of the year")
    defects = simulate.add_mutually_exclusive_group()
    defects.add_argument(
        "--defects",
        type=Path,
        metavar="FILE",
        help='defect rates from a JSON object of fractions 0..1 by defect name, e.g. {"late_arrivals": 0.3, '
        '"api_timeout": 0}; names left out keep their default (names and defaults: sources/simulator/defects.py)',
    )
    defects.add_argument("--no-defects", action="store_true", help="a clean world: every defect rate 0")
    simulate.add_argument(
        "--progress", action="store_true", help="show the progress bar even when stderr is not a terminal"
    )
    simulate.set_defaults(func=cmd_simulate)

    run = commands.add_parser("run", help="run the pipeline once, headless, and print a summary")
    run.add_argument("--job", default="nightly_load", help="nightly_load, full_refresh or audit_checks")
    run.add_argument(
        "--from", dest="first", type=date.fromisoformat, help="first delivery day (default: the first drop)"
    )
    run.add_argument("--to", dest="last", type=date.fromisoformat, help="last delivery day (default: the last drop)")
    run.add_argument(
        "--wait",
        type=float,
        default=0.0,
        help="seconds to wait while another run writes the warehouse (default: refuse)",
    )
    run.add_argument("--jaar", type=int, default=None, help="report year (default: $VH_REPORT_YEAR or 2011)")
    run.add_argument("--verbose", action="store_true", help="show Dagster and dbt logs on the terminal")
    _add_warehouse_option(run)
    run.set_defaults(func=cmd_run)

    _add_bench_command(commands)

    explain = commands.add_parser("explain", help="the records behind one published figure, and their deliveries")
    explain.add_argument("--tabel", required=True, help="1..9 or B3")
    explain.add_argument("--rij", required=True, help="row label as printed, e.g. 'Integrale aanpak' or Totaal")
    explain.add_argument("--kolom", required=True, help="column label as printed, e.g. Jeugd or Totaal")
    explain.add_argument("--limit", type=int, default=50, help="records to list (default 50)")
    _add_warehouse_option(explain)
    explain.set_defaults(func=cmd_explain)

    roles = commands.add_parser(
        "postgres-roles", help="create the analysts' role in the PostgreSQL warehouse: read the marts, nothing else"
    )
    roles.add_argument("--analyst-role", default="vh_analist", help="the group role analysts get (default vh_analist)")
    _add_warehouse_option(roles)
    roles.set_defaults(func=cmd_postgres_roles)

    ui = commands.add_parser("ui", help="serve the Dagster UI on localhost")
    ui.add_argument("--port", type=int, default=None, help="default: $PORT or 3000")
    ui.add_argument("--host", default="127.0.0.1")
    _add_warehouse_option(ui)
    ui.set_defaults(func=cmd_ui)
    return parser


def _add_bench_command(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser(
        "bench", help="time the pipeline on simulated worlds against a DuckDB floor and a pandas peer"
    )
    bench.add_argument("--scales", default="1,10,100", help="comma-separated scales (default 1,10,100)")
    bench.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per scale, and nights of the incremental measurement (default: 3 at scale 100 and below, 1 above)",
    )
    bench.add_argument(
        "--incremental-scale",
        type=int,
        default=100,
        help="scale of the incremental measurement (one new day of police drops); 0 skips it (default 100)",
    )
    bench.add_argument("--year", type=int, default=2011, help="year of the scale-1 world (default 2011)")
    bench.add_argument(
        "--scaled-year",
        type=int,
        default=2010,
        help="year of the worlds above scale 1 (default 2010): the 2011 publication holds only at scale 1",
    )
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument(
        "--write", type=Path, metavar="FILE", help="also write the results as Markdown, e.g. docs/benchmark.md"
    )
    bench.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures as JSON, e.g. docs/benchmark.json"
    )
    bench.add_argument(
        "--compare",
        type=Path,
        metavar="FILE",
        help="compare with an earlier benchmark's --json file: each median earlier and now, and their ratio",
    )
    bench.add_argument(
        "--work-dir", type=Path, default=None, help="where the temporary data folders go (default: $TMPDIR)"
    )
    bench.add_argument("--keep", action="store_true", help="keep the temporary data folders (for profiling)")
    bench.set_defaults(func=cmd_bench)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
