"""Frames that reconcile the marts: the report's cells against their own sums, against each other
(the identities between tables), against the registrations, and against the published figures.

Each frame has one row per thing checked, named so that a failure names the table and the cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from expectations.harmonised import year_is_complete
from expectations.identities import IDENTITIES
from expectations.publication import Contradiction, find_contradictions, published_values
from expectations.report_tables import TOTAAL, CellRef, Constraint, table_constraints
from expectations.seeds import CALIBRATION_YEAR, read_seed


def constraints_frame(constraints: list[Constraint], values: Mapping[CellRef, int]) -> pd.DataFrame:
    """One row per constraint: the cell's value (`waarde`) and what the other cells make of it (`verwacht`)."""
    rows = [
        {"check": c.name(), "soort": c.kind, "waarde": values.get(c.target, 0), "verwacht": c.expected(values)}
        for c in constraints
    ]
    return pd.DataFrame(rows, columns=["check", "soort", "waarde", "verwacht"])


def totals_frame(computed: Mapping[CellRef, int]) -> pd.DataFrame:
    """Every row total, column total and percentage of every table of report_cells."""
    return constraints_frame(table_constraints(computed), computed)


def identities_frame(computed: Mapping[CellRef, int]) -> pd.DataFrame:
    """Every identity between tables, on report_cells, with the sentence of the report it rests on."""
    frame = constraints_frame(list(IDENTITIES), computed)
    frame["grond"] = [identity.grond for identity in IDENTITIES]
    return frame


def published_frame(computed: Mapping[CellRef, int], contradictions: list[Contradiction] | None = None) -> pd.DataFrame:
    """Every cell of the report: computed (`berekend`) against what the publication supports (`verwacht`).

    `verwacht` is the printed figure; for a contradiction in the publication the value the rest of
    the report implies (`afgeleid`), or null when the report fixes only a sum of cells (the sums
    are checked by the totals and identities suites); 0 for a cell the report leaves blank.
    """
    printed = published_values()
    contradicted = {c.cell: c for c in (find_contradictions(printed) if contradictions is None else contradictions)}
    rows = []
    for cell in [*printed, *(c for c in computed if c not in printed)]:
        contradiction = contradicted.get(cell)
        if contradiction is not None:
            verwacht, grond = contradiction.afgeleid, "tegenspraak in de publicatie"
        elif cell in printed:
            verwacht, grond = printed[cell], "gepubliceerd"
        else:
            verwacht, grond = 0, "leeg in de publicatie"
        rows.append(
            {
                "cel": cell.label(),
                "berekend": computed.get(cell),
                "gepubliceerd": printed.get(cell),
                "verwacht": verwacht,
                "grond": grond,
            }
        )
    frame = pd.DataFrame(rows, columns=["cel", "berekend", "gepubliceerd", "verwacht", "grond"])
    for column in ("berekend", "gepubliceerd", "verwacht"):
        frame[column] = frame[column].astype("Int64")
    return frame


def headline_frame(con: duckdb.DuckDBPyConnection, year: int, computed: Mapping[CellRef, int]) -> pd.DataFrame:
    """The report's four headline totals: in the registrations, in the tables, in Bijlage 3, as published.

    `registraties` counts the year's events straight from the harmonised layer (meldingen and
    vervolgacties in a doelgroep the table shows); null for the trajecten, which count clients.
    `gepubliceerd` only for the year the published report covers, once the registrations cover all of it.
    """
    shown_in_table_4 = sorted(read_seed("doelgroepen").dropna(subset=["tabel_4"])["doelgroep"])
    meldingen, vervolgacties = con.execute(
        """
        select
            (select count(*) from intermediate.int_meldingen where jaar = $year),
            (
                select count(*) from intermediate.int_vervolgacties
                where jaar = $year and list_contains($shown, doelgroep)
            )
        """,
        {"year": year, "shown": shown_in_table_4},
    ).fetchone()
    printed = published_values() if year == CALIBRATION_YEAR and year_is_complete(con, year) else {}
    measures = [
        ("meldingen", meldingen, CellRef("1", TOTAAL, "aantal"), CellRef("B3", TOTAAL, "Meldingen per herkomst")),
        (
            "vervolgacties",
            vervolgacties,
            CellRef("4", TOTAAL, TOTAAL),
            CellRef("B3", TOTAAL, "Vervolgacties per doelgroep"),
        ),
        ("korte trajecten", None, CellRef("6", TOTAAL, TOTAAL), CellRef("B3", TOTAAL, "Korte trajecten per doelgroep")),
        ("lange trajecten", None, CellRef("7", TOTAAL, TOTAAL), CellRef("B3", TOTAAL, "Lange trajecten per doelgroep")),
    ]
    rows = [
        {
            "maat": f"{name} {year} ({table_cell.label()})",
            "registraties": records,
            "tabel": computed.get(table_cell),
            "bijlage_3": computed.get(appendix_cell),
            "gepubliceerd": printed.get(appendix_cell),
        }
        for name, records, table_cell, appendix_cell in measures
    ]
    frame = pd.DataFrame(rows, columns=["maat", "registraties", "tabel", "bijlage_3", "gepubliceerd"])
    for column in ("registraties", "tabel", "bijlage_3", "gepubliceerd"):
        frame[column] = frame[column].astype("Int64")
    return frame
