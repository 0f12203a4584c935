"""The annual report page: renders in headless Chromium with no errors and nothing fetched from elsewhere,
shows the nine tables, Bijlage 3 and the charts, says which version it is, and compares two years."""

import shutil

import duckdb
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, visit

from orchestration.publishing.annual_report import build_annual_report
from orchestration.publishing.comparison import compare_years
from orchestration.publishing.published_copy import publish_copy
from orchestration.publishing.report_tables import load_report_tables
from orchestration.publishing.suppression import SuppressionSettings

YEAR = 2011


@pytest.fixture(scope="module")
def published(pipeline, tmp_path_factory):
    return publish_copy(pipeline.paths.warehouse, tmp_path_factory.mktemp("published") / "vh_marts.duckdb")


@pytest.fixture(scope="module")
def two_years(published, tmp_path_factory):
    """The published copy with a 2010 in the facts: 2011's records a year earlier, about one in eight left out.
    (The tables stay 2011's: they are for the report year.)"""
    copy = tmp_path_factory.mktemp("two-years") / "vh_marts.duckdb"
    shutil.copy(published, copy)
    with duckdb.connect(str(copy)) as con:
        for table, key, day in (
            ("fct_meldingen", "melding_sleutel", "meldingsdatum"),
            ("fct_vervolgacties", "vervolgactie_sleutel", "datum"),
            ("fct_huisverboden", "huisverbod_sleutel", "datum_rihg"),
        ):
            con.execute(f"delete from marts.{table} where jaar = {YEAR - 1}")
            con.execute(
                f"insert into marts.{table} select * replace ({key} || '-vorig' as {key},"
                f" {day} - interval 1 year as {day}, jaar - 1 as jaar)"
                f" from marts.{table} where jaar = {YEAR} and hash({key}) % 8 <> 0"
            )
    return copy


def rendered(path, tmp_path, name):
    """Visit the page like a reader; count what is on it."""
    page_visit = visit(path.as_uri(), screenshot=tmp_path / f"{name}.png")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.goto(path.as_uri())
        counts = page.evaluate(
            """() => ({
                tables: [...document.querySelectorAll('figure.tabel[id^="tabel-"] table')]
                    .map(t => t.closest('figure').id),
                bijlage: document.querySelectorAll('#bijlage-3 table.oogopslag').length,
                charts: [...document.querySelectorAll('svg.grafiek')].map(s => s.getBoundingClientRect().width > 0
                    && s.getBoundingClientRect().height > 0 && s.querySelectorAll('rect, polyline, circle').length > 3),
                mode: document.querySelector('meta[name=vhpipe-modus]').content,
            })"""
        )
        browser.close()
    return page_visit, counts


@pytest.mark.parametrize("suppression", [None, SuppressionSettings(5)], ids=["intern", "openbaar"])
def test_the_report_renders_with_every_table_bijlage_3_and_the_charts(published, tmp_path, suppression):
    page = build_annual_report(published, tmp_path / "jaarverslag.html", YEAR, YEAR - 1, suppression)
    seen, counts = rendered(page, tmp_path, "jaarverslag")
    assert (seen.console_errors, seen.page_errors, seen.outside_requests, seen.failed_requests) == ([], [], [], [])
    assert seen.screenshot.exists() and seen.screenshot.stat().st_size > 10_000
    assert counts["tables"] == [f"tabel-{i}" for i in range(1, 10)]
    assert counts["bijlage"] == 5  # the five rubrieken of "in één oogopslag"
    assert len(counts["charts"]) == 4 and all(counts["charts"])
    for title in (
        "Tabel 1: Aanmeldingen bij het Veiligheidshuis naar herkomst, jaar 2011.",
        "Bijlage 3: 2011 in één oogopslag.",
    ):
        assert title in seen.text
    if suppression is None:
        assert counts["mode"] == "intern" and "Interne versie" in seen.text
    else:
        assert counts["mode"] == "openbaar" and "Openbare versie" in seen.text and "<5" in seen.text
    assert "Geen vergelijking met 2010: dat jaar is niet (volledig) geladen" in seen.text


def test_the_public_report_shows_no_hidden_figure(published, tmp_path):
    page = build_annual_report(published, tmp_path / "openbaar.html", YEAR, None, SuppressionSettings(5))
    html = page.read_text(encoding="utf-8")
    row = html[html.index('<th scope="row">Geprioriteerden</th>') :].split("</tr>")[0]
    assert row.count("&lt;5") == 3 and ">1<" not in row
    chart = html[html.index('id="grafiek-meldingen-doelgroep"') :].split("</svg>")[0]
    assert "Geprioriteerden, Meerssen" not in chart and "afgeschermd" in chart


def test_two_loaded_years_are_compared_from_the_facts(two_years, tmp_path):
    with duckdb.connect(str(two_years), read_only=True) as con:
        tables = load_report_tables(con, None)
        comparison = compare_years(con, YEAR, YEAR - 1, tables, None)
        meldingen = dict(con.execute("select jaar, count(*) from marts.fct_meldingen group by all").fetchall())
    assert comparison.loaded and comparison.differs_from_table == set()
    totals = comparison.figures[
        (comparison.figures["rubriek"] == "Meldingen naar herkomst") & (comparison.figures["omschrijving"] == "Totaal")
    ].iloc[0]
    assert (totals["2010"], totals["2011"]) == (meldingen[YEAR - 1], meldingen[YEAR])
    assert totals["verschil"] == meldingen[YEAR] - meldingen[YEAR - 1]

    page = build_annual_report(two_years, tmp_path / "twee-jaren.html", YEAR, YEAR - 1, None)
    seen = visit(page.as_uri(), screenshot=tmp_path / "twee-jaren.png")
    assert (seen.console_errors, seen.page_errors, seen.outside_requests) == ([], [], [])
    assert "Kerncijfers 2010 en 2011, uit de feitentabellen" in seen.text
    assert f"+{meldingen[YEAR] - meldingen[YEAR - 1]}" in seen.text
    assert "Meldingen per maand (2010 en 2011)" in seen.text


def test_the_same_data_give_the_same_page(published, tmp_path):
    first = build_annual_report(published, tmp_path / "a.html", YEAR, YEAR - 1, SuppressionSettings(5))
    second = build_annual_report(published, tmp_path / "b.html", YEAR, YEAR - 1, SuppressionSettings(5))
    assert first.read_bytes() == second.read_bytes()


def test_a_report_for_another_year_than_the_tables_is_refused(published, tmp_path):
    with pytest.raises(ValueError, match="describe 2011, not 2012"):
        build_annual_report(published, tmp_path / "x.html", 2012, None, None)
