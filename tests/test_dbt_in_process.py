"""dbt run in the pipeline's process (orchestration/dbt_in_process.py), on a copy of the session's built
warehouse: dagster-dbt makes of it what it made of a dbt subprocess, a failing build fails as it did, an
interrupted build stops, and the warehouse is free for the pipeline's next connection afterwards."""

from __future__ import annotations

import signal

import dagster as dg
import pytest
from dagster_dbt import DbtCliResource
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.dbt_in_process import DbtCli
from orchestration.dbt_manifest import dbt_executable
from orchestration.environment import DBT_PROJECT_DIR
from sources import duckdb_memory


def dbt(in_process: bool) -> DbtCliResource:
    resource = DbtCli if in_process else DbtCliResource
    return resource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())


@pytest.fixture
def manifest(pipeline):
    """The session build's manifest: what dagster-dbt reads the events against."""
    return pipeline.paths.dbt_target / "build" / "manifest.json"


def dagster_events(invocation) -> list[tuple]:
    """What dagster-dbt makes of a command's events: materializations and check evaluations, in order."""
    made = []
    for event in invocation.stream():
        if isinstance(event, dg.AssetMaterialization):
            made.append(("materialization", event.asset_key.to_user_string()))
        elif isinstance(event, dg.AssetCheckEvaluation):
            made.append(("check", event.asset_key.to_user_string(), event.check_name, event.passed))
    return made


def test_dagster_dbt_makes_of_dbt_in_process_what_it_made_of_a_subprocess(warehouse_copy, manifest, tmp_path):
    command = ["build", "--select", "dim_doelgroep report_cells"]
    in_process = dagster_events(dbt(True).cli(command, manifest=manifest, target_path=tmp_path / "in_process"))
    subprocess = dagster_events(dbt(False).cli(command, manifest=manifest, target_path=tmp_path / "subprocess"))

    assert in_process == subprocess
    assert ("materialization", "marts/report_cells") in in_process
    assert any(made[0] == "check" and made[3] for made in in_process)
    # dbt's DuckDB is closed: the pipeline's next step opens the file with its own configuration
    with duckdb_memory.connect(warehouse_copy, read_only=True) as con:
        assert con.execute("select count(*) from marts.report_cells").fetchone()[0] > 0


def test_a_failing_test_fails_the_command_as_in_a_subprocess_naming_the_test(warehouse_copy, tmp_path):
    with duckdb_memory.connect(warehouse_copy) as con:
        con.execute("update marts.report_cells set waarde = null where rij = 'Totaal'")
    errors = {}
    for in_process in (True, False):
        invocation = dbt(in_process).cli(["test", "--select", "report_cells"], target_path=tmp_path / str(in_process))
        with pytest.raises(DagsterDbtCliRuntimeError) as raised:
            invocation.wait()
        errors[in_process] = str(raised.value)

    for error in errors.values():
        assert "failed with exit code `1`" in error
        assert "not_null_columns_report_cells" in error


def test_an_error_of_dbt_itself_is_named_in_the_steps_error(warehouse_copy, tmp_path):
    invocation = dbt(True).cli(["build", "--no-such-flag"], target_path=tmp_path / "target")

    with pytest.raises(DagsterDbtCliRuntimeError) as raised:
        invocation.wait()

    assert "failed with exit code `2`" in str(raised.value)
    assert "no-such-flag" in str(raised.value)


def test_an_interrupted_build_stops_and_frees_the_warehouse(warehouse_copy, manifest, tmp_path):
    invocation = dbt(True).cli(["build"], manifest=manifest, target_path=tmp_path / "target", raise_on_error=False)
    results = 0
    for event in invocation.stream_raw_events():
        if event.is_result_event:
            results += 1
            if results == 1:  # what dagster-dbt does when the run is interrupted
                invocation.process.send_signal(signal.SIGINT)

    assert invocation.process.wait(timeout=60) != 0
    nodes = sum(node["resource_type"] in {"model", "seed", "test"} for node in invocation.manifest["nodes"].values())
    assert results < nodes / 2  # dbt stopped: most of the project was not built
    with duckdb_memory.connect(warehouse_copy, read_only=True) as con:
        assert con.execute("select count(*) from marts.report_cells").fetchone()[0] > 0
