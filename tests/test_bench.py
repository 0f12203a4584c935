"""`vhpipe bench`: both baselines compute exactly the pipeline's report cells, the command's table
shows every stage and every ratio, and its figures (--json) compare with an earlier benchmark's."""

import json
import os
import re
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime

import duckdb
import pytest

from orchestration.bench.floor import floor_cells
from orchestration.bench.history import BenchHistoryError, comparison, read_summary, summary, write_summary
from orchestration.bench.pandas_peer import peer_cells
from orchestration.bench.report import (
    RUN_TOTAL,
    STAGES,
    WHOLE_TOTAL,
    incremental_report,
    markdown,
    scale_report,
    targets,
)
from orchestration.bench.runner import (
    INCREMENTAL,
    BenchResult,
    IncrementalResult,
    Run,
    ScaleResult,
    build_parts,
    code_description,
    compare_cells,
    measurement_order,
    run_bench,
    simulated_folder,
)
from orchestration.bench.stages import dbt_build_parts
from orchestration.bench.worker import copy_data_folder, hold_back_last_day, put_back
from orchestration.cli import build_parser, main, regenerating_command
from sources.paths import PROJECT_ROOT, DataPaths


def pipeline_cells(pipeline) -> Counter:
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        return Counter(con.execute("select tabel, rij, kolom, waarde from marts.report_cells").fetchall())


def as_counter(cells) -> Counter:
    return Counter(tuple(row) for row in cells.itertuples(index=False))


@pytest.mark.e2e
def test_the_duckdb_floor_computes_the_pipelines_report_cells(pipeline):
    cells = floor_cells(pipeline.paths.warehouse, pipeline.simulation.year)
    assert as_counter(cells) == pipeline_cells(pipeline)


@pytest.mark.e2e
def test_the_pandas_peer_computes_the_pipelines_report_cells(pipeline):
    cells = peer_cells(pipeline.paths.warehouse, pipeline.simulation.year)
    assert as_counter(cells) == pipeline_cells(pipeline)


def test_a_cell_missing_extra_or_twice_is_a_mismatch():
    pipeline = [("1", "Totaal", "aantal", 10), ("2", "Jeugd", "Meerssen", 3)]
    assert compare_cells(pipeline, list(reversed(pipeline))).same
    wrong = compare_cells(pipeline, [("1", "Totaal", "aantal", 11), ("2", "Jeugd", "Meerssen", 3)])
    assert wrong.missing == [("1", "Totaal", "aantal", 10)]
    assert wrong.extra == [("1", "Totaal", "aantal", 11)]
    assert "MISMATCH" in wrong.describe()
    assert not compare_cells(pipeline, [*pipeline, pipeline[0]]).same


def test_the_incremental_measurement_holds_back_the_drops_of_31_december(tmp_path):
    paths = DataPaths(tmp_path)
    landing = paths.landing_for("politie")
    landing.mkdir(parents=True)
    names = [
        "BVH_VH_mutaties_20111230.csv",
        "BVH_VH_mutaties_20111231.csv",
        "BVH_VH_mutaties_20111231_herlevering.csv",
        "BVH_VH_mutaties_20120113.csv",  # a late drop after the year: not a night's load
    ]
    for name in names:
        (landing / name).write_text("x")
    held = hold_back_last_day(paths, 2011)
    assert sorted(p.name for p in held) == names[1:3]
    assert sorted(p.name for p in landing.iterdir()) == [names[0], names[3]]
    put_back(paths, held)
    assert sorted(p.name for p in landing.iterdir()) == sorted(names)


