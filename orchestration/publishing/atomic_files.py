"""Write a file so that a reader sees the old version or the new one, never half of one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write` with a temporary path next to `path`, then swap it in; on failure the old file stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        temporary.replace(path)  # atomic on one file system: readers see old or new
    finally:
        temporary.unlink(missing_ok=True)
    return path
