"""Parquet, written by DuckDB itself (no pyarrow needed), with the mode in the file's metadata."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.export_tables import ExportTable
from orchestration.sql_literals import string_literal

FOLDER = "parquet"


def write_parquet(table: ExportTable, out_dir: Path, metadata: dict[str, str], con: duckdb.DuckDBPyConnection) -> Path:
    """The table with its DuckDB column types; `metadata` goes into the file's key-value metadata.

    An exact mart is copied by DuckDB straight from `con`; the shown rows of a suppressed table go
    through a frame of their own."""
    select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in zip(table.columns, table.types, strict=True))
    pairs = ", ".join(f"{string_literal(k)}: {string_literal(v)}" for k, v in sorted(metadata.items()))
    options = f"(format parquet, compression zstd, kv_metadata {{{pairs}}})"

    def write(path: Path) -> None:
        if table.query is not None:
            con.execute(f"copy (select {select} from ({table.query})) to {string_literal(path)} {options}")
            return
        with duckdb.connect() as own:
            own.register("export_rows", pd.DataFrame(table.rows, columns=table.columns, dtype=object))
            own.execute(f"copy (select {select} from export_rows) to {string_literal(path)} {options}")

    return write_atomically(parquet_path(out_dir, table.name), write)


def parquet_path(out_dir: Path, name: str) -> Path:
    return out_dir / FOLDER / f"{name}.parquet"
