"""Publication assets: the analysts' copy of the marts, the exports and the annual report.

They run only after every blocking check upstream passed (dbt tests fail the dbt step, the
ledger checks the extract steps), so a failed run leaves the previous published copy as it was.
"""

import os
import shutil

import dagster as dg

from orchestration.dbt_selection import project_fingerprint
from orchestration.environment import DBT_PROJECT_DIR
from orchestration.publishing import SuppressionSettings, build_annual_report, export_all, publish_copy
from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.dbt_docs_site import SITE_FILES, generate_docs, site_key
from orchestration.resources import Warehouse
from sources.paths import data_paths

MARTS = [
    dg.AssetKey(["marts", "report_cells"]),
    dg.AssetKey(["marts", "bijlage_3_in_een_oogopslag"]),
    dg.AssetKey(["audit", "reconciliation"]),  # its blocking checks must pass before anything is published
]
PUBLISHED = dg.AssetKey(["published", "vh_marts"])


def report_year() -> int:
    return int(os.environ.get("VH_REPORT_YEAR", "2011"))


@dg.asset(
    key=PUBLISHED,
    deps=MARTS,
    group_name="published",
    owners=["team:analytics"],
    kinds={"duckdb"},
    pool="warehouse",
    description=(
        "The marts copied to data/published/vh_marts.duckdb for analysts (DuckDB CLI, Python, BI tools), "
        "swapped in atomically; no schema but marts, no person-level column."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.writer(holder=f"run {context.run_id} (publish)"):  # no step may write while we copy
        path = publish_copy(warehouse.read_path, warehouse.paths.published)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})


@dg.asset(
    key=["published", "exports"],
    deps=[PUBLISHED],
    group_name="published",
    owners=["team:analytics"],
    kinds={"csv", "parquet", "excel"},
    description=(
        "Every mart as CSV (plain, and ;-separated with BOM for Dutch Excel), Parquet and one XLSX workbook: "
        "exact in data/exports/intern, small cells suppressed in data/exports/openbaar."
    ),
)
def exports(warehouse: Warehouse) -> dg.MaterializeResult:
    paths = warehouse.paths
    internal = export_all(paths.published, paths.exports / "intern", None, year=report_year())
    public = export_all(paths.published, paths.exports / "openbaar", SuppressionSettings.from_env(), year=report_year())
    return dg.MaterializeResult(metadata={"files_intern": len(internal), "files_openbaar": len(public)})


@dg.asset(
    key=["published", "jaarverslag"],
    deps=[PUBLISHED],
    group_name="published",
    owners=["team:analytics"],
    kinds={"html"},
    description=(
        "The annual report as one offline HTML page: exact (intern) and with small cells suppressed (openbaar)."
    ),
)
def jaarverslag(warehouse: Warehouse) -> dg.MaterializeResult:
    paths, year = warehouse.paths, report_year()
    internal = build_annual_report(paths.published, paths.reports / f"jaarverslag_{year}.html", year)
    public = build_annual_report(
        paths.published, paths.reports / f"jaarverslag_{year}_openbaar.html", year,
        suppression_mode=SuppressionSettings.from_env(),
    )  # fmt: skip
    return dg.MaterializeResult(metadata={"intern": str(internal), "openbaar": str(public)})


@dg.asset(
    key=["published", "dbt_docs"],
    deps=[PUBLISHED],
    group_name="published",
    owners=["team:analytics"],
    kinds={"dbt", "html"},
    description="The dbt documentation site (models, columns, lineage graph) in data/reports/dbt_docs/.",
)
def dbt_docs(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    site = warehouse.paths.reports / "dbt_docs"
    with warehouse.writer(holder=f"run {context.run_id} (dbt docs)"):  # dbt opens the warehouse to read the catalog
        key = None if warehouse.postgres else _site_key(warehouse)
        kept = key is not None and _site_built_for(site) == key
        if not kept:
            # in the build's folder: its manifest holds the SQL the build compiled, so dbt need not compile it again
            build = generate_docs(data_paths().dbt_build_target)
    if not kept:
        for name in SITE_FILES:
            write_atomically(site / name, lambda temporary, name=name: shutil.copyfile(build / name, temporary))
        if key is not None:
            write_atomically(site / SITE_KEY, lambda temporary: temporary.write_text(key, encoding="utf-8"))
    return dg.MaterializeResult(
        metadata={"index": dg.MetadataValue.path(str(site / "index.html")), "unchanged_project_and_catalog": kept}
    )


# beside the site: what it was generated for; a night that changes neither the project nor the warehouse's
# relations and columns keeps the site (dbt docs generate costs about a second, and a night's build
# compiles only the models it builds)
SITE_KEY = ".generated_for"


def _site_key(warehouse: Warehouse) -> str:
    with warehouse.connect(read_only=True) as con:
        return site_key(con, project_fingerprint(DBT_PROJECT_DIR))


def _site_built_for(site) -> str | None:
    if not all((site / name).exists() for name in SITE_FILES):
        return None
    try:
        return (site / SITE_KEY).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


PUBLISH_ASSETS = [published_marts, exports, jaarverslag, dbt_docs]
