"""Validate a large relation in parts, so that memory stays bounded whatever its size.

GX's pandas engine holds the whole frame it validates, several times over while it works; a raw
table of a national decade does not fit. A suite whose expectations are all column-map
expectations (each row passes or fails on its own values) can be validated on any split of the
rows and the results added up. A uniqueness expectation can too, provided rows with the same key
land in the same part: the rows are split by a hash of that key. So a suite is run in passes:

- the first pass holds every row-wise expectation and the first uniqueness expectation, its rows
  split by that expectation's key (or by the id column when there is none);
- each further uniqueness expectation gets a pass of its own, reading only its columns.

Each pass reads its rows with one DuckDB query sorted by part (`hash(key) % parts`), in chunks,
and validates each part as it is complete; the results of an expectation over all parts are
merged into one GX result: counts added, percentages recomputed, the unexpected rows
concatenated in the order of the id column.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

PART_ROWS = 250_000  # rows per part: a part of a raw table costs GX a few hundred MB
# rows per group of deliveries (delivery_groups). Each group costs GX's set-up once, so a table has at
# most MAX_GROUPS full groups (a national decade's police table: 11 of 400,000 rows), and the deliveries
# after the last full group make up to TAIL_LEVELS + 1 smaller ones, so that a night validates few rows anew
GROUP_ROWS = 100_000
MAX_GROUPS = 16
TAIL_LEVELS = 3
PARTIAL_COUNT = 20  # GX's length of the partial_unexpected_* lists
CHUNK_VECTORS = 32  # DuckDB hands over a sorted result in chunks of this many vectors of 2,048 rows
PART_COLUMN = "_vhpipe_part"
DELIVERY_KEY = "_vhpipe_delivery"
UNIQUENESS = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
ROW_WISE = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_pair_values_to_be_equal",
    "expect_column_pair_values_a_to_be_greater_than_b",
}


@dataclass(frozen=True)
class Pass:
    key: tuple[str, ...]  # the columns whose hash splits the rows
    positions: tuple[int, ...]  # the expectations it validates, by position in the suite


def plan_passes(expectations: list[dict], id_column: str, positions: Sequence[int] | None = None) -> list[Pass] | None:
    """The passes that validate `expectations` (those at `positions`, when given) part by part; None when
    one of them needs all rows at once."""
    chosen = range(len(expectations)) if positions is None else positions
    if any(expectations[i]["type"] not in ROW_WISE | UNIQUENESS for i in chosen):
        return None
    uniques = [i for i in chosen if expectations[i]["type"] in UNIQUENESS]
    row_wise = [i for i in chosen if expectations[i]["type"] in ROW_WISE]
    first = uniques[:1]
    key = uniqueness_key(expectations[first[0]]) if first else (id_column,)
    passes = [Pass(key, tuple(sorted(row_wise + first)))]
    passes += [Pass(uniqueness_key(expectations[i]), (i,)) for i in uniques[1:]]
    return passes


def uniqueness_key(expectation: dict) -> tuple[str, ...]:
    kwargs = expectation["kwargs"]
    return (kwargs["column"],) if "column" in kwargs else tuple(kwargs["column_list"])


def within_delivery(expectation: dict, delivery_column: str) -> bool:
    """A uniqueness expectation whose key holds the delivery column: rows with the same key are rows of one
    delivery, so of one group of deliveries, and the groups can be validated for it one by one."""
    return expectation["type"] in UNIQUENESS and delivery_column in uniqueness_key(expectation)


@dataclass(frozen=True)
class DeliveryGroup:
    """Deliveries next to each other in the order they were loaded, of about `GROUP_ROWS` rows together
    (a group of the tail: a half, a quarter, an eighth of that)."""

    deliveries: tuple[str, ...]
    rows: int
    fingerprint: str  # of the rows' values in the columns fingerprinted (see delivery_groups)


def delivery_expression(delivery_column: str) -> str:
    return f"coalesce(cast(\"{delivery_column}\" as varchar), '')"


def rows_of_group(sql: str, delivery_column: str) -> str:
    """The rows of the query `sql` delivered in the deliveries its parameter lists (a `varchar[]`)."""
    return f"select * from ({sql}) as q where {delivery_expression(delivery_column)} in (select unnest(?::varchar[]))"


def delivery_groups(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    delivery_column: str,
    columns: list[str],
    group_rows: int = GROUP_ROWS,
    loaded_column: str | None = None,
) -> list[DeliveryGroup]:
    """The deliveries of the query's rows in groups, in the order they were loaded (the earliest
    `loaded_column` of their rows, then their ids; without one, their ids).

    Full groups take deliveries until they hold `group_size(rows, group_rows)` rows; the deliveries after
    the last full group are grouped the same way by half that size, then a quarter and an eighth, and
    the rest is the last group; at each size a delivery as large as a group is a group of its own. A
    delivery loaded after the others changes only the last group, which holds less than an eighth of a
    full one, so a night validates its own rows and few others again (runner.py); once the groups after
    the last full group fill one, they merge into it. One scan: counts and row hashes per delivery."""
    delivery = delivery_expression(delivery_column)
    hashed = ", ".join(f'"{c}"' for c in columns)
    loaded = f'min("{loaded_column}")' if loaded_column else "null"
    per_delivery = con.execute(
        f"select {delivery}, count(*), sum(hash({hashed})), {loaded} from ({sql}) group by 1 order by 4, 1"
    ).fetchall()
    size = group_size(sum(rows for _, rows, _, _ in per_delivery), group_rows)
    groups, rest = _filled(per_delivery, size)
    for level in range(1, TAIL_LEVELS + 1):
        filled, rest = _filled(rest, max(1, size >> level))
        groups += filled
    return groups + ([_group(rest)] if rest else [])


def _filled(per_delivery: list[tuple], size: int) -> tuple[list[DeliveryGroup], list[tuple]]:
    """Groups of deliveries taken in order until each holds at least `size` rows, and the deliveries left over.
    A delivery of `size` rows or more is a group of its own (the one before it ends there): validated
    again, it would cost as much as a group, so the small deliveries beside it do not change its group."""
    groups, current, rows = [], [], 0
    for delivery in per_delivery:
        if delivery[1] >= size and current:
            groups.append(_group(current))
            current, rows = [], 0
        current.append(delivery)
        rows += delivery[1]
        if rows >= size:
            groups.append(_group(current))
            current, rows = [], 0
    return groups, current


def group_size(total_rows: int, smallest: int = GROUP_ROWS) -> int:
    """`smallest`, doubled until `total_rows` make at most MAX_GROUPS groups. It changes only when the
    table doubles, so a night's groups are those of the night before, the last one grown."""
    size = smallest
    while total_rows > size * MAX_GROUPS:
        size *= 2
    return size


