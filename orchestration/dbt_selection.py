"""What a nightly `dbt build` must build: the models downstream of the source tables whose rows
changed since the last build that succeeded, the tests on them, and the models the rest of the run
reads. A model whose inputs are unchanged would be built again into the same rows.

Unchanged means the same dbt project (every file, and the settings its SQL reads: report year,
surrogate-key salt, target, dbt's version) and the same rows in each source table (a content
fingerprint: count and sum of row hashes, ~60 ms for 400,000 rows). Everything is built when there
is no record of a successful build, when the project or a setting changed, when a model's or a
seed's relation is missing from the warehouse, for the full_refresh job, and on PostgreSQL; without a
record and after a change of the project or a setting, the incremental models are built from scratch too.

The record (`sources_built.json` beside dbt's build artifacts) is written only after a build that
succeeded: a failed build leaves the last good record, so the next run builds the same models again.
Only dbt writes the models (the warehouse's writer lock); a table changed by hand is repaired by
the full_refresh job, not by a nightly run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import duckdb

from expectations.reuse import row_fingerprint
from orchestration.publishing.atomic_files import write_atomically

RECORD_FILE = "sources_built.json"
PROJECT_SUFFIXES = {".sql", ".yml", ".csv"}  # what dbt reads of the project (docs .md change no rows)
SKIPPED_FOLDERS = {"target", "logs", "dbt_packages"}
# the settings the project's SQL and profile read (orchestration/environment.py sets them)
SETTINGS = ("VH_REPORT_YEAR", "VH_SURROGATE_SALT", "VH_DBT_TARGET", "VH_WAREHOUSE_PATH", "VH_DUCKDB_MEMORY_LIMIT")
BUILT_TYPES = {"model", "seed", "test"}
# code outside the project that dbt runs: the plugin that puts the salt in each session
PLUGINS = (Path(__file__).with_name("salt_plugin.py"),)


PLAN_METADATA = "dbt_build"  # on report_cells' materialization (built every run): what the build built, and why


@dataclass(frozen=True)
class BuildPlan:
    """The nodes a build leaves out (dbt node names, for `--exclude`) and why."""

    excluded: list[str] = field(default_factory=list)
    changed_sources: list[str] = field(default_factory=list)
    models_built: int = 0
    models_total: int = 0
    reason: str = ""
    # the incremental models too are built anew (dbt's --full-refresh): their rows were made by a project,
    # a setting or a build no longer known, and an incremental build only adds new rows to them
    from_scratch: bool = False

    @property
    def everything(self) -> bool:
        return not self.excluded

    def exclude_args(self) -> list[str]:
        # one value, names separated by spaces: dagster-dbt reads one value per --exclude (as dbt does)
        return ["--exclude", " ".join(self.excluded)] if self.excluded else []

    def describe(self) -> str:
        if self.everything:
            return f"dbt builds every model{' from scratch' if self.from_scratch else ''} ({self.reason})"
        changed = ", ".join(self.changed_sources) or "none"
        return (
            f"dbt builds {self.models_built} of {self.models_total} models: those downstream of the sources "
            f"with new rows ({changed}) and those the run reads; {len(self.excluded)} nodes are unchanged"
        )


def project_fingerprint(project_dir: Path, environ: dict[str, str] | None = None) -> str:
    """A hash of every file dbt reads in `project_dir`, its plugin, the settings its SQL reads and dbt's versions."""
    environ = os.environ if environ is None else environ
    digest = hashlib.sha256()
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if path.suffix in PROJECT_SUFFIXES and not SKIPPED_FOLDERS & set(relative.parts) and path.is_file():
            digest.update(f"{relative.as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for plugin in PLUGINS:
        digest.update(plugin.read_bytes())
    for name in SETTINGS:
        digest.update(f"{name}={environ.get(name, '')}\0".encode())
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}={version(package)}\0".encode())
    return digest.hexdigest()


def source_relations(manifest: dict) -> dict[str, str]:
    """Each source node of the manifest and the relation it reads (`schema.table`)."""
    return {uid: f'"{source["schema"]}"."{source["identifier"]}"' for uid, source in manifest["sources"].items()}


def source_fingerprints(con: duckdb.DuckDBPyConnection, manifest: dict) -> dict[str, str]:
    """Per source node, the count and the sum of the hashes of its rows (every column); `missing` when absent."""
    present = {f'"{schema}"."{table}"' for schema, table in con.execute(_TABLES).fetchall()}
    fingerprints = {}
    for uid, relation in source_relations(manifest).items():
        if relation not in present:
            fingerprints[uid] = "missing"
            continue
        fingerprints[uid] = row_fingerprint(con, f"select * from {relation}")
    return fingerprints


def missing_models(con: duckdb.DuckDBPyConnection, manifest: dict) -> set[str]:
    """The models and seeds whose relation is not in the warehouse."""
    present = {(schema, table) for schema, table in con.execute(_TABLES).fetchall()}
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed"}
        and node["config"].get("materialized") != "ephemeral"
        and (node["schema"], node["alias"] or node["name"]) not in present
    }


_TABLES = "select table_schema, table_name from information_schema.tables"


def plan_build(
    manifest: dict,
    record: dict | None,
    project: str,
    sources: dict[str, str],
    missing: Iterable[str] = (),
    always: Iterable[str] = (),
) -> BuildPlan:
    """The plan of a build: everything, or what changed since `record` (see the module's docstring).

    `sources` are the fingerprints now, `missing` the models whose relation is absent, `always` the
    names of the models the rest of the run reads (built whatever changed).
    """
    models = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    if record is None:
        return BuildPlan(models_total=len(models), reason="no record of a build that succeeded", from_scratch=True)
    if record.get("project") != project:
        return BuildPlan(models_total=len(models), reason="the dbt project or its settings changed", from_scratch=True)
    if set(missing):
        return BuildPlan(models_total=len(models), reason="a model or seed is missing from the warehouse")
    built = record.get("sources", {})
    changed = {uid for uid, fingerprint in sources.items() if built.get(uid) != fingerprint}
    always = set(always)
    selected = downstream(manifest, changed) | {uid for uid in models if manifest["nodes"][uid]["name"] in always}
    selected |= {  # the tests on what is built and on the changed sources (dbt's eager selection)
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and set(node["depends_on"]["nodes"]) & (selected | changed)
    }
    excluded = sorted(
        node["name"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in BUILT_TYPES and uid not in selected
    )
    return BuildPlan(
        excluded=excluded,
        changed_sources=sorted(manifest["sources"][uid]["name"] for uid in changed),
        models_built=len(selected & models),
        models_total=len(models),
        reason="sources changed" if changed else "no source changed",
    )


def downstream(manifest: dict, starts: set[str]) -> set[str]:
    """The models that read any of `starts`, directly or through other models."""
    children: dict[str, list[str]] = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] == "model":
            for parent in node["depends_on"]["nodes"]:
                children.setdefault(parent, []).append(uid)
    found: set[str] = set()
    frontier = list(starts)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def read_record(target: Path) -> dict | None:
    path = target / RECORD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_record(target: Path, project: str, sources: dict[str, str]) -> None:
    """Swapped in whole: a crash leaves the old record or the new one, never half of one."""
    record = json.dumps({"project": project, "sources": sources}, indent=1)
    write_atomically(target / RECORD_FILE, lambda temporary: temporary.write_text(record, encoding="utf-8"))
