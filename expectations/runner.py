"""Run a suite from `suites/` on a data frame with an ephemeral GX context.

GX is imported only here and only when a suite runs: importing it costs about two seconds.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

SUITES_DIR = Path(__file__).parent / "suites"
SHOWN_ROWS = 10  # a failure names at most this many offending rows, then counts the rest


@dataclass(frozen=True)
class SuiteOutcome:
    """The verdict of one suite on one frame.

    `subject` is the warehouse relation the frame was read from (`raw.politie_mutaties`,
    `marts.report_cells`), `group` what the suite guards (`raw`, `harmonised`, `reconciliation`);
    `validation` is GX's own result, kept for the Data Docs.
    """

    suite: str
    success: bool
    evaluated: int
    failures: list[str] = field(default_factory=list)
    subject: str = ""
    group: str = ""
    validation: Any = field(default=None, compare=False, repr=False)


def load_suite_definition(name: str) -> dict:
    """The suite's JSON, with the expectations of the fragments it `include`s (`_name.json`) put first."""
    definition = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    included = [
        e for fragment in definition.pop("include", []) for e in load_suite_definition(fragment)["expectations"]
    ]
    return {**definition, "expectations": [*included, *definition["expectations"]]}


def suite_columns(name: str) -> set[str]:
    """The columns suite `name` reads: those its expectations name and those their row conditions use."""
    columns = set()
    for expectation in load_suite_definition(name)["expectations"]:
        kwargs = expectation["kwargs"]
        columns |= {kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs}
        columns |= set(kwargs.get("column_list", []))
        condition = re.sub(r"\"[^\"]*\"|'[^']*'", "", kwargs.get("row_condition", ""))  # without its literals
        columns |= set(re.findall(r"[A-Za-z_]\w*", condition))  # and a few words (and, or) that name no column
    return columns


def run_suite(
    name: str,
    frame: pd.DataFrame,
    id_column: str,
    *,
    parameters: dict[str, Any] | None = None,
    subject: str = "",
    group: str = "",
    shown_rows: int | None = SHOWN_ROWS,
) -> SuiteOutcome:
    """Validate `frame` against suite `name`; each failure names the offending rows by `id_column`.

    `parameters` fill the suite's `{"$PARAMETER": ...}` values (code sets read from the seeds).
    When `subject` is given, every failure message starts with it. A failure names at most
    `shown_rows` rows and counts the rest (None: all of them).
    """
    gx = import_great_expectations()
    definition = load_suite_definition(name)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(subject or name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(
        name=definition["name"], expectations=definition["expectations"], meta=definition.get("meta", {})
    )
    result = batch.validate(
        suite,
        expectation_parameters=parameters or {},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [id_column]},
    )
    prefix = f"{subject}: " if subject else ""
    failures = [prefix + _describe(r, id_column, shown_rows) for r in result.results if not r.success]
    return SuiteOutcome(name, bool(result.success), len(result.results), failures, subject, group, result)


def import_great_expectations():
    """GX, imported on first use, without its fingerprint of every frame.

    GX's pandas engine hashes a whole frame (every value of every column) for a batch marker
    nobody reads here, twice per suite; on a raw table that is half of the suite's time. Frames
    under `HASH_THRESHOLD` bytes are hashed; a threshold of 0 hashes none.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0
    return gx


def _describe(result, id_column: str, shown_rows: int | None = SHOWN_ROWS) -> str:
    config = result.expectation_config
    explanation = (config.meta or {}).get("explanation", config.type)
    if result.exception_info and result.exception_info.get("raised_exception"):
        return f"{config.type} could not run: {result.exception_info.get('exception_message')}"
    rows = result.result.get("unexpected_index_list") or []
    limit = len(rows) if shown_rows is None else shown_rows
    shown = "; ".join(_row_text(row, id_column) for row in rows[:limit])
    more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
    if shown:
        return f"{explanation}: {shown}{more}"
    observed = result.result.get("observed_value")
    return f"{explanation} (observed: {_value_text(observed)})" if observed is not None else explanation


def _row_text(row: dict, id_column: str) -> str:
    key = row.get(id_column)
    values = ", ".join(f"{k}={_value_text(v)}" for k, v in row.items() if k != id_column)
    return f"{key} ({values})"


def _value_text(value: Any) -> str:
    """Dates as dates, whole numbers without `.0`, missing values as `null`: messages are read by people."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return "null"
    if isinstance(value, datetime) and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
