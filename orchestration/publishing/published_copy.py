"""The published copy: the marts in a DuckDB file of their own, for analysts and BI tools.

DuckDB allows one writer per file and a writer locks readers out, so analysts never open the
warehouse. The copy is written to a temporary file next to the target and swapped in with
os.replace: a reader opens either the old file or the new one, never a half-written one, and a
reader that holds the old file open keeps reading it. When anything fails, the previous copy stays.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.publishing.atomic_files import remove_stale_temporaries, temporary_for
from orchestration.publishing.marts import (
    MARTS_SCHEMA,
    REQUIRED_MARTS,
    assert_no_person_level_columns,
    infer_report_year,
    published_marts,
)
from sources import duckdb_memory

SOURCE = "warehouse"  # the warehouse's name while attached to the copy
METADATA_SCHEMA = "publicatie"


class PublicationError(RuntimeError):
    """The warehouse cannot be published (missing marts); the previous copy stays."""


def publish_copy(warehouse: Path, published: Path) -> Path:
    """Copy the marts of `warehouse` into the DuckDB file `published`, atomically; returns `published`.

    Copies the tables tabel_*, bijlage_3_*, report_cells, fct_* and dim_* of schema marts, nothing of
    raw, staging, intermediate or reference, and refuses (PersonLevelColumnError) any column that may
    identify a person. Adds publicatie.versie: when, from which file, for which report year.
    """
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(published)  # a copy half-written by a killed run
    temporary = temporary_for(published)
    try:
        _write_copy(Path(warehouse), temporary)
        _flush_to_disk(temporary)
        temporary.replace(published)  # os.replace: atomic, readers see the old file or the new one
        _flush_to_disk(published.parent)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return published


def _write_copy(warehouse: Path, target: Path) -> None:
    if not warehouse.is_file():
        raise PublicationError(f"no warehouse at {warehouse}")
    target.unlink(missing_ok=True)
    with duckdb_memory.connect(target) as con:
        con.execute(f"attach '{_sql_string(warehouse)}' as {SOURCE} (read_only)")
        marts = published_marts(con, catalog=SOURCE)
        if missing := [m for m in REQUIRED_MARTS if m not in marts]:
            raise PublicationError(f"the warehouse lacks {missing}: not published, the previous copy stays")
        con.execute(f"create schema {MARTS_SCHEMA}")
        for mart in marts:
            columns = [row[0] for row in con.execute(f'describe {SOURCE}.{MARTS_SCHEMA}."{mart}"').fetchall()]
            assert_no_person_level_columns(mart, columns)
            con.execute(f'create table {MARTS_SCHEMA}."{mart}" as select * from {SOURCE}.{MARTS_SCHEMA}."{mart}"')
        _copy_comments(con, marts)
        con.execute(f"detach {SOURCE}")
        _write_metadata(con, warehouse, len(marts))
        con.execute("checkpoint")


def _copy_comments(con: duckdb.DuckDBPyConnection, marts: list[str]) -> None:
    """Keep the descriptions dbt may have persisted on tables and columns."""
    for table, comment in con.execute(
        "select table_name, comment from duckdb_tables() where database_name = ? and schema_name = ?"
        " and comment is not null",
        [SOURCE, MARTS_SCHEMA],
    ).fetchall():
        if table in marts:
            con.execute(f"comment on table {MARTS_SCHEMA}.\"{table}\" is '{_sql_string(comment)}'")
    for table, column, comment in con.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = ? and schema_name = ?"
        " and comment is not null",
        [SOURCE, MARTS_SCHEMA],
    ).fetchall():
        if table in marts:
            con.execute(f'comment on column {MARTS_SCHEMA}."{table}"."{column}" is \'{_sql_string(comment)}\'')


def _write_metadata(con: duckdb.DuckDBPyConnection, warehouse: Path, mart_count: int) -> None:
    con.execute(f"create schema {METADATA_SCHEMA}")
    con.execute(
        f"""
        create table {METADATA_SCHEMA}.versie (
            gepubliceerd_op timestamp, bron varchar, verslagjaar integer, jaren_in_feiten integer[],
            aantal_marts integer
        )
        """
    )
    years = [
        row[0] for row in con.execute(f"select distinct jaar from {MARTS_SCHEMA}.fct_meldingen order by 1").fetchall()
    ]
    con.execute(
        f"insert into {METADATA_SCHEMA}.versie values (?, ?, ?, ?, ?)",
        [datetime.now(UTC).replace(tzinfo=None), warehouse.name, infer_report_year(con), years, mart_count],
    )


def _flush_to_disk(path: Path) -> None:
    """fsync a file or folder, so that the swap survives a crash of the machine."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sql_string(value: object) -> str:
    return str(value).replace("'", "''")
