"""The annual report's figures as one self-contained HTML page: Tables 1-9 as printed (titles,
"Bron:" lines, footnotes), Bijlage 3, charts as inline SVG, the year-on-year comparison, and which
version it is (exact internal figures or the suppressed public ones). No script, no font or
stylesheet from elsewhere; it prints on A4. The same data give the same bytes."""

from __future__ import annotations

from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.publishing import report_charts
from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.comparison import Comparison, compare_years
from orchestration.publishing.layout import BIJLAGE_3_TOTAL_LABELS, TOTAL_LABEL
from orchestration.publishing.marts import infer_report_year
from orchestration.publishing.report_style import CSS
from orchestration.publishing.report_tables import LoadedTable, load_report_tables
from orchestration.publishing.suppression import SuppressionSettings, mode_description, mode_name, suppress
from orchestration.publishing.table_structure import is_derived
from sources import duckdb_memory

SECTIONS = (  # (id, heading, the tables in it)
    ("meldingen", "Meldingen", ("1", "2", "3")),
    ("vervolgacties", "Vervolgacties", ("4", "5")),
    ("trajecten", "Trajecten en plannen van aanpak", ("6", "7", "8")),
    ("huisverbod", "Tijdelijk huisverbod", ("9",)),
)


def build_annual_report(
    db: Path,
    out: Path,
    year: int,
    compare_year: int | None = None,
    suppression_mode: SuppressionSettings | None = None,
) -> Path:
    """Write the report for `year` from the marts in `db` (published copy or warehouse) to the file `out`.

    `compare_year`: add differences with that year, counted from the facts, when it is loaded.
    `suppression_mode`: None for the internal version with exact figures, else the public version.
    """
    with duckdb_memory.connect(db, read_only=True) as con:
        tables_year = infer_report_year(con)
        if tables_year is not None and tables_year != year:
            raise ValueError(f"the tables in {db} describe {tables_year}, not {year}")
        tables = load_report_tables(con, suppression_mode)
        comparison = compare_years(con, year, compare_year, tables, suppression_mode) if compare_year else None
        months = _meldingen_per_month(con, year, comparison, suppression_mode)
        years_in_facts = [
            r[0] for r in con.execute("select distinct jaar from marts.fct_meldingen order by 1").fetchall()
        ]
    page = _page(tables, year, comparison, months, suppression_mode, Path(db).name, years_in_facts)
    return write_atomically(Path(out), lambda path: path.write_text(page, encoding="utf-8"))


def _meldingen_per_month(
    con: duckdb.DuckDBPyConnection, year: int, comparison: Comparison | None, suppression: SuppressionSettings | None
) -> pd.DataFrame:
    years = [comparison.compare_year, year] if comparison and comparison.loaded else [year]
    sql = "select jaar, maand, count(*) from marts.fct_meldingen group by all"
    counts = {(jaar, maand): n for jaar, maand, n in con.execute(sql).fetchall()}
    frame = pd.DataFrame({"maand": [*report_charts.MONTHS, TOTAL_LABEL]})
    for y in years:
        per_month = [counts.get((y, m), 0) for m in range(1, 13)]
        frame[str(y)] = [*per_month, sum(per_month)]
    return frame if suppression is None else suppress(frame, suppression.threshold)


def _page(
    tables: list[LoadedTable],
    year: int,
    comparison: Comparison | None,
    months: pd.DataFrame,
    suppression: SuppressionSettings | None,
    source: str,
    years_in_facts: list[int],
) -> str:
    by_key = {t.layout.key: t for t in tables}
    charts = {
        "1": report_charts.maandtrend(months),
        "2": report_charts.meldingen_per_doelgroep(by_key["2"], year),
        "4": report_charts.vervolgacties_per_soort(by_key["4"], year),
        "7": report_charts.trajecten_per_doelgroep(by_key["6"], by_key["7"]),
    }
    sections = []
    for section_id, heading, keys in SECTIONS:
        body = "".join(_table(by_key[k], year) + _figure(charts.get(k)) for k in keys)
        sections.append(f'<section id="{section_id}"><h2>{heading}</h2>{body}</section>')
    if comparison is not None:
        sections.append(_comparison(comparison))
    sections.append(_bijlage_3(by_key["B3"], year))
    sections.append(_accountability(year, suppression, source, years_in_facts, comparison))
    mode = mode_name(suppression)
    version, explanation = mode_description(suppression).split(": ", 1)
    title = f"Jaarverslag {year} Veiligheidshuis district Maastricht: de cijfers ({mode})"
    nav = "".join(
        f'<li><a href="#{section_id}">{escape(heading)}</a></li>'
        for section_id, heading in [
            *((s, h) for s, h, _ in SECTIONS),
            *((("vergelijking", f"Vergelijking met {comparison.compare_year}"),) if comparison else ()),
            ("bijlage-3", "Bijlage 3: in één oogopslag"),
            ("verantwoording", "Verantwoording"),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="vhpipe-modus" content="{escape(mode)}">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f'<body class="modus-{mode}"><header><p class="organisatie">Veiligheidshuis district Maastricht</p>'
        f"<h1>Jaarverslag {year}: de cijfers</h1>"
        f'<p class="modus" role="note"><strong>{escape(version)}:</strong> {escape(explanation)}</p>'
        f'<nav aria-label="Inhoud"><ol>{nav}</ol></nav></header><main>{"".join(sections)}</main></body></html>\n'
    )


def _table(table: LoadedTable, year: int) -> str:
    frame, layout = table.shown, table.layout
    head = "".join(
        f'<th scope="col"{" class=getal" if i else ""}>{escape(layout.heading(c))}</th>'
        for i, c in enumerate(frame.columns)
    )
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f"<td{_cell_class(v)}>{_format(v, c)}</td>" for c, v in zip(frame.columns[1:], row[1:], strict=True)
        )
        total = ' class="totaal"' if row[0] == TOTAL_LABEL else ""
        body.append(f'<tr{total}><th scope="row">{escape(layout.printed_row_label(row[0]))}</th>{cells}</tr>')
    notes = "".join(f"<li>{escape(n)}</li>" for n in layout.footnotes_for(year))
    return (
        f'<figure class="tabel" id="tabel-{layout.key}"><table><caption>{escape(layout.title_for(year))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<p class="bron">{escape(layout.bron)}</p>'
        + (f'<ul class="opmerkingen">{notes}</ul>' if notes else "")
        + "</figure>"
    )


