"""The Dagster code location: `dagster dev -m orchestration.definitions` loads `defs`."""

import dagster as dg

from orchestration.environment import prepare_environment
from sources.paths import DataPaths

PATHS = prepare_environment()

# the rest needs the environment (dbt's manifest lives in the data folder)
from orchestration.alerts import record_failure  # noqa: E402
from orchestration.assets.audit import audit_reconciliation  # noqa: E402
from orchestration.assets.extract import CONNECTORS, EXTRACT_ASSETS, FRESHNESS_CHECKS, raw_key  # noqa: E402
from orchestration.assets.publish import PUBLISH_ASSETS  # noqa: E402
from orchestration.assets.transform import FULL_REFRESH_TAG, dbt_resource, veiligheidshuis_dbt  # noqa: E402
from orchestration.checks import LEDGER_CHECK  # noqa: E402
from orchestration.partitions import DAILY, TIMEZONE  # noqa: E402
from orchestration.resources import Warehouse  # noqa: E402
from orchestration.sensors import build_new_delivery_sensor  # noqa: E402

RUN_TAGS = {"vhpipe/warehouse": "writer"}  # one writing run at a time (the run queue's limit on this tag)

nightly_load = dg.define_asset_job(
    "nightly_load",
    selection=dg.AssetSelection.all(),
    partitions_def=DAILY,
    tags=RUN_TAGS,
    hooks={record_failure},
    description=(
        "Pull every source (the police drops up to the partition's day), rebuild and test the "
        "warehouse incrementally, run the checks. A range of days runs as one run."
    ),
)
full_refresh = dg.define_asset_job(
    "full_refresh",
    selection=dg.AssetSelection.all(),
    partitions_def=DAILY,
    tags={**RUN_TAGS, FULL_REFRESH_TAG: "true"},
    hooks={record_failure},
    description="As nightly_load, but rebuilds every model, the incremental facts from the raw layer.",
)
audit_checks = dg.define_asset_job(
    "audit_checks",
    selection=dg.AssetSelection.checks(
        *(dg.AssetCheckKey(raw_key(t), LEDGER_CHECK) for c in CONNECTORS for t in c.tables)
    ),
    hooks={record_failure},
    description="Re-run the Great Expectations validations on the warehouse as it is, loading nothing.",
)
nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly_load,
    name="nightly_load_0200",
    hour_of_day=2,
    minute_of_hour=0,
    description="Every night at 02:00 Europe/Amsterdam: yesterday's deliveries.",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


def build_defs(paths: DataPaths) -> dg.Definitions:
    """The definitions for one data folder (dbt finds the warehouse through prepare_environment)."""
    return dg.Definitions(
        assets=[*EXTRACT_ASSETS, veiligheidshuis_dbt, audit_reconciliation, *PUBLISH_ASSETS],
        asset_checks=FRESHNESS_CHECKS,
        jobs=[nightly_load, full_refresh, audit_checks],
        schedules=[nightly_schedule],
        sensors=[build_new_delivery_sensor(nightly_load, lambda: paths)],
        resources={
            "warehouse": Warehouse(data_dir=str(paths.root)),
            "dbt": dbt_resource(),
        },
    )


defs = build_defs(PATHS)
__all__ = ["TIMEZONE", "build_defs", "defs"]
