"""The published report's own contradictions are found from its figures alone, generically: by the
tables' sums and the identities between tables, not from a list of cells."""

import re

import duckdb
import pytest

from expectations.identities import IDENTITIES
from expectations.publication import find_contradictions, published_values, write_discrepancies
from expectations.report_tables import CellRef, percentage, table_constraints
from sources.paths import PROJECT_ROOT

REPORT_TEXT = PROJECT_ROOT.parent / "shared" / "seed" / "jaarverslag-2011-veiligheidshuis-district-maastricht.txt"

# (cell) -> (printed, implied by the rest of the report; None where it fixes only a sum)
REPORT_CONTRADICTIONS = {
    CellRef("4", "Ter opvolging door partnerorganisatie(s)", "Huiselijk geweld"): (306, 610),
    CellRef("4", "Ter opvolging door partnerorganisatie(s)", "Volwassen ex-gedetineerden"): (30, 65),
    CellRef("5", "Noord-West", "Afgehandeld door partners"): (38, None),
    CellRef("5", "Noord-Oost", "Afgehandeld door partners"): (21, None),
    CellRef("5", "Zuid-Oost", "Afgehandeld door partners"): (14, None),
    CellRef("5", "Zuid-West en centrum (inclusief OGGZ)", "Afgehandeld door partners"): (18, None),
    CellRef("9", "Opgelegde huisverboden", "Totaal"): (39, 40),
}


def grid(tabel: str, rows: dict[str, dict[str, int]]) -> dict[CellRef, int]:
    return {CellRef(tabel, rij, kolom): v for rij, cells in rows.items() for kolom, v in cells.items()}


def test_the_published_figures_contradict_themselves_in_exactly_the_seven_cells_of_the_report():
    found = find_contradictions(published_values())
    assert {c.cell: (c.gepubliceerd, c.afgeleid) for c in found} == REPORT_CONTRADICTIONS
    by_cell = {c.cell: c.toelichting for c in found}
    assert (
        "786 − 39 − 137 = 610" in by_cell[CellRef("4", "Ter opvolging door partnerorganisatie(s)", "Huiselijk geweld")]
    )
    assert (
        "tellen op tot 91, niet tot het gedrukte totaal 53"
        in by_cell[CellRef("5", "Noord-West", "Afgehandeld door partners")]
    )
    assert "Tabel 7 · Huiselijk geweld × Totaal = 40" in by_cell[CellRef("9", "Opgelegde huisverboden", "Totaal")]


def test_a_cell_fixed_by_its_row_total_and_its_column_total_is_derived():
    printed = grid(
        "X",
        {
            "a": {"p": 1, "q": 2, "Totaal": 3},
            "b": {"p": 9, "q": 4, "Totaal": 7},
            "Totaal": {"p": 4, "q": 6, "Totaal": 10},
        },
    )
    (found,) = find_contradictions(printed)
    assert (found.cell, found.gepubliceerd, found.afgeleid) == (CellRef("X", "b", "p"), 9, 3)
    assert "bevestigd door" in found.toelichting


def test_cells_the_report_fixes_only_as_a_sum_are_listed_without_a_derived_value():
    # one column that does not add up and nothing else to tell which of its three cells is wrong
    printed = grid("Y", {"a": {"n": 5}, "b": {"n": 6}, "Totaal": {"n": 7}})
    assert {c.cell: c.afgeleid for c in find_contradictions(printed)} == {
        CellRef("Y", "a", "n"): None, CellRef("Y", "b", "n"): None, CellRef("Y", "Totaal", "n"): None,
    }  # fmt: skip


def test_a_consistent_publication_has_no_contradictions():
    printed = grid(
        "X",
        {
            "a": {"aantal": 3, "% van totaal": 30},
            "b": {"aantal": 7, "% van totaal": 70},
            "Totaal": {"aantal": 10, "% van totaal": 100},
        },
    )
    assert find_contradictions(printed) == []
    assert [c.kind for c in table_constraints(printed)].count("percentage") == 3


def test_percentages_round_halves_up_as_the_report_prints_them():
    assert percentage(219, 3362) == 7  # 6.51 %
    assert percentage(1, 8) == 13  # 12.5 % rounds up
    assert percentage(5, 0) == 0


@pytest.mark.skipif(not REPORT_TEXT.exists(), reason="the report text lives in shared/seed beside the project")
def test_every_identity_rests_on_sentences_that_are_in_the_report():
    text = re.sub(r"\s+", " ", REPORT_TEXT.read_text(encoding="utf-8").replace("-\n", ""))
    for identity in IDENTITIES:
        quotes = re.findall(r"«([^»]+)»", identity.grond)
        assert quotes, f"{identity.name()} quotes no sentence of the report"
        for quote in quotes:
            for fragment in quote.split(" — "):
                assert re.sub(r"\s+", " ", fragment) in text, f"{identity.name()}: «{fragment}» is not in the report"


def test_write_discrepancies_stores_them_with_what_the_records_give():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.report_cells (tabel varchar, rij varchar, kolom varchar, waarde integer)")
    con.execute("insert into marts.report_cells values ('9', 'Opgelegde huisverboden', 'Totaal', 40)")
    con.execute("create schema intermediate")  # the registrations cover all of 2011
    con.execute(
        "create table intermediate.int_meldingen as "
        "select 2011 as jaar, unnest([date '2011-01-01', date '2011-12-31']) as meldingsdatum"
    )
    written = write_discrepancies(con)
    stored = con.execute(
        "select tabel, rij, kolom, gepubliceerd, afgeleid, berekend from audit.publication_discrepancies"
    ).fetchall()
    assert len(stored) == len(written) == 7
    assert ("9", "Opgelegde huisverboden", "Totaal", 39, 40, 40) in stored
    assert ("5", "Noord-West", "Afgehandeld door partners", 38, None, None) in stored
