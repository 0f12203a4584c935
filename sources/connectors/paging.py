"""Numbered pages fetched ahead by a small pool of worker threads and handed out in page order.

A paged API asked one request after another waits out every round trip and every stall in
turn; with a few requests in flight those waits overlap. The caller still takes the pages one
by one in page order, so it decides exactly what a client asking one page at a time would:
where the pages end, and which failure it reports (that of the first page that failed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

Page = TypeVar("Page")


class AbandonedError(Exception):
    """Raised by a fetch that stops early because its page is no longer wanted (the walk ended)."""


class PagesAhead(Generic[Page]):
    """`fetch(number, abandoned)` run for page `number` and up to `ahead` pages after it.

    `fetch` runs in a worker thread and should give up (raise AbandonedError) once `abandoned`
    is set, for instance by waiting on it instead of sleeping between retries. Use it as a
    context manager: leaving it abandons what is still in flight and waits for the workers.
    """

    def __init__(self, fetch: Callable[[int, threading.Event], Page], workers: int, ahead: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._fetch = fetch
        self._ahead = ahead
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page")
        self._pending: dict[int, Future[Page]] = {}
        self.abandoned = threading.Event()

    def page(self, number: int, last: int) -> Page:
        """Page `number`, waited for (its fetch's exception raised here); pages after it, up to the
        last one known (`last`), are asked for ahead. Pages are taken once, in increasing order."""
        for ahead in range(number, max(number, min(last, number + self._ahead)) + 1):
            if ahead not in self._pending:
                self._pending[ahead] = self._pool.submit(self._fetch, ahead, self.abandoned)
        return self._pending.pop(number).result()

    def close(self) -> None:
        self.abandoned.set()
        self._pool.shutdown(wait=True, cancel_futures=True)  # nothing of the pull runs on after it
        self._pending.clear()

    def __enter__(self) -> PagesAhead[Page]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
