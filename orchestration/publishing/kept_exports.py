"""The files of the export before, kept when the rows they hold are unchanged: a night's load changes
a few marts (a night of police drops: the meldingen), and rewriting every fact table's CSV and Parquet
files was half of the exports' time.

A file is kept when its key is the one it was written with: the key holds a fingerprint of the mart's
rows (their count and the sum of a hash of each row, expectations/reuse.py), its columns and types,
the file's kind (CSV flavour, Parquet metadata), the code that writes it and DuckDB's version. Only
marts exported in sorted order are kept: for them the same rows give the same bytes (see
`test_a_second_export_of_the_same_data_is_byte_identical`); the report's tables, in the report's order
and a few rows each, are written every time. A file whose size or modification time is no longer
what the export wrote (edited, replaced) is written again.

The keys live beside the export's folder (`.intern.export_keys.json`), not in it: the folder is what
users are given.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from expectations.reuse import code_digest, row_fingerprint
from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.export_tables import ExportTable
from orchestration.publishing.marts import MARTS_SCHEMA, REPORT_MARTS

# the code that decides a file's bytes
CODE = [
    Path(__file__).with_name(name)
    for name in ("csv_export.py", "parquet_export.py", "export_tables.py", "marts.py", "kept_exports.py")
]


def keys_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.export_keys.json")


def rows_fingerprint(con: duckdb.DuckDBPyConnection, table: ExportTable) -> str | None:
    """The fingerprint of a mart exported in sorted order; None for a table whose files are always written."""
    if table.query is None or table.name in REPORT_MARTS:
        return None
    return row_fingerprint(con, f'select * from {MARTS_SCHEMA}."{table.name}"')  # unsorted: the sum is order-free


def file_key(rows: str, table: ExportTable, kind: object) -> str:
    """The key of one file of `table`: its rows, columns and types, its `kind` and the code that writes it."""
    digest = hashlib.sha256(_code_and_version())
    digest.update(json.dumps([rows, table.columns, table.types, repr(kind)]).encode())
    return digest.hexdigest()


@functools.cache
def _code_and_version() -> bytes:
    return code_digest(("duckdb",), CODE)


@dataclass
class KeptExports:
    """The keys of the export before (`previous`, by path relative to the export's folder) and of this one."""

    out_dir: Path
    previous: dict[str, dict] = field(default_factory=dict)
    current: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> KeptExports:
        try:
            previous = json.loads(keys_path(out_dir).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            previous = {}
        return cls(out_dir, previous if isinstance(previous, dict) else {})

    def unchanged(self, relative: str, key: str) -> bool:
        """The file at `relative` was written with `key` and is still as the export wrote it."""
        before = self.previous.get(relative)
        if not before or before.get("key") != key:
            return False
        try:
            stat = (self.out_dir / relative).stat()
        except FileNotFoundError:
            return False
        return [stat.st_size, stat.st_mtime_ns] == before.get("stat")

    def keep(self, relative: str) -> Path:
        """Keep the file of the export before; returns its path."""
        self.current[relative] = self.previous[relative]
        return self.out_dir / relative

    def record(self, path: Path, key: str) -> Path:
        """`path`, just written with `key`; returns it."""
        stat = path.stat()
        relative = path.relative_to(self.out_dir).as_posix()
        self.current[relative] = {"key": key, "stat": [stat.st_size, stat.st_mtime_ns], "sha256": sha256(path)}
        return path

    def sha256(self, path: Path) -> str:
        """The file's SHA-256: recorded when it was written, or read now."""
        kept = self.current.get(path.relative_to(self.out_dir).as_posix())
        return kept["sha256"] if kept else sha256(path)

    def save(self) -> None:
        """Write this export's keys, once every file is in place. A failed export leaves the old keys: a file
        they name is kept only while it is still the file they describe."""
        text = json.dumps(self.current, indent=1, sort_keys=True)
        write_atomically(keys_path(self.out_dir), lambda temporary: temporary.write_text(text, encoding="utf-8"))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
