"""Suite outcomes kept by the rows they validated, so that a night's audit validates again only the
tables (and the frames derived from them) whose rows changed.

A suite's verdict is a function of its definition, its parameters, the code that runs it and the
values of the columns it reads. The key of a kept outcome holds all of these; the rows enter it as
a fingerprint: their count and the sum of a hash of each row's columns (order-free, duplicates
counted; not a cryptographic hash, a cache key). When a table's rows are unchanged the outcome is
taken from the store, with GX's result as it was validated (its validation time says when); any
change of a row, a column, the suite, the code sets or the code validates it again.

The store is a folder of JSON files, one per outcome; an audit drops the outcomes it no longer used.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# the code whose change changes a verdict: the runner and its parts, and this module
CODE = [Path(__file__).with_name(name) for name in ("runner.py", "parts.py", "reuse.py")]


def row_fingerprint(con: duckdb.DuckDBPyConnection, sql: str, columns: list[str] | None = None) -> str:
    """Count and sum of row hashes of `columns` of the query `sql`, or of whole rows when None (one scan)."""
    hashed = ", ".join(f'"{c}"' for c in columns) if columns is not None else "t"
    rows, hashes = con.execute(f"select count(*), coalesce(sum(hash({hashed})), 0) from ({sql}) as t").fetchone()
    return f"{rows}:{hashes}"


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """The frame's columns, their types and every value with its type: the frames validated whole are
    small (a row per delivery, per report cell), so they are fingerprinted exactly, not by a hash sum."""
    digest = hashlib.sha256(json.dumps([list(map(str, frame.columns)), list(map(str, frame.dtypes))]).encode())
    for row in frame.itertuples(index=False):
        digest.update(repr([(type(value).__name__, value) for value in row]).encode())
    return f"{len(frame)}:{digest.hexdigest()}"


def outcome_key(rows: str, **settings: Any) -> str:
    """The key of an outcome: the row fingerprint, every setting of the run (suite definition,
    parameters, id column, …), the versions of GX, pandas and DuckDB and the code that validates."""
    digest = hashlib.sha256(rows.encode())
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    digest.update(_code_and_versions())
    return digest.hexdigest()


@functools.cache
def _code_and_versions() -> bytes:
    """The code that validates and the versions of what reads and judges the rows: read once per process."""
    return code_digest(("great_expectations", "pandas", "duckdb"), CODE)


def code_digest(packages: tuple[str, ...], paths: list[Path]) -> bytes:
    """A digest of the installed versions of `packages` and of the files `paths`: what a kept result
    depends on beside its rows."""
    digest = hashlib.sha256()
    for package in packages:
        digest.update(f"{package}={version(package)}".encode())
    for path in paths:
        digest.update(path.read_bytes())
    return digest.digest()


@dataclass
class OutcomeStore:
    """Outcomes by key, in `folder`. `used` collects the keys asked for since the store was made."""

    folder: Path
    used: set[str] = field(default_factory=set)

    def get(self, key: str):
        """The kept outcome of `key` (its `kept_since` says when it was validated), or None."""
        from expectations.runner import SuiteOutcome

        self.used.add(key)
        try:
            kept = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema

        validation = ExpectationSuiteValidationResultSchema().load(kept.pop("validation"))
        return SuiteOutcome(**kept, validation=validation)

    def put(self, key: str, outcome) -> None:
        self.used.add(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = {
            "suite": outcome.suite,
            "success": outcome.success,
            "evaluated": outcome.evaluated,
            "failures": outcome.failures,
            "subject": outcome.subject,
            "group": outcome.group,
            "validation": outcome.validation.to_json_dict(),
            "kept_since": outcome.kept_since or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        }
        temporary = self.folder / f"{key}.tmp"
        temporary.write_text(json.dumps(kept), encoding="utf-8")
        temporary.replace(self.folder / f"{key}.json")  # a crash leaves no half-written outcome

    def drop_unused(self) -> None:
        """Remove the outcomes not asked for since the store was made (rows since changed), and what a
        writer killed mid-write left (`.tmp`: only the audit writes, under the warehouse's writer lock)."""
        for path in self.folder.glob("*") if self.folder.exists() else []:
            if path.suffix == ".tmp" or (path.suffix == ".json" and path.stem not in self.used):
                path.unlink(missing_ok=True)
