"""The dbt manifest the Dagster code location is built from, parsed when it is missing or stale.

A fresh data folder has no manifest, so loading the code location runs `dbt parse` (~5 s). The
CLI starts that parse before it imports Dagster and the rest (~4 s), so that both run at once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration.environment import DBT_PROJECT_DIR
from sources.paths import data_paths


def dbt_executable() -> str:
    """dbt from the same virtual environment as this process, whatever is on PATH."""
    return str(Path(sys.executable).parent / "dbt")


def manifest_is_stale(manifest: Path, project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = (p for p in project_dir.rglob("*") if p.suffix in {".sql", ".yml", ".csv"})
    return any(p.stat().st_mtime > built for p in sources if "target" not in p.parts)


def start_parse_if_stale() -> subprocess.Popen | None:
    """Start `dbt parse` into the data folder's target when its manifest is stale; None when it is not.

    Call after `prepare_environment` (dbt finds the warehouse and its target through the environment)."""
    target = data_paths().dbt_target
    if not manifest_is_stale(target / "manifest.json"):
        return None
    command = [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR)]
    return subprocess.Popen([*command, "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)])
