"""Run a suite from `suites/` with an ephemeral GX context: on a data frame, or on a DuckDB query
(read in parts when it is large, see parts.py).

GX is imported only here and only when a suite runs: importing it costs about two seconds.
"""

from __future__ import annotations

import copy
import functools
import gc
import json
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations import parts
from expectations.reuse import OutcomeStore, frame_fingerprint, outcome_key, row_fingerprint

SUITES_DIR = Path(__file__).parent / "suites"
SHOWN_ROWS = 10  # a failure names at most this many offending rows, then counts the rest
LARGE_FRAME_ROWS = 20_000  # a frame of this many rows is freed as soon as it is validated
# offending rows a whole table's GX result keeps per expectation, the first by id; its counts cover them
# all. A `mostly` rule passes with thousands (19,198 in int_meldingen at scale 100): kept whole, they
# were 99% of the result the Data Docs and the outcome store copy and serialise. At least SHOWN_ROWS: a
# result merged from parts kept this way still names the first offending rows of all
KEPT_ROWS = 200


@dataclass(frozen=True)
class SuiteOutcome:
    """The verdict of one suite on one frame.

    `subject` is the warehouse relation the frame was read from (`raw.politie_mutaties`,
    `marts.report_cells`), `group` what the suite guards (`raw`, `harmonised`, `reconciliation`);
    `validation` is GX's own result, kept for the Data Docs. An outcome taken from the outcome store
    because the rows were unchanged (expectations/reuse.py) has `kept_since`, when GX validated them.
    """

    suite: str
    success: bool
    evaluated: int
    failures: list[str] = field(default_factory=list)
    subject: str = ""
    group: str = ""
    validation: Any = field(default=None, compare=False, repr=False)
    kept_since: str | None = field(default=None, compare=False)  # when GX validated these rows, if reused

    @property
    def reused(self) -> bool:
        return self.kept_since is not None


def load_suite_definition(name: str) -> dict:
    """The suite's JSON, with the expectations of the fragments it `include`s (`_name.json`) put first."""
    definition = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    included = [
        e for fragment in definition.pop("include", []) for e in load_suite_definition(fragment)["expectations"]
    ]
    return {**definition, "expectations": [*included, *definition["expectations"]]}


def expectation_columns(expectations: list[dict]) -> set[str]:
    """The columns `expectations` read: those they name and those their row conditions use."""
    columns = set()
    for expectation in expectations:
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
    store: OutcomeStore | None = None,
) -> SuiteOutcome:
    """Validate `frame` against suite `name`; each failure names the offending rows by `id_column`.

    `parameters` fill the suite's `{"$PARAMETER": ...}` values (code sets read from the seeds).
    When `subject` is given, every failure message starts with it. A failure names at most
    `shown_rows` rows and counts the rest (None: all of them). With a `store`, an outcome of the same
    suite on the same frame is taken from it, and a new one is kept in it.
    """
    definition = load_suite_definition(name)
    if store is not None:
        settings = {"parameters": parameters, "subject": subject, "group": group, "shown_rows": shown_rows}
        key = outcome_key(frame_fingerprint(frame), definition=definition, id_column=id_column, **settings)
        if (kept := store.get(key)) is not None:
            return kept
        outcome = run_suite(name, frame, id_column, **settings)
        store.put(key, outcome)
        return outcome
    result = validate_frame(definition, frame, id_column, parameters, subject or name)
    return _outcome(name, result, id_column, subject, group, shown_rows)


