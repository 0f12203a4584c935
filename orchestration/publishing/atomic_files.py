"""Write a file so that a reader sees the old version or the new one, never half of one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def temporary_for(path: Path) -> Path:
    """The hidden file next to `path` that this process writes before swapping it in."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete what a killed writer of `path` left (its `.tmp` and DuckDB `.tmp.wal`); returns them.

    A temporary belongs to a process id; one whose process is gone is debris, never a reader's file.
    """
    removed = []
    for leftover in path.parent.glob(f".{path.name}.*.tmp*"):
        pid = leftover.name.removeprefix(f".{path.name}.").split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write` with a temporary path next to `path`, then swap it in; on failure the old file stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    temporary = temporary_for(path)
    try:
        write(temporary)
        temporary.replace(path)  # atomic on one file system: readers see old or new
    finally:
        temporary.unlink(missing_ok=True)
    return path
