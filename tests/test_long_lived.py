"""`vhpipe run`'s start-up runs without the cyclic garbage collector, and what it loads is left out of
later collections (orchestration/long_lived.py)."""

import gc

import pytest

from orchestration.long_lived import long_lived


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self):
        self.me = self


@pytest.fixture
def collector():
    """The collector on, and afterwards on or off as the test found it. What a block froze stays frozen,
    as in `vhpipe run`: unfreezing would also give back what GX's import froze before the test."""
    enabled = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if enabled else gc.disable)()


def test_no_collections_in_the_block_and_what_it_made_is_left_out_of_later_ones(collector):
    collections = []

    def seen(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        with long_lived():
            assert not gc.isenabled()
            made = [Node() for _ in range(10_000)]  # many times the threshold of the youngest generation
            assert collections == []
            frozen_before_exit = gc.get_freeze_count()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before_exit + len(made)
        del made
        gc.collect()  # the frozen cycles are not collected: they stay counted as frozen
        assert gc.get_freeze_count() >= frozen_before_exit + 10_000
    finally:
        gc.callbacks.remove(seen)


def test_a_nested_block_leaves_the_collector_off_until_the_outer_block_ends(collector):
    with long_lived():
        with long_lived():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_back_on_when_the_block_fails(collector):
    with pytest.raises(RuntimeError), long_lived():
        raise RuntimeError("a failed import")
    assert gc.isenabled()
