"""What a data engineer is told when a step fails: the run log, an alerts file, and optionally
a webhook (VH_ALERT_WEBHOOK), each with the failed step, its error and a pointer to the run."""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from sources.paths import data_paths

WEBHOOK_TIMEOUT_SECONDS = 5


def alerts_file() -> Path:
    return data_paths().root / "logs" / "alerts.jsonl"


def alert_record(context: dg.HookContext) -> dict:
    error = context.op_exception
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "job": context.job_name,
        "run_id": context.run_id,
        "step": context.step_key,
        "error": f"{type(error).__name__}: {error}" if error else "unknown error",
        "run": f"dagster UI → Runs → {context.run_id}",
    }


@dg.failure_hook(name="record_failure")
def record_failure(context: dg.HookContext) -> None:
    record = alert_record(context)
    context.log.error(f"step {record['step']} failed: {record['error']} (run {record['run_id']})")
    path = alerts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as alerts:
        alerts.write(json.dumps(record, ensure_ascii=False) + "\n")
    if url := os.environ.get("VH_ALERT_WEBHOOK"):
        _post(context, url, record)


def _post(context: dg.HookContext, url: str, record: dict) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(record).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS):
            pass
    except OSError as exc:  # an unreachable webhook must not hide the failure it reports
        context.log.warning(f"could not post the alert to {url}: {exc}")
