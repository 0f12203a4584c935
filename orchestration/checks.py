"""Great Expectations validations as Dagster asset check results.

A check that must stop publication runs in the op of the asset it guards (a check spec with
`blocking=True`): when it fails, the step fails and nothing downstream is built from the bad data.
"""

import dagster as dg

from expectations import frames
from expectations.runner import run_suite
from orchestration.resources import Warehouse

LEDGER_CHECK = "ledger_reconciles"
LEDGER_SUITE = "raw_ledger_reconciliation"


def ledger_check_spec(asset_key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        LEDGER_CHECK,
        asset=asset_key,
        blocking=True,
        description=(
            f"GX suite {LEDGER_SUITE}: per delivery, the rows in raw equal the rows the connector's ledger "
            "accepted. Fails, naming the delivery, when a landed row goes missing or appears from nowhere."
        ),
    )


def ledger_reconciles(warehouse: Warehouse, asset_key: dg.AssetKey, source: str, table: str) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        frame = frames.ledger_vs_landed(con, source, table)
    outcome = run_suite(LEDGER_SUITE, frame, id_column="delivery_key")
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=LEDGER_CHECK,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(outcome.failures) or None,
        metadata={
            "suite": outcome.suite,
            "expectations_evaluated": outcome.evaluated,
            "deliveries": len(frame),
            "failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in outcome.failures) or "none"),
        },
    )
