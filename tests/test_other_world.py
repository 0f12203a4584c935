"""The pipeline is not fitted to 2011: on a world of another year, scale and seed, report_cells
equals that world's truth, cell for cell, and every check passes."""

import duckdb
import pytest

from sources.simulator.truth import read_truth

pytestmark = pytest.mark.e2e
SCALE = 5  # large enough for records of 2009 on persons who came of age in 2009 (they failed a check once)


@pytest.fixture(scope="module")
def other_world(tmp_path_factory, fresh_pipeline):
    return fresh_pipeline(tmp_path_factory.mktemp("world-2010"), year=2010, scale=SCALE, seed=7)


def test_report_cells_equal_the_truth_of_another_year_scale_and_seed(other_world):
    assert other_world.result.success
    truth = read_truth(other_world.paths.truth)
    with duckdb.connect(str(other_world.paths.warehouse), read_only=True) as con:
        report = con.execute("select tabel, rij, kolom, waarde from marts.report_cells").df()
    expected = {(r.tabel, r.rij, r.kolom): r.waarde for r in truth.itertuples()}
    actual = {(r.tabel, r.rij, r.kolom): r.waarde for r in report.itertuples()}
    assert actual == expected
    # a world of its own, not 2011 again: a larger volume, and 2010's larger jeugd intake
    assert actual[("1", "Totaal", "aantal")] != 3362
    assert actual[("2", "Jeugd", "Totaal")] == SCALE * (2101 + 211)


def test_every_check_passes_on_another_year_scale_and_seed(other_world):
    evaluations = other_world.result.get_asset_check_evaluations()
    assert len(evaluations) > 100, "the run evaluated (almost) no checks"
    assert {e.check_name: e.description for e in evaluations if not e.passed} == {}
