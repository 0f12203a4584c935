"""Great Expectations validations as Dagster asset check results.

A check that must stop publication runs in the op of the asset it guards (a check spec with
`blocking=True`): when it fails, the step fails and nothing downstream is built from the bad data.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from expectations import frames
from expectations.runner import run_suite
from orchestration.resources import Warehouse

LEDGER_CHECK = "ledger_reconciles"
FRESHNESS_CHECK = "delivered_recently"
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


def freshness_check(
    asset_key: dg.AssetKey, source: str, table: str, usual_interval: timedelta
) -> dg.AssetChecksDefinition:
    """Warn (never block) when a source has delivered nothing into `table` for longer than usual."""

    @dg.asset_check(
        asset=asset_key,
        name=FRESHNESS_CHECK,
        blocking=False,
        description=(
            f"Warns when {source} has delivered nothing into raw.{table} for more than {usual_interval.days} days."
        ),
    )
    def delivered_recently(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            last = con.execute(
                "select max(loaded_at) from raw._deliveries where source = ? and coalesce(raw_table, ?) = ?",
                [source, table, table],
            ).fetchall()[0][0]
        now = datetime.now(UTC).replace(tzinfo=None)
        silent_for = now - last if last else None
        fresh = silent_for is not None and silent_for <= usual_interval
        return dg.AssetCheckResult(
            passed=fresh,
            severity=dg.AssetCheckSeverity.WARN,
            description=None
            if fresh
            else (
                f"{source} has delivered nothing into raw.{table} "
                + (f"since {last:%Y-%m-%d %H:%M} UTC" if last else "yet")
                + f" (usual interval {usual_interval.days} days)"
            ),
            metadata={"last_delivery_loaded_at": str(last) if last else "never"},
        )

    return delivered_recently
