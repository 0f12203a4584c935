"""A suite validated in parts (expectations/parts.py) reaches the verdict of the whole frame, with the
same counts and the same rows named. On copies of the session's 2011 warehouse, tampered so that each
kind of expectation fails (a row-wise rule, both uniqueness rules, a `mostly` rule), and validated once
whole and once in parts of a few hundred rows."""

import json
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pytest
from dbt_cli import copy_warehouse

from expectations import harmonised, parts, reuse, runner
from expectations.raw_contracts import RAW_TABLES_BY_NAME, ROW_ORDER, rows_query
from expectations.runner import SHOWN_ROWS, run_suite_on_query
from expectations.seeds import code_sets

pytestmark = pytest.mark.e2e

SMALL_PARTS = 400  # the 2011 tables hold a few thousand rows: several parts each
LARGE_GROUP_PARTS = 200  # parts so small that one delivery is a group of more than two
POLITIE = RAW_TABLES_BY_NAME["politie_mutaties"]


@pytest.fixture(scope="module")
def tampered(pipeline, tmp_path_factory):
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path_factory.mktemp("parts"))
    with duckdb.connect(str(warehouse)) as con:
        query = "select distinct _delivery_id from raw.politie_mutaties order by 1"
        deliveries = [d for (d,) in con.execute(query).fetchall()]
        for delivery in deliveries[10:40:10]:  # a code outside the code set, in three deliveries
            con.execute(
                "update raw.politie_mutaties set selectiecode = 'XX' where _delivery_id = ? and _row_number = 2",
                [delivery],
            )
        # a row landed twice (both uniqueness rules), and another row's hash repeated in a later delivery
        con.execute(
            "insert into raw.politie_mutaties select * from raw.politie_mutaties where _delivery_id = ? "
            "and _row_number = 1",
            [deliveries[5]],
        )
        con.execute(
            "update raw.politie_mutaties set _row_hash = (select _row_hash from raw.politie_mutaties "
            "where _delivery_id = $a and _row_number = 3) where _delivery_id = $b and _row_number = 4",
            {"a": deliveries[7], "b": deliveries[50]},
        )
        # a vervolgactie registered twice
        con.execute(
            "insert into intermediate.int_vervolgacties select * from intermediate.int_vervolgacties "
            "where vervolgactie_id = (select max(vervolgactie_id) from intermediate.int_vervolgacties)"
        )
        # a quarter of the jeugd meldingen on adults: below the 80% the `mostly` rule asks
        con.execute(
            "update intermediate.int_meldingen set leeftijdsklasse = '18-24' where doelgroep = 'Jeugd' "
            "and hash(melding_id) % 4 = 0"
        )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


def plain(value):
    """A value as JSON has it: a row number GX just read is a numpy integer, one kept in the store an int."""
    return value.item() if isinstance(value, np.generic) else str(value)


def summary(outcome) -> dict:
    """The verdict, and per expectation its verdict, counts and the rows it names (in id order)."""
    per_expectation = {}
    for r in outcome.validation.results:
        config = r.expectation_config
        key = config.type + json.dumps(config.kwargs, sort_keys=True, default=str)
        rows = sorted(
            json.dumps(row, sort_keys=True, default=plain) for row in r.result.get("unexpected_index_list", [])
        )
        counts = {k: r.result.get(k) for k in ("element_count", "missing_count", "unexpected_count")}
        per_expectation[key] = (r.success, counts, rows)
    return {"success": outcome.success, "evaluated": outcome.evaluated, "expectations": per_expectation}


@pytest.mark.parametrize(
    ("suite", "sql", "id_column", "order_by"),
    [
        (POLITIE.suite, rows_query(POLITIE), "delivery_row", ROW_ORDER),
        ("int_meldingen", harmonised.MELDINGEN, "melding_id", None),
        ("int_vervolgacties", harmonised.VERVOLGACTIES, "vervolgactie_id", None),
    ],
    ids=["raw_politie_mutaties", "int_meldingen", "int_vervolgacties"],
)
def test_a_suite_in_parts_reaches_the_verdict_of_the_whole_frame(tampered, suite, sql, id_column, order_by):
    assert parts.part_count(tampered, sql, SMALL_PARTS) > 2

    def run(part_rows: int):
        return run_suite_on_query(
            suite, tampered, sql, id_column, order_by=order_by, parameters=code_sets(), part_rows=part_rows
        )

    whole, in_parts = run(10**9), run(SMALL_PARTS)
    assert summary(in_parts) == summary(whole)
    assert len(in_parts.failures) == len(whole.failures) > 0


