"""The DuckDB floor: floor.sql in one plain connection to the warehouse, read-only, no framework."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from orchestration.bench.reference import SEEDS, column_types, seed_path

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def load_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """Each seed as a temp table under its own name (the warehouse's copy lives in `reference`)."""
    for seed in SEEDS:
        con.execute(
            f"create or replace temp table {seed} as select * from read_csv(?, header = true, columns = ?)",
            [str(seed_path(seed)), column_types(seed)],
        )


def floor_cells(warehouse: Path, year: int) -> pd.DataFrame:
    """Every report cell (tabel, rij, kolom, waarde) of `year`, computed by floor.sql from the raw layer."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        load_seeds(con)
        con.execute(f"set variable jaar = {int(year)}")
        # a multi-statement script: DuckDB answers with the result of the last statement
        return con.execute(FLOOR_SQL.read_text(encoding="utf-8")).df()
    finally:
        con.close()
