"""Whole tables between DuckDB and PostgreSQL, through CSV and COPY (no DuckDB extension needed).

CSV keeps what matters here: a null is an empty field, an empty string a quoted one ("" both
ways), and every column gets its declared type on the other side (types mapped below).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.sql_literals import string_literal

# DuckDB's data types as PostgreSQL names them; anything else travels as text
TO_POSTGRES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    # the quarantine keeps a refused record as DuckDB JSON, which allows NaN; PostgreSQL's json does not
    "JSON": "text",
}
# and back: PostgreSQL's information_schema names as DuckDB types
TO_DUCKDB = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "boolean": "BOOLEAN",
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "json": "JSON",
    "jsonb": "JSON",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return TO_POSTGRES.get(duckdb_type, "text")


def duckdb_type(data_type: str, precision: int | None, scale: int | None) -> str:
    if data_type == "numeric":
        # a numeric without precision (PostgreSQL's sum, extract, …) has no DuckDB DECIMAL: a double holds it
        return f"DECIMAL({precision},{scale})" if precision and precision <= 38 else "DOUBLE"
    return TO_DUCKDB.get(data_type, "VARCHAR")


def quoted(*names: str) -> str:
    return ".".join('"' + n.replace('"', '""') + '"' for n in names)


def duckdb_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[Column]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [Column(name, postgres_type(kind)) for name, kind in rows]


def postgres_columns(pg, schema: str, table: str) -> list[Column]:
    rows = pg.execute(
        "select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [Column(name, duckdb_type(kind, precision, scale)) for name, kind, precision, scale in rows]


def to_postgres(con: duckdb.DuckDBPyConnection, pg, schema: str, tables: Iterable[str]) -> dict[str, int]:
    """Replace `schema`.<table> in PostgreSQL by DuckDB's, for each table, in the caller's transaction.

    A table whose columns are unchanged is emptied and refilled (views over it stay); one whose
    columns changed is dropped with what depends on it (dbt rebuilds that) and created anew.
    Returns the rows copied per table.
    """
    pg.execute(f"create schema if not exists {quoted(schema)}")
    copied = {}
    with tempfile.TemporaryDirectory(prefix="vhpipe-copy-") as folder:
        for table in tables:
            columns = duckdb_columns(con, schema, table)
            target = quoted(schema, table)
            existing = [Column(c.name, c.type) for c in _postgres_declared(pg, schema, table)]
            if existing == columns:
                pg.execute(f"truncate {target}")
            else:
                pg.execute(f"drop table if exists {target} cascade")
                pg.execute(f"create table {target} ({_column_list(columns)})")
            csv = Path(folder) / f"{table}.csv"
            con.execute(f"copy (select * from {quoted(schema, table)}) to {string_literal(csv)} (format csv, header)")
            with pg.cursor().copy(f"copy {target} from stdin (format csv, header true)") as copy, csv.open("rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            copied[table] = pg.execute(f"select count(*) from {target}").fetchone()[0]
    return copied


def _postgres_declared(pg, schema: str, table: str) -> list[Column]:
    """The columns of a PostgreSQL table with their types as declared by to_postgres."""
    rows = pg.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute as a "
        "join pg_class as c on a.attrelid = c.oid join pg_namespace as n on c.relnamespace = n.oid "
        "where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped order by a.attnum",
        [schema, table],
    ).fetchall()
    aliases = {"timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz"}
    return [Column(name, aliases.get(kind, kind)) for name, kind in rows]


def to_duckdb(pg, con: duckdb.DuckDBPyConnection, schema: str, tables: Iterable[str]) -> dict[str, int]:
    """Create `schema`.<table> in DuckDB with PostgreSQL's rows, for each table (or view). Returns rows per table."""
    con.execute(f"create schema if not exists {quoted(schema)}")
    copied = {}
    with tempfile.TemporaryDirectory(prefix="vhpipe-copy-") as folder:
        for table in tables:
            columns = postgres_columns(pg, schema, table)
            csv = Path(folder) / f"{table}.csv"
            source = f"copy (select * from {quoted(schema, table)}) to stdout (format csv, header true)"
            with csv.open("wb") as f, pg.cursor().copy(source) as copy:
                for block in copy:
                    f.write(block)
            types = ", ".join(f"{string_literal(c.name)}: '{c.type}'" for c in columns)
            con.execute(f"create or replace table {quoted(schema, table)} ({_column_list(columns)})")
            con.execute(
                f"insert into {quoted(schema, table)} select * from read_csv({string_literal(csv)}, header = true, "
                f"columns = {{{types}}}, auto_detect = false, allow_quoted_nulls = false)"
            )
            copied[table] = con.execute(f"select count(*) from {quoted(schema, table)}").fetchone()[0]
    return copied


def _column_list(columns: list[Column]) -> str:
    return ", ".join(f"{quoted(c.name)} {c.type}" for c in columns)
