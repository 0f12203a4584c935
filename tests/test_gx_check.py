"""The GX validation, run as a Dagster asset check, catches a landed row that went missing."""

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def tampered(tmp_path, fresh_pipeline):
    """A loaded warehouse from which one landed police row has been deleted behind the ledger's back."""
    run = fresh_pipeline(tmp_path, days=3)
    assert run.result.success
    with duckdb.connect(str(run.paths.warehouse)) as con:
        delivery_id, row_number = con.execute(
            "select _delivery_id, _row_number from raw.politie_mutaties order by _delivery_id, _row_number limit 1"
        ).fetchone()
        con.execute(
            "delete from raw.politie_mutaties where _delivery_id = ? and _row_number = ?", [delivery_id, row_number]
        )
    return run, delivery_id


def test_checks_pass_on_the_untouched_warehouse(pipeline):
    result = pipeline.run_job("audit_checks")
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 8  # one ledger check per raw table
    assert all(e.passed for e in evaluations)


def test_check_fails_and_names_the_delivery_when_a_landed_row_is_removed(tampered):
    run, delivery_id = tampered
    result = run.run_job("audit_checks")
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert len(failed) == 1
    (evaluation,) = failed
    assert evaluation.asset_key.to_user_string() == "raw/politie_mutaties"
    assert evaluation.check_name == "ledger_reconciles"
    assert not evaluation.passed
    assert delivery_id in evaluation.description
    assert "landed=" in evaluation.description and "accepted=" in evaluation.description


def test_failing_blocking_check_stops_the_marts_from_being_rebuilt_and_keeps_the_published_copy(tampered):
    run, _ = tampered
    published = run.paths.published.read_bytes()
    result = run.run_job("nightly_load")
    assert not result.success
    rebuilt = {e.asset_key.to_user_string() for e in result.asset_materializations_for_node("veiligheidshuis_dbt")}
    assert "marts/tabel_01_meldingen_naar_herkomst" not in rebuilt
    assert "marts/report_cells" not in rebuilt
    assert run.paths.published.read_bytes() == published  # the analysts keep the last good version
