"""The delivery ledger and the quarantine, in the warehouse's `raw` schema.

Every delivery a connector takes is recorded once with what happened to its rows:
received = accepted + quarantined + duplicates. The rows, the quarantine entries and the
ledger line of one delivery are written in one transaction, so a crash never leaves a
delivery half landed and a delivery is never taken twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import numpy as np
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


def row_hashes(rows: pd.DataFrame) -> list[str]:
    """Per row, what `_row_hash` holds: a SHA-256 (first 32 hex digits) of the row's values as text
    (missing as ''), joined by '|' in column order."""
    columns = [_as_hashed_text(rows[c]) for c in rows.columns]
    return [hashlib.sha256("|".join(values).encode()).hexdigest()[:32] for values in zip(*columns, strict=True)]


BOOL_TEXTS = np.array(["False", "True"], dtype=object)


def _as_hashed_text(column: pd.Series) -> np.ndarray:
    if column.dtype == np.bool_:  # the two texts shared by every row, not one new string per row
        return BOOL_TEXTS[column.to_numpy().astype(np.intp)]
    if pd.api.types.is_bool_dtype(column.dtype):
        return np.where(column.to_numpy(), "True", "False").astype(object)
    if isinstance(column.dtype, pd.StringDtype):  # text already: only the missing values change
        return column.to_numpy(dtype=object, na_value="")
    return column.astype("string").fillna("").to_numpy(dtype=object)


def repeated_rows(con: duckdb.DuckDBPyConnection, table: str, candidates: pd.DataFrame) -> pd.Series:
    """Per candidate row, whether it is a duplicate: its exact content (`_row_hash`) is in raw.<table>
    already (a delivery taken again), or an earlier candidate row has it."""
    hashes = candidates["_row_hash"]
    con.register("candidate_hashes", hashes.to_frame())
    try:
        query = f"select distinct c._row_hash from candidate_hashes c join raw.{table} r using (_row_hash)"
        landed = {row[0] for row in con.execute(query).fetchall()}
    finally:
        con.unregister("candidate_hashes")
    return hashes.isin(landed) | hashes.duplicated()


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
    [outcome] = land_deliveries(
        con,
        table,
        [delivery],
        accepted.assign(_delivery_id=delivery.delivery_id),
        quarantined.assign(_delivery_id=delivery.delivery_id),
        {delivery.delivery_id: duplicates},
        after_insert=after_insert,
    )
    return outcome


def land_new_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    deliveries: list[Delivery],
    candidates: pd.DataFrame,
    quarantined: pd.DataFrame,
) -> list[DeliveryOutcome]:
    """Land a batch of deliveries' accepted `candidates`: a row already landed (a delivery sent again)
    or repeated within the batch (in the same delivery or an earlier one, which lands first) is
    counted as a duplicate of its delivery instead."""
    repeated = repeated_rows(con, table, candidates)
    duplicates = candidates.loc[repeated, "_delivery_id"].value_counts()
    counts = {key: int(count) for key, count in duplicates.items()}
    return land_deliveries(con, table, deliveries, candidates[~repeated], quarantined, counts)


def land_deliveries(
    con: duckdb.DuckDBPyConnection,
    table: str,
    deliveries: list[Delivery],
    accepted: pd.DataFrame,
    quarantined: pd.DataFrame,
    duplicates: dict[str, int],
    *,
    after_insert: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> list[DeliveryOutcome]:
    """Land several deliveries of one source in one transaction, all or nothing; the rows of
    `accepted` and `quarantined` name their delivery in `_delivery_id`.

    One transaction for a batch costs what one costs for a delivery: a connector taking many small
    deliveries (a year of daily police drops) lands them together instead of paying per delivery."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    accepted_per = accepted["_delivery_id"].value_counts()
    quarantined_per = quarantined["_delivery_id"].value_counts()
    outcomes = []
    for delivery in deliveries:
        key = delivery.delivery_id
        counts = int(accepted_per.get(key, 0)), int(quarantined_per.get(key, 0)), duplicates.get(key, 0)
        outcomes.append(DeliveryOutcome(delivery, sum(counts), *counts, table=table))
    rows = accepted.assign(_loaded_at=loaded_at)
    quarantine = pd.DataFrame(
        {
            "source": deliveries[0].source if deliveries else "",
            "delivery_id": quarantined["_delivery_id"],
            "row_number": quarantined["_row_number"].astype("int64"),
            "reason": quarantined["reason"],
            "record": [
                json.dumps(r, ensure_ascii=False, default=str)
                for r in quarantined.drop(columns=["reason", "_row_number", "_delivery_id"]).to_dict("records")
            ],
            "quarantined_at": loaded_at,
        }
    )
    ledger_lines = pd.DataFrame(
        {
            "delivery_id": [o.delivery.delivery_id for o in outcomes],
            "source": [o.delivery.source for o in outcomes],
            "delivery_name": [o.delivery.name for o in outcomes],
            "content_sha256": [o.delivery.content_sha256 for o in outcomes],
            "received": [o.received for o in outcomes],
            "accepted": [o.accepted for o in outcomes],
            "quarantined": [o.quarantined for o in outcomes],
            "duplicates": [o.duplicates for o in outcomes],
            "loaded_at": loaded_at,
            "raw_table": table,
        }
    )
    con.register("incoming_rows", rows)
    con.register("incoming_quarantine", quarantine)
    con.register("incoming_deliveries", ledger_lines)
    con.execute("begin transaction")
    try:
        con.execute(f"insert into raw.{table} by name select * from incoming_rows")
        con.execute("insert into raw._quarantine by name select * from incoming_quarantine")
        pause_at("extract")  # a test kills the run here: rows written, no ledger line, no commit
        con.execute("insert into raw._deliveries by name select * from incoming_deliveries")
        if after_insert is not None:
            after_insert(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming_rows")
        con.unregister("incoming_quarantine")
        con.unregister("incoming_deliveries")
    return outcomes
