"""The Dagster code location: `dagster dev -m orchestration.definitions` loads `defs`."""

import dagster as dg

from orchestration.environment import prepare_environment
from sources.paths import DataPaths

PATHS = prepare_environment()

from orchestration.assets.extract import CONNECTORS, EXTRACT_ASSETS, raw_key  # noqa: E402  (needs the environment)
from orchestration.assets.transform import dbt_resource, veiligheidshuis_dbt  # noqa: E402
from orchestration.checks import LEDGER_CHECK  # noqa: E402
from orchestration.resources import Warehouse  # noqa: E402

nightly_load = dg.define_asset_job(
    "nightly_load",
    selection=dg.AssetSelection.all(),
    description="Pull every source, rebuild and test the warehouse, run the checks.",
)

audit_checks = dg.define_asset_job(
    "audit_checks",
    selection=dg.AssetSelection.checks(
        *(dg.AssetCheckKey(raw_key(t), LEDGER_CHECK) for c in CONNECTORS for t in c.tables)
    ),
    description="Re-run the Great Expectations validations on the warehouse as it is, loading nothing.",
)


def build_defs(paths: DataPaths) -> dg.Definitions:
    """The definitions for one data folder (dbt finds the warehouse through prepare_environment)."""
    return dg.Definitions(
        assets=[*EXTRACT_ASSETS, veiligheidshuis_dbt],
        jobs=[nightly_load, audit_checks],
        resources={
            "warehouse": Warehouse(data_dir=str(paths.root)),
            "dbt": dbt_resource(),
        },
    )


defs = build_defs(PATHS)