def test_the_tampered_rows_are_named_when_validated_in_parts(tampered):
    outcome = run_suite_on_query(
        POLITIE.suite, tampered, rows_query(POLITIE), "delivery_row", parameters=code_sets(), part_rows=SMALL_PARTS
    )
    failed = {r.expectation_config.type: r for r in outcome.validation.results if not r.success}
    assert set(failed) == {
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
    }
    assert failed["expect_column_values_to_be_in_set"].result["unexpected_count"] == 3
    assert failed["expect_column_values_to_be_unique"].result["unexpected_count"] == 4  # two pairs
    assert failed["expect_compound_columns_to_be_unique"].result["unexpected_count"] == 2


def test_a_mostly_rule_is_decided_on_the_share_over_all_parts(tampered):
    outcome = run_suite_on_query(
        "int_meldingen", tampered, harmonised.MELDINGEN, "melding_id", parameters=code_sets(), part_rows=SMALL_PARTS
    )
    (jeugd,) = [r for r in outcome.validation.results if r.expectation_config.kwargs.get("mostly") == 0.8]
    share = jeugd.result["unexpected_count"] / jeugd.result["element_count"]
    assert share > 0.2 and not jeugd.success


@pytest.mark.parametrize("chunk_vectors", [1, parts.CHUNK_VECTORS])
def test_the_parts_read_in_one_sorted_query_are_the_rows_of_each_hash_part(tampered, chunk_vectors):
    """Part i holds exactly the rows whose key hashes to i, whatever the chunks they arrive in; a part
    no key hashes to is an empty frame with the same columns (selectiecode has four codes: seven parts)."""
    sql, columns = rows_query(POLITIE), ["delivery_row", "selectiecode", "event_date"]
    for key, count in ((("delivery_row",), 5), (("selectiecode",), 7)):
        read = list(parts.read_parts(tampered, sql, columns, key, count, chunk_vectors))
        assert len(read) == count
        for number, frame in enumerate(read):
            expected = tampered.execute(
                f"select delivery_row, selectiecode, event_date from ({sql}) where hash({key[0]}) % {count} = {number}"
            ).df()
            assert list(frame.columns) == columns
            assert sorted(map(tuple, frame.astype(str).values)) == sorted(map(tuple, expected.astype(str).values))
        assert sum(map(len, read)) == tampered.execute(f"select count(*) from ({sql})").fetchone()[0]
        if key == ("selectiecode",):
            assert any(frame.empty for frame in read)


def test_a_result_keeps_the_first_offending_rows_by_id_and_counts_them_all(tampered, monkeypatch):
    """A whole table's GX result keeps KEPT_ROWS offending rows per expectation, the same ones validated
    whole or in parts (the smallest ids); its counts and the failure message cover every offending row."""
    monkeypatch.setattr(runner, "KEPT_ROWS", 5)

    def mostly_rule(part_rows: int):
        outcome = run_suite_on_query(
            "int_meldingen", tampered, harmonised.MELDINGEN, "melding_id", parameters=code_sets(), part_rows=part_rows
        )
        (jeugd,) = [r for r in outcome.validation.results if r.expectation_config.kwargs.get("mostly") == 0.8]
        return outcome, jeugd.result

    (whole, kept), (_, kept_in_parts) = mostly_rule(10**9), mostly_rule(SMALL_PARTS)
    offending = tampered.execute(
        f"select melding_id from ({harmonised.MELDINGEN}) where doelgroep = 'Jeugd' "
        "and leeftijdsklasse != '12-17' order by cast(melding_id as varchar)"
    ).fetchall()
    assert kept["unexpected_count"] == kept_in_parts["unexpected_count"] == len(offending) > 5
    assert [row["melding_id"] for row in kept["unexpected_index_list"]] == [m for (m,) in offending[:5]]
    assert kept["unexpected_index_list"] == kept_in_parts["unexpected_index_list"]
    (message,) = [f for f in whole.failures if "jeugd meldingen are mostly" in f]
    assert f"(and {len(offending) - SHOWN_ROWS} more)" in message