def _bijlage_3(table: LoadedTable, year: int) -> str:
    blocks = []
    for rubriek, rows in table.shown.groupby("rubriek", sort=False):
        total_label = BIJLAGE_3_TOTAL_LABELS.get(rubriek, TOTAL_LABEL)
        items = "".join(
            f'<tr{" class=totaal" if r.omschrijving == TOTAL_LABEL else ""}><th scope="row">'
            f"{escape(total_label if r.omschrijving == TOTAL_LABEL else r.omschrijving)}"
            f"</th><td{_cell_class(r.aantal)}>{_format(r.aantal, 'aantal')}</td></tr>"
            for r in rows.itertuples(index=False)
        )
        blocks.append(f'<table class="oogopslag"><caption>{escape(rubriek)}</caption><tbody>{items}</tbody></table>')
    return (
        f'<section id="bijlage-3"><h2>{escape(table.layout.title_for(year))}</h2>'
        f'<div class="oogopslag-raster">{"".join(blocks)}</div>'
        f'<p class="bron">{escape(table.layout.bron)}</p></section>'
    )


def _comparison(comparison: Comparison) -> str:
    heading = f"Vergelijking met {comparison.compare_year}"
    if not comparison.loaded:
        return f'<section id="vergelijking"><h2>{heading}</h2><p>{escape(comparison.explanation)}</p></section>'
    old, new = str(comparison.compare_year), str(comparison.year)
    rows = []
    for rubriek, block in comparison.figures.groupby("rubriek", sort=False):
        rows.append(f'<tr class="rubriek"><th colspan="5" scope="rowgroup">{escape(rubriek)}</th></tr>')
        for r in block.to_dict("records"):
            mark = " †" if (rubriek, r["omschrijving"]) in comparison.differs_from_table else ""
            rows.append(
                f"<tr{' class=totaal' if r['omschrijving'] == TOTAL_LABEL else ''}>"
                f'<th scope="row">{escape(r["omschrijving"])}</th>'
                f"<td{_cell_class(r[old])}>{_format(r[old], old)}</td>"
                f"<td{_cell_class(r[new])}>{_format(r[new], new)}{mark}</td>"
                f"<td>{_signed(r['verschil'])}</td><td>{_signed(r['verschil_pct'], '%')}</td></tr>"
            )
    note = (
        "† Wijkt af van de tabel van het verslagjaar: de tabel telt anders (zie de definitie onder de tabel)."
        if comparison.differs_from_table
        else f"Voor {new} zijn de cijfers gelijk aan die in tabellen 1, 2, 4 en 9."
    )
    return (
        f'<section id="vergelijking"><h2>{heading}</h2><p>{escape(comparison.explanation)}</p>'
        '<figure class="tabel"><table><caption>'
        f'Kerncijfers {old} en {new}, uit de feitentabellen</caption><thead><tr><th scope="col"></th>'
        f'<th scope="col" class="getal">{old}</th><th scope="col" class="getal">{new}</th>'
        '<th scope="col" class="getal">verschil</th><th scope="col" class="getal">verschil in %</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table><p class="bron">{escape(note)} Trajecten zijn trajecten, geen'
        " cliënten: de feitentabellen kennen geen persoon.</p></figure></section>"
    )


def _accountability(
    year: int,
    suppression: SuppressionSettings | None,
    source: str,
    years_in_facts: list[int],
    comparison: Comparison | None,
) -> str:
    items = [
        f"Gemaakt door vhpipe uit {source}. De tabellen beschrijven {year}; de feitentabellen bevatten de jaren"
        f" {', '.join(str(y) for y in years_in_facts)}.",
        mode_description(suppression),
        "Tabellen, titels, bronvermeldingen en opmerkingen volgen het jaarverslag 2011. Opmerkingen die in dat"
        " verslag alleen in woorden met 2010 vergeleken, zijn vervangen door de berekende vergelijking.",
        "De grafiek per maand telt de meldingen in fct_meldingen naar meldingsdatum.",
    ]
    if comparison is None:
        items.append("Geen vergelijking met een ander jaar gevraagd.")
    return (
        '<section id="verantwoording"><h2>Verantwoording</h2><ul>'
        + "".join(f"<li>{escape(i)}</li>" for i in items)
        + "</ul></section>"
    )


def _figure(svg: str | None) -> str:
    return f'<figure class="grafiek-blok">{svg}</figure>' if svg else ""


def _format(value: object, column: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return escape(value)
    return f"{int(value)}%" if is_derived(column) else str(int(value))


def _signed(value: object, unit: str = "") -> str:
    if value is None:
        return ""
    return f"{'+' if value > 0 else ''}{value}{unit}".replace("-", "−")


def _cell_class(value: object) -> str:
    return ' class="afgeschermd"' if isinstance(value, str) else ""
