"""Where the runtime data lives: one folder, `data/` in the project by default, moved by VH_DATA_DIR.

Every component (simulator, connectors, dbt, Dagster, GX) takes its paths from here so that
pointing VH_DATA_DIR elsewhere moves everything, which is what the tests do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_SYSTEMS = ("politie", "om", "vh", "gemeenten")


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def landing_for(self, system: str) -> Path:
        if system not in SOURCE_SYSTEMS:
            raise ValueError(f"unknown source system {system!r}; expected one of {SOURCE_SYSTEMS}")
        return self.landing / system

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "vh.duckdb"

    @property
    def postgres_snapshot(self) -> Path:
        """With a PostgreSQL warehouse: its built schemas read back, for the checks and the reports."""
        return self.root / "warehouse" / "postgres_snapshot.duckdb"

    @property
    def validations(self) -> Path:
        """The audit's kept GX outcomes, by the rows they validated (expectations/reuse.py)."""
        return self.root / "warehouse" / "validations"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt" / "target"

    @property
    def dbt_build_target(self) -> Path:
        """The nightly build's artifacts (manifest, run_results.json): one folder, reused by every run, so
        that its manifest (with the compiled SQL) serves the docs site and its partial parse the next build.
        One run writes at a time."""
        return self.dbt_target / "build"

    @property
    def dbt_logs(self) -> Path:
        return self.root / "dbt" / "logs"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def published(self) -> Path:
        """The analysts' read-only copy of the marts, swapped in atomically after the checks pass."""
        return self.root / "published" / "vh_marts.duckdb"

    @property
    def exports(self) -> Path:
        return self.root / "exports"


def data_paths() -> DataPaths:
    """The data folder currently in force (read from the environment on every call)."""
    configured = os.environ.get("VH_DATA_DIR")
    return DataPaths(Path(configured).resolve() if configured else PROJECT_ROOT / "data")