@pytest.mark.parametrize(
    ("suite", "sql", "id_column", "order_by", "delivery_column", "loaded_column", "part_rows"),
    [
        (POLITIE.suite, rows_query(POLITIE), "delivery_row", ROW_ORDER, "_delivery_id", "_loaded_at", SMALL_PARTS),
        ("int_meldingen", harmonised.MELDINGEN, "melding_id", None, "delivery_id", "loaded_at", SMALL_PARTS),
        # the register's one delivery of 2011 (524 meldingen) is more than two such parts
        ("int_meldingen", harmonised.MELDINGEN, "melding_id", None, "delivery_id", "loaded_at", LARGE_GROUP_PARTS),
    ],
    ids=["raw_politie_mutaties", "int_meldingen", "int_meldingen_with_a_group_of_more_than_two_parts"],
)
def test_a_table_validated_per_group_of_deliveries_reaches_the_verdict_of_the_whole_and_keeps_each_group(
    tampered, tmp_path, monkeypatch, suite, sql, id_column, order_by, delivery_column, loaded_column, part_rows
):
    """With an outcome store, a large table is validated per group of deliveries and each group's outcome
    is kept: the verdict, counts and rows named are those of a validation without a store; a table with
    one changed delivery validates that delivery's group again, and every other group is taken from the store.
    A uniqueness rule whose key names the delivery (a row of a delivery landed twice) is validated with the
    groups; only the others read every row. A group of more than two parts (a register's delivery of a
    national year) is validated in hash parts of its own, and kept like any other."""
    # the lists merged from kept groups are trimmed too: to as few rows as a failure message shows
    monkeypatch.setattr(runner, "KEPT_ROWS", SHOWN_ROWS)

    def run(con, store=None):
        return run_suite_on_query(
            suite,
            con,
            sql,
            id_column,
            order_by=order_by,
            parameters=code_sets(),
            part_rows=part_rows,
            store=store,
            delivery_column=delivery_column,
            loaded_column=loaded_column,
        )

    group_frames = []  # the rows of each frame validated with more than one expectation: a group's
    over_all_rows = set()  # the keys of the uniqueness rules validated alone: over every row, in hash parts
    validate_frame = runner.validate_frame

    def counted(definition, frame, *args):
        if len(definition["expectations"]) > 1:
            group_frames.append(len(frame))
        else:
            over_all_rows.add(parts.uniqueness_key(definition["expectations"][0]))
        return validate_frame(definition, frame, *args)

    monkeypatch.setattr(runner, "validate_frame", counted)
    store = reuse.OutcomeStore(tmp_path / "validations")
    groups = parts.delivery_groups(tampered, sql, delivery_column, [id_column], part_rows, loaded_column)
    large = [g for g in groups if g.rows > 2 * part_rows]
    assert len(groups) > 2 and bool(large) == (part_rows == LARGE_GROUP_PARTS)
    with_store = run(tampered, store)
    # a frame per group, and a large group's rows in hash parts: every row once, no frame over two parts
    assert Counter(g.rows for g in groups if g not in large) <= Counter(group_frames)
    assert len(group_frames) == len(groups) - len(large) + sum(-(-g.rows // part_rows) for g in large)
    assert sum(group_frames) == sum(g.rows for g in groups) and max(group_frames) <= 2 * part_rows
    expectations = runner.load_suite_definition(suite)["expectations"]
    uniques = {parts.uniqueness_key(e) for e in expectations if e["type"] in parts.UNIQUENESS}
    assert over_all_rows == {key for key in uniques if delivery_column not in key}
    without = run(tampered)
    assert summary(with_store) == summary(without)
    assert with_store.failures == without.failures and with_store.failures

    # the last delivery of a middle group changes: that group is validated again, the others are kept
    small = [g for g in groups if g not in large]
    middle = small[len(small) // 2]
    (path,) = tampered.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    changed = copy_warehouse(Path(path), tmp_path / "changed")
    table, column = (
        ("raw.politie_mutaties", "selectiecode")
        if suite == POLITIE.suite
        else ("intermediate.int_meldingen", "gemeente")  # every melding's gemeente is one of the district
    )
    with duckdb.connect(str(changed)) as con:
        con.execute(f"update {table} set {column} = 'XY' where {delivery_column} = ?", [middle.deliveries[-1]])
    with duckdb.connect(str(changed), read_only=True) as con:
        group_frames.clear()
        again = run(con, reuse.OutcomeStore(store.folder))
        assert group_frames == [middle.rows]
        assert summary(again) == summary(run(con)) != summary(with_store)


def landed(rows_sql: str) -> duckdb.DuckDBPyConnection:
    """A connection holding table `landed` (delivery, i, loaded) of the rows `rows_sql` selects."""
    con = duckdb.connect()
    con.execute(f"create table landed as {rows_sql}")
    return con


def groups_of(con: duckdb.DuckDBPyConnection) -> list[parts.DeliveryGroup]:
    """The groups of deliveries of `landed` in the order they were loaded, a full group being 100 rows or more."""
    return parts.delivery_groups(con, "select * from landed", "delivery", ["delivery", "i"], 100, "loaded")


def test_a_table_has_at_most_max_groups_and_a_delivery_loaded_later_changes_only_a_small_last_group():
    """Each group costs GX's set-up: a table of millions of rows gets larger groups, not more, and their size
    changes only when the table doubles. Deliveries are grouped in the order they were loaded, whatever their
    names, and the deliveries after the last full group in smaller groups: a night's new delivery is a group
    of its own, or joins a group smaller than an eighth of a full one, and every other group is kept."""
    # 500 deliveries of 10 rows, loaded one after the other, their names in another order than their loading
    con = landed(
        "select printf('d%05d', (i // 10) * 7919 % 500) as delivery, i, "
        "timestamp '2010-01-01' + to_minutes(i // 10) as loaded from range(5000) t(i)"
    )

    groups = groups_of(con)

    full = [g for g in groups if g.rows >= parts.group_size(5000, 100)]
    assert parts.group_size(5000, 100) == 400 and len(full) == 12 <= parts.MAX_GROUPS
    assert groups[:12] == full and [g.rows for g in groups[12:]] == [200]  # the rest: half a full group
    assert [d for g in groups for d in g.deliveries] == [f"d{n * 7919 % 500:05d}" for n in range(500)]
    nights = [groups]
    for night in range(1, 4):  # a delivery a night, named to sort before every other
        con.execute(
            f"insert into landed select 'a{night}', 5000 + i, timestamp '2011-01-01' + to_days({night}) "
            "from range(10) t(i)"
        )
        nights.append(groups_of(con))
        assert nights[-1][:-1] == nights[-2][: len(nights[-1]) - 1]
        assert nights[-1][-1].deliveries == tuple(f"a{n}" for n in range(1, night + 1))
        assert nights[-1][-1].rows < 400 / 8
    # by name alone the new delivery would come first and change every group
    by_name = parts.delivery_groups(con, "select * from landed", "delivery", ["delivery", "i"], 100)
    assert by_name[0].deliveries[0] == "a1"


def test_a_delivery_as_large_as_a_group_is_a_group_of_its_own():
    """A year's register delivered in one pull after the day's police drops: the small deliveries before it
    end their group, so a night that changes one of them (a corrected mutatie) leaves the large one kept."""
    con = landed(
        "select printf('d%03d', i // 10) as delivery, i, to_minutes(i // 10) as loaded "
        "from range(550) t(i) union all select 'register', 1000 + i, to_minutes(100) from range(250) t(i)"
    )

    groups = groups_of(con)

    assert [g.rows for g in groups] == [100] * 5 + [50, 250]
    assert groups[-1].deliveries == ("register",)
    con.execute("update landed set i = -i where delivery = 'd054'")  # the last small one changes
    again = groups_of(con)
    assert again[-1] == groups[-1] and again[-2] != groups[-2] and again[:-2] == groups[:-2]


@pytest.mark.parametrize("chunk_vectors", [1, parts.CHUNK_VECTORS])
def test_the_groups_read_in_one_sorted_query_are_the_rows_of_each_group(tampered, chunk_vectors):
    """Group i's frame holds exactly the rows of its deliveries, in the order asked, whatever the chunks they
    arrive in; the groups asked for may be any of them, in any order."""
    sql, columns = rows_query(POLITIE), ["delivery_row", "selectiecode", "_delivery_id"]
    groups = parts.delivery_groups(tampered, sql, "_delivery_id", ["delivery_row"], SMALL_PARTS, "_loaded_at")
    asked = [groups[-1], groups[0], groups[len(groups) // 2]]

    read = list(parts.read_groups(tampered, sql, columns, "_delivery_id", asked, "delivery_row", chunk_vectors))

    assert len(read) == len(asked)
    for group, frame in zip(asked, read, strict=True):
        expected = tampered.execute(
            f"select {', '.join(columns)} from ({sql}) where _delivery_id in (select unnest(?::varchar[])) "
            "order by delivery_row",
            [list(group.deliveries)],
        ).df()
        assert list(frame.columns) == columns and len(frame) == group.rows
        assert frame.astype(str).values.tolist() == expected.astype(str).values.tolist()
