"""Year on year: the report's main figures for two years, both computed from the facts.

The tables (tabel_*) hold the report year only; the facts (fct_*) hold every year loaded. So both
years are counted from the facts with one definition, and each report-year figure is checked
against the table it appears in (the report marks a difference). Tables 6 and 7 count clients,
which the facts cannot (they hold no person key): the comparison counts trajecten instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.publishing.layout import TABLES_BY_KEY, TOTAL_COLUMN, TOTAL_LABEL
from orchestration.publishing.report_tables import LoadedTable
from orchestration.publishing.suppression import SuppressionSettings, suppress
from orchestration.publishing.table_structure import is_derived

HERKOMST_LABELS = {
    "politie": "Mutaties politie",
    "gevangeniswezen": "Meldingen gevangeniswezen (nazorg ex-gedetineerden)",
    "partners": "Meldingen partners",
}
TRAJECT_LABELS = {"kort": "Korte trajecten", "lang": "Lange trajecten (plannen van aanpak)"}


@dataclass(frozen=True)
class Comparison:
    year: int
    compare_year: int
    loaded: bool
    explanation: str  # why the comparison is missing, or how it was made
    figures: pd.DataFrame  # rubriek, omschrijving, the two years (as shown), verschil, verschil_pct
    differs_from_table: set[tuple[str, str]]  # (rubriek, omschrijving) whose report-year figure ≠ its table


def compare_years(
    con: duckdb.DuckDBPyConnection,
    year: int,
    compare_year: int,
    tables: list[LoadedTable],
    suppression: SuppressionSettings | None,
) -> Comparison:
    loaded, explanation = _is_loaded(con, compare_year, year)
    if not loaded:
        return Comparison(year, compare_year, False, explanation, pd.DataFrame(), set())
    exact, sources = _figures(con, year, compare_year, tables)
    by_key = {t.layout.key: t for t in tables}
    differs = set()
    hidden_in_tables = []
    for position, (rubriek, omschrijving) in enumerate(zip(exact["rubriek"], exact["omschrijving"], strict=True)):
        source = sources.get((rubriek, omschrijving))
        if source is None:
            continue
        table_exact, table_shown = _cell(by_key[source[0]].exact, source), _cell(by_key[source[0]].shown, source)
        if table_exact != exact[str(year)].iloc[position]:
            differs.add((rubriek, omschrijving))
        if isinstance(table_shown, str):
            hidden_in_tables.append((position, str(year)))
    shown = exact if suppression is None else suppress(exact, suppression.threshold, hidden_elsewhere=hidden_in_tables)
    return Comparison(year, compare_year, True, explanation, _with_differences(shown, year, compare_year), differs)


def _is_loaded(con: duckdb.DuckDBPyConnection, compare_year: int, year: int) -> tuple[bool, str]:
    """A year counts as loaded when fct_meldingen has meldingen in each of its months and at least half as many
    as the report year: a year of which only late registrations came in (2010 in a 2011 warehouse) does not."""
    counts = dict(con.execute("select jaar, count(*) from marts.fct_meldingen group by jaar").fetchall())
    months = con.execute(
        "select count(distinct maand) from marts.fct_meldingen where jaar = ?", [compare_year]
    ).fetchone()[0]
    found, wanted = counts.get(compare_year, 0), counts.get(year, 0)
    if months == 12 and found * 2 >= wanted:
        return True, (
            f"Beide jaren zijn geteld uit de feitentabellen (fct_meldingen, fct_vervolgacties, fct_trajecten,"
            f" fct_huisverboden) met dezelfde definitie. Voor {year} zijn ze vergeleken met de tabellen."
        )
    return False, (
        f"Geen vergelijking met {compare_year}: dat jaar is niet (volledig) geladen. De feitentabellen bevatten"
        f" {found} meldingen in {months} maanden van {compare_year}, tegen {wanted} in {year}."
    )


def _figures(
    con: duckdb.DuckDBPyConnection, year: int, compare_year: int, tables: list[LoadedTable]
) -> tuple[pd.DataFrame, dict[tuple[str, str], tuple[str, str, str]]]:
    """Per rubriek the counts of both years and a total row, and where each figure appears in the tables."""
    years = [compare_year, year]
    doelgroepen_t2 = [
        r[0] for r in con.execute("select label_tabel_2 from marts.dim_doelgroep order by volgorde").fetchall()
    ]
    soorten_t4 = [r for r in next(t for t in tables if t.layout.key == "4").exact.iloc[:, 0] if r != TOTAL_LABEL]
    t4_headings = TABLES_BY_KEY["4"].headings
    t4_column_of = {heading: column for column, heading in t4_headings.items()}
    doelgroepen_t4 = [t4_headings[c] for c in list(t4_headings)[1:] if c != TOTAL_COLUMN and not is_derived(c)]
    rubrieken = [
        (
            "Meldingen naar herkomst",
            "select herkomst, jaar, count(*) from marts.fct_meldingen group by all",
            HERKOMST_LABELS,
            lambda label: ("1", label, "aantal"),
        ),
        (
            "Meldingen per doelgroep",
            "select d.label_tabel_2, f.jaar, count(*) from marts.fct_meldingen f"
            " join marts.dim_doelgroep d using (doelgroep) group by all",
            {label: label for label in doelgroepen_t2},
            lambda label: ("2", label, TOTAL_COLUMN),
        ),
        (
            "Vervolgacties naar soort",
            "select soort, jaar, count(*) from marts.fct_vervolgacties group by all",
            {label: label for label in soorten_t4},
            lambda label: ("4", label, TOTAL_COLUMN),
        ),
        (
            "Vervolgacties per doelgroep",
            "select d.label_tabel_4, f.jaar, count(*) from marts.fct_vervolgacties f"
            " join marts.dim_doelgroep d using (doelgroep) group by all",
            {label: label for label in doelgroepen_t4},
            lambda label: ("4", TOTAL_LABEL, t4_column_of[label]),
        ),
    ]
    records, sources = [], {}
    for rubriek, sql, labels, source_of in rubrieken:
        counts = {(key, jaar): n for key, jaar, n in con.execute(sql).fetchall()}
        for key, label in [*labels.items(), (None, TOTAL_LABEL)]:
            if key is None:  # the sum of the rows shown, so that the rows add up to it
                figures = [sum(counts.get((k, y), 0) for k in labels) for y in years]
            else:
                figures = [counts.get((key, y), 0) for y in years]
            records.append((rubriek, label, *figures))
            sources[rubriek, label] = source_of(label)
    records += _trajecten(con, years) + _huisverboden(con, years, sources)
    return pd.DataFrame(records, columns=["rubriek", "omschrijving", *(str(y) for y in years)]), sources


def _trajecten(con: duckdb.DuckDBPyConnection, years: list[int]) -> list[tuple]:
    """Trajecten running at some time in the year (not clients: the facts hold no person key)."""
    rows = []
    for categorie, label in TRAJECT_LABELS.items():
        counts = [
            con.execute(
                "select count(*) from marts.fct_trajecten where categorie = ? and startdatum <= make_date(?, 12, 31)"
                " and (einddatum is null or einddatum >= make_date(?, 1, 1))",
                [categorie, y, y],
            ).fetchone()[0]
            for y in years
        ]
        rows.append(("Trajecten die in het jaar liepen", label, *counts))
    return rows


def _huisverboden(con: duckdb.DuckDBPyConnection, years: list[int], sources: dict) -> list[tuple]:
    measures = {
        "Ingevulde RIHG’s": "count(*)",
        "Opgelegde huisverboden": "count(*) filter (where is_opgelegd)",
        "Ingetrokken huisverbod": "count(*) filter (where is_ingetrokken)",
        "Verlengd huisverbod": "count(*) filter (where is_verlengd)",
        "Samenloop met strafrecht": "count(*) filter (where is_samenloop_strafrecht)",
    }
    rows = []
    for label, expression in measures.items():
        counts = [
            con.execute(f"select {expression} from marts.fct_huisverboden where jaar = ?", [y]).fetchone()[0]
            for y in years
        ]
        rows.append(("Tijdelijk huisverbod", label, *counts))
        sources["Tijdelijk huisverbod", label] = ("9", label, TOTAL_COLUMN)
    return rows


def _cell(frame: pd.DataFrame, source: tuple[str, str, str]) -> object:
    _, row_label, column = source
    match = frame[frame[frame.columns[0]] == row_label]
    if match.empty or column not in frame.columns:
        return None
    value = match[column].iloc[0]
    return value if isinstance(value, str) or value is None or pd.isna(value) else int(value)


def _with_differences(shown: pd.DataFrame, year: int, compare_year: int) -> pd.DataFrame:
    """Differences only where both figures are shown: a difference must not give a hidden figure away."""
    result = shown.copy()
    differences, percentages = [], []
    for old, new in zip(shown[str(compare_year)], shown[str(year)], strict=True):
        both = not isinstance(old, str) and not isinstance(new, str)
        differences.append(int(new) - int(old) if both else None)
        percentages.append(round((int(new) - int(old)) * 100 / int(old)) if both and int(old) else None)
    result["verschil"] = pd.Series(differences, index=shown.index, dtype=object)
    result["verschil_pct"] = pd.Series(percentages, index=shown.index, dtype=object)
    return result