def tree(folder) -> dict:
    """Every file under `folder` with its bytes and modification time."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_each_night_starts_from_the_data_folder_the_first_night_found(tmp_path):
    before, folder = tmp_path / "before-night", tmp_path / "data"
    for relative, text in [
        ("warehouse.duckdb", "loaded year"),
        ("dbt/target/manifest.json", "{}"),
        ("landing/x.csv", "a"),
    ]:
        (before / relative).parent.mkdir(parents=True, exist_ok=True)
        (before / relative).write_text(text)
    os.utime(before / "dbt/target/manifest.json", (1_000_000, 1_000_000))  # dbt judges its manifest by its time
    (before / "bench-old.log").write_text("the bench's own file: not part of the data folder")
    (folder / "dbt").mkdir(parents=True)
    (folder / "warehouse.duckdb").write_text("after the first night")
    (folder / "dbt" / "night-only.json").write_text("written by the first night")
    (folder / "bench-incremental.log").write_text("the worker's open log")

    copy_data_folder(before, folder)

    copied = tree(folder)
    assert copied.pop("bench-incremental.log")[0] == b"the worker's open log"
    expected = tree(before)
    del expected["bench-old.log"]
    assert copied == expected


def test_the_nightly_figure_is_the_median_night_and_every_failed_night_is_told():
    def night(wall: float, ok: bool = True) -> dict:
        stages = {stage: 1.0 for stage in STAGES if stage != "simulate"}
        checks = {"passed": 1, "evaluated": 1, "failed": []}
        return {"wall": wall, "seconds": stages, "connectors": [], "ok": ok, "checks": checks, "output_tail": "boom"}

    measured = {
        "initial": night(60.0),
        "nightly": night(24.0),
        "nightly_walls": [26.0, 22.0, 24.0],
        "failed_nights": [],
        "day": "2010-12-31",
        "held_back_files": ["BVH_VH_mutaties_20101231.csv"],
        "same_cells_as_truth": True,
    }
    result = IncrementalResult(100, measured)
    assert result.nightly_seconds() == 24.0
    assert result.failures() == []
    assert "3 nights from the same loaded year (26.00, 22.00, 24.00 s)" in incremental_report(result, None)
    assert "by part" not in incremental_report(result, None)  # no build read: no table
    # the median night's build, by part: the few models and tests a night of police drops rebuilds
    built = {"elapsed": 0.75, "kinds": {"model": {"nodes": 22, "seconds": 0.5}}, "models": {"int_meldingen": 0.25}}
    with_build = IncrementalResult(100, {**measured, "nightly": {**night(24.0), "dbt": built}})
    assert figure(incremental_report(with_build, None), "models") == ["22", "0.50"]
    failed = IncrementalResult(100, {**measured, "failed_nights": [(2, "boom")]})
    assert failed.failures() == ["incremental: night 2 of the nightly vhpipe run failed:\nboom"]


def test_the_nights_are_measured_right_after_the_full_runs_of_their_scale():
    """The night's target is a ratio to the full runs of its scale: measured next to them, not after the
    larger scales (the machine's speed drifts; a scale-1000 run changes its memory and page cache)."""
    assert measurement_order([1, 10, 100, 1000], 100) == [1, 10, 100, INCREMENTAL, 1000]
    assert measurement_order([100, 1000], 100) == [100, INCREMENTAL, 1000]
    assert measurement_order([1, 10], 100) == [1, 10, INCREMENTAL]  # its scale not measured in full: last
    assert measurement_order([1, 10, 100], None) == [1, 10, 100]
    assert measurement_order([1, 10, 100], 0) == [1, 10, 100]  # --incremental-scale 0: none


def test_the_work_dir_is_created_when_it_is_not_there(tmp_path):
    work_dir = tmp_path / "not" / "yet" / "there"
    folder, simulation = simulated_folder(scale=1, year=2011, seed=0, work_dir=work_dir)
    assert folder.parent == work_dir
    assert (folder / "landing" / "politie").is_dir() and simulation["seconds"] > 0


def write_run_results(paths: DataPaths, elapsed: float, nodes: dict[str, float]) -> None:
    """A run_results.json as dbt writes it (the fields the bench reads), for nodes by unique id."""
    paths.dbt_build_target.mkdir(parents=True, exist_ok=True)
    results = [{"unique_id": node, "status": "success", "execution_time": secs} for node, secs in nodes.items()]
    document = {"elapsed_time": elapsed, "results": results}
    (paths.dbt_build_target / "run_results.json").write_text(json.dumps(document), encoding="utf-8")


def test_the_dbt_build_is_split_by_kind_of_node_from_the_run_results_dbt_wrote(tmp_path):
    paths = DataPaths(tmp_path)
    before = time.time() - 5
    assert dbt_build_parts(paths, since=before) is None  # no build wrote one
    nodes = {
        "model.veiligheidshuis.stg_politie__mutaties": 2.5,
        "model.veiligheidshuis.int_meldingen": 1.5,
        "test.veiligheidshuis.unique_int_meldingen_melding_id.e08149a750": 0.25,
        "test.veiligheidshuis.not_null_columns_int_meldingen.0a1b2c3d4e": 0.5,
        "seed.veiligheidshuis.gemeenten": 0.125,
    }
    write_run_results(paths, elapsed=5.0, nodes=nodes)
    parts = dbt_build_parts(paths, since=before)
    assert parts["elapsed"] == 5.0
    assert parts["kinds"] == {
        "model": {"nodes": 2, "seconds": 4.0},
        "test": {"nodes": 2, "seconds": 0.75},
        "seed": {"nodes": 1, "seconds": 0.125},
    }
    assert parts["models"] == {"stg_politie__mutaties": 2.5, "int_meldingen": 1.5}
    # a file from before the run (a build that failed leaves the last good one's) is not this run's
    assert dbt_build_parts(paths, since=time.time() + 5) is None

    # over runs: the median of each part; the dbt step's seconds beyond dbt's elapsed time are the build's
    # plan, dbt's start and close, dbt's elapsed time beyond its nodes is its work between them
    later = {**parts, "elapsed": 7.0, "models": {"stg_politie__mutaties": 3.5, "int_meldingen": 0.5}}
    median_parts = build_parts([(parts, 6.0), (later, 9.0), (parts, 6.5), (None, 4.0)], slowest=1)
    assert median_parts.kinds == {"model": (2, 4.0), "test": (2, 0.75), "seed": (1, 0.125)}
    assert median_parts.between_nodes == 5.0 - 4.875
    assert median_parts.around_dbt == 1.5  # of 1.0, 2.0 and 1.5; the run without its build's file is left out
    assert median_parts.slowest_models == [("stg_politie__mutaties", 2.5)]
    assert build_parts([(None, 6.0)]) is None


def test_the_scale_table_shows_the_transform_by_part_only_when_a_build_was_read():
    without = measured_run(60.0, 14.0, 5.0)
    assert "transform (dbt build) by part" not in scale_report(ScaleResult(100, [without]))
    dbt = {
        "elapsed": 12.0,
        "kinds": {"model": {"nodes": 54, "seconds": 8.7}, "test": {"nodes": 115, "seconds": 2.3}},
        "models": {"int_meldingen": 0.9, "stg_politie__mutaties": 1.4, "fct_meldingen": 0.4, "dim_gemeente": 0.1},
    }
    with_build = measured_run(60.0, 14.0, 5.0)
    with_build.pipeline["dbt"] = dbt
    report = scale_report(ScaleResult(100, [with_build]))
    assert figure(report, "models") == ["54", "8.70"]
    assert figure(report, "data tests") == ["115", "2.30"]
    assert figure(report, "dbt between its nodes") == ["1.00"]
    assert figure(report, "the build's plan, dbt's start and close") == ["2.00"]  # the step's 14 s beyond dbt's 12 s
    assert "slowest models (s): stg_politie__mutaties 1.40, int_meldingen 0.90, fct_meldingen 0.40" in report


@pytest.mark.e2e
def test_the_bench_table_shows_every_stage_ratio_and_the_machine(tmp_path, capsys):
    written, figures = tmp_path / "benchmark.md", tmp_path / "benchmark.json"
    options = ["--scales", "1", "--repeat", "1", "--incremental-scale", "1", "--work-dir", str(tmp_path)]
    status = main(["bench", *options, "--write", str(written), "--json", str(figures)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Scale 1:" in out
    assert "machine load (1-min average)" in out
    assert re.search(r"speed check \d+\.\d\d to \d+\.\d\d s", out)  # measured, not "n/a"
    for label in [*STAGES.values(), RUN_TOTAL, WHOLE_TOTAL]:
        line = next(line for line in out.splitlines() if line.startswith(label))
        assert re.search(r"\d+\.\d\d$", line), line  # a measured number of seconds
    for connector in ("politie (CSV drops)", "om (SQL database)", "vh (HTTP API)", "gemeenten (Excel)"):
        line = next(line for line in out.splitlines() if line.startswith(connector))
        assert re.search(r"\d$", line), line  # rows per second
    for ratio in ("transform / DuckDB floor", "transform / pandas peer"):
        line = next(line for line in out.splitlines() if line.startswith(ratio))
        assert line.rstrip().endswith("same cells"), line
    for memory in ("vhpipe run process", "dbt (largest dbt process)", "process tree at once"):
        assert memory in out
    assert "report cells against the simulator's truth: same cells" in out
    # the dbt step by part, from the build of the same run: every model and seed of the project ran
    models = len(list((PROJECT_ROOT / "dbt_project" / "models").rglob("*.sql")))
    seeds = len(list((PROJECT_ROOT / "dbt_project" / "seeds").rglob("*.csv")))
    assert figure(out, "models")[0] == str(models) and figure(out, "seeds")[0] == str(seeds)
    assert int(figure(out, "data tests")[0]) > 0
    slowest = next(line for line in out.splitlines() if line.startswith("slowest models (s): "))
    for name, secs in re.findall(r"(\w+) (\d+\.\d\d)", slowest):
        assert list((PROJECT_ROOT / "dbt_project" / "models").rglob(f"{name}.sql")) and float(secs) > 0
    assert "scale 1: the whole vhpipe run under 30 s" in out
    # the night, on the scaled year's world (the 2011 world without its last day fails the published figures)
    assert "Incremental at scale 1: the police drops of 2010-12-31 (BVH_VH_mutaties_20101231.csv) held back" in out
    assert "`vhpipe run --from 2010-12-31 --to 2010-12-31`; 1 night" in out  # --repeat 1: one night too
    assert re.search(r"^nightly / full rebuild +\d+\.\d\d×$", out, re.MULTILINE)
    assert "report cells after the nightly run equal the simulator's truth" in out
    assert "incremental nightly run under a third" not in out  # the night's target is set at scale 100
    document = written.read_text(encoding="utf-8")
    for field in ("## Machine", "| cores |", "| memory |", "| CPU |", "| load average at start (1, 5, 15 min) |"):
        assert field in document
    assert "transform / DuckDB floor" in document
    assert "--work-dir" not in document  # the scratch folder is not part of the command that writes it again
    # the JSON holds the figures the table printed, and compares with itself as equal
    measured = read_summary(figures)
    [scale_one] = measured["scales"]
    printed = next(line for line in out.splitlines() if line.startswith(RUN_TOTAL)).split()[-1]
    assert f"{scale_one['vhpipe_run']:.2f}" == printed
    assert set(scale_one["stages"]) == set(STAGES) and measured["code"] == code_description()
    assert figure(comparison(measured, measured), f"{RUN_TOTAL} (s)") == [printed, printed, "1.00×"]


def test_the_night_is_a_target_at_scale_100_only():
    """The issue sets the night's target at scale 100; a night measured at another scale shows its ratio to
    the full runs in its own table, not as a target met or missed."""
    bench = measured_bench([60.0, 70.0, 66.0], 14.0, 5.0, 18.0, datetime(2026, 11, 30, 8))
    night = "incremental nightly run under a third of the full rebuild"
    assert [(t.description, t.met) for t in targets(bench) if night in t.description] == [(f"scale 100: {night}", True)]
    scale_1000, night_at_1000 = replace(bench.scales[0], scale=1000), replace(bench.incremental, scale=1000)
    at_1000 = replace(bench, scales=[scale_1000], incremental=night_at_1000)
    assert not [t for t in targets(at_1000) if night in t.description]
    assert any(t.description.startswith("scale 1000: full rebuild") for t in targets(at_1000))


def test_the_code_measured_is_read_when_the_benchmark_starts():
    """The report is written into the tree at the end (docs/benchmark.md): the commit it names is the one
    the benchmark started on, read then, not the state of the tree when the report is written."""
    started = run_bench([], incremental_scale=None)
    assert started.code == code_description()
    earlier = BenchResult(2011, 0, {}, [], None, code="git 0123abc-dirty")
    assert "| code | git 0123abc-dirty |" in markdown(earlier, "vhpipe bench")


def test_the_document_names_the_command_that_writes_it_again():
    """docs/benchmark.md says how to regenerate it: every option that shapes the figures or names a file it
    writes, not the earlier benchmark compared with or the scratch folder, gone where the document is read."""
    given = ["--scales", "1,10,100,1000", "--write", "docs/benchmark.md", "--json", "docs/benchmark.json"]
    where = ["--compare", "/tmp/earlier.json", "--work-dir", "/tmp/bmain", "--keep"]
    command = regenerating_command(build_parser().parse_args(["bench", *given, *where]))
    assert command == (
        "vhpipe bench --scales 1,10,100,1000 --incremental-scale 100 --year 2011 --scaled-year 2010 --seed 0"
        " --write docs/benchmark.md --json docs/benchmark.json"
    )
    again = build_parser().parse_args(command.split()[1:])  # a command vhpipe takes, writing the same
    assert regenerating_command(again) == command and again.compare is None and again.work_dir is None
    elsewhere = ["--scales", "100", "--repeat", "5", "--seed", "3", "--write", "my docs/bench.md"]
    assert regenerating_command(build_parser().parse_args(["bench", *elsewhere])) == (
        "vhpipe bench --scales 100 --repeat 5 --incremental-scale 100 --year 2011 --scaled-year 2010 --seed 3"
        " --write 'my docs/bench.md'"  # quoted as a shell takes it
    )


def measured_run(wall: float, transform: float, politie_seconds: float) -> Run:
    """One run at scale 100 as the bench's workers report it (the figures a summary reads)."""
    stages = {"extract": 20.0, "transform": transform, "checks": 16.0, "publish": 4.0, "overhead": 8.0}
    connectors = [
        {"name": "politie (CSV drops)", "received": 400_000, "quarantined": 1_000, "seconds": politie_seconds},
        {"name": "om (SQL database)", "received": 60_000, "quarantined": 0, "seconds": 1.5},
    ]
    pipeline = {
        "wall": wall,
        "seconds": stages,
        "connectors": connectors,
        "memory_mib": {"vhpipe run process": 1_100.0, "process tree at once": 1_300.0},
        "checks": {"passed": 134, "evaluated": 134, "failed": []},
        "ok": True,
        "cells": [],
        "truth": [],
        "quarantine_reasons": [],
    }
    baseline = {"seconds": 3.0, "peak_rss_mib": 700.0, "cells": []}
    simulate = {"seconds": 15.0, "peak_rss_mib": 680.0}
    return Run(simulate, pipeline, baseline, dict(baseline, seconds=0.8), load=[1.0, 1.2], speed=[0.05, 0.07])


def measured_bench(
    walls: list[float], transform: float, politie_seconds: float, night: float, started: datetime
) -> BenchResult:
    runs = [measured_run(wall, transform, politie_seconds) for wall in walls]
    stages = {"extract": 0.5, "transform": 6.0, "checks": 6.0, "publish": 2.4, "overhead": 3.1}
    nightly = {"wall": night, "seconds": stages, "connectors": [], "checks": {"failed": []}}
    worker = {"initial": nightly, "nightly": nightly, "nightly_walls": [night] * 3, "same_cells_as_truth": True}
    scales, incremental = [ScaleResult(100, runs)], IncrementalResult(100, worker)
    return BenchResult(2011, 0, {100: 3}, scales, incremental, code="git 0abc123", started=started)


def figure(report: str, label: str) -> list[str]:
    """The cells of the comparison's row for `label`: earlier, now, now/earlier."""
    line = next(line for line in report.splitlines() if line.startswith(label))
    return line[len(label) :].split()


def test_a_benchmark_compared_with_an_earlier_one_shows_each_median_then_and_now_and_their_ratio(tmp_path):
    earlier_file = tmp_path / "earlier.json"
    write_summary(earlier_file, summary(measured_bench([60.0, 70.0, 66.0], 14.0, 5.0, 20.0, datetime(2026, 11, 29, 8))))
    now = summary(measured_bench([31.0, 30.0, 29.0], 7.0, 4.0, 18.0, datetime(2026, 11, 30, 8)))

    report = comparison(read_summary(earlier_file), now)

    assert "Compared with the benchmark started 2026-11-29T08:00:00 (git 0abc123)" in report
    assert "The machines differ" not in report
    assert figure(report, f"{RUN_TOTAL} (s)") == ["66.00", "30.00", "0.45×"]  # medians, not means or firsts
    assert figure(report, f"{STAGES['transform']} (s)") == ["14.00", "7.00", "0.50×"]
    assert figure(report, "politie (CSV drops) (rows/s)") == ["80,000", "100,000", "1.25×"]
    assert figure(report, "transform baseline: pandas peer (s)") == ["0.80", "0.80", "1.00×"]
    assert figure(report, f"nightly: {RUN_TOTAL} (s)") == ["20.00", "18.00", "0.90×"]
    assert figure(report, "nightly / full rebuild (×)") == ["0.30", "0.60", "1.98×"]
    # a verdict that changed is told; one that stayed (transform against the pandas peer) is not
    assert figure(report, "scale 100: incremental nightly run under a third of the full rebuild") == [
        "20.0", "s", "vs", "66.0", "s,", "met", "18.0", "s", "vs", "30.0", "s,", "MISSED",
    ]  # fmt: skip
    assert "scale 100: full rebuild (vhpipe run) under 90 s" not in report
    assert "transform faster than the pandas peer" not in report
    elsewhere = {**now, "machine": {**now["machine"], "cores": "64"}}
    assert "The machines differ in cores" in comparison(read_summary(earlier_file), elsewhere)


def test_an_earlier_benchmark_that_cannot_be_compared_with_is_refused_before_anything_runs(tmp_path, capsys):
    not_json, other, partial = tmp_path / "not.json", tmp_path / "other.json", tmp_path / "partial.json"
    not_json.write_text("Scale 1: 8,100 source rows", encoding="utf-8")
    other.write_text('{"format": "something else"}', encoding="utf-8")
    partial.write_text('{"format": "vhpipe-bench/1", "code": "git 0abc123", "scales": []}', encoding="utf-8")
    refusals = [(tmp_path / "missing.json", "cannot read"), (not_json, "not JSON"), (other, "--json")]
    for path, says in [*refusals, (partial, "lacks started, machine, incremental, targets")]:
        with pytest.raises(BenchHistoryError, match=says) as refused:
            read_summary(path)
        assert str(path) in str(refused.value)
        assert main(["bench", "--scales", "1", "--compare", str(path), "--work-dir", str(tmp_path / "w")]) == 2
        captured = capsys.readouterr()
        assert f"vhpipe bench --compare: {refused.value}" in captured.err
        assert "bench: scale 1" not in captured.err  # no run started
    assert not (tmp_path / "w").exists()
