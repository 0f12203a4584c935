"""Test set-up: every test runs on temporary data folders with a fixed pseudonymisation key.

The environment is set before anything from the project is imported, because the Dagster
code location reads it when it loads.
"""

import os
import tempfile

os.environ["VH_DATA_DIR"] = tempfile.mkdtemp(prefix="vhpipe-tests-")
os.environ["VH_PSEUDONYM_KEY"] = "test-key-not-for-production"
os.environ.pop("VH_KEY_FILE", None)
os.environ.pop("VH_MODE", None)
os.environ.pop("VH_WAREHOUSE_URL", None)  # DuckDB unless a test asks for PostgreSQL

from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dbt_cli import copy_warehouse

from orchestration.environment import prepare_environment, select_warehouse
from orchestration.headless import DayRange, delivered_days
from orchestration.postgres.settings import PostgresWarehouse
from sources.paths import DataPaths
from sources.simulator import SimulationResult, simulate
from sources.simulator.defects import DefectRates


@dataclass
class PipelineRun:
    paths: DataPaths
    simulation: SimulationResult
    defs: dg.Definitions
    result: dg.ExecuteInProcessResult | None
    warehouse_url: str = ""  # a PostgreSQL warehouse, or "" for the DuckDB file

    def run_job(self, name: str, days: DayRange | None = None) -> dg.ExecuteInProcessResult:
        """Run a job in process, over the days given or every delivered day, as `vhpipe run` does."""
        prepare_environment(self.paths, report_year=self.simulation.year, warehouse_url=self.warehouse_url)
        try:
            job = self.defs.resolve_job_def(name)
            tags = (days or delivered_days(self.paths)).tags() if job.partitions_def else {}
            return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), tags=tags, raise_on_error=False)
        finally:
            select_warehouse("")  # the other tests' pipelines stay on DuckDB

    def query(self, sql: str) -> pd.DataFrame:
        """A query on the warehouse this run built: the DuckDB file, or PostgreSQL."""
        if not self.warehouse_url:
            with duckdb.connect(str(self.paths.warehouse), read_only=True) as con:
                return con.execute(sql).df()
        with PostgresWarehouse.from_url(self.warehouse_url).connect() as pg:
            cursor = pg.execute(sql)
            return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def run_pipeline(
    root,
    days: int | None = None,
    seed: int = 0,
    year: int = 2011,
    scale: int = 1,
    defects: DefectRates | None = None,
    warehouse_url: str = "",
) -> PipelineRun:
    """Simulate a world into `root` (all defects on by default) and run the whole nightly load on it, in process."""
    run = stage_pipeline(root, days=days, seed=seed, year=year, scale=scale, defects=defects)
    run.warehouse_url = warehouse_url
    run.result = run.run_job("nightly_load")
    return run


def stage_pipeline(
    root, days: int | None = None, seed: int = 0, year: int = 2011, scale: int = 1, defects: DefectRates | None = None
) -> PipelineRun:
    """Simulate a world into `root` and build its definitions, without running anything yet."""
    from orchestration.definitions import build_defs

    paths = prepare_environment(DataPaths(root), report_year=year, warehouse_url="")
    simulation = simulate(paths, year=year, scale=scale, seed=seed, days=days, defects=defects)
    return PipelineRun(paths, simulation, build_defs(paths), result=None)


@pytest.fixture
def warehouse_copy(pipeline, tmp_path, monkeypatch):
    """A copy of the session's built warehouse that dbt is pointed at, in the session world's report year."""
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path / "warehouse")
    monkeypatch.setenv("VH_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("VH_REPORT_YEAR", str(pipeline.simulation.year))
    return warehouse


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> PipelineRun:
    """The simulated 2011 world with every defect on, loaded once for the whole test session.

    Tests must not change its warehouse: those that tamper use `fresh_pipeline`."""
    return run_pipeline(tmp_path_factory.mktemp("world-2011"))


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (tests/postgres_server.py).

    Without PostgreSQL installed the tests that need it are skipped on a developer's machine and
    fail in CI (CI set), where `make test` installs it: a missing server must not pass unseen."""
    from postgres_server import start_server

    try:
        server = start_server()
    except FileNotFoundError as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test on PostgreSQL: {missing}")
        pytest.skip(str(missing))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_pipeline(tmp_path_factory, postgres_server) -> PipelineRun:
    """The simulated 2011 world of `pipeline`, loaded into a PostgreSQL warehouse (the same seed)."""
    url = postgres_server.create_warehouse("vh_2011")
    return run_pipeline(tmp_path_factory.mktemp("world-2011-postgres"), warehouse_url=url)


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def engine_pipeline(request) -> PipelineRun:
    """The simulated 2011 world loaded by each warehouse engine in turn: the end-to-end tests run on both."""
    return request.getfixturevalue("pipeline" if request.param == "duckdb" else "postgres_pipeline")


@pytest.fixture(scope="session")
def staged_pipeline():
    """A factory for a simulated world with its definitions, for tests that drive the runs themselves."""
    return stage_pipeline


@pytest.fixture(scope="session")
def fresh_pipeline():
    """A factory for a pipeline of one's own, for tests that change the warehouse."""
    return run_pipeline
