"""The auditor's asset: every Great Expectations suite on the built warehouse, the report's own
contradictions, the Data Docs and reconciliation.html.

It is built even when checks fail (that is when an auditor needs it most); its checks then fail,
and the reconciliation and raw-contract checks block what depends on it: the published copy.
"""

import os

import dagster as dg

from expectations import publication, suites_api
from expectations.report import build_reports, member_pages
from expectations.reuse import OutcomeStore
from orchestration.postgres.copy import to_postgres
from orchestration.postgres.snapshot import take_snapshot
from orchestration.resources import Warehouse
from sources import duckdb_memory

AUDIT = dg.AssetKey(["audit", "reconciliation"])
GROUP_CHECKS = {
    # group of suites → (check name, blocks publication)
    suites_api.RAW: ("raw_delivery_contracts", True),
    suites_api.HARMONISED: ("harmonised_layer_integrity", False),
    suites_api.RECONCILIATION: ("report_reconciles", True),
}


def report_year() -> int:
    return int(os.environ.get("VH_REPORT_YEAR", "2011"))


@dg.multi_asset(
    name="audit_reconciliation",
    specs=[
        dg.AssetSpec(
            AUDIT,
            deps=[dg.AssetKey(["marts", "report_cells"]), dg.AssetKey(["audit", "report_cell_members"])],
            group_name="audit",
            owners=["team:audit"],
            kinds={"python", "html"},
            description=(
                "Every GX suite (delivery contracts, harmonised layer, reconciliation of every cell against "
                "the published figures), audit.publication_discrepancies, the Data Docs and reconciliation.html "
                "in data/reports/."
            ),
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            name, asset=AUDIT, blocking=blocking, description=f"Every GX suite of the group '{group}' passes."
        )
        for group, (name, blocking) in GROUP_CHECKS.items()
    ],
    pool="warehouse",
)
def audit_reconciliation(context: dg.AssetExecutionContext, warehouse: Warehouse):
    year, paths = report_year(), warehouse.paths
    if warehouse.postgres:
        discrepancies = audit_postgres(context, warehouse, year)
    else:
        with warehouse.connect(holder=f"run {context.run_id} (audit)") as con:
            discrepancies = publication.write_discrepancies(con, year)
    with (
        warehouse.writer(holder=f"run {context.run_id} (audit)"),  # read while nobody writes
        member_pages.written_alongside(warehouse.read_path, paths.reports) as member_links,
    ):
        outcomes = suites_api.run_all(warehouse.read_path, year, OutcomeStore(paths.validations))
        reports = build_reports(
            warehouse.read_path, paths.reports, outcomes, year=year, run_name=context.run_id, member_links=member_links
        )
    yield dg.MaterializeResult(
        asset_key=AUDIT,
        metadata={
            "reconciliation": dg.MetadataValue.path(str(reports.reconciliation)),
            "data_docs": dg.MetadataValue.path(str(reports.data_docs_index)),
            "suites": len(outcomes),
            "suites_on_unchanged_rows": sum(o.reused for o in outcomes),
            "publication_discrepancies": len(discrepancies),
        },
    )
    for group, (name, _) in GROUP_CHECKS.items():
        mine = [o for o in outcomes if o.group == group]
        failures = [f"{o.subject} · {o.suite}: {f}" for o in mine if not o.success for f in o.failures]
        yield dg.AssetCheckResult(
            asset_key=AUDIT,
            check_name=name,
            passed=not failures,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(failures[:20]) or None,
            metadata={
                "suites": len(mine),
                "failed_suites": sum(not o.success for o in mine),
                "expectations": sum(o.evaluated for o in mine),
            },
        )


def audit_postgres(context: dg.AssetExecutionContext, warehouse: Warehouse, year: int):
    """Read the PostgreSQL warehouse back into its snapshot (what the suites and reports read), and
    write audit.publication_discrepancies in both."""
    postgres, snapshot = warehouse.postgres, warehouse.paths.postgres_snapshot
    with warehouse.writer(holder=f"run {context.run_id} (audit)"):
        copied = take_snapshot(postgres, snapshot)
        context.log.info(f"{postgres} read back into {snapshot}: {len(copied)} tables")
        with duckdb_memory.connect(snapshot) as con:
            discrepancies = publication.write_discrepancies(con, year)
            with postgres.connect() as pg:
                to_postgres(con, pg, "audit", ["publication_discrepancies"])
                pg.commit()
    return discrepancies
