"""The dbt CLI of this virtual environment, run on copies of the dbt project and of a built warehouse.

Tests that mutate a model or tamper with a table work on copies, so the session's warehouse and
the real project stay as they are. Each run gets its own target and log folders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from orchestration.environment import DBT_PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"


@dataclass(frozen=True)
class DbtRun:
    """One finished dbt invocation: its process and the artifacts it wrote."""

    process: subprocess.CompletedProcess[str]
    target: Path

    @cached_property
    def results(self) -> dict[str, dict[str, Any]]:
        """The entries of run_results.json by unique_id."""
        run_results = json.loads((self.target / "run_results.json").read_text())
        return {result["unique_id"]: result for result in run_results["results"]}

    def status_of(self, name: str) -> str:
        """Status (pass, fail, error, success, ...) of the one node whose unique_id ends with `.name`."""
        matches = [result["status"] for uid, result in self.results.items() if uid.endswith(f".{name}")]
        assert len(matches) == 1, f"expected one result for {name}, found {len(matches)}:\n{self.output}"
        return matches[0]

    @property
    def output(self) -> str:
        return self.process.stdout + self.process.stderr


def copy_project(dest: Path) -> Path:
    """A copy of the dbt project (without artifacts of earlier runs) to mutate."""
    shutil.copytree(DBT_PROJECT_DIR, dest, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return dest


def copy_warehouse(warehouse: Path, dest_dir: Path) -> Path:
    """A copy of a built warehouse file in `dest_dir`, under the same file name.

    The name matters: DuckDB names the database after the file, and the staging views refer to it.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    for source in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        if source.exists():
            shutil.copy2(source, dest_dir / source.name)
    return dest_dir / warehouse.name


def run_dbt(
    args: list[str],
    *,
    warehouse: Path,
    report_year: int,
    workdir: Path,
    project_dir: Path = DBT_PROJECT_DIR,
    extra_env: dict[str, str] | None = None,
) -> DbtRun:
    """Run `dbt <args>` on `project_dir` (its own profiles.yml) against `warehouse`; artifacts go under `workdir`.

    The report year is the warehouse's: the environment may still hold that of another test's world.
    """
    target = workdir / "target"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "VH_WAREHOUSE_PATH": str(warehouse),
        "VH_REPORT_YEAR": str(report_year),
        **(extra_env or {}),  # e.g. the postgres target's connection
    }
    process = subprocess.run(
        [str(DBT), *args, "--project-dir", str(project_dir)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return DbtRun(process, target)
