"""What a `vhpipe run` spent its time on, read from the Dagster run it recorded, and what it produced.

The benchmark times the real command (`vhpipe run`, a fresh process, as a night's run starts) and
splits its wall time into stages by the steps of its Dagster run:

- extract: each connector's step up to its last materialisation (the ledger check follows it);
- transform and test: the dbt step (`dbt build` through dagster-dbt);
- checks: the GX ledger check at the end of each connector's step, the freshness checks and the
  audit step (every GX suite, Data Docs, reconciliation page);
- publish and reports: the steps of the published copy, exports, annual report and dbt docs;
- start-up and run overhead: the rest of the command's wall time (imports, dbt parse of a fresh
  data folder, creating and closing the Dagster run, the summary).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from sources.paths import DataPaths

# the connectors' steps and how the tables show them, in the order the run pulls them
CONNECTOR_STEPS = {
    "politie_mutaties": ("politie", "politie (CSV drops)"),
    "om_gps": ("om", "om (SQL database)"),
    "vh_register": ("vh", "vh (HTTP API)"),
    "gemeenten_huisverboden": ("gemeenten", "gemeenten (Excel)"),
}
TRANSFORM_STEP = "veiligheidshuis_dbt"
CHECK_STEPS = ("audit_reconciliation",)
PUBLISH_PREFIX = "published__"
FRESHNESS_SUFFIX = "_delivered_recently"


@dataclass(frozen=True)
class ConnectorRun:
    name: str  # the connector as the table shows it
    seconds: float
    received: int
    quarantined: int


@dataclass(frozen=True)
class RunStages:
    seconds: dict[str, float]  # extract, transform, checks, publish, overhead
    connectors: list[ConnectorRun]
    steps: dict[str, float]  # every step's wall time, for the record
    success: bool  # the Dagster run succeeded: every step ran, no blocking check failed
    checks_passed: int
    checks_evaluated: int
    failed_checks: list[str]


def last_run_stages(paths: DataPaths) -> RunStages:
    """The stages of the latest run recorded in the data folder's Dagster instance."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(paths.dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        records = instance.all_logs(run.run_id)
        steps = {s.step_key: s for s in instance.get_run_step_stats(run.run_id)}
    last_materialised: dict[str, float] = {}
    evaluations = []
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.is_step_materialization and event.step_key:
            last_materialised[event.step_key] = max(last_materialised.get(event.step_key, 0.0), record.timestamp)
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluations.append(event.asset_check_evaluation_data)
    seconds = {"extract": 0.0, "transform": 0.0, "checks": 0.0, "publish": 0.0}
    received = ledger_rows(paths)
    connectors = []
    for key, (source, shown) in CONNECTOR_STEPS.items():
        step = steps.get(key)
        if step is None or step.start_time is None or step.end_time is None:
            continue
        landed = last_materialised.get(key, step.end_time) - step.start_time
        seconds["extract"] += landed
        seconds["checks"] += step.end_time - step.start_time - landed  # its GX ledger check
        rows, quarantined = received.get(source, (0, 0))
        connectors.append(ConnectorRun(shown, landed, rows, quarantined))
    durations = {k: s.end_time - s.start_time for k, s in steps.items() if s.start_time and s.end_time}
    for key, duration in durations.items():
        if key == TRANSFORM_STEP:
            seconds["transform"] += duration
        elif key in CHECK_STEPS or key.endswith(FRESHNESS_SUFFIX):
            seconds["checks"] += duration
        elif key.startswith(PUBLISH_PREFIX):
            seconds["publish"] += duration
    failed = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations if not e.passed]
    return RunStages(
        seconds=seconds,
        connectors=connectors,
        steps=durations,
        # a blocking check that fails fails its step, and so the run; a non-blocking one is only reported
        success=run.status == dg.DagsterRunStatus.SUCCESS,
        checks_passed=sum(e.passed for e in evaluations),
        checks_evaluated=len(evaluations),
        failed_checks=failed,
    )


def dbt_build_parts(paths: DataPaths, since: float) -> dict | None:
    """What the run's `dbt build` spent its time on, from the run_results.json dbt wrote for it: the
    elapsed time dbt reports for running its nodes, per kind of node (model, test, seed) how many ran
    and their seconds together, and each model's seconds. None when no build of this run wrote one
    (the file is older than `since`, a time.time(): the run stopped before dbt ran, or left dbt out)."""
    results = paths.dbt_build_target / "run_results.json"
    if not results.exists() or results.stat().st_mtime < since:
        return None
    document = json.loads(results.read_text(encoding="utf-8"))
    kinds: dict[str, dict] = {}
    models: dict[str, float] = {}
    for node in document["results"]:
        kind, _, name = node["unique_id"].split(".")[:3]  # model.<project>.<name>, test.…, seed.…
        seconds = float(node["execution_time"] or 0.0)
        part = kinds.setdefault(kind, {"nodes": 0, "seconds": 0.0})
        part["nodes"] += 1
        part["seconds"] += seconds
        if kind == "model":
            models[name] = seconds
    return {"elapsed": float(document["elapsed_time"]), "kinds": kinds, "models": models}


def ledger_rows(paths: DataPaths) -> dict[str, tuple[int, int]]:
    """Per source, the rows received and quarantined over every delivery in the ledger."""
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select source, sum(received), sum(quarantined) from raw._deliveries group by source"
        ).fetchall()
    finally:
        con.close()
    return {source: (int(received), int(quarantined)) for source, received, quarantined in rows}


def quarantine_reasons(paths: DataPaths, shown: int = 3) -> list[tuple[str, str, int]]:
    """The commonest reasons rows were quarantined, per source (quoted values blanked): (source, reason, rows)."""
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(
            """
            select source, reason, rows from (
                select source, regexp_replace(reason, '''[^'']*''', '''…''', 'g') as reason, count(*) as rows
                from raw._quarantine
                group by all
            )
            qualify row_number() over (partition by source order by rows desc) <= ?
            order by source, rows desc
            """,
            [shown],
        ).fetchall()
    finally:
        con.close()


def truth_cells(paths: DataPaths) -> list[tuple[str, str, str, int]]:
    """The simulator's expected value of every report cell (truth/report_cells.csv)."""
    from sources.simulator.truth import read_truth

    truth = read_truth(paths.truth)
    return [(str(t.tabel), t.rij, t.kolom, int(t.waarde)) for t in truth.itertuples(index=False)]


def report_cells(paths: DataPaths) -> list[tuple[str, str, str, int]]:
    """marts.report_cells as the run left it; none when the run did not get that far."""
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute("select tabel, rij, kolom, waarde from marts.report_cells").fetchall()
    except duckdb.CatalogException:
        return []
    finally:
        con.close()
