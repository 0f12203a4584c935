"""The annual report's charts, drawn from the tables as shown: in public mode a chart shows no more
than its table does (a hidden cell joins the hatched 'afgeschermd' piece, which is the row total minus
the cells shown: a figure any reader can work out already)."""

from __future__ import annotations

import pandas as pd

from orchestration.publishing.layout import TOTAL_COLUMN, TOTAL_LABEL
from orchestration.publishing.report_tables import LoadedTable
from orchestration.publishing.svg_charts import Bar, grouped_bars, line_chart, stacked_bars
from orchestration.publishing.table_structure import is_derived

HIDDEN = "afgeschermd"
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def meldingen_per_doelgroep(table2: LoadedTable, year: int) -> str:
    series, bars = _stacked(table2)
    title = f"Meldingen per doelgroep en gemeente, {year} (tabel 2)"
    return stacked_bars("grafiek-meldingen-doelgroep", title, series, bars, HIDDEN)


def vervolgacties_per_soort(table4: LoadedTable, year: int) -> str:
    series, bars = _stacked(table4)
    title = f"Vervolgacties per soort en doelgroep, {year} (tabel 4)"
    return stacked_bars("grafiek-vervolgacties", title, series, bars, HIDDEN)


def trajecten_per_doelgroep(table6: LoadedTable, table7: LoadedTable) -> str:
    """Clients with a short traject next to clients with a plan, per doelgroep (totals of tables 6 and 7)."""
    kort = _column(table6.shown, TOTAL_COLUMN)
    lang = _column(table7.shown, TOTAL_COLUMN)
    bars = [
        Bar(label, (_count(kort.get(label)), _count(lang.get(label))), note=_label(kort.get(label), lang.get(label)))
        for label in dict.fromkeys([*kort, *lang])
    ]
    series = ["Kort traject (tabel 6)", "Plan van aanpak (tabel 7)"]
    return grouped_bars("grafiek-trajecten", "Cliënten met een kort traject of een plan van aanpak", series, bars)


def maandtrend(months: pd.DataFrame) -> str:
    """Meldingen per month; `months` has a column per year (as shown), twelve rows and a total row."""
    per_month = months[months["maand"] != TOTAL_LABEL]
    series = {column: [_count(v) for v in per_month[column]] for column in months.columns if column != "maand"}
    title = "Meldingen per maand (" + " en ".join(series) + ")"
    return line_chart("grafiek-maandtrend", title, list(MONTHS), series)


def _stacked(table: LoadedTable) -> tuple[list[str], list[Bar]]:
    """A bar per row but the total row, a piece per column but the total, the hidden rest hatched."""
    frame, layout = table.shown, table.layout
    columns = [c for c in frame.columns[1:] if c != TOTAL_COLUMN and not is_derived(c)]
    bars = []
    for row in frame.itertuples(index=False):
        label, values = row[0], dict(zip(frame.columns, row, strict=True))
        if label == TOTAL_LABEL:
            continue
        shown = tuple(_count(values[c]) for c in columns)
        total = values[TOTAL_COLUMN]
        if isinstance(total, str):  # even the total is hidden: only what is shown, and say so
            bars.append(Bar(label, shown, note=total))
        else:
            bars.append(Bar(label, shown, hidden=int(total) - sum(v or 0 for v in shown)))
    return [layout.heading(c) for c in columns], bars


def _column(frame: pd.DataFrame, column: str) -> dict[str, object]:
    labels = frame[frame.columns[0]]
    return {label: value for label, value in zip(labels, frame[column], strict=True) if label != TOTAL_LABEL}


def _count(value: object) -> int | None:
    if value is None or isinstance(value, str) or pd.isna(value):
        return None
    return int(value)


def _label(*values: object) -> str:
    return next((v for v in values if isinstance(v, str)), "")
