"""Process environment for dbt, Dagster and GX, derived from the data folder.

dbt reads its warehouse, target and log paths from the environment; Dagster reads DAGSTER_HOME.
Telemetry is switched off for all three: the pipeline runs on closed networks.
"""

from __future__ import annotations

import json
import os

from sources.paths import PROJECT_ROOT, DataPaths, data_paths

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_REPORT_YEAR = 2011
DAGSTER_YAML = """\
# written by vhpipe: the Dagster instance of this data folder
telemetry:
  enabled: false
concurrency:
  runs:
    # one run at a time writes the DuckDB warehouse (DuckDB allows one writing process)
    tag_concurrency_limits:
      - key: vhpipe/warehouse
        value: writer
        limit: 1
  pools:
    # steps in the 'warehouse' pool (extract, dbt) never overlap across runs
    default_limit: 1
# Dagster's SQLite event log, but kept open between events (orchestration/event_log.py: a run
# stores thousands of events, and opening the database for each one cost a large part of a run)
event_log_storage:
  module: orchestration.event_log
  class: KeptOpenSqliteEventLogStorage
  config:
    base_dir: {event_logs}
"""


def select_warehouse(url: str | None = None) -> None:
    """Set dbt's target (and the PostgreSQL connection it reads) from `url`, else from VH_WAREHOUSE_URL."""
    from orchestration.postgres.settings import WAREHOUSE_URL, PostgresWarehouse

    url = (os.environ.get(WAREHOUSE_URL, "") if url is None else url).strip()
    settings = PostgresWarehouse.from_url(url).dbt_environment() if url else {"VH_DBT_TARGET": "duckdb"}
    os.environ[WAREHOUSE_URL] = url  # only once the URL is known to be good
    for name in ("VH_PG_HOST", "VH_PG_PORT", "VH_PG_USER", "VH_PG_DBNAME", "DBT_ENV_SECRET_VH_PG_PASSWORD"):
        os.environ.pop(name, None)  # nothing of an earlier PostgreSQL setting lingers
    os.environ.update(settings)


SALT_SETTING = "vh.surrogate_salt"  # the PostgreSQL session setting dbt's models read the salt from


def surrogate_salt() -> str:
    """The salt of the analysts' surrogate keys: derived from the pseudonymisation key, never stored."""
    from sources.pseudonymise import Pseudonymiser

    return Pseudonymiser().pseudonym("surrogate-key-salt", "vhpipe") or ""


def prepare_environment(
    paths: DataPaths | None = None, report_year: int | None = None, warehouse_url: str | None = None
) -> DataPaths:
    """Point dbt, Dagster and GX at the data folder and create its skeleton; returns the paths.

    The report year (dbt var `jaar`) comes from `report_year`, else VH_REPORT_YEAR, else 2011.
    The warehouse is PostgreSQL when `warehouse_url` or VH_WAREHOUSE_URL names one ("" for DuckDB).
    """
    paths = paths or data_paths()
    select_warehouse(warehouse_url)
    if report_year is not None:
        os.environ["VH_REPORT_YEAR"] = str(report_year)
    os.environ.setdefault("VH_REPORT_YEAR", str(DEFAULT_REPORT_YEAR))
    for folder in (paths.warehouse.parent, paths.dagster_home, paths.dbt_target, paths.dbt_logs, paths.reports):
        folder.mkdir(parents=True, exist_ok=True)
    dagster_yaml = paths.dagster_home / "dagster.yaml"
    # the event logs where Dagster keeps them by default, so that earlier runs stay visible
    instance_config = DAGSTER_YAML.format(event_logs=json.dumps(str(paths.dagster_home / "history" / "runs")))
    if not dagster_yaml.exists() or dagster_yaml.read_text() != instance_config:
        dagster_yaml.write_text(instance_config)
    os.environ.setdefault("VH_SURROGATE_SALT", surrogate_salt())
    # dbt's file log at its default (debug) holds every statement, megabytes a night and ~10% of dbt's
    # time; info keeps what ran and how it ended (DBT_LOG_LEVEL_FILE=debug to see the statements)
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
    if os.environ["VH_DBT_TARGET"] == "postgres":
        # PostgreSQL sessions read the salt as a setting given at connect time, never from compiled SQL
        os.environ["PGOPTIONS"] = f"-c {SALT_SETTING}={os.environ['VH_SURROGATE_SALT']}"
    os.environ.update(
        {
            "VH_DATA_DIR": str(paths.root),
            "VH_WAREHOUSE_PATH": str(paths.warehouse),
            "DAGSTER_HOME": str(paths.dagster_home),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_TARGET_PATH": str(paths.dbt_target),
            "DBT_LOG_PATH": str(paths.dbt_logs),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    return paths
