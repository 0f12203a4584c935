"""The auditor's page, `reconciliation.html`: one self-contained, printable HTML file (no scripts,
no external assets) in Dutch, with the report's labels as printed.

Per table the computed cells against the published ones (a contradiction in the publication
marked as such, a difference with the records in red), the publication's contradictions, the
identities between tables with the sentence each rests on, the check results, the freshness per
source and the ledger per source and delivery with the reasons rows were quarantined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

import pandas as pd

from expectations.report.page_data import AFWIJKING, GELIJK, LEEG, TEGENSPRAAK, ReconciliationData
from expectations.report_tables import TOTAAL, is_percentage
from expectations.runner import SuiteOutcome

CAPTIONS = {
    "1": "Tabel 1: Aanmeldingen bij het Veiligheidshuis naar herkomst, jaar {jaar}.",
    "2": "Tabel 2: Aanmeldingen bij het Veiligheidshuis per doelgroep per gemeente, jaar {jaar}.",
    "3": "Tabel 3: Aantal meldingen casusaanpak multiproblematiek per stadsdeel gemeente Maastricht, jaar {jaar}.",
    "4": "Tabel 4: Soort vervolgacties op de meldingen binnen het Veiligheidshuis, jaar {jaar}.",
    "5": "Tabel 5: Soort vervolgacties op de meldingen casusaanpak multiproblematiek, jaar {jaar}.",
    "6": "Tabel 6: Cliënten die een kort traject volgden in het Veiligheidshuis, naar doelgroep.",
    "7": "Tabel 7: Cliënten die een plan van aanpak hadden in het Veiligheidshuis, naar doelgroep.",
    "8": (
        "Tabel 8: Aantal cliënten met een plan van aanpak in de Casusaanpak Multiproblematiek Maastricht, "
        "per 1 januari {volgend_jaar}."
    ),
    "9": "Tabel 9: Aantallen Wet Tijdelijk Huisverbod.",
    "B3": "Bijlage 3: In één oogopslag",
}
ROW_HEADINGS = {"2": "Doelgroep Veiligheidshuis", "3": "Stadsdeel", "5": "Stadsdeel", "6": "Doelgroep Veiligheidshuis"}
ROW_HEADINGS |= {"7": "Doelgroep Veiligheidshuis", "8": "Stadsdeel", "9": "Omschrijving"}
FOOTNOTES = {
    "9": "* het aantal zaken waarin door slachtoffer aangifte is gedaan of waarin politie/OM besloten tot ambtshalve "
    "vervolging"
}
STATUS_TEXT = {
    GELIJK: "gelijk aan de publicatie",
    TEGENSPRAAK: "tegenspraak in de publicatie: de registraties volgen de rest van het rapport",
    AFWIJKING: "afwijking: de registraties geven iets anders dan de publicatie",
    LEEG: "leeg in de publicatie, 0 in de registraties",
}
SOURCE_NAMES = {"politie": "Politie (BVH/BPS)", "om": "Openbaar Ministerie (GPS)", "vh": "Registratiesysteem "
                "Veiligheidshuis", "gemeenten": "Gemeenten (tijdelijk huisverbod)"}  # fmt: skip
GROUP_NAMES = {
    "raw": "Leveringscontracten (raw)",
    "harmonised": "Geharmoniseerde laag",
    "reconciliation": "Reconciliatie",
}

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d1d1d; margin: 2em auto; max-width: 1150px; }
body { font-size: 14px; } h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { border-bottom: 2px solid #1d4e89; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 .4em; }
.meta, .note { color: #555; } .note { font-size: .9em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #c8c8c8; padding: .25em .5em; vertical-align: top; }
th { background: #eef2f7; text-align: left; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.totaal td, tr.totaal th { font-weight: 700; border-top: 2px solid #888; }
td.gelijk { background: #edf7ed; } td.tegenspraak { background: #fff3cd; } td.afwijking { background: #f8d7da; }
td.leeg { color: #999; } small { display: block; font-weight: 400; color: #444; font-size: .8em; }
.summary { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.box { border: 1px solid #c8c8c8; border-radius: 4px; padding: .6em 1em; min-width: 12em; }
.box b { font-size: 1.5em; display: block; } .ok { color: #1e7b34; } .fout { color: #b02a37; }
.legend span { display: inline-block; padding: .1em .5em; margin-right: .5em; border: 1px solid #c8c8c8; }
table.wide { width: 100%; font-size: .9em; } td.reden { font-size: .9em; }
nav a { margin-right: 1em; }
.rubrieken { display: flex; flex-wrap: wrap; gap: 0 1.2em; align-items: flex-start; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; } nav { display: none; }
  td.gelijk, td.tegenspraak, td.afwijking, .legend span {
    -webkit-print-color-adjust: exact; print-color-adjust: exact;
  }
  section.tabel { break-inside: avoid; } h2 { break-after: avoid; } tr { break-inside: avoid; }
}
"""


