"""A test hook to stop a run at a chosen moment, so that a test can kill it exactly there.

With `VH_TEST_PAUSE_AT=<point>` in the environment, the code reaching `pause_at(<point>)`
announces it on stderr (`VH_TEST_PAUSE_AT: paused at <point> (pid N)`) and sleeps for
`VH_TEST_PAUSE_SECONDS` (default 600). Unset, it does nothing. The points in the code:

- `extract`: inside a delivery's transaction, its rows written but not its ledger line nor its
  commit (`sources/connectors/ledger.py`): the worst moment for a crash.

Never set it in production: a paused run holds the warehouse's writer lock while it sleeps.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_VARIABLE = "VH_TEST_PAUSE_AT"


def pause_at(point: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) != point:
        return
    print(f"{PAUSE_VARIABLE}: paused at {point} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get("VH_TEST_PAUSE_SECONDS", "600")))
