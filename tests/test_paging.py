"""Pages fetched ahead by worker threads (sources/connectors/paging.py), taken in page order.

The fetches here are plain functions that record what they were asked and when; the register
connector's use of it is tested against the simulated register in test_vh.py.
"""

from __future__ import annotations

import threading
import time

import pytest

from sources.connectors.paging import AbandonedError, PagesAhead


class Fetches:
    """A fetch that notes which pages it was asked for and how many ran at once; page n takes
    longer when n is odd, so that later pages often come back before earlier ones."""

    def __init__(self) -> None:
        self.asked: list[int] = []
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self, number: int, abandoned: threading.Event) -> str:
        with self._lock:
            self.asked.append(number)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(0.02 if number % 2 else 0.002)
        with self._lock:
            self.running -= 1
        return f"page {number}"


def test_pages_are_handed_out_in_order_with_at_most_the_workers_fetching_at_once():
    fetch = Fetches()
    with PagesAhead(fetch, workers=3, ahead=6) as pages:
        taken = [pages.page(number, last=20) for number in range(1, 21)]
    assert taken == [f"page {number}" for number in range(1, 21)]
    assert sorted(fetch.asked) == list(range(1, 21))  # each page asked once
    assert 1 < fetch.most_at_once <= 3


def test_nothing_is_asked_past_the_last_page_known_nor_further_ahead_than_allowed():
    fetch = Fetches()
    with PagesAhead(fetch, workers=2, ahead=4) as pages:
        pages.page(1, last=1)  # the first page tells how many there are
        assert fetch.asked == [1]
        pages.page(2, last=30)
        settle(fetch, asked=6)
        assert sorted(fetch.asked) == [1, 2, 3, 4, 5, 6]  # page 2 and 4 ahead of it
        pages.page(3, last=3)  # the register now says page 3 is the last
        settle(fetch, asked=6)
        assert max(fetch.asked) == 6


def settle(fetch: Fetches, asked: int) -> None:
    """Until `asked` pages were asked for (at most 5 s), and a moment longer for any page asked beyond them."""
    deadline = time.monotonic() + 5
    while len(fetch.asked) < asked and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)


def test_one_worker_without_pages_ahead_asks_one_page_at_a_time_in_order():
    fetch = Fetches()
    with PagesAhead(fetch, workers=1, ahead=0) as pages:
        for number in range(1, 6):
            pages.page(number, last=5)
            assert fetch.asked == list(range(1, number + 1))


def test_a_failed_page_raises_when_it_is_taken_and_leaving_abandons_the_fetches_still_waiting():
    def fetch(number: int, abandoned: threading.Event) -> int:
        if number == 2:
            raise ValueError("page 2 is broken")
        if number > 2 and abandoned.wait(30):  # a page retried after a long back-off
            raise AbandonedError(f"page {number}")
        return number

    started = time.monotonic()
    with pytest.raises(ValueError, match="page 2 is broken"), PagesAhead(fetch, workers=3, ahead=4) as pages:
        assert pages.page(1, last=10) == 1
        pages.page(2, last=10)
    assert time.monotonic() - started < 10  # not the 30 s the later pages would have waited


def test_at_least_one_worker():
    with pytest.raises(ValueError, match="workers must be at least 1"):
        PagesAhead(lambda number, abandoned: number, workers=0, ahead=0)
