"""One writer at a time: DuckDB allows a single writing process per file, so every step that
writes the warehouse, and every headless run, holds an exclusive lock beside the file.

The lock file records who holds it, so a refused writer can say which run is in the way.
Readers never take it: analysts read the published copy, not the warehouse.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

_HELD: dict[Path, int] = {}  # locks this process holds, with their depth: a run's steps re-enter the run's lock


class WarehouseBusyError(RuntimeError):
    """Another process is writing the warehouse and did not finish within the wait."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".writer.lock")


@contextmanager
def exclusive_writer(warehouse: Path, holder: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's writer lock; wait up to `wait_seconds`, then refuse with the holder's name."""
    path = lock_path(warehouse).resolve()
    if _HELD.get(path):
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"the warehouse {warehouse} is being written by {_current_holder(path)}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"holder": holder, "pid": os.getpid(), "since": datetime.now(UTC).isoformat()}))
        handle.flush()
        _HELD[path] = 1
        try:
            yield
        finally:
            _HELD[path] = 0
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _current_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, json.JSONDecodeError):
        return "another process"
    if not info:
        return "another process"
    return f"{info.get('holder', 'another process')} (pid {info.get('pid')}, since {info.get('since')})"
