"""A page per report cell listing the records that make it up (audit.report_cell_members), with
counts per source system and per delivery: what the figures of reconciliation.html link to.

The counts cover every member; the list shows the first `SHOWN_MEMBERS` records of a cell and
names the `vhpipe explain` command that prints all of them. A national year holds cells of
hundreds of thousands of records: listing each one on a page would write gigabytes nobody reads.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from html import escape
from pathlib import Path

import duckdb

from sources import duckdb_memory

MEMBERS_FOLDER = "leden"
SHOWN_MEMBERS = 1000  # a page an auditor can read; the largest cell of a district's year has 3362
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
td.num, th.num { text-align: right; }
code { font-size: 0.85rem; }
"""
Cell = tuple[str, str, str]  # tabel, rij, kolom


def cell_file(tabel: str, rij: str, kolom: str) -> str:
    """A stable file name for a cell (labels hold spaces, slashes and quotes)."""
    digest = hashlib.sha256(f"{tabel}|{rij}|{kolom}".encode()).hexdigest()[:12]
    return f"tabel-{tabel}-{digest}.html"


def write_member_pages(con: duckdb.DuckDBPyConnection, reports: Path, shown: int = SHOWN_MEMBERS) -> dict[Cell, str]:
    """Write one page per cell with members; returns (tabel, rij, kolom) → link relative to `reports`.

    A page lists at most `shown` records; its counts per source and per delivery cover them all.
    """
    if not _has_members(con):
        return {}
    values = {tuple(cell): int(value) for *cell, value in con.execute(REPORT_CELLS).fetchall()}
    per_source = _counts_by(con, "bronnen")
    per_delivery = _counts_by(con, "delivery_id")
    folder = reports / MEMBERS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    links = {}
    for cell, listed, rows in _first_members(con, shown):
        if cell not in values:  # members of a cell report_cells no longer has: nothing links to them
            continue
        name = cell_file(*cell)
        page = _page(cell, values[cell], per_source[cell], per_delivery[cell], listed, rows)
        (folder / name).write_text(page, encoding="utf-8")
        links[cell] = f"{MEMBERS_FOLDER}/{name}"
    return links


@contextmanager
def written_alongside(warehouse_path: str | Path, reports: Path) -> Iterator[Future[dict[Cell, str]]]:
    """The member pages written by a thread while the caller goes on (the audit validates meanwhile);
    the future holds `write_member_pages`' links. Their time is DuckDB's queries, which release
    Python's lock: they take the second core while GX validates in Python."""

    def write() -> dict[Cell, str]:
        with duckdb_memory.connect(warehouse_path, read_only=True) as con:
            return write_member_pages(con, reports)

    with ThreadPoolExecutor(1, thread_name_prefix="member-pages") as pool:
        yield pool.submit(write)


REPORT_CELLS = "select tabel, rij, kolom, waarde from marts.report_cells"
MEMBER_RELATIONS = ("intermediate.int_leden", "audit.report_cell_parts")
# A cell's records are those of its parts (audit.report_cell_parts: its own member cell, or the cells
# a total or an appendix cell repeats). A total's first records are among its parts' first records,
# and its counts are the sums of theirs: so each member cell's records are read once, not once for
# every cell that repeats them (audit.report_cell_members holds five times as many rows).
PARTS = """
    select parts.tabel, parts.rij, parts.kolom, per_part.*
    from audit.report_cell_parts as parts
    inner join per_part
        on parts.leden_tabel = per_part.leden_tabel
        and parts.leden_rij = per_part.leden_rij
        and parts.leden_kolom = per_part.leden_kolom
"""
MEMBER_ROW = (
    "<tr><td><code>{}</code></td><td><code>{}…</code></td><td>{}</td><td>{}</td><td><code>{}</code></td>"
    '<td class="num">{}</td></tr>'
)


def _escaped(text: str) -> str:
    """SQL: `text` as html.escape writes it (an unknown value as empty text)."""
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        literal = character.replace("'", "''")  # a quote inside an SQL string is written twice
        text = f"replace({text}, '{literal}', '{entity}')"
    return f"coalesce({text}, '')"


