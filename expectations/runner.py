"""Run a suite from `suites/` on a data frame with an ephemeral GX context.

GX is imported only here and only when a suite runs: importing it costs about two seconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

SUITES_DIR = Path(__file__).parent / "suites"


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    failures: list[str] = field(default_factory=list)


def load_suite_definition(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def run_suite(name: str, frame: pd.DataFrame, id_column: str) -> SuiteOutcome:
    """Validate `frame` against suite `name`; each failure names the offending rows by `id_column`."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    definition = load_suite_definition(name)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=definition["name"], expectations=definition["expectations"])
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [id_column]}
    )
    failures = [_describe(r, id_column) for r in result.results if not r.success]
    return SuiteOutcome(name, bool(result.success), len(result.results), failures)


def _describe(result, id_column: str) -> str:
    config = result.expectation_config
    explanation = (config.meta or {}).get("explanation", config.type)
    rows = result.result.get("unexpected_index_list") or []
    shown = "; ".join(_row_text(row, id_column) for row in rows[:10])
    more = f" (and {len(rows) - 10} more)" if len(rows) > 10 else ""
    if result.exception_info and result.exception_info.get("raised_exception"):
        return f"{config.type} could not run: {result.exception_info.get('exception_message')}"
    return f"{explanation}: {shown}{more}" if shown else explanation


def _row_text(row: dict, id_column: str) -> str:
    key = row.get(id_column)
    values = ", ".join(f"{k}={v}" for k, v in row.items() if k != id_column)
    return f"{key} ({values})"
