"""A read copy of the built PostgreSQL warehouse in a DuckDB file, for the checks and the reports.

The Great Expectations suites, the auditor's reconciliation page, `vhpipe explain` and the
published copy read the warehouse with DuckDB SQL. Rather than write each of them twice, the
PostgreSQL warehouse is read back (COPY) after dbt built it: the checks then validate exactly the
rows PostgreSQL holds, with one code path for both engines. Staging holds views only (no rows of
its own) and is left out.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.postgres.copy import to_duckdb
from orchestration.postgres.settings import PostgresWarehouse
from sources import duckdb_memory

SCHEMAS = ("raw", "reference", "intermediate", "marts", "audit")


def take_snapshot(warehouse: PostgresWarehouse, target: Path) -> dict[str, int]:
    """Write the tables of SCHEMAS in PostgreSQL into the DuckDB file `target` (replaced atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    copied = {}
    try:
        with warehouse.connect() as pg, duckdb_memory.connect(temporary) as con:
            pg.execute("set transaction isolation level repeatable read")  # one consistent view of every table
            for schema in SCHEMAS:
                tables = [
                    r[0]
                    for r in pg.execute(
                        "select table_name from information_schema.tables where table_schema = %s order by 1",
                        [schema],
                    ).fetchall()
                ]
                for table, rows in to_duckdb(pg, con, schema, tables).items():
                    copied[f"{schema}.{table}"] = rows
            con.execute("checkpoint")
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    return copied
