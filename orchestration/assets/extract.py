"""Extract assets: one per source connector, landing deliveries in the warehouse's `raw` schema.

Each carries its ledger check in the same op, so that a failing check blocks the layers below.
With `can_subset`, the check can also run alone (the `audit_checks` job) without loading anything.
"""

from collections.abc import Iterator

import dagster as dg

from orchestration.checks import ledger_check_spec, ledger_reconciles
from orchestration.resources import Warehouse
from sources.connectors import politie

POLITIE_KEY = dg.AssetKey(["raw", "politie_mutaties"])
POLITIE_SUITE = "raw_politie_mutaties__ledger"


@dg.multi_asset(
    name="politie_mutaties",
    specs=[
        dg.AssetSpec(
            POLITIE_KEY,
            group_name="raw",
            owners=["team:data-engineering"],
            kinds={"python", "duckdb"},
            description=(
                "Police (BVH/BPS) daily CSV drops landed in raw.politie_mutaties: every drop not yet in "
                "the ledger, contract-checked, pseudonymised at the door; rejected rows go to quarantine."
            ),
            skippable=True,
        )
    ],
    check_specs=[ledger_check_spec(POLITIE_KEY, POLITIE_SUITE)],
    can_subset=True,
)
def politie_mutaties(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    if POLITIE_KEY in context.selected_asset_keys:
        yield extract_politie(context, warehouse)
    if dg.AssetCheckKey(POLITIE_KEY, "ledger_reconciles") in context.selected_asset_check_keys:
        yield ledger_reconciles(warehouse, POLITIE_KEY, politie.SOURCE, politie.TABLE, POLITIE_SUITE)


def extract_politie(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        outcomes = politie.extract(con, warehouse.paths.landing_for("politie"))
        total_rows = con.execute(f"select count(*) from raw.{politie.TABLE}").fetchone()[0]
    for outcome in outcomes:
        context.log.debug(
            f"{outcome.delivery.delivery_id}: received {outcome.received}, accepted {outcome.accepted}, "
            f"quarantined {outcome.quarantined}, duplicates {outcome.duplicates}"
        )
    return dg.MaterializeResult(
        asset_key=POLITIE_KEY,
        metadata={
            "deliveries": len(outcomes),
            "received": sum(o.received for o in outcomes),
            "accepted": sum(o.accepted for o in outcomes),
            "quarantined": sum(o.quarantined for o in outcomes),
            "duplicates": sum(o.duplicates for o in outcomes),
            "rows_in_raw": int(total_rows),
        },
    )
