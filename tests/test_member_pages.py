"""The cell pages: a total's records combined from its parts, written as table rows by DuckDB."""

import datetime
import html
import re

import duckdb
import pytest

from expectations.report.member_pages import write_member_pages

X, Y, TOTAL = ("2", "A", "X"), ("2", "A", "Y"), ("2", "A", "Totaal")
# lid, persoon_key, datum, bronnen, delivery_id, delivery_row_number: labels with every character
# HTML escapes, an unknown person and an unknown date
MEMBERS = {
    X: [
        ("a<1", "bsn:" + "0" * 32, datetime.date(2010, 1, 2), "politie", "d&1", 7),
        ("b&2", "naam:" + "1" * 32, datetime.date(2010, 1, 1), "politie", "d&1", 8),
        ('c"3', None, None, "vh", "d'2", 1),
    ],
    Y: [("d'4", "bsn:" + "2" * 32, datetime.date(2010, 1, 1), "vh<x>", "d'2", 2)],
}


@pytest.fixture
def warehouse(tmp_path):
    """The three relations the pages read, as dbt builds them, holding MEMBERS."""
    con = duckdb.connect(str(tmp_path / "vh.duckdb"))
    for schema in ("intermediate", "audit", "marts"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table intermediate.int_leden (tabel varchar, rij varchar, kolom varchar, lid varchar, "
        "persoon_key varchar, datum date, bronnen varchar, delivery_id varchar, delivery_row_number integer)"
    )
    con.executemany(
        "insert into intermediate.int_leden values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*cell, *record) for cell, records in MEMBERS.items() for record in records],
    )
    con.execute(
        "create table audit.report_cell_parts (tabel varchar, rij varchar, kolom varchar, "
        "leden_tabel varchar, leden_rij varchar, leden_kolom varchar)"
    )
    parts = [(*X, *X), (*Y, *Y), (*TOTAL, *X), (*TOTAL, *Y)]
    con.executemany("insert into audit.report_cell_parts values (?, ?, ?, ?, ?, ?)", parts)
    con.execute("create table marts.report_cells (tabel varchar, rij varchar, kolom varchar, waarde integer)")
    con.executemany("insert into marts.report_cells values (?, ?, ?, ?)", [(*X, 3), (*Y, 1), (*TOTAL, 4)])
    yield con
    con.close()


def expected_rows(records: list[tuple]) -> str:
    """The table rows as Python would write them with html.escape."""

    def text(value) -> str:
        return "" if value is None else html.escape(str(value))

    return "".join(
        f"<tr><td><code>{text(lid)}</code></td><td><code>{text(person and person[:20])}…</code></td>"
        f"<td>{text(datum and datum.isoformat())}</td><td>{text(bronnen)}</td><td><code>{text(delivery)}</code></td>"
        f'<td class="num">{row}</td></tr>'
        for lid, person, datum, bronnen, delivery, row in records
    )


def listed_rows(page: str) -> str:
    return re.search(r'<th class="num">rij</th></tr>(.*)</table>', page.split("<h2>Registraties</h2>")[1])[1]


def test_a_total_lists_the_first_records_of_its_parts_by_date_and_counts_them_all(warehouse, tmp_path):
    links = write_member_pages(warehouse, tmp_path, shown=2)
    assert set(links) == {X, Y, TOTAL}
    total = (tmp_path / links[TOTAL]).read_text(encoding="utf-8")
    # 1 January twice (by lid: b&2 before d'4), then 2 January: the first two of the four
    assert listed_rows(total) == expected_rows([MEMBERS[X][1], MEMBERS[Y][0]])
    assert "De eerste 2 van 4 registraties" in total
    per_source = total.split("<h2>Per bronsysteem</h2>")[1].split("<h2>")[0]
    assert re.findall(r"<code>([^<]*)</code></td><td class=\"num\">(\d+)", per_source) == [
        ("politie", "2"),
        ("vh", "1"),
        ("vh&lt;x&gt;", "1"),
    ]


def test_every_record_of_a_cell_is_escaped_and_an_unknown_value_is_left_empty(warehouse, tmp_path):
    links = write_member_pages(warehouse, tmp_path, shown=10)
    page = (tmp_path / links[X]).read_text(encoding="utf-8")
    # no date sorts last
    assert listed_rows(page) == expected_rows([MEMBERS[X][1], MEMBERS[X][0], MEMBERS[X][2]])
    assert "De eerste" not in page  # all three listed: no command to list the rest
    assert "&lt;" in listed_rows(page) and "<1" not in listed_rows(page)
