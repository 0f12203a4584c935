"""The audit validates again only the tables and frames whose rows changed (expectations/reuse.py): an
outcome kept for unchanged rows is the outcome a new validation gives, and any change of a row, the
suite's parameters or the code is validated anew. On copies of the session's 2011 warehouse."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from dbt_cli import copy_warehouse

from expectations import reuse, suites_api
from expectations.seeds import code_sets

YEAR = 2011
TRAJECTEN = "raw.vh_trajecten"


def verdicts(outcomes) -> list[tuple]:
    return sorted((o.group, o.subject, o.suite, o.success, o.evaluated, tuple(o.failures)) for o in outcomes)


@pytest.fixture(scope="module")
def first_audit(pipeline, tmp_path_factory):
    """A copy of the warehouse, audited once with an empty store."""
    folder = tmp_path_factory.mktemp("reuse")
    warehouse = copy_warehouse(pipeline.paths.warehouse, folder / "warehouse")
    store = reuse.OutcomeStore(folder / "validations")
    return warehouse, store.folder, suites_api.run_all(warehouse, YEAR, store)


def test_unchanged_rows_give_the_kept_outcomes_which_equal_a_new_validation(first_audit):
    warehouse, folder, first = first_audit
    assert not any(o.reused for o in first)
    kept = sorted(folder.glob("*.json"))
    assert len(kept) == len(first)  # every suite's outcome: over whole tables and over the frames derived from them
    assert sum(o.suite.startswith("raw_") and o.subject == f"raw.{o.suite[4:]}" for o in first) == 8

    again = suites_api.run_all(warehouse, YEAR, reuse.OutcomeStore(folder))
    fresh = suites_api.run_all(warehouse, YEAR)
    assert verdicts(again) == verdicts(fresh) == verdicts(first)
    assert all(o.reused and o.kept_since for o in again)
    # GX's own result, as the Data Docs render it, is the one validated then
    by_key = {(o.subject, o.suite): o for o in first}
    for outcome in again:
        if outcome.reused:
            assert (
                outcome.validation.to_json_dict() == by_key[(outcome.subject, outcome.suite)].validation.to_json_dict()
            )
    assert sorted(folder.glob("*.json")) == kept


def test_a_changed_row_is_validated_again_and_named_while_the_other_tables_are_reused(first_audit, tmp_path):
    warehouse, folder, _ = first_audit
    changed = copy_warehouse(warehouse, tmp_path / "warehouse")
    with duckdb.connect(str(changed)) as con:
        (row,) = con.execute("select min(rowid) from raw.vh_trajecten").fetchone()
        con.execute(f"update raw.vh_trajecten set categorie = 'middellang' where rowid = {row}")
    store = reuse.OutcomeStore(folder)
    before = set(folder.glob("*.json"))
    debris = folder / "an-outcome-whose-writer-was-killed.tmp"
    debris.write_text("{", encoding="utf-8")

    outcomes = suites_api.run_all(changed, YEAR, store)
    trajecten = next(o for o in outcomes if o.subject == TRAJECTEN and o.suite == "raw_vh_trajecten")
    assert not trajecten.reused and not trajecten.success
    assert any("middellang" in failure for failure in trajecten.failures)
    contracts = {o.subject: o for o in outcomes if o.group == "raw" and o.suite == f"raw_{o.subject[4:]}"}
    assert len(contracts) == 8
    assert {subject for subject, o in contracts.items() if not o.reused} == {TRAJECTEN}
    # the outcome of the old rows is no longer used: dropped; the new one is kept
    after = set(folder.glob("*.json"))
    assert len(after) == len(before) and after != before
    assert not debris.exists()


def test_a_changed_report_cell_is_validated_again_and_fails_while_the_raw_suites_are_reused(first_audit, tmp_path):
    warehouse, _, _ = first_audit
    store = reuse.OutcomeStore(tmp_path / "validations")  # of its own: the test before changed the module's
    suites_api.run_all(warehouse, YEAR, store)
    changed = copy_warehouse(warehouse, tmp_path / "warehouse")
    with duckdb.connect(str(changed)) as con:
        con.execute("update marts.report_cells set waarde = waarde + 1 where tabel = '4' and rij = 'Totaal'")

    outcomes = suites_api.run_all(changed, YEAR, reuse.OutcomeStore(store.folder))
    reconciled = [o for o in outcomes if o.group == suites_api.RECONCILIATION]
    assert reconciled and not any(o.reused for o in reconciled)
    assert not all(o.success for o in reconciled)
    assert all(o.reused for o in outcomes if o.group == suites_api.RAW)


def test_the_frame_fingerprint_follows_values_their_types_and_columns():
    frame = pd.DataFrame({"id": [1, 2], "code": ["a", None]})
    fingerprint = reuse.frame_fingerprint(frame)
    assert reuse.frame_fingerprint(frame.copy()) == fingerprint
    assert reuse.frame_fingerprint(frame.assign(code=["a", "b"])) != fingerprint
    assert reuse.frame_fingerprint(frame.assign(id=["1", "2"])) != fingerprint
    assert reuse.frame_fingerprint(frame.astype({"id": float})) != fingerprint
    assert reuse.frame_fingerprint(frame.rename(columns={"code": "soort"})) != fingerprint
    assert reuse.frame_fingerprint(frame.iloc[:1]) != fingerprint


def test_the_key_follows_the_suite_its_parameters_and_the_rows():
    settings = {"definition": {"name": "s", "expectations": []}, "sql": "select 1", "parameters": code_sets()}
    key = reuse.outcome_key("10:123", **settings)
    assert reuse.outcome_key("10:123", **settings) == key
    assert reuse.outcome_key("10:124", **settings) != key
    assert reuse.outcome_key("10:123", **{**settings, "sql": "select 2"}) != key
    sets = code_sets()
    first = next(iter(sets))
    assert reuse.outcome_key("10:123", **{**settings, "parameters": {**sets, first: ["another code"]}}) != key


def test_the_row_fingerprint_is_order_free_and_counts_duplicates():
    con = duckdb.connect()
    con.execute("create table t as select * from (values (1, 'a'), (2, 'b'), (3, null)) v(id, code)")
    fingerprint = reuse.row_fingerprint(con, "select * from t", ["id", "code"])
    assert reuse.row_fingerprint(con, "select * from t order by id desc", ["id", "code"]) == fingerprint
    assert (
        reuse.row_fingerprint(con, "select * from t union all select * from t where id = 1", ["id", "code"])
        != fingerprint
    )
    assert reuse.row_fingerprint(con, "select id, 'c' as code from t", ["id", "code"]) != fingerprint
    assert reuse.row_fingerprint(con, "select * from t", ["id"]) != fingerprint
