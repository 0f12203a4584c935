"""Wall time and peak memory as the benchmark reads them."""

from __future__ import annotations

import os
import resource
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MIB = 1024 * 1024


@contextmanager
def stopwatch(into: dict[str, float], name: str) -> Iterator[None]:
    """Store the seconds the block took under `name` (also when it raises)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        into[name] = time.perf_counter() - start


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB


class TreePeak:
    """Peak memory of the processes this one starts, sampled from /proc while the block runs.

    Per descendant its own peak RSS (VmHWM), and the peak of their RSS summed (what the machine
    must hold at once: the pipeline process and dbt run side by side). RUSAGE_CHILDREN cannot
    tell a child's own peak: Linux carries the parent's high-water mark across vfork and exec.
    Sampled every `interval` seconds; VmHWM only grows, so the last sample of a process is its
    peak unless it peaked in its very last moments.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peaks_kib: dict[int, tuple[str, int]] = {}  # pid → (command, VmHWM)
        self.total_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mib(self, command_has: str = "") -> float:
        """The largest own peak of a process whose command line contains `command_has`."""
        peaks = [kib for command, kib in self.peaks_kib.values() if command_has in command]
        return max(peaks, default=0) / 1024

    @property
    def total_mib(self) -> float:
        return self.total_kib / 1024

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            total = 0
            for pid in _descendants(os.getpid()):
                hwm, rss = _memory_kib(pid)
                total += rss
                if hwm:
                    command, before = self.peaks_kib.get(pid, ("", 0))
                    self.peaks_kib[pid] = (command or _command(pid), max(hwm, before))
            self.total_kib = max(self.total_kib, total)


def _descendants(root: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the command may hold spaces and parentheses: the fields after the last ')' are fixed
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of a process in KiB; zeros when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kib = [int(fields[name].split()[0]) if name in fields else 0 for name in ("VmHWM", "VmRSS")]
    return kib[0], kib[1]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
