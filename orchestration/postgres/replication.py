"""The raw schema, from the DuckDB landing file into the PostgreSQL warehouse.

The connectors keep landing in DuckDB: their ledger, quarantine and watermarks are written in one
transaction per delivery there, and none of that changes with the warehouse. After each extract
step the tables it touched and the ledger tables are copied whole into PostgreSQL's `raw`, in one
PostgreSQL transaction: readers see the old raw or the new, never half of it. A whole copy also
carries what `vhpipe purge` and `vhpipe requeue` did to the landing file.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from orchestration.postgres.copy import to_postgres
from orchestration.postgres.settings import PostgresWarehouse

RAW = "raw"


class ReplicationError(RuntimeError):
    """PostgreSQL's raw does not hold what the landing file holds after the copy."""


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [RAW],
    ).fetchall()
    return [r[0] for r in rows]


def replicate_raw(
    con: duckdb.DuckDBPyConnection, warehouse: PostgresWarehouse, tables: Iterable[str] | None = None
) -> dict[str, int]:
    """Copy `tables` of raw (default: all) and the ledger tables (raw._*) into PostgreSQL; rows per table.

    Fails (ReplicationError, nothing committed) when a table's row count differs on the two sides.
    """
    present = raw_tables(con)
    wanted = set(present if tables is None else tables) | {t for t in present if t.startswith("_")}
    selected = [t for t in present if t in wanted]
    with warehouse.connect() as pg:
        copied = to_postgres(con, pg, RAW, selected)
        landed = {t: con.execute(f'select count(*) from {RAW}."{t}"').fetchone()[0] for t in selected}
        if differing := {t: (landed[t], copied[t]) for t in selected if landed[t] != copied[t]}:
            pg.rollback()
            raise ReplicationError(f"raw copied into PostgreSQL differs from the landing file: {differing}")
        pg.commit()
    return copied
