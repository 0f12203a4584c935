"""Preparing deliveries in worker processes while the connector lands the ones before them.

Reading, checking and pseudonymising a delivery is Python work on every row and takes one core;
landing needs the warehouse's connection and stays in the connector's own process. A connector
with many deliveries hands each batch to a pool of processes, one per core, and lands the
prepared batches in their order as they come back. With one batch (a night's drop) the work is
done in place: starting a process costs more than it saves.

The workers are started fresh (`spawn`): the connector's process holds DuckDB's and Dagster's
threads, which a forked copy would inherit in whatever state they were in. Work that spends its time
in a library that releases the GIL (calamine parsing a gemeente's workbook) runs in threads instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

WORKERS_VARIABLE = "VH_CONNECTOR_WORKERS"


def worker_count() -> int:
    """The processes a connector prepares batches in: VH_CONNECTOR_WORKERS, or one per core it may use."""
    if configured := os.environ.get(WORKERS_VARIABLE):
        try:
            count = int(configured)
        except ValueError:
            raise ValueError(f"{WORKERS_VARIABLE} must be a whole number of processes, not {configured!r}") from None
        if count < 1:
            raise ValueError(f"{WORKERS_VARIABLE} must be at least 1, not {count}")
        return count
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def in_order(
    function: Callable[[Task], Result], tasks: Sequence[Task], workers: int | None = None, threads: bool = False
) -> Iterator[Result]:
    """`function(task)` for each task, in the tasks' order. With more than one task and more than one
    worker, the results are computed in worker processes, at most two per worker ahead of the caller
    (each holds a batch in memory). `function` and the tasks must pickle; an exception in a worker is
    raised here, at its task. When the caller stops early (it raised), the tasks not yet started are
    dropped. `threads`: in threads of this process instead, for a function that spends its time in
    code that releases the GIL (a parser in Rust or C); nothing is pickled or started."""
    workers = min(workers or worker_count(), len(tasks))
    if workers <= 1:
        yield from map(function, tasks)
        return
    if threads:
        pool: Executor = ThreadPoolExecutor(max_workers=workers)
    else:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    with pool:
        ahead: deque[Future[Result]] = deque()
        try:
            for task in tasks:
                ahead.append(pool.submit(function, task))
                if len(ahead) >= 2 * workers:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:
            for future in ahead:
                future.cancel()
