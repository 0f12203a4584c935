"""From a published number to its records: every cell's members, traceable to landed rows."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e


def query(pipeline, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_every_count_cell_has_exactly_as_many_members_as_its_value(pipeline):
    cells = query(
        pipeline,
        """
        select c.tabel, c.rij, c.kolom, c.waarde, count(m.lid) as leden
        from marts.report_cells c
        left join audit.report_cell_members m using (tabel, rij, kolom)
        where c.kolom != '% van totaal'
        group by all
        """,
    )
    assert len(cells) > 190  # every count cell of Tables 1-9 and Bijlage 3
    mismatches = cells[cells["waarde"] != cells["leden"]]
    assert mismatches.empty, mismatches.to_string()


def test_every_member_is_a_landed_row_found_by_its_delivery_and_row_number(pipeline):
    tables = query(pipeline, "select distinct raw_table from raw._deliveries")["raw_table"]
    landed = " union all ".join(f"select _delivery_id, _row_number from raw.{t}" for t in tables)
    orphans = query(
        pipeline,
        f"""
        select m.tabel, m.rij, m.kolom, m.lid, m.delivery_id, m.delivery_row_number
        from (select distinct tabel, rij, kolom, lid, delivery_id, delivery_row_number from audit.report_cell_members) m
        anti join ({landed}) r on m.delivery_id = r._delivery_id and m.delivery_row_number = r._row_number
        """,
    )
    assert orphans.empty, orphans.head().to_string()
    sources = set(query(pipeline, "select distinct bronnen from audit.report_cell_members")["bronnen"])
    assert {"politie", "vh", "om", "om+vh", "gemeenten"} <= sources


def test_members_carry_pseudonymous_keys_and_no_bsn_name_or_birth_date(pipeline):
    world = pipeline.simulation.world
    members = query(pipeline, "select * from audit.report_cell_members")
    columns = set(members.columns)
    assert not {c for c in columns if any(p in c for p in ("bsn", "naam", "geboorte"))}
    text = members.to_csv()
    assert not [b for b in world.persons["bsn"].dropna() if b in text]
    assert not [n for n in set(world.persons["achternaam"]) if len(n) > 4 and n in text]
    assert members["persoon_key"].dropna().str.match(r"^(bsn|naam):[0-9a-f]{32}$").all()


def test_vhpipe_explain_prints_the_members_of_a_cell_and_their_sources(pipeline):
    vhpipe = str(Path(sys.executable).parent / "vhpipe")
    env = {**os.environ, "VH_DATA_DIR": str(pipeline.paths.root)}
    shown = subprocess.run(
        [vhpipe, "explain", "--tabel", "4", "--rij", "Justitieel casusoverleg", "--kolom", "Jeugd"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert "Tabel 4 · Justitieel casusoverleg · Jeugd: 241" in shown.stdout
    assert "241 records make it up" in shown.stdout
    assert "om+vh" in shown.stdout and "om:casusoverleggen" in shown.stdout  # JCOs found in both systems
    unknown = subprocess.run(
        [vhpipe, "explain", "--tabel", "4", "--rij", "Integraal", "--kolom", "Jeugd"],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert unknown.returncode == 2 and "Integrale aanpak" in unknown.stderr


def test_one_click_on_a_figure_in_the_reconciliation_page_shows_its_records(pipeline, tmp_path):
    from browser import visit

    from expectations.report import build_reports

    reports = build_reports(pipeline.paths.warehouse, tmp_path / "reports", year=pipeline.simulation.year)
    page = reports.reconciliation.as_uri()
    shown = visit(page, screenshot=tmp_path / "members.png", click="a[href^='leden/']")
    assert shown.console_errors == [] and shown.page_errors == [] and shown.outside_requests == []
    assert "registraties vormen dit getal" in shown.text
    assert "Per bronsysteem" in shown.text and "Per levering" in shown.text
    assert (tmp_path / "members.png").stat().st_size > 0


def test_a_member_page_lists_a_large_cell_in_part_and_counts_all_of_it(pipeline, tmp_path):
    """A national year's cells hold hundreds of thousands of records: the page lists the first ones
    and names the command that prints every one, while its counts per source and delivery are whole."""
    from expectations.report.member_pages import write_member_pages

    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        links = write_member_pages(con, tmp_path, shown=3)
    total = query(pipeline, "select count(*) as n from audit.report_cell_members where tabel = '1' and rij = 'Totaal'")
    page = (tmp_path / links[("1", "Totaal", "aantal")]).read_text(encoding="utf-8")
    listed = html.unescape(page.split("<h2>Registraties</h2>")[1])

    assert listed.count("<tr><td><code>") == 3
    assert f"De eerste 3 van {total['n'][0]} registraties" in listed
    assert 'vhpipe explain --tabel 1 --rij "Totaal" --kolom "aantal"' in listed
    per_source = page.split("<h2>Per bronsysteem</h2>")[1].split("<h2>")[0]
    counted = sum(int(n) for n in re.findall(r'<td class="num">(\d+)</td>', per_source))
    assert counted == total["n"][0]


def test_every_member_page_lists_the_first_records_of_its_cell(pipeline, tmp_path):
    """The pages take each member cell's first records once and combine them per cell (a total, an
    appendix cell): what they list must be the cell's own first records in audit.report_cell_members,
    and their counts its whole membership."""
    from expectations.report.member_pages import write_member_pages

    shown = 5
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        links = write_member_pages(con, tmp_path, shown=shown)
        first = con.execute(
            """
            select tabel, rij, kolom, list(lid order by datum, lid)[:?] as leden, count(*) as n
            from audit.report_cell_members group by all
            """,
            [shown],
        ).fetchall()
    assert len(links) == len(first) > 100
    for tabel, rij, kolom, leden, n in first:
        page = (tmp_path / links[(tabel, rij, kolom)]).read_text(encoding="utf-8")
        listed = re.findall(r"<tr><td><code>([^<]*)</code>", page.split("<h2>Registraties</h2>")[1])
        assert [html.unescape(lid) for lid in listed] == leden, (tabel, rij, kolom)
        per_delivery = page.split("<h2>Per levering</h2>")[1].split("<h2>")[0]
        assert sum(int(c) for c in re.findall(r'<td class="num">(\d+)</td>', per_delivery)) == n
