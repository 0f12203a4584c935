"""The delivery ledger and the quarantine, in the warehouse's `raw` schema.

Every delivery a connector takes is recorded once with what happened to its rows:
received = accepted + quarantined + duplicates. The rows, the quarantine entries and the
ledger line of one delivery are written in one transaction, so a crash never leaves a
delivery half landed and a delivery is never taken twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from sources.faultpoints import pause_at

LEDGER_DDL = """
create schema if not exists raw;
create table if not exists raw._deliveries (
    delivery_id varchar primary key,
    source varchar not null,
    delivery_name varchar not null,
    content_sha256 varchar not null,
    received integer not null,
    accepted integer not null,
    quarantined integer not null,
    duplicates integer not null,
    loaded_at timestamp not null,
    raw_table varchar,
    check (received = accepted + quarantined + duplicates)
);
alter table raw._deliveries add column if not exists raw_table varchar;
create table if not exists raw._quarantine (
    source varchar not null,
    delivery_id varchar not null,
    row_number integer not null,
    reason varchar not null,
    record json not null,
    quarantined_at timestamp not null
);
-- set when a quarantined record was landed after all by a requeue (sources/requeue.py)
alter table raw._quarantine add column if not exists resolved_by varchar;
-- every retention purge (sources/retention.py): per raw table and delivery, the rows it removed
create table if not exists raw._purges (
    purged_at timestamp not null,
    table_name varchar not null,
    delivery_id varchar,
    cutoff date not null,
    retention_years integer not null,
    rows integer not null
);
"""


@dataclass(frozen=True)
class Delivery:
    source: str
    name: str
    content_sha256: str

    @property
    def delivery_id(self) -> str:
        return f"{self.source}:{self.name}:{self.content_sha256[:12]}"


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery: Delivery
    received: int
    accepted: int
    quarantined: int
    duplicates: int
    table: str = ""  # the raw table the delivery landed in


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LEDGER_DDL)


def loaded_deliveries(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    """The watermark of a file source: the ids of the deliveries already taken."""
    rows = con.execute("select delivery_id from raw._deliveries where source = ?", [source]).fetchall()
    return {r[0] for r in rows}


def land_delivery(
    con: duckdb.DuckDBPyConnection,
    delivery: Delivery,
    table: str,
    accepted: pd.DataFrame,
    quarantined: pd.DataFrame,
    duplicates: int,
    *,
    after_insert: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> DeliveryOutcome:
    """Append accepted rows to raw.<table> (which the connector has created), quarantined rows
    (with `reason`) to the quarantine and the delivery to the ledger, all or nothing.

    `after_insert` runs inside the same transaction (a connector advancing its watermark or
    logging the provision), so it lands exactly when the delivery lands."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    outcome = DeliveryOutcome(
        delivery,
        received=len(accepted) + len(quarantined) + duplicates,
        accepted=len(accepted),
        quarantined=len(quarantined),
        duplicates=duplicates,
        table=table,
    )
    rows = accepted.assign(_delivery_id=delivery.delivery_id, _loaded_at=loaded_at)
    quarantine = pd.DataFrame(
        {
            "source": delivery.source,
            "delivery_id": delivery.delivery_id,
            "row_number": quarantined["_row_number"].astype("int64"),
            "reason": quarantined["reason"],
            "record": [
                json.dumps(r, ensure_ascii=False, default=str)
                for r in quarantined.drop(columns=["reason", "_row_number"]).to_dict("records")
            ],
            "quarantined_at": loaded_at,
        }
    )
    con.register("incoming_rows", rows)
    con.register("incoming_quarantine", quarantine)
    con.execute("begin transaction")
    try:
        con.execute(f"insert into raw.{table} by name select * from incoming_rows")
        con.execute("insert into raw._quarantine by name select * from incoming_quarantine")
        pause_at("extract")  # a test kills the run here: rows written, no ledger line, no commit
        con.execute(
            "insert into raw._deliveries values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                delivery.delivery_id,
                delivery.source,
                delivery.name,
                delivery.content_sha256,
                outcome.received,
                outcome.accepted,
                outcome.quarantined,
                outcome.duplicates,
                loaded_at,
                table,
            ],
        )
        if after_insert is not None:
            after_insert(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming_rows")
        con.unregister("incoming_quarantine")
    return outcome