def run_suite_on_query(
    name: str,
    con: duckdb.DuckDBPyConnection,
    sql: str,
    id_column: str,
    *,
    order_by: str | None = None,
    parameters: dict[str, Any] | None = None,
    subject: str = "",
    group: str = "",
    shown_rows: int | None = SHOWN_ROWS,
    part_rows: int = parts.PART_ROWS,
    store: OutcomeStore | None = None,
    delivery_column: str | None = None,
    loaded_column: str | None = None,
) -> SuiteOutcome:
    """`run_suite` on the rows of the DuckDB query `sql`, reading only the columns the suite uses.

    Up to `part_rows` rows are validated as one frame (ordered by `order_by`, default `id_column`);
    more are validated in parts (expectations/parts.py), so memory stays bounded. With a `store`, an
    outcome of the same suite on the same rows is taken from it, and a new one is kept in it; a large
    table whose rows name their delivery (`delivery_column`) is validated per group of deliveries (in
    the order they were loaded, by `loaded_column`), each group's outcome kept, so that only the groups
    with new or changed rows are validated again.
    """
    if store is not None:
        return _reused_or_validated(
            store,
            name,
            con,
            sql,
            id_column,
            order_by=order_by,
            parameters=parameters,
            subject=subject,
            group=group,
            shown_rows=shown_rows,
            part_rows=part_rows,
            delivery_column=delivery_column,
            loaded_column=loaded_column,
        )
    definition = load_suite_definition(name)
    expectations = definition["expectations"]
    available = [column[0] for column in con.execute(f"select * from ({sql}) limit 0").description]
    count = parts.part_count(con, sql, part_rows)
    passes = parts.plan_passes(expectations, id_column) if count > 1 else None
    if passes is None:
        columns = _needed(available, expectations, id_column)
        select = ", ".join(f'"{c}"' for c in columns)
        frame = con.execute(f"select {select} from ({sql}) order by {order_by or id_column}").df()
        result = validate_frame(definition, frame, id_column, parameters, subject or name)
        rows = len(frame)
        del frame
        _collect_if_large(rows)
        return _with_first_rows_kept(_outcome(name, result, id_column, subject, group, shown_rows), id_column)
    suite = QueriedSuite(name, con, sql, definition, available, id_column, parameters, subject or name)
    template, merged = _validate_in_passes(suite, passes, count)
    results = [merged[position] for position in range(len(expectations))]  # the passes cover them all
    outcome = _outcome(name, _suite_result(template, results), id_column, subject, group, shown_rows)
    return _with_first_rows_kept(outcome, id_column)


@dataclass(frozen=True)
class QueriedSuite:
    """A suite validated on the rows of a DuckDB query, as GX data asset `asset`; `available` are the
    query's columns (a pass reads only those its expectations use)."""

    name: str
    con: duckdb.DuckDBPyConnection
    sql: str
    definition: dict
    available: list[str]
    id_column: str
    parameters: dict | None
    asset: str
    sql_parameters: list | None = None  # the values of the query's `?`

    @functools.cached_property
    def ids(self) -> list[str]:
        """An id per expectation, to find its result in every part's (GX orders results its own way)."""
        count = len(self.definition["expectations"])
        return [str(uuid.uuid5(uuid.NAMESPACE_URL, f"vhpipe:{self.name}#{i}")) for i in range(count)]

    def validate(self, positions: Sequence[int], frame: pd.DataFrame):
        """GX's result of the expectations at `positions` (with their ids) on `frame`."""
        expectations = self.definition["expectations"]
        chosen = [{**expectations[i], "id": self.ids[i]} for i in positions]
        definition = {**self.definition, "expectations": chosen}
        return validate_frame(definition, frame, self.id_column, self.parameters, self.asset)

    def columns_for(self, positions: Sequence[int]) -> list[str]:
        """The columns the expectations at `positions` read, and the id column."""
        expectations = self.definition["expectations"]
        return _needed(self.available, [expectations[i] for i in positions], self.id_column)

    def merged(self, positions: Sequence[int], validated: list) -> dict[int, Any]:
        """Per position, the results of its expectation in the GX results `validated` merged into one."""
        by_id = [{r.expectation_config.id: r for r in v.results} for v in validated]
        expectations = self.definition["expectations"]
        return {
            position: parts.merge_results(
                [found[self.ids[position]] for found in by_id], expectations[position], self.id_column
            )
            for position in positions
        }


def _validate_in_passes(suite: QueriedSuite, passes: list[parts.Pass], count: int) -> tuple[Any, dict[int, Any]]:
    """Validate each pass's expectations in `count` hash parts. Returns one part's GX result, whose suite
    metadata the merged result takes, and per expectation's position its results merged over the parts."""
    template, merged = None, {}
    for one_pass in passes:
        columns = suite.columns_for(one_pass.positions)
        validated = []
        for frame in parts.read_parts(
            suite.con, suite.sql, columns, one_pass.key, count, sql_parameters=suite.sql_parameters
        ):
            validated.append(suite.validate(one_pass.positions, frame))
            rows = len(frame)
            del frame
            _collect_if_large(rows)  # before the next part is read
        merged |= suite.merged(one_pass.positions, validated)
        template = template or validated[0]
    return template, merged


def _reused_or_validated(
    store: OutcomeStore, name: str, con: duckdb.DuckDBPyConnection, sql: str, id_column: str, **settings: Any
) -> SuiteOutcome:
    """The kept outcome of suite `name` on these rows, or a new one, kept (expectations/reuse.py)."""
    definition = load_suite_definition(name)
    available = [column[0] for column in con.execute(f"select * from ({sql}) limit 0").description]
    columns = _needed(available, definition["expectations"], id_column)
    rows = row_fingerprint(con, sql, columns)
    key = outcome_key(rows, definition=definition, sql=sql, columns=columns, id_column=id_column, **settings)
    if (kept := store.get(key)) is not None:
        return kept
    outcome = _by_delivery_group(store, name, con, sql, id_column, definition, available, **settings)
    outcome = outcome or run_suite_on_query(name, con, sql, id_column, **settings)
    store.put(key, outcome)
    return outcome