# A page lists up to $shown records: they are chosen, ordered and written as table rows by DuckDB,
# which leaves Python's lock to GX while the audit validates beside it.
FIRST_MEMBERS = f"""
    with
    per_part as (
        select
            tabel as leden_tabel, rij as leden_rij, kolom as leden_kolom,
            min_by(
                {{'lid': lid, 'persoon_key': persoon_key, 'datum': datum, 'bronnen': bronnen,
                 'delivery_id': delivery_id, 'delivery_row_number': delivery_row_number}},
                (datum, lid), $shown
            ) as records
        from intermediate.int_leden
        group by all
    ),
    candidates as (select tabel, rij, kolom, unnest(records) as record from ({PARTS})),
    firsts as (
        select tabel, rij, kolom, min_by(record, (record.datum, record.lid), $shown) as records
        from candidates
        group by all
    ),
    listed as (select tabel, rij, kolom, unnest(records) as r from firsts)
    select
        tabel, rij, kolom, count(*) as listed,
        string_agg(
            format(
                '{MEMBER_ROW}',
                {_escaped("r.lid")}, {_escaped("left(r.persoon_key, 20)")},
                {_escaped("strftime(r.datum, '%Y-%m-%d')")}, {_escaped("r.bronnen")},
                {_escaped("r.delivery_id")}, r.delivery_row_number
            ),
            '' order by r.datum, r.lid
        ) as rows_html
    from listed
    group by all
"""


def _has_members(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema || '.' || table_name in (?, ?)",
        list(MEMBER_RELATIONS),
    ).fetchall()[0][0]
    return found == len(MEMBER_RELATIONS)


def _first_members(con: duckdb.DuckDBPyConnection, shown: int) -> Iterator[tuple[Cell, int, str]]:
    """Per cell, how many records its page lists and their table rows: its first `shown` records by
    date. DuckDB keeps only those per member cell while it reads the members (a national year has
    millions of them), instead of sorting them all, and then the first `shown` of its parts' per cell."""
    cursor = con.execute(FIRST_MEMBERS, {"shown": shown})
    while batch := cursor.fetchmany(20):  # a few cells at a time: each holds up to `shown` rows
        for tabel, rij, kolom, listed, rows in batch:
            yield (tabel, rij, kolom), listed, rows


def _counts_by(con: duckdb.DuckDBPyConnection, column: str) -> dict[Cell, list[tuple[str, int]]]:
    counts = defaultdict(list)
    rows = con.execute(
        f"""
        with per_part as (
            select tabel as leden_tabel, rij as leden_rij, kolom as leden_kolom, {column} as key, count(*) as n
            from intermediate.int_leden
            group by all
        )
        select tabel, rij, kolom, key, sum(n) from ({PARTS}) group by all order by tabel, rij, kolom, key
        """
    ).fetchall()
    for tabel, rij, kolom, key, count in rows:
        counts[(tabel, rij, kolom)].append((key, int(count)))
    return counts


def _page(
    cell: Cell,
    value: int,
    per_source: list[tuple[str, int]],
    per_delivery: list[tuple[str, int]],
    listed: int,
    rows: str,
) -> str:
    """The page of a cell; `rows` are the table rows of its `listed` records (FIRST_MEMBERS)."""
    tabel, rij, kolom = cell
    title = f"Tabel {tabel} · {rij} · {kolom}: {value}"
    total = sum(count for _, count in per_source)
    return (
        f'<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<p><a href="../reconciliation.html">← reconciliatie</a></p>\n<h1>{escape(title)}</h1>\n'
        f"<p>{total} registraties vormen dit getal "
        "(pseudonieme persoonssleutels; geen BSN, naam of geboortedatum).</p>\n"
        f"<h2>Per bronsysteem</h2>\n{_counts(per_source, 'bron')}\n"
        f"<h2>Per levering</h2>\n{_counts(per_delivery, 'levering')}\n"
        f"<h2>Registraties</h2>\n{_more(cell, total, listed)}"
        "<table><tr><th>registratie</th><th>persoon (pseudoniem)</th><th>datum</th>"
        f'<th>bron</th><th>levering</th><th class="num">rij</th></tr>{rows}</table>\n</body>\n</html>\n'
    )


def _more(cell: Cell, total: int, listed: int) -> str:
    """Above the list when it is cut short: how many are left out and the command that lists them all."""
    if listed >= total:
        return ""
    tabel, rij, kolom = cell
    command = f'vhpipe explain --tabel {tabel} --rij "{rij}" --kolom "{kolom}" --limit {total}'
    return (
        f"<p>De eerste {listed} van {total} registraties (op datum); "
        f"<code>{escape(command)}</code> toont ze allemaal.</p>\n"
    )


def _counts(counts: list[tuple[str, int]], heading: str) -> str:
    rows = "".join(f'<tr><td><code>{escape(str(k))}</code></td><td class="num">{v}</td></tr>' for k, v in counts)
    return f'<table><tr><th>{heading}</th><th class="num">aantal</th></tr>{rows}</table>'
