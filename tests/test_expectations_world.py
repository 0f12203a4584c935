"""On the simulated 2011 world (every defect on) every suite passes, the publication's contradictions
are listed exactly, and the auditor's reports open offline in a browser, showing the tables."""

import duckdb
import pytest
from browser import visit
from dbt_cli import copy_warehouse
from test_expectations_publication import REPORT_CONTRADICTIONS

from expectations.publication import write_discrepancies
from expectations.raw_contracts import RAW_TABLES
from expectations.report import build_reports, offline_assets
from expectations.suites_api import run_all

pytestmark = pytest.mark.e2e

# what the 2011 registrations give in the contradicted cells (sources/simulator/calibration/README.md)
RECORDS_IN_CONTRADICTED_CELLS = dict(zip(REPORT_CONTRADICTIONS, [610, 65, 22, 8, 6, 17, 40], strict=True))


@pytest.fixture(scope="module")
def outcomes(pipeline):
    return run_all(pipeline.paths.warehouse, 2011)


@pytest.fixture(scope="module")
def reports(pipeline, outcomes, tmp_path_factory):
    if not offline_assets.installed():
        offline_assets.install()  # npm ci of the pinned front-end packages (make install does it too)
    return build_reports(pipeline.paths.warehouse, tmp_path_factory.mktemp("reports"), outcomes, year=2011)


def test_every_suite_passes_on_the_2011_world(outcomes):
    assert [f for o in outcomes for f in o.failures] == []
    assert all(o.success for o in outcomes)
    assert {o.group for o in outcomes} == {"raw", "harmonised", "reconciliation"}
    assert {o.subject for o in outcomes if o.group == "raw"} == {t.relation for t in RAW_TABLES}
    assert {o.suite for o in outcomes if o.group == "reconciliation"} == {
        "report_cells_totals", "report_cross_table_identities", "report_headline_totals", "report_vs_published",
    }  # fmt: skip
    assert sum(o.evaluated for o in outcomes) > 250


def test_publication_discrepancies_list_exactly_the_contradictions_of_the_report(pipeline, tmp_path):
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        write_discrepancies(con)
        rows = con.execute(
            "select tabel, rij, kolom, gepubliceerd, afgeleid, berekend, toelichting "
            "from audit.publication_discrepancies"
        ).fetchall()
    assert {(t, r, k): (g, a) for t, r, k, g, a, _, _ in rows} == REPORT_CONTRADICTIONS
    assert {(t, r, k): b for t, r, k, _, _, b, _ in rows} == RECORDS_IN_CONTRADICTED_CELLS
    assert all(toelichting for *_, toelichting in rows)


def test_data_docs_render_offline_with_the_validation_results(reports, tmp_path):
    page = visit(reports.data_docs_index.as_uri(), screenshot=tmp_path / "data_docs.png")
    assert (page.console_errors, page.page_errors, page.outside_requests) == ([], [], [])
    assert "raw.politie_mutaties" in page.text and "report_vs_published" in page.text
    (validation,) = reports.data_docs_index.parent.glob("validations/report_vs_published/*/*/marts.report_cells.html")
    page = visit(validation.as_uri(), screenshot=tmp_path / "validation.png")
    assert (page.console_errors, page.page_errors, page.outside_requests) == ([], [], [])
    assert "berekend" in page.text and "Succeeded" in page.text
    assert page.screenshot.stat().st_size > 10_000


def test_reconciliation_page_shows_every_table_cell_by_cell_offline(reports, tmp_path):
    page = visit(reports.reconciliation.as_uri(), screenshot=tmp_path / "reconciliation.png")
    assert (page.console_errors, page.page_errors, page.outside_requests) == ([], [], [])
    text = page.text
    for caption in [f"Tabel {n}:" for n in range(1, 10)] + ["Bijlage 3"]:
        assert caption in text
    assert "Ter opvolging door partnerorganisatie(s)" in text and "Totaal vervolgacties" in text  # labels as printed
    assert "610\ngedrukt 306\nafgeleid 610" in text  # a contradiction in the publication, marked
    assert "gedrukt 39\nafgeleid 40" in text and "alleen de som ligt vast" in text
    assert "46 van 46\ncontroles geslaagd" in text
    assert "Grootboek per bron en levering" in text and "BSN fails the 11-proef" in text
    assert "Actualiteit per bron" in text and "31-12-2011" in text
    html = reports.reconciliation.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained
    assert 'href="data_docs/site/index.html"' in html
    assert page.screenshot.stat().st_size > 50_000
