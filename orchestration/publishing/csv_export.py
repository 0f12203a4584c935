"""CSV in two flavours: plain (comma, UTF-8, decimal point) for machines, and the flavour Dutch Excel
opens correctly with a double click (semicolon, UTF-8 with byte order mark, decimal comma)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np

from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.export_tables import ExportTable
from orchestration.sql_literals import string_literal


@dataclass(frozen=True)
class CsvFlavour:
    folder: str
    delimiter: str
    decimal: str
    encoding: str
    line_end: str


PLAIN = CsvFlavour(folder="csv", delimiter=",", decimal=".", encoding="utf-8", line_end="\n")
EXCEL_NL = CsvFlavour(folder="csv_excel_nl", delimiter=";", decimal=",", encoding="utf-8-sig", line_end="\r\n")
FLAVOURS = (PLAIN, EXCEL_NL)
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


CHUNK_ROWS = 50_000  # rows of a mart with float columns held in memory at once
BYTE_ORDER_MARKS = {"utf-8-sig": "\ufeff".encode()}


def write_csv(table: ExportTable, out_dir: Path, flavour: CsvFlavour, con: duckdb.DuckDBPyConnection) -> Path:
    """`table` as CSV; an exact mart is written by DuckDB from `con`, its values as text in SQL."""

    def write(path: Path) -> None:
        if (select := _select_as_text(table, flavour.decimal)) is not None:
            _copy_csv(select, path, flavour, con)
            return
        with path.open("w", encoding=flavour.encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=flavour.delimiter, lineterminator=flavour.line_end)
            writer.writerow(table.columns)
            for chunk in _chunks_as_text(table, flavour.decimal, con):
                writer.writerows(chunk)

    return write_atomically(csv_path(out_dir, table.name, flavour), write)


def csv_path(out_dir: Path, name: str, flavour: CsvFlavour) -> Path:
    return out_dir / flavour.folder / f"{name}.csv"


def _select_as_text(table: ExportTable, decimal: str) -> str | None:
    """A query giving an exact mart's columns as the text `text` writes, or None when a column needs Python
    (floats) or the table is shown rows. Empty text becomes null: DuckDB writes "" for an empty string,
    Python's csv module writes nothing, as for null."""
    if table.query is None:
        return None
    in_sql = [sql_text(f'"{c}"', t, decimal) for c, t in zip(table.columns, table.types, strict=True)]
    if None in in_sql:
        return None
    columns = ", ".join(f"nullif({e}, '') as \"{c}\"" for e, c in zip(in_sql, table.columns, strict=True))
    return f"select {columns} from ({table.query})"


def _copy_csv(select: str, path: Path, flavour: CsvFlavour, con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's CSV writer quotes as Python's csv module does (a field holding the delimiter, a quote or
    a line break); the byte order mark, which DuckDB cannot write, goes in front of its output."""
    options = f"format csv, header, delimiter '{flavour.delimiter}', quote '\"', escape '\"'"
    options += f", new_line '{flavour.line_end.encode('unicode_escape').decode()}'"
    bom = BYTE_ORDER_MARKS.get(flavour.encoding, b"")
    body = path.with_name(path.name + ".body") if bom else path
    try:
        con.execute(f"copy ({select}) to {string_literal(body)} ({options})")
        if bom:
            with path.open("wb") as out, body.open("rb") as written:
                out.write(bom)
                shutil.copyfileobj(written, out, 1 << 20)
    finally:
        if bom:
            body.unlink(missing_ok=True)


def _chunks_as_text(table: ExportTable, decimal: str, con: duckdb.DuckDBPyConnection) -> Iterator[list]:
    if table.query is None:
        yield [[text(v, decimal) for v in row] for row in table.rows]
        return
    in_sql = [sql_text(f'"{c}"', t, decimal) for c, t in zip(table.columns, table.types, strict=True)]
    in_python = [i for i, expression in enumerate(in_sql) if expression is None]
    select = ", ".join(expression or f'"{c}"' for c, expression in zip(table.columns, in_sql, strict=True))
    cursor = con.execute(f"select {select} from ({table.query})")
    while chunk := cursor.fetchmany(CHUNK_ROWS):
        if in_python:  # floats: no exponent, whatever their size, as `text` writes them
            chunk = [[text(v, decimal) if i in in_python else v for i, v in enumerate(row)] for row in chunk]
        yield chunk


def sql_text(column: str, duckdb_type: str, decimal: str) -> str | None:
    """SQL writing a column of `duckdb_type` as `text` writes its values (null stays null, which the CSV
    writer writes empty); None for the types left to `text` itself."""
    if duckdb_type == "BOOLEAN":
        return f"case when {column} then 'true' when not {column} then 'false' end"
    if duckdb_type == "DATE":
        return f"strftime({column}, '%Y-%m-%d')"
    if duckdb_type == "TIMESTAMP":  # isoformat(sep=" "): microseconds only when there are any
        fraction = f"case when microsecond({column}) % 1000000 = 0 then '' else strftime({column}, '.%f') end"
        return f"strftime({column}, '%Y-%m-%d %H:%M:%S') || {fraction}"
    if duckdb_type.startswith("DECIMAL"):
        return f"replace(cast({column} as varchar), '.', '{decimal}')"
    if duckdb_type in INTEGER_TYPES or duckdb_type == "VARCHAR":
        return f"cast({column} as varchar)"
    return None


def text(value: object, decimal: str) -> str:
    """A value as the flavour writes it: ISO dates, true/false, no exponent, empty for null."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        plain = np.format_float_positional(value, trim="-") if isinstance(value, float) else format(value, "f")
        return plain.replace(".", decimal)
    if isinstance(value, date):  # datetime too: a datetime is a date
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
