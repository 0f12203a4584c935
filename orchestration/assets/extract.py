"""Extract assets: one per source connector, landing deliveries in the warehouse's `raw` schema.

Each connector's asset carries a ledger check per raw table in the same op, so a failing
check blocks the layers below. With `can_subset`, the checks can also run alone (the
`audit_checks` job) without loading anything.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg
import duckdb

from orchestration.checks import LEDGER_CHECK, freshness_check, ledger_check_spec, ledger_reconciles
from orchestration.partitions import DAILY
from orchestration.postgres.replication import replicate_raw
from orchestration.resources import Warehouse
from sources.connectors import gemeenten, om, politie, vh
from sources.connectors.ledger import DeliveryOutcome
from sources.paths import DataPaths


@dataclass(frozen=True)
class Connector:
    """A source system as Dagster sees it: the raw tables it lands and how to pull it."""

    name: str
    source: str
    tables: tuple[str, ...]
    description: str
    pull: Callable[[duckdb.DuckDBPyConnection, DataPaths, date | None], list[DeliveryOutcome]]
    usual_interval: timedelta  # a source silent for longer than this gets a freshness warning
    partitioned: bool = False  # the police drops: one partition per delivery day
    retry_policy: dg.RetryPolicy | None = None


@contextmanager
def vh_register_url(paths: DataPaths) -> Iterator[str]:
    """The register's API: VH_API_URL in production; in the demo, the simulator serves it for the pull."""
    if url := os.environ.get("VH_API_URL"):
        yield url
        return
    from sources.simulator.vh_api import serve

    with serve(paths.landing_for("vh")) as url:
        yield url


def pull_vh(con: duckdb.DuckDBPyConnection, paths: DataPaths, until: date | None = None) -> list[DeliveryOutcome]:
    with vh_register_url(paths) as url:
        return vh.extract(con, url)


def om_database_url(paths: DataPaths) -> str:
    """The OM's database: any SQLAlchemy URL in OM_DATABASE_URL, or the simulator's SQLite file."""
    return os.environ.get("OM_DATABASE_URL") or om.default_url(paths.landing_for("om"))


CONNECTORS = (
    Connector(
        "politie_mutaties",
        politie.SOURCE,
        (politie.TABLE,),
        "Police (BVH/BPS) daily CSV drops: every drop not yet in the ledger, contract-checked, "
        "pseudonymised at the door; rejected rows go to quarantine.",
        lambda con, paths, until: politie.extract(con, paths.landing_for("politie"), until=until),
        usual_interval=timedelta(days=2),
        partitioned=True,
    ),
    Connector(
        "om_gps",
        om.SOURCE,
        ("om_casusoverleggen", "om_veelplegersplannen", "om_strafzaken"),
        "The OM's GPS database, pulled by watermark (gewijzigd_op); every provision logged (Wjsg art. 39j).",
        lambda con, paths, until: om.extract(con, om_database_url(paths)),
        usual_interval=timedelta(days=2),
    ),
    Connector(
        "vh_register",
        vh.SOURCE,
        ("vh_meldingen", "vh_vervolgacties", "vh_trajecten"),
        "The Veiligheidshuis register's HTTP API, paged by updated_since, retried with backoff.",
        pull_vh,
        usual_interval=timedelta(days=2),
        # the register's API fails now and then: the connector retries each page, Dagster the step
        retry_policy=dg.RetryPolicy(
            max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
        ),
    ),
    Connector(
        "gemeenten_huisverboden",
        gemeenten.SOURCE,
        (gemeenten.TABLE,),
        "The gemeenten's Excel workbooks with the tijdelijk huisverbod: every workbook not yet in the ledger.",
        lambda con, paths, until: gemeenten.extract(con, paths.landing_for("gemeenten")),
        usual_interval=timedelta(days=100),  # a workbook per quarter
    ),
)


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def build_extract_asset(connector: Connector) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=connector.name,
        specs=[
            dg.AssetSpec(
                raw_key(table),
                group_name="raw",
                owners=["team:data-engineering"],
                kinds={"python", "duckdb"},
                description=f"raw.{table}: {connector.description}",
                skippable=True,
            )
            for table in connector.tables
        ],
        check_specs=[ledger_check_spec(raw_key(table)) for table in connector.tables],
        can_subset=True,
        partitions_def=DAILY if connector.partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if connector.partitioned else None,
        retry_policy=connector.retry_policy,
        pool="warehouse",
    )
    def extract(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
        selected = [raw_key(t) for t in connector.tables if raw_key(t) in context.selected_asset_keys]
        if selected:
            yield from land(context, warehouse, connector, selected)
        for table in connector.tables:
            if dg.AssetCheckKey(raw_key(table), LEDGER_CHECK) in context.selected_asset_check_keys:
                yield ledger_reconciles(warehouse, raw_key(table), connector.source, table)

    return extract


def land(
    context: dg.AssetExecutionContext, warehouse: Warehouse, connector: Connector, selected: list[dg.AssetKey]
) -> Iterator[dg.MaterializeResult]:
    # a partitioned run lands what was delivered up to its last day, late drops included
    until = date.fromisoformat(context.partition_key_range.end) if context.has_partition_key_range else None
    with warehouse.connect(holder=f"run {context.run_id}") as con:
        outcomes = connector.pull(con, warehouse.paths, until)
        rows = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in connector.tables}
        if postgres := warehouse.postgres:
            # dbt builds in PostgreSQL: its raw gets what the landing file now holds (ledger included)
            replicated = replicate_raw(con, postgres, connector.tables)
            context.log.info(f"raw copied into {postgres}: {replicated}")
    if outcomes:  # one log line for all deliveries: every log line is an event Dagster stores
        context.log.debug(
            "\n".join(
                f"{o.delivery.delivery_id}: received {o.received}, accepted {o.accepted}, "
                f"quarantined {o.quarantined}, duplicates {o.duplicates}"
                for o in outcomes
            )
        )
    for table in connector.tables:
        if raw_key(table) not in selected:
            continue
        mine = [o for o in outcomes if o.table == table]
        yield dg.MaterializeResult(
            asset_key=raw_key(table),
            metadata={
                "deliveries": len(mine),
                "received": sum(o.received for o in mine),
                "accepted": sum(o.accepted for o in mine),
                "quarantined": sum(o.quarantined for o in mine),
                "duplicates": sum(o.duplicates for o in mine),
                "rows_in_raw": int(rows[table]),
            },
        )


EXTRACT_ASSETS = [build_extract_asset(c) for c in CONNECTORS]
FRESHNESS_CHECKS = [
    freshness_check(raw_key(table), connector.source, table, connector.usual_interval)
    for connector in CONNECTORS
    for table in connector.tables
]