def render(
    data: ReconciliationData,
    outcomes: Sequence[SuiteOutcome],
    *,
    data_docs_index: str | None,
    validation_pages: dict[tuple[str, str], str],
    generated_at: datetime,
    member_links: dict[tuple[str, str, str], str] | None = None,
) -> str:
    """The whole page as one HTML string; links are relative to the page. Each figure links to
    the page of the records that make it up (`member_links`)."""
    sections = [
        _header(data, outcomes, data_docs_index, generated_at),
        _tables(data, member_links or {}),
        _contradictions(data),
        _identities(data),
        _checks(outcomes, data_docs_index, validation_pages),
        _freshness(data),
        _ledger(data),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Reconciliatie jaarverslag {data.year} – Veiligheidshuis district Maastricht</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _header(
    data: ReconciliationData, outcomes: Sequence[SuiteOutcome], data_docs_index: str | None, generated_at: datetime
) -> str:
    failed = [o for o in outcomes if not o.success]
    counts = data.cells["status"].value_counts()
    ledger_open = int((~data.deliveries["sluit"]).sum())
    docs = f'<a href="{escape(data_docs_index)}">Data Docs (Great Expectations)</a>' if data_docs_index else ""
    boxes = [
        _box("controles geslaagd", f"{len(outcomes) - len(failed)} van {len(outcomes)}", ok=not failed),
        _box("cellen gelijk aan de publicatie", str(counts.get(GELIJK, 0)), ok=True) if data.compared else "",
        _box("tegenspraken in de publicatie", str(len(data.discrepancies)), ok=True) if data.compared else "",
        _box("afwijkingen van de publicatie", str(counts.get(AFWIJKING, 0)), ok=not counts.get(AFWIJKING, 0))
        if data.compared
        else "",
        _box("leveringen die niet sluiten", f"{ledger_open} van {len(data.deliveries)}", ok=not ledger_open),
    ]
    return (
        f"<h1>Reconciliatie jaarverslag {data.year}</h1>\n"
        '<p class="meta">Veiligheidshuis district Maastricht · gemaakt op '
        f"{generated_at:%d-%m-%Y %H:%M} · elke gepubliceerde cel tegen de registraties</p>\n"
        '<nav><a href="#tabellen">Tabellen</a><a href="#tegenspraken">Tegenspraken</a>'
        '<a href="#identiteiten">Identiteiten</a><a href="#controles">Controles</a>'
        f'<a href="#actualiteit">Actualiteit</a><a href="#grootboek">Grootboek</a>{docs}</nav>\n'
        f'<div class="summary">{"".join(boxes)}</div>'
    )


def _box(label: str, value: str, *, ok: bool) -> str:
    return f'<div class="box"><b class="{"ok" if ok else "fout"}">{escape(value)}</b>{escape(label)}</div>'


def _tables(data: ReconciliationData, links: dict) -> str:
    legend = (
        '<p class="legend"><span class="gelijk" style="background:#edf7ed">gelijk</span>'
        '<span style="background:#fff3cd">tegenspraak in de publicatie</span>'
        '<span style="background:#f8d7da">afwijking van de publicatie</span></p>'
        if data.compared
        else f'<p class="note">Het gepubliceerde jaarverslag gaat over een ander jaar dan {data.year}: '
        "de cellen worden niet met de publicatie vergeleken.</p>"
    )
    intro = (
        '<h2 id="tabellen">Tabellen: berekend uit de registraties tegen de publicatie</h2>\n'
        '<p class="note">Elke cel toont de waarde uit de registraties; waar de publicatie iets anders drukt staat '
        "de gedrukte waarde eronder, en bij een tegenspraak in de publicatie de waarde die de rest van het rapport "
        "vastlegt (afgeleid).</p>\n" + legend
    )
    parts = [intro]
    for tabel, cells in data.cells.groupby("tabel", sort=False):
        caption = CAPTIONS[tabel].format(jaar=data.year, volgend_jaar=data.year + 1)
        body = _appendix(cells, links) if tabel == "B3" else _grid(tabel, cells, links)
        footnote = f'<p class="note">{escape(FOOTNOTES[tabel])}</p>' if tabel in FOOTNOTES else ""
        parts.append(f'<section class="tabel"><h3>{escape(caption)}</h3>\n{body}{footnote}</section>')
    return "\n".join(parts)


def _grid(tabel: str, cells: pd.DataFrame, links: dict) -> str:
    columns = cells.drop_duplicates("kolom").sort_values("kolom_volgorde")["kolom"].tolist()
    rows = cells.drop_duplicates("rij").sort_values("rij_volgorde")["rij"].tolist()
    by_cell = {(r.rij, r.kolom): r for r in cells.itertuples(index=False)}
    head = f"<tr><th>{escape(ROW_HEADINGS.get(tabel, ''))}</th>" + "".join(
        f'<th class="num">{escape(k)}</th>' for k in columns
    )
    lines = [head + "</tr>"]
    for rij in rows:
        label = next((c.label_gedrukt for c in cells.itertuples() if c.rij == rij and _present(c.label_gedrukt)), rij)
        row_class = ' class="totaal"' if rij == TOTAAL else ""
        tds = "".join(_cell(by_cell.get((rij, kolom)), links) for kolom in columns)
        lines.append(f"<tr{row_class}><th>{escape(label)}</th>{tds}</tr>")
    return f"<table>{''.join(lines)}</table>"


def _appendix(cells: pd.DataFrame, links: dict) -> str:
    """Bijlage 3 is printed as a list per rubriek, not as a grid."""
    parts = []
    for rubriek, rows in cells.sort_values(["kolom_volgorde", "rij_volgorde"]).groupby("kolom", sort=False):
        lines = [f'<tr><th colspan="2">{escape(rubriek)}</th></tr>']
        for r in rows.itertuples(index=False):
            row_class = ' class="totaal"' if r.rij == TOTAAL else ""
            label = r.label_gedrukt if _present(r.label_gedrukt) else r.rij
            lines.append(f"<tr{row_class}><td>{escape(label)}</td>{_cell(r, links)}</tr>")
        parts.append(f"<table>{''.join(lines)}</table>")
    return f'<div class="rubrieken">{"".join(parts)}</div>'


def _cell(cell: Any, links: dict | None = None) -> str:
    if cell is None:
        return "<td></td>"
    suffix = "%" if is_percentage(cell.kolom) else ""
    if cell.status == LEEG:
        return f'<td class="num leeg" title="{escape(STATUS_TEXT[LEEG])}"></td>'
    notes = []
    if _present(cell.gepubliceerd) and cell.gepubliceerd != cell.berekend:
        notes.append(f"gedrukt {_number(cell.gepubliceerd)}{suffix}")
    if cell.status == TEGENSPRAAK:
        notes.append(
            f"afgeleid {_number(cell.afgeleid)}{suffix}" if _present(cell.afgeleid) else "alleen de som ligt vast"
        )
    elif cell.status == AFWIJKING and not _present(cell.gepubliceerd):
        notes.append("leeg gedrukt")
    title = cell.toelichting if _present(cell.toelichting) else STATUS_TEXT.get(cell.status, "")
    small = "".join(f"<small>{escape(n)}</small>" for n in notes)
    value = f"{_number(cell.berekend)}{suffix}" if _present(cell.berekend) else ""
    link = (links or {}).get((cell.tabel, cell.rij, cell.kolom))
    if link and value:  # one click from a figure to the records that make it up
        value = f'<a href="{escape(link)}">{value}</a>'
    return f'<td class="num {cell.status}" title="{escape(title)}">{value}{small}</td>'


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA


def _contradictions(data: ReconciliationData) -> str:
    rows = [
        "<tr><th>tabel</th><th>rij</th><th>kolom</th><th class='num'>gepubliceerd</th><th class='num'>afgeleid</th>"
        "<th class='num'>berekend</th><th>toelichting</th></tr>"
    ]
    for r in data.discrepancies.itertuples(index=False):
        rows.append(
            f"<tr><td>{escape(r.tabel)}</td><td>{escape(r.rij)}</td><td>{escape(r.kolom)}</td>"
            f'<td class="num">{_number(r.gepubliceerd)}</td><td class="num">{_number(r.afgeleid)}</td>'
            f'<td class="num">{_number(r.berekend)}</td><td>{escape(r.toelichting)}</td></tr>'
        )
    return (
        '<h2 id="tegenspraken">Tegenspraken in de publicatie</h2>\n'
        '<p class="note">Gevonden uit de gepubliceerde cijfers alleen: rij- en kolomtotalen van elke tabel en de '
        "identiteiten tussen tabellen. Een cel die alleen voorkomt in sommen die niet kloppen is de oorzaak; waar de "
        "rest van het rapport haar vastlegt staat de afgeleide waarde. Ook in de tabel "
        "<code>audit.publication_discrepancies</code>.</p>\n"
        f'<table class="wide">{"".join(rows)}</table>'
    )


def _identities(data: ReconciliationData) -> str:
    rows = [
        "<tr><th>identiteit</th><th class='num'>berekend</th><th class='num'>gepubliceerd</th><th>grond in het "
        "rapport</th></tr>"
    ]
    for r in data.identities.itertuples(index=False):
        computed_ok = r.berekend_links == r.berekend_rechts
        printed_ok = r.gepubliceerd_links == r.gepubliceerd_rechts
        rows.append(
            f"<tr><td>{escape(r.identiteit)}</td>"
            f'<td class="num {GELIJK if computed_ok else AFWIJKING}">{_pair(r.berekend_links, r.berekend_rechts)}</td>'
            f'<td class="num {GELIJK if printed_ok else TEGENSPRAAK}">'
            f"{_pair(r.gepubliceerd_links, r.gepubliceerd_rechts)}</td>"
            f'<td class="reden">{escape(r.grond)}</td></tr>'
        )
    return (
        '<h2 id="identiteiten">Identiteiten tussen tabellen</h2>\n'
        '<p class="note">Dezelfde grootheid in twee tabellen is gelijk. Alleen identiteiten die de tekst van het '
        "rapport zelf vastlegt, elk met de zin waarop ze rust.</p>\n"
        f'<table class="wide">{"".join(rows)}</table>'
    )


def _pair(left: Any, right: Any) -> str:
    return f"{_number(left)} = {_number(right)}" if left == right else f"{_number(left)} ≠ {_number(right)}"


def _checks(outcomes: Sequence[SuiteOutcome], data_docs_index: str | None, pages: dict[tuple[str, str], str]) -> str:
    rows = [
        "<tr><th>groep</th><th>onderwerp</th><th>suite</th><th>uitkomst</th><th class='num'>verwachtingen</th>"
        "<th>meldingen</th></tr>"
    ]
    for o in sorted(outcomes, key=lambda o: (o.success, o.group, o.subject, o.suite)):
        page = pages.get((o.suite, o.subject))
        suite = f'<a href="{escape(page)}">{escape(o.suite)}</a>' if page else escape(o.suite)
        verdict = '<span class="ok">geslaagd</span>' if o.success else '<span class="fout">mislukt</span>'
        if o.reused:  # the rows are those validated then: the verdict is that validation's
            verdict += f"<br><small>rijen ongewijzigd sinds {escape(o.kept_since)}</small>"
        failures = "<br>".join(escape(f) for f in o.failures)
        rows.append(
            f"<tr><td>{escape(GROUP_NAMES.get(o.group, o.group))}</td><td>{escape(o.subject)}</td><td>{suite}</td>"
            f'<td>{verdict}</td><td class="num">{o.evaluated}</td><td class="reden">{failures}</td></tr>'
        )
    docs = f' De uitkomsten in detail: <a href="{escape(data_docs_index)}">Data Docs</a>.' if data_docs_index else ""
    return (
        f'<h2 id="controles">Controles</h2>\n<p class="note">Great Expectations-suites op het warehouse.{docs}</p>\n'
        f'<table class="wide">{"".join(rows)}</table>'
    )


def _freshness(data: ReconciliationData) -> str:
    rows = [
        "<tr><th>bron</th><th class='num'>leveringen</th><th>laatste levering geladen op</th>"
        "<th>laatste gebeurtenis in de levering</th></tr>"
    ]
    for r in data.freshness.itertuples(index=False):
        rows.append(
            f"<tr><td>{escape(SOURCE_NAMES.get(r.bron, r.bron))}</td><td class='num'>{_number(r.leveringen)}</td>"
            f"<td>{_moment(r.laatste_levering_geladen)}</td><td>{_day(r.laatste_gebeurtenis)}</td></tr>"
        )
    return f'<h2 id="actualiteit">Actualiteit per bron</h2>\n<table>{"".join(rows)}</table>'


def _ledger(data: ReconciliationData) -> str:
    deliveries = data.deliveries
    columns = ["ontvangen", "geaccepteerd", "quarantaine", "duplicaten"]
    summary = deliveries.groupby("bron", sort=True)[columns].sum()
    lines = [
        "<tr><th>bron</th><th class='num'>leveringen</th>"
        + "".join(f"<th class='num'>{c}</th>" for c in columns)
        + "</tr>"
    ]
    for bron, r in summary.iterrows():
        count = int((deliveries["bron"] == bron).sum())
        lines.append(
            f"<tr><td>{escape(SOURCE_NAMES.get(bron, bron))}</td><td class='num'>{count}</td>"
            + "".join(f"<td class='num'>{int(r[c])}</td>" for c in columns)
            + "</tr>"
        )
    parts = [
        '<h2 id="grootboek">Grootboek per bron en levering</h2>\n'
        '<p class="note">Per levering: ontvangen = geaccepteerd + quarantaine + duplicaten. Geaccepteerde rijen staan '
        "in raw, rijen in quarantaine in <code>raw._quarantine</code> met de reden.</p>\n"
        f"<table>{''.join(lines)}</table>"
    ]
    for bron, rows in deliveries.groupby("bron", sort=True):
        body = [
            "<tr><th>levering</th><th>geladen op</th>"
            + "".join(f"<th class='num'>{c}</th>" for c in columns)
            + "<th>sluit</th><th>redenen quarantaine</th></tr>"
        ]
        for r in rows.itertuples(index=False):
            closes = '<span class="ok">ja</span>' if r.sluit else '<span class="fout">nee</span>'
            body.append(
                f"<tr><td>{escape(r.levering)}</td><td>{_moment(r.geladen_op)}</td>"
                + "".join(f"<td class='num'>{_number(getattr(r, c))}</td>" for c in columns)
                + f"<td>{closes}</td><td class='reden'>{_text(r.quarantaineredenen)}</td></tr>"
            )
        parts.append(f"<h3>{escape(SOURCE_NAMES.get(bron, bron))}</h3>\n<table class='wide'>{''.join(body)}</table>")
    return "\n".join(parts)


def _text(value: Any) -> str:
    return escape(str(value)) if _present(value) else ""


def _number(value: Any) -> str:
    return "" if not _present(value) else str(int(value))


def _moment(value: Any) -> str:
    return "" if not _present(value) or value is pd.NaT else f"{pd.Timestamp(value):%d-%m-%Y %H:%M:%S}"


def _day(value: Any) -> str:
    return "" if not _present(value) or value is pd.NaT else f"{pd.Timestamp(value):%d-%m-%Y}"
