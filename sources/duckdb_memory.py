"""DuckDB connections with a bound on the memory DuckDB takes in this process.

DuckDB's own default is 80% of the machine's memory, most of it a cache of the file's blocks; a
nightly pipeline on a shared server keeps to `VH_DUCKDB_MEMORY_LIMIT` (default 1GB, any DuckDB size
such as 512MB or 4GB) and lets DuckDB spill to disk beyond it. dbt's connection reads the same
setting (dbt_project/profiles.yml).

Why 1GB: at 512MB the national decade's dbt build spilled to disk and took 150 s instead of 91 s
(89 s at 2GB), while a district's decade (scale 100) peaks at 1.6 GiB for the whole pipeline
instead of 1.4 (`vhpipe bench`, docs/benchmark.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

DEFAULT_LIMIT = "1GB"


def memory_limit() -> str:
    limit = os.environ.get("VH_DUCKDB_MEMORY_LIMIT", DEFAULT_LIMIT).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.IGNORECASE):
        raise ValueError(f"VH_DUCKDB_MEMORY_LIMIT must be a size such as 512MB or 4GB, got {limit!r}")
    return limit


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect` on a file, with the memory limit set on its database."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"set memory_limit = '{memory_limit()}'")
    return con
