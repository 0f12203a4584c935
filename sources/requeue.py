"""Requeue: land a delivery's quarantined records after all, once the rule that stopped them was relaxed.

A quarantined row reaches the warehouse in one of two ways:

1. **The source corrects it.** For the file sources (police drops, gemeenten workbooks) that is a
   corrected re-delivery: a new file (another name, or the same name with other bytes) is a new
   delivery; its unchanged rows count as duplicates and the corrected rows land. The OM and the
   VH register correct a record by changing it, which sets its `gewijzigd_op`: the next pull takes it.
   This is the only way for a row stopped by a rule on the person's fields (a BSN failing the
   11-proef, an impossible birth date): their clear values never land, so nothing in the
   warehouse can be checked again.
2. **The rule was too strict** (a code the source added, such as a new doelgroep of the VH
   register, before the connector's code list knew it). Fix the rule in the connector, then
   `requeue(con, delivery_id)`: the stored records (pseudonymised, as they would have landed) are
   checked again against the connector's current rules on the record's own fields. The connector
   recorded at the door whether the person's fields passed (`_person_fields_valid`); a record that
   failed them, or was quarantined before that was recorded, stays in quarantine.

What passes lands as a new delivery `requeue of <delivery id>` with its own ledger line
(received = the records that now pass = accepted + duplicates), and its quarantine entries are
marked `resolved_by` that delivery, in one transaction. The original delivery's ledger line and
quarantine entries stay as they were: per delivery the ledger still balances. Requeueing again
takes only the records still unresolved, so it is idempotent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from sources.connectors import gemeenten, ledger, om, politie, rules, vh

STILL_PERSONAL = (
    "the person's fields (BSN, name, birth date) failed their rules, or were not recorded as passing: "
    "they never land, so only a corrected delivery from the source can fix this row"
)


class RequeueError(ValueError):
    """The delivery cannot be requeued (unknown, or of a source without rules)."""


@dataclass(frozen=True)
class Revalidation:
    """How a source's stored records are checked again: its current rules, on the columns they name."""

    rules_for: Callable[[pd.DataFrame], list[rules.Rule]]
    rule_column: dict[str, str]  # raw column -> the column the rules name (where they differ)


@dataclass(frozen=True)
class RequeueOutcome:
    delivery_id: str
    landed: ledger.DeliveryOutcome | None  # None when no record passes now
    still_quarantined: dict[int, str]  # row number -> why it stays


def revalidation(source: str, raw_table: str, delivery_name: str) -> Revalidation:
    """The connector's current rules on a record's own fields (looked up now, so a relaxed rule counts)."""
    if source == politie.SOURCE:
        day = politie.latest_event_day(delivery_name)
        return Revalidation(lambda _: politie.event_rules(day), {c.lower(): c for c in politie.COLUMNS})
    if source == om.SOURCE:
        entity = next(e for e in om.ENTITIES if e.raw_table == raw_table)
        return Revalidation(lambda _: om.own_rules(entity), {})
    if source == vh.SOURCE:
        endpoint = next(e for e in vh.ENDPOINTS if e.table == raw_table)
        return Revalidation(lambda _: endpoint.record_rules, {raw: api for api, raw in endpoint.columns.items()})
    if source == gemeenten.SOURCE:
        return Revalidation(gemeenten.registration_rules, {})
    raise RequeueError(f"no rules known for source {source!r}")


def requeue(con: duckdb.DuckDBPyConnection, delivery_id: str) -> RequeueOutcome:
    """Check the delivery's unresolved quarantined records again and land those that pass now."""
    ledger.ensure_ledger(con)
    source, name, table = _delivery(con, delivery_id)
    stored = _unresolved(con, delivery_id)
    if stored.empty:
        return RequeueOutcome(delivery_id, None, {})
    reasons = _reasons_now(stored, revalidation(source, table, name))
    passing = stored[reasons.isna()]
    still = {int(n): str(r) for n, r in zip(stored.loc[reasons.notna(), "_row_number"], reasons.dropna(), strict=True)}
    if passing.empty:
        return RequeueOutcome(delivery_id, None, still)
    return RequeueOutcome(delivery_id, _land(con, source, table, delivery_id, passing), still)


def _delivery(con: duckdb.DuckDBPyConnection, delivery_id: str) -> tuple[str, str, str]:
    found = con.execute(
        "select source, delivery_name, raw_table from raw._deliveries where delivery_id = ?", [delivery_id]
    ).fetchall()
    if not found:
        raise RequeueError(f"no delivery {delivery_id!r} in the ledger (raw._deliveries)")
    source, name, table = found[0]
    if not table:
        raise RequeueError(f"the ledger does not say which raw table delivery {delivery_id!r} landed in")
    return source, name, table


def _unresolved(con: duckdb.DuckDBPyConnection, delivery_id: str) -> pd.DataFrame:
    """The delivery's quarantined records not yet landed by a requeue, as raw rows with their row number."""
    found = con.execute(
        "select row_number, record::varchar from raw._quarantine "
        "where delivery_id = ? and resolved_by is null order by row_number",
        [delivery_id],
    ).fetchall()
    records = [{**json.loads(record), "_row_number": row_number} for row_number, record in found]
    return pd.DataFrame.from_records(records)


def _reasons_now(stored: pd.DataFrame, check: Revalidation) -> pd.Series:
    """Per stored record the reason it still cannot land, or None."""
    frame = stored.rename(columns=check.rule_column)
    rules_now = check.rules_for(frame)
    for column in {rule.column for rule in rules_now} - set(frame.columns):
        frame[column] = None
    names = {rule.column for rule in rules_now}
    reasons = rules.first_violation(frame.astype(dict.fromkeys(names, "str")), rules_now)
    recorded = stored.get(rules.PERSON_FIELDS_VALID, pd.Series(False, index=stored.index))
    person_ok = recorded.eq(True)
    return reasons.where(person_ok | reasons.notna(), STILL_PERSONAL)


def _land(
    con: duckdb.DuckDBPyConnection, source: str, table: str, original: str, passing: pd.DataFrame
) -> ledger.DeliveryOutcome:
    rows = passing.drop(columns=[rules.PERSON_FIELDS_VALID])
    hashes = rows["_row_hash"]
    delivery = ledger.Delivery(source, f"requeue of {original}", hashlib.sha256("\n".join(hashes).encode()).hexdigest())
    repeated = ledger.repeated_rows(con, table, rows)
    resolved = pd.DataFrame({"row_number": passing["_row_number"].astype("int64")})

    def mark_resolved(tx: duckdb.DuckDBPyConnection) -> None:
        tx.register("requeued_rows", resolved)
        try:
            tx.execute(
                "update raw._quarantine set resolved_by = ? "
                "where delivery_id = ? and row_number in (select row_number from requeued_rows)",
                [delivery.delivery_id, original],
            )
        finally:
            tx.unregister("requeued_rows")

    no_quarantine = pd.DataFrame({"_row_number": pd.Series(dtype="int64"), "reason": pd.Series(dtype="str")})
    return ledger.land_delivery(
        con, delivery, table, rows[~repeated], no_quarantine, int(repeated.sum()), after_insert=mark_resolved
    )
