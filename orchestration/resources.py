"""Resources shared by the assets: the warehouse connection and the landing zone."""

import os
from contextlib import contextmanager, nullcontext
from pathlib import Path

import dagster as dg

from orchestration.locking import exclusive_writer
from orchestration.postgres.settings import PostgresWarehouse, built_warehouse_file, configured_warehouse
from sources import duckdb_memory
from sources.paths import DataPaths

# how long a writing step waits for another run's writer before it fails (seconds)
WRITER_WAIT_SECONDS = float(os.environ.get("VH_WRITER_WAIT_SECONDS", "900"))


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: a writing step holds the writer lock
    (re-entered by the run that already holds it), opens, does the work, closes.

    With VH_WAREHOUSE_URL set, the file is the connectors' landing store and dbt builds in PostgreSQL
    (`postgres`); the checks and reports then read `read_path`, the snapshot of what PostgreSQL built.
    """

    data_dir: str

    @property
    def paths(self) -> DataPaths:
        return DataPaths(Path(self.data_dir))

    @property
    def postgres(self) -> PostgresWarehouse | None:
        return configured_warehouse()

    @property
    def read_path(self) -> Path:
        """The DuckDB file holding the built warehouse: the warehouse itself, or PostgreSQL's snapshot."""
        return built_warehouse_file(self.paths)

    def writer(self, holder: str):
        """The warehouse's writer lock, for work that writes it without a connection of ours (dbt)."""
        return exclusive_writer(self.paths.warehouse, holder, WRITER_WAIT_SECONDS)

    @contextmanager
    def connect(self, read_only: bool = False, holder: str = "a pipeline step"):
        path = self.paths.warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        with nullcontext() if read_only else self.writer(holder):
            con = duckdb_memory.connect(path, read_only=read_only)
            try:
                yield con
            finally:
                con.close()
