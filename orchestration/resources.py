"""Resources shared by the assets: the warehouse connection and the landing zone."""

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from sources.paths import DataPaths


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: open, do the work, close."""

    data_dir: str

    @property
    def paths(self) -> DataPaths:
        return DataPaths(Path(self.data_dir))

    @contextmanager
    def connect(self, read_only: bool = False):
        path = self.paths.warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            yield con
        finally:
            con.close()