def _group(per_delivery: list[tuple]) -> DeliveryGroup:
    rows = sum(count for _, count, _, _ in per_delivery)
    return DeliveryGroup(
        tuple(d for d, _, _, _ in per_delivery), rows, f"{rows}:{sum(int(h or 0) for _, _, h, _ in per_delivery)}"
    )


def read_groups(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    columns: list[str],
    delivery_column: str,
    groups: list[DeliveryGroup],
    order: str,
    chunk_vectors: int = CHUNK_VECTORS,
) -> Iterator[pd.DataFrame]:
    """The rows of each group's deliveries, with only `columns` and ordered by `order`, one frame per group
    in the order given. One query sorted by group, read in chunks: a query per group scanned the whole
    table (its joins and expressions) once for each group. The connection is busy until the last group."""
    select = ", ".join(f'q."{c}"' for c in columns)
    deliveries = [delivery for group in groups for delivery in group.deliveries]
    numbers = [number for number, group in enumerate(groups) for _ in group.deliveries]
    con.execute(
        f"select {select}, g.{PART_COLUMN} from ({sql}) as q "
        f"join (select unnest(?::varchar[]) as {DELIVERY_KEY}, unnest(?::integer[]) as {PART_COLUMN}) as g "
        f'on {delivery_expression(delivery_column)} = g.{DELIVERY_KEY} order by g.{PART_COLUMN}, q."{order}"',
        [deliveries, numbers],
    )
    yield from _numbered_frames(con, columns, len(groups), chunk_vectors)