def _by_delivery_group(
    store: OutcomeStore,
    name: str,
    con: duckdb.DuckDBPyConnection,
    sql: str,
    id_column: str,
    definition: dict,
    available: list[str],
    *,
    delivery_column: str | None = None,
    loaded_column: str | None = None,
    part_rows: int = parts.PART_ROWS,
    **settings: Any,
) -> SuiteOutcome | None:
    """A large table that grows by deliveries, validated per group of deliveries (parts.delivery_groups):
    its row-wise expectations, and those uniqueness expectations whose key names the delivery (a row
    of a delivery landed twice), on each group, with the group's outcome kept in `store`, so that a
    night's new delivery is validated alone (a group larger than two parts in hash parts of its own);
    its other uniqueness expectations on all rows, in hash parts. None when the table is not one: no
    delivery column, one group, or an expectation that needs all rows at once."""
    expectations = definition["expectations"]
    if delivery_column not in available or parts.plan_passes(expectations, id_column) is None:
        return None
    per_group = [
        i
        for i, e in enumerate(expectations)
        if e["type"] in parts.ROW_WISE or parts.within_delivery(e, delivery_column)
    ]
    parameters, subject, group = settings.get("parameters"), settings.get("subject", ""), settings.get("group", "")
    shown_rows = settings.get("shown_rows", SHOWN_ROWS)
    suite = QueriedSuite(name, con, sql, definition, available, id_column, parameters, subject or name)
    columns = suite.columns_for(per_group)
    group_rows = min(parts.GROUP_ROWS, part_rows)
    loaded = loaded_column if loaded_column in available else None
    groups = parts.delivery_groups(con, sql, delivery_column, [*columns, delivery_column], group_rows, loaded)
    if len(groups) < 2:
        return None
    keys = [
        outcome_key(
            deliveries.fingerprint,
            definition=definition,
            positions=per_group,
            sql=sql,
            deliveries=deliveries.deliveries,
            columns=columns,
            id_column=id_column,
            loaded_column=loaded_column,
            **settings,
        )
        for deliveries in groups
    ]
    kept = {key: outcome for key in keys if (outcome := store.get(key)) is not None}
    anew = [(key, deliveries) for key, deliveries in zip(keys, groups, strict=True) if key not in kept]

    def keep(key: str, result) -> None:
        kept[key] = _with_first_rows_kept(_outcome(name, result, id_column, subject, group, shown_rows), id_column)
        store.put(key, kept[key])

    whole = [(key, deliveries) for key, deliveries in anew if deliveries.rows <= 2 * part_rows]  # a frame each
    frames = parts.read_groups(con, sql, columns, delivery_column, [d for _, d in whole], id_column) if whole else ()
    for (key, _), frame in zip(whole, frames, strict=True):
        result = suite.validate(per_group, frame)
        rows = len(frame)
        del frame
        _collect_if_large(rows)
        keep(key, result)
    for key, deliveries in anew:
        if deliveries.rows > 2 * part_rows:  # one frame would hold more than two parts: in hash parts
            keep(key, _group_in_parts(suite, deliveries, delivery_column, per_group, part_rows))
    validated = [kept[key].validation for key in keys]
    uniques = [parts.Pass(parts.uniqueness_key(e), (i,)) for i, e in enumerate(expectations) if i not in per_group]
    count = max(1, -(-sum(g.rows for g in groups) // part_rows))
    merged = suite.merged(per_group, validated) | _validate_in_passes(suite, uniques, count)[1]
    results = [merged[position] for position in range(len(expectations))]  # per group or over all rows, each
    outcome = _outcome(name, _suite_result(validated[0], results), id_column, subject, group, shown_rows)
    return _with_first_rows_kept(outcome, id_column)


def _group_in_parts(
    suite: QueriedSuite, deliveries: parts.DeliveryGroup, delivery_column: str, positions: list[int], part_rows: int
):
    """GX's result of the expectations at `positions` on a group of deliveries too large for one frame
    (a register's delivery of a national year): validated as a table is, in hash parts, and merged."""
    in_group = replace(
        suite, sql=parts.rows_of_group(suite.sql, delivery_column), sql_parameters=[list(deliveries.deliveries)]
    )
    passes = parts.plan_passes(suite.definition["expectations"], suite.id_column, positions)
    template, merged = _validate_in_passes(in_group, passes, -(-deliveries.rows // part_rows))
    return _suite_result(template, [merged[position] for position in positions])


def _with_first_rows_kept(outcome: SuiteOutcome, id_column: str) -> SuiteOutcome:
    """`outcome`, its GX result holding per expectation only the first `KEPT_ROWS` offending rows by id (and their
    values). The failure messages were written from all of them; the counts stay those of all of them.
    By id, not as GX listed them, so a table validated whole or in parts keeps the same rows."""
    for result in outcome.validation.results:
        rows = result.result.get("unexpected_index_list")
        if not rows or len(rows) <= KEPT_ROWS:
            continue
        values = result.result.get("unexpected_list")
        first = sorted(range(len(rows)), key=lambda i: (str(rows[i].get(id_column)), json.dumps(rows[i], default=str)))
        first = first[:KEPT_ROWS]
        result.result["unexpected_index_list"] = [rows[i] for i in first]
        if values is not None:
            result.result["unexpected_list"] = (
                [values[i] for i in first] if len(values) == len(rows) else values[:KEPT_ROWS]
            )
    return outcome


def _collect_if_large(rows: int) -> None:
    """Free a large frame just validated (and dropped by the caller) now: GX's validator holds it in
    reference cycles, which Python frees only at its next full collection. That collection scans only
    what was made since GX was imported (see import_great_expectations), so it is cheap."""
    if rows >= LARGE_FRAME_ROWS:
        gc.collect()


def _needed(available: list[str], expectations: list[dict], id_column: str) -> list[str]:
    """The query's columns that `expectations` read, and the id column, in the query's order."""
    wanted = expectation_columns(expectations) | {id_column}
    return [c for c in available if c in wanted]


def _suite_result(template, results: list):
    """A suite's GX result holding `results`, with its verdict and statistics worked out again."""
    merged = copy.copy(template)
    merged.results = results
    passed = sum(bool(r.success) for r in results)
    merged.success = passed == len(results)
    merged.statistics = {
        "evaluated_expectations": len(results),
        "successful_expectations": passed,
        "unsuccessful_expectations": len(results) - passed,
        "success_percent": 100 * passed / len(results) if results else None,
    }
    return merged


def validate_frame(definition: dict, frame: pd.DataFrame, id_column: str, parameters: dict | None, asset: str):
    """GX's result of the suite `definition` on `frame`, as data asset `asset` of the ephemeral context."""
    gx = import_great_expectations()
    batch = _batch_definition(asset).get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(  # a copy of the meta: GX adds its version to it, which changed the outcome's key
        name=definition["name"], expectations=definition["expectations"], meta=copy.deepcopy(definition.get("meta", {}))
    )
    return batch.validate(
        suite,
        expectation_parameters=parameters or {},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [id_column]},
    )


@functools.cache
def _batch_definition(asset: str):
    """The whole-frame batch definition of data asset `asset`, in one ephemeral GX context per process:
    setting up a context, a data source and an asset costs more than validating a small frame."""
    return _pandas_source().add_dataframe_asset(asset).add_batch_definition_whole_dataframe("whole")


@functools.cache
def _pandas_source():
    context = import_great_expectations().get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context.data_sources.add_pandas("warehouse")


def _outcome(name: str, result, id_column: str, subject: str, group: str, shown_rows: int | None) -> SuiteOutcome:
    prefix = f"{subject}: " if subject else ""
    failures = [prefix + _describe(r, id_column, shown_rows) for r in result.results if not r.success]
    return SuiteOutcome(name, bool(result.success), len(result.results), failures, subject, group, result)


@functools.cache
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
    # what is loaded by now (Dagster, dbt, GX) lives as long as the process: left out of collections
    gc.collect()
    gc.freeze()
    return gx


def _describe(result, id_column: str, shown_rows: int | None = SHOWN_ROWS) -> str:
    config = result.expectation_config
    explanation = (config.meta or {}).get("explanation", config.type)
    if result.exception_info and result.exception_info.get("raised_exception"):
        return f"{config.type} could not run: {result.exception_info.get('exception_message')}"
    rows = result.result.get("unexpected_index_list") or []
    # a result merged from parts lists the first rows of each part (KEPT_ROWS); its count covers them all
    offending = max(len(rows), result.result.get("unexpected_count") or 0)
    limit = len(rows) if shown_rows is None else shown_rows
    shown = "; ".join(_row_text(row, id_column) for row in rows[:limit])
    more = f" (and {offending - limit} more)" if offending > limit else ""
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
