"""The data frames the suites validate, read from the warehouse."""

from __future__ import annotations

import duckdb
import pandas as pd


def ledger_vs_landed(con: duckdb.DuckDBPyConnection, source: str, table: str) -> pd.DataFrame:
    """Per delivery of `source` into raw.<table>: rows the ledger accepted and rows the table holds.

    A full outer join, so a delivery known to only one side shows up with a null on the other.
    """
    return con.execute(
        f"""
        with landed as (
            select _delivery_id as delivery_id, count(*) as landed
            from raw.{table}
            group by all
        ),
        purged as (
            -- rows removed by the retention purge (raw._purges) still count as landed
            select delivery_id, sum(rows) as purged
            from raw._purges
            where table_name = ?
            group by all
        ),
        ledger as (
            select delivery_id, accepted
            from raw._deliveries
            where source = ? and coalesce(raw_table, ?) = ?
        )
        select
            coalesce(ledger.delivery_id, landed.delivery_id) as delivery_key,
            ledger.delivery_id,
            coalesce(landed.landed, 0) + coalesce(purged.purged, 0) as landed,
            coalesce(ledger.accepted, 0) as accepted
        from ledger
        full outer join landed on ledger.delivery_id = landed.delivery_id
        left join purged on coalesce(ledger.delivery_id, landed.delivery_id) = purged.delivery_id
        order by delivery_key
        """,
        [table, source, table, table],
    ).df()