def part_count(con: duckdb.DuckDBPyConnection, sql: str, part_rows: int = PART_ROWS) -> int:
    rows = con.execute(f"select count(*) from ({sql})").fetchone()[0]
    return max(1, -(-rows // part_rows))


def read_parts(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    columns: list[str],
    key: tuple[str, ...],
    parts: int,
    chunk_vectors: int = CHUNK_VECTORS,
    sql_parameters: list | None = None,
) -> Iterator[pd.DataFrame]:
    """Parts 0 … `parts` - 1 of the rows (split by the hash of `key`), with only `columns`, one by one.
    `sql_parameters` are the values of the query's `?`.

    One query, sorted by part, read in chunks: a query per part ran the whole query (its joins and
    expressions over every row) once for each part. The connection is busy until the last part."""
    select = ", ".join(f'"{c}"' for c in columns)
    hashed = ", ".join(f'"{c}"' for c in key)
    con.execute(
        f"select {select}, hash({hashed}) % {parts} as {PART_COLUMN} from ({sql}) order by {PART_COLUMN}",
        sql_parameters,
    )
    yield from _numbered_frames(con, columns, parts, chunk_vectors)


def _numbered_frames(
    con: duckdb.DuckDBPyConnection, columns: list[str], count: int, chunk_vectors: int
) -> Iterator[pd.DataFrame]:
    """The rows of the connection's result numbered 0 … `count` - 1 in PART_COLUMN (sorted by it), one
    frame per number, without that column; a number without rows gets an empty frame."""
    pieces: list[pd.DataFrame] = []  # of the part being read
    empty = pd.DataFrame(columns=columns)
    part = 0
    while len(chunk := con.fetch_df_chunk(chunk_vectors)):
        empty = chunk.iloc[:0].drop(columns=PART_COLUMN)  # an empty part keeps the columns' types
        numbers = chunk[PART_COLUMN].to_numpy()
        starts = [0, *(np.flatnonzero(numbers[1:] != numbers[:-1]) + 1)]
        for start, end in zip(starts, [*starts[1:], len(chunk)], strict=True):
            while part < numbers[start]:  # the part before is complete
                yield _taken(pieces, empty)
                part += 1
            pieces.append(chunk.iloc[start:end].drop(columns=PART_COLUMN))
    while part < count:
        yield _taken(pieces, empty)
        part += 1


def _taken(pieces: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    """The pieces as one frame; the list is emptied, so that only the caller holds the part's rows."""
    joined = pd.concat(pieces, ignore_index=True) if pieces else empty
    pieces.clear()
    return joined


def merge_results(parts: list, expectation: dict, id_column: str):
    """One GX ExpectationValidationResult from the results of the same expectation on every part."""
    merged = copy.deepcopy(parts[0])
    results = [p.result for p in parts]
    total = merged.result
    for count in ("element_count", "missing_count", "unexpected_count"):
        if count in total:
            total[count] = sum(r.get(count) or 0 for r in results)
    indexes = [index for r in results for index in r.get("unexpected_index_list") or []]
    values = [value for r in results for value in r.get("unexpected_list") or []]
    if len(indexes) == len(values):  # a row and its value side by side: in the order of the id column
        order = sorted(range(len(indexes)), key=lambda i: str(indexes[i].get(id_column)))
        indexes, values = [indexes[i] for i in order], [values[i] for i in order]
    if "unexpected_index_list" in total:
        total["unexpected_index_list"] = indexes
        total["partial_unexpected_index_list"] = indexes[:PARTIAL_COUNT]
    if "unexpected_list" in total:
        total["unexpected_list"] = values
        total["partial_unexpected_list"] = values[:PARTIAL_COUNT]
        counts = Counter(str(value) for value in values)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:PARTIAL_COUNT]
        total["partial_unexpected_counts"] = [{"value": value, "count": n} for value, n in ranked]
    total.pop("unexpected_index_query", None)  # a pandas query on one part's index: meaningless for the whole
    _recompute_percentages(total)
    merged.success = _merged_success(parts, total, expectation)
    return merged


def _recompute_percentages(result: dict) -> None:
    elements, missing, unexpected = (result.get(k) or 0 for k in ("element_count", "missing_count", "unexpected_count"))
    considered = elements - missing

    def share(part: int, whole: int) -> float | None:
        return 100 * part / whole if whole else None

    if "missing_percent" in result:
        result["missing_percent"] = share(missing, elements)
    if "unexpected_percent_total" in result:
        result["unexpected_percent_total"] = share(unexpected, elements)
    if "unexpected_percent_nonmissing" in result:
        result["unexpected_percent_nonmissing"] = share(unexpected, considered)
    if "unexpected_percent" in result:
        result["unexpected_percent"] = share(unexpected, considered if "missing_count" in result else elements)


def _merged_success(parts: list, result: dict, expectation: dict) -> bool:
    """Every part passed; with `mostly`, the share of passing rows over all parts (as GX decides it)."""
    mostly = expectation["kwargs"].get("mostly")
    if mostly is None:
        return all(p.success for p in parts)
    considered = (result.get("element_count") or 0) - (result.get("missing_count") or 0)
    return considered == 0 or (considered - (result.get("unexpected_count") or 0)) / considered >= mostly
