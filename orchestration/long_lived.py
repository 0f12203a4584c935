"""A block without Python's cyclic garbage collector, for objects that live as long as the process.

`vhpipe run` starts by importing Dagster, dbt and their dependencies and loading the definitions (the
dbt manifest among them): millions of objects that live until the process ends. As they pile up, the
collector runs full collections over all of them that free next to nothing, about a second of the
run's start. GX's import (expectations/runner.py) freezes the heap too, after one full collection:
changing that file would make every outcome the audit kept be validated again (it is part of their key).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """No collections while the block runs; then everything made so far is moved out of every later
    collection (`gc.freeze`), the little garbage among it too. In a nested block, collections start
    again when the outer one ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
