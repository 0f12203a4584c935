"""The published copy: the marts in a DuckDB file of their own, for analysts and BI tools.

DuckDB allows one writer per file and a writer locks readers out, so analysts never open the
warehouse. The copy is written to a temporary file next to the target and swapped in with
os.replace: a reader opens either the old file or the new one, never a half-written one, and a
reader that holds the old file open keeps reading it. When anything fails, the previous copy stays.

The facts and dimensions are stored sorted, in the order every export file of them has, so the
exports read them without sorting again (marts.stored_in_order). The new copy starts as a copy of the
previous one when that is of the current format: a mart whose columns and rows are unchanged (a
night's load changes a few) stays as it is, the others are copied again; the report's tables, a few
rows each, are always copied (their order is dbt's).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from expectations.reuse import row_fingerprint
from orchestration.publishing.atomic_files import remove_stale_temporaries, temporary_for
from orchestration.publishing.marts import (
    COPY_FORMAT,
    MARTS_SCHEMA,
    METADATA_SCHEMA,
    REPORT_MARTS,
    REQUIRED_MARTS,
    assert_no_person_level_columns,
    infer_report_year,
    mart_query,
    published_marts,
    stored_in_order,
)
from orchestration.sql_literals import string_literal
from sources import duckdb_memory

SOURCE = "warehouse"  # the warehouse's name while attached to the copy


class PublicationError(RuntimeError):
    """The warehouse cannot be published (missing marts); the previous copy stays."""


def publish_copy(warehouse: Path, published: Path) -> Path:
    """Copy the marts of `warehouse` into the DuckDB file `published`, atomically; returns `published`.

    Copies the tables tabel_*, bijlage_3_*, report_cells, fct_* and dim_* of schema marts, nothing of
    raw, staging, intermediate or reference, and refuses (PersonLevelColumnError) any column that may
    identify a person. Adds publicatie.versie: when, from which file, for which report year, in which
    format, and which marts this version copied anew (the others are the previous copy's, unchanged).
    """
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(published)  # a copy half-written by a killed run
    temporary = temporary_for(published)
    try:
        _write_copy(Path(warehouse), temporary, published)
        _flush_to_disk(temporary)
        temporary.replace(published)  # os.replace: atomic, readers see the old file or the new one
        _flush_to_disk(published.parent)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return published


def _write_copy(warehouse: Path, target: Path, previous: Path) -> None:
    if not warehouse.is_file():
        raise PublicationError(f"no warehouse at {warehouse}")
    target.unlink(missing_ok=True)
    if _reusable(previous):
        shutil.copyfile(previous, target)
    with duckdb_memory.connect(target) as con:
        con.execute(f"attach {string_literal(warehouse)} as {SOURCE} (read_only)")
        marts = published_marts(con, catalog=SOURCE)
        if missing := [m for m in REQUIRED_MARTS if m not in marts]:
            raise PublicationError(f"the warehouse lacks {missing}: not published, the previous copy stays")
        columns = {mart: _columns(con, SOURCE, mart) for mart in marts}
        for mart in marts:  # every mart, the kept ones too: the guard may know more columns than when they were copied
            assert_no_person_level_columns(mart, [column for column, _ in columns[mart]])
        con.execute(f"create schema if not exists {MARTS_SCHEMA}")
        renewed = [mart for mart in marts if not _unchanged(con, mart, columns[mart])]
        kept = set(marts) - set(renewed)
        for stale in sorted(set(published_marts(con)) - kept):
            con.execute(f'drop table {MARTS_SCHEMA}."{stale}"')
        # the dropped tables' blocks are free once checkpointed: the new ones take them, the file does not grow
        con.execute("checkpoint")
        for mart in renewed:
            # stored in the order it is read in: the exports need not sort it again
            con.execute(f'create table {MARTS_SCHEMA}."{mart}" as {mart_query(mart, catalog=SOURCE)}')
        _copy_comments(con, marts)
        con.execute(f"detach {SOURCE}")
        _write_metadata(con, warehouse, len(marts), renewed)
        con.execute("checkpoint")


def _reusable(previous: Path) -> bool:
    """The previous copy exists and stores its marts as this code does (its format), so marts can be kept."""
    if not previous.is_file():
        return False
    try:
        with duckdb.connect(str(previous), read_only=True) as con:
            return stored_in_order(con)
    except duckdb.Error:  # damaged, or of a DuckDB storage this one cannot read: copied anew
        return False


def _unchanged(con: duckdb.DuckDBPyConnection, mart: str, columns: list[tuple[str, str]]) -> bool:
    """The copy holds `mart` with the warehouse's `columns` and types and its rows (a count and a sum of row
    hashes: the table is stored sorted, so the same rows are the same table). The report's tables are always
    copied."""
    if mart in REPORT_MARTS or _columns(con, None, mart) != columns:
        return False
    own = row_fingerprint(con, f'select * from {MARTS_SCHEMA}."{mart}"')
    return own == row_fingerprint(con, f'select * from {SOURCE}.{MARTS_SCHEMA}."{mart}"')


def _columns(con: duckdb.DuckDBPyConnection, catalog: str | None, mart: str) -> list[tuple[str, str]]:
    """The mart's columns and types in `catalog` (the copy itself when None); none when it has no such mart."""
    where_catalog = "database_name = ?" if catalog else "database_name = current_database()"
    return con.execute(
        f"select column_name, data_type from duckdb_columns() where {where_catalog} and schema_name = ? "
        "and table_name = ? order by column_index",
        [*([catalog] if catalog else []), MARTS_SCHEMA, mart],
    ).fetchall()


def _copy_comments(con: duckdb.DuckDBPyConnection, marts: list[str]) -> None:
    """Keep the descriptions dbt may have persisted on tables and columns."""
    for table, comment in con.execute(
        "select table_name, comment from duckdb_tables() where database_name = ? and schema_name = ?"
        " and comment is not null",
        [SOURCE, MARTS_SCHEMA],
    ).fetchall():
        if table in marts:
            con.execute(f'comment on table {MARTS_SCHEMA}."{table}" is {string_literal(comment)}')
    for table, column, comment in con.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = ? and schema_name = ?"
        " and comment is not null",
        [SOURCE, MARTS_SCHEMA],
    ).fetchall():
        if table in marts:
            con.execute(f'comment on column {MARTS_SCHEMA}."{table}"."{column}" is {string_literal(comment)}')


def _write_metadata(con: duckdb.DuckDBPyConnection, warehouse: Path, mart_count: int, renewed: list[str]) -> None:
    con.execute(f"drop schema if exists {METADATA_SCHEMA} cascade")
    con.execute(f"create schema {METADATA_SCHEMA}")
    con.execute(
        f"""
        create table {METADATA_SCHEMA}.versie (
            gepubliceerd_op timestamp, bron varchar, verslagjaar integer, jaren_in_feiten integer[],
            aantal_marts integer, formaat integer,
            marts_vernieuwd varchar[]  -- copied anew; the others are the previous copy's, unchanged
        )
        """
    )
    years = [
        row[0] for row in con.execute(f"select distinct jaar from {MARTS_SCHEMA}.fct_meldingen order by 1").fetchall()
    ]
    con.execute(
        f"insert into {METADATA_SCHEMA}.versie values (?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC).replace(tzinfo=None),
            warehouse.name,
            infer_report_year(con),
            years,
            mart_count,
            COPY_FORMAT,
            renewed,
        ],
    )


def _flush_to_disk(path: Path) -> None:
    """fsync a file or folder, so that the swap survives a crash of the machine."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
