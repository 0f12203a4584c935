"""A page per report cell listing the records that make it up (audit.report_cell_members), with
counts per source system and per delivery: what the figures of reconciliation.html link to."""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

MEMBERS_FOLDER = "leden"
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
td.num, th.num { text-align: right; }
code { font-size: 0.85rem; }
"""


def cell_file(tabel: str, rij: str, kolom: str) -> str:
    """A stable file name for a cell (labels hold spaces, slashes and quotes)."""
    digest = hashlib.sha256(f"{tabel}|{rij}|{kolom}".encode()).hexdigest()[:12]
    return f"tabel-{tabel}-{digest}.html"


def write_member_pages(con: duckdb.DuckDBPyConnection, reports: Path) -> dict[tuple[str, str, str], str]:
    """Write one page per cell with members; returns (tabel, rij, kolom) → link relative to `reports`."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'audit' and table_name = 'report_cell_members'"
    ).fetchall()[0][0]
    if not exists:
        return {}
    members = con.execute(
        """
        select m.tabel, m.rij, m.kolom, c.waarde, m.lid, m.persoon_key, m.datum, m.bronnen,
               m.delivery_id, m.delivery_row_number
        from audit.report_cell_members m
        join marts.report_cells c using (tabel, rij, kolom)
        order by m.tabel, m.rij, m.kolom, m.datum, m.lid
        """
    ).df()
    folder = reports / MEMBERS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    links = {}
    for (tabel, rij, kolom), cell in members.groupby(["tabel", "rij", "kolom"], sort=False):
        name = cell_file(tabel, rij, kolom)
        (folder / name).write_text(_page(tabel, rij, kolom, cell), encoding="utf-8")
        links[(tabel, rij, kolom)] = f"{MEMBERS_FOLDER}/{name}"
    return links


def _page(tabel: str, rij: str, kolom: str, cell: pd.DataFrame) -> str:
    value = int(cell["waarde"].iloc[0])
    title = f"Tabel {tabel} · {rij} · {kolom}: {value}"
    per_source = cell.groupby("bronnen").size()
    per_delivery = cell.groupby("delivery_id").size()
    rows = "".join(
        f"<tr><td><code>{escape(r.lid)}</code></td><td><code>{escape(str(r.persoon_key)[:20])}…</code></td>"
        f"<td>{escape(str(r.datum)[:10])}</td><td>{escape(r.bronnen)}</td><td><code>{escape(r.delivery_id)}</code></td>"
        f'<td class="num">{int(r.delivery_row_number)}</td></tr>'
        for r in cell.itertuples(index=False)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<p><a href="../reconciliation.html">← reconciliatie</a></p>\n<h1>{escape(title)}</h1>\n'
        f"<p>{len(cell)} registraties vormen dit getal "
        "(pseudonieme persoonssleutels; geen BSN, naam of geboortedatum).</p>\n"
        f"<h2>Per bronsysteem</h2>\n{_counts(per_source, 'bron')}\n"
        f"<h2>Per levering</h2>\n{_counts(per_delivery, 'levering')}\n"
        "<h2>Registraties</h2>\n<table><tr><th>registratie</th><th>persoon (pseudoniem)</th><th>datum</th>"
        f'<th>bron</th><th>levering</th><th class="num">rij</th></tr>{rows}</table>\n</body>\n</html>\n'
    )


def _counts(counts: pd.Series, heading: str) -> str:
    rows = "".join(
        f'<tr><td><code>{escape(str(k))}</code></td><td class="num">{v}</td></tr>' for k, v in counts.items()
    )
    return f'<table><tr><th>{heading}</th><th class="num">aantal</th></tr>{rows}</table>'
