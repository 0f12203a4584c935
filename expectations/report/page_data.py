"""What the auditor's reconciliation page shows, read from the warehouse: every cell computed
against the published figure, the publication's own contradictions, the identities between
tables, the ledger per delivery and the freshness per source.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from expectations import ledger
from expectations.harmonised import year_is_complete
from expectations.identities import IDENTITIES
from expectations.publication import (
    Contradiction,
    computed_cells,
    discrepancies_frame,
    find_contradictions,
    published_values,
)
from expectations.report_tables import CellRef
from expectations.seeds import CALIBRATION_YEAR, published_cells

CELL_MODELS = {
    **{str(n): f"int_cellen_tabel_{n:02d}" for n in range(1, 10)},
    "B3": "int_cellen_bijlage_3",
}

# status of a cell against the publication, as the page colours it
GELIJK, TEGENSPRAAK, AFWIJKING, LEEG, NIET_VERGELEKEN = "gelijk", "tegenspraak", "afwijking", "leeg", "niet vergeleken"


@dataclass(frozen=True)
class ReconciliationData:
    year: int
    compared: bool  # the marts hold the published report's year, so cells are compared with it
    cells: pd.DataFrame  # tabel, rij, kolom, rij_volgorde, kolom_volgorde, berekend, gepubliceerd, afgeleid, status, …
    discrepancies: pd.DataFrame  # as audit.publication_discrepancies
    identities: pd.DataFrame  # identiteit, grond, berekend links/rechts, gepubliceerd links/rechts
    deliveries: pd.DataFrame  # ledger.ledger_per_delivery
    freshness: pd.DataFrame  # ledger.freshness


def gather(con: duckdb.DuckDBPyConnection, year: int) -> ReconciliationData:
    computed = computed_cells(con)
    compared = year == CALIBRATION_YEAR and year_is_complete(con, year)
    printed = published_values()
    contradictions = find_contradictions(printed)
    return ReconciliationData(
        year=year,
        compared=compared,
        cells=_cells(con, computed, printed if compared else {}, contradictions if compared else []),
        discrepancies=discrepancies_frame(contradictions, computed if compared else None),
        identities=_identities(computed, printed),
        deliveries=ledger.ledger_per_delivery(con),
        freshness=ledger.freshness(con),
    )


def _cells(
    con: duckdb.DuckDBPyConnection,
    computed: dict[CellRef, int],
    printed: dict[CellRef, int],
    contradictions: list[Contradiction],
) -> pd.DataFrame:
    order = con.execute(
        " union all ".join(
            f"select '{tabel}' as tabel, rij, kolom, rij_volgorde, kolom_volgorde from intermediate.{model}"
            for tabel, model in CELL_MODELS.items()
        )
    ).df()
    labels = published_cells().dropna(subset=["label_gedrukt"])
    printed_labels = {(r.tabel, r.rij, r.kolom): r.label_gedrukt for r in labels.itertuples(index=False)}
    contradicted = {c.cell: c for c in contradictions}
    rows = []
    for r in order.itertuples(index=False):
        cell = CellRef(r.tabel, r.rij, r.kolom)
        berekend, gepubliceerd = computed.get(cell), printed.get(cell)
        contradiction = contradicted.get(cell)
        rows.append(
            {
                "tabel": r.tabel,
                "rij": r.rij,
                "kolom": r.kolom,
                "rij_volgorde": r.rij_volgorde,
                "kolom_volgorde": r.kolom_volgorde,
                "label_gedrukt": printed_labels.get(cell),
                "berekend": berekend,
                "gepubliceerd": gepubliceerd,
                "afgeleid": contradiction.afgeleid if contradiction else None,
                "toelichting": contradiction.toelichting if contradiction else None,
                "status": _status(berekend, gepubliceerd, contradiction, compared=bool(printed)),
            }
        )
    return pd.DataFrame(rows).sort_values(["tabel", "rij_volgorde", "kolom_volgorde"], key=_table_order)


def _status(
    berekend: int | None, gepubliceerd: int | None, contradiction: Contradiction | None, *, compared: bool
) -> str:
    if not compared:
        return NIET_VERGELEKEN
    if contradiction is not None:
        follows_report = contradiction.afgeleid is None or contradiction.afgeleid == berekend
        return TEGENSPRAAK if follows_report else AFWIJKING
    if gepubliceerd is None:
        return LEEG if berekend == 0 else AFWIJKING
    return GELIJK if berekend == gepubliceerd else AFWIJKING


def _table_order(column: pd.Series) -> pd.Series:
    """Tables 1-9, then Bijlage 3."""
    if column.name == "tabel":
        return column.map(lambda t: 100 if t == "B3" else int(t))
    return column


def _identities(computed: dict[CellRef, int], printed: dict[CellRef, int]) -> pd.DataFrame:
    rows = [
        {
            "identiteit": identity.name(),
            "grond": identity.grond,
            "berekend_links": computed.get(identity.target),
            "berekend_rechts": computed.get(identity.parts[0]),
            "gepubliceerd_links": printed.get(identity.target),
            "gepubliceerd_rechts": printed.get(identity.parts[0]),
        }
        for identity in IDENTITIES
    ]
    return pd.DataFrame(rows)
