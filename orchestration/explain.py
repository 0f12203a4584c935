"""`vhpipe explain`: from a published figure to the records that make it up, and their deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from sources import duckdb_memory


@dataclass(frozen=True)
class CellExplanation:
    tabel: str
    rij: str
    kolom: str
    waarde: int | None
    members: pd.DataFrame  # lid, persoon_key, datum, bronnen, delivery_id, delivery_row_number
    per_source: pd.DataFrame  # bronnen, aantal
    per_delivery: pd.DataFrame  # delivery_id, aantal


class UnknownCellError(LookupError):
    """The report has no such cell; the message lists the labels that do exist."""


def explain_cell(warehouse: Path, tabel: str, rij: str, kolom: str) -> CellExplanation:
    with duckdb_memory.connect(warehouse, read_only=True) as con:
        value = con.execute(
            "select waarde from marts.report_cells where tabel = ? and rij = ? and kolom = ?", [tabel, rij, kolom]
        ).fetchall()
        if not value:
            raise UnknownCellError(_known_cells(con, tabel))
        members = con.execute(
            """
            select lid, persoon_key, datum, bronnen, delivery_id, delivery_row_number
            from audit.report_cell_members
            where tabel = ? and rij = ? and kolom = ?
            order by datum, lid
            """,
            [tabel, rij, kolom],
        ).df()
    per_source = members.groupby("bronnen").size().rename("aantal").reset_index()
    per_delivery = members.groupby("delivery_id").size().rename("aantal").reset_index()
    return CellExplanation(tabel, rij, kolom, value[0][0], members, per_source, per_delivery)


def _known_cells(con: duckdb.DuckDBPyConnection, tabel: str) -> str:
    rows = con.execute("select distinct rij from marts.report_cells where tabel = ? order by rij", [tabel]).fetchall()
    cols = con.execute(
        "select distinct kolom from marts.report_cells where tabel = ? order by kolom", [tabel]
    ).fetchall()
    if not rows:
        return f"there is no tabel {tabel!r}; tabellen are 1..9 and B3"
    return f"tabel {tabel} has rijen {[r[0] for r in rows]} and kolommen {[c[0] for c in cols]}"


def render(explanation: CellExplanation, limit: int = 50) -> str:
    from orchestration.summary import render_table

    e = explanation
    lines = [
        f"Tabel {e.tabel} · {e.rij} · {e.kolom}: {e.waarde}",
        f"{len(e.members)} records make it up"
        + ("" if e.waarde == len(e.members) else f" (a percentage or a mismatch: value {e.waarde})"),
        "",
        "Per source system:",
        render_table(e.per_source) if len(e.per_source) else "  (none)",
        "",
        "Per delivery:",
        render_table(e.per_delivery) if len(e.per_delivery) else "  (none)",
        "",
        f"Records{f' (first {limit})' if len(e.members) > limit else ''}:",
    ]
    shown = e.members.head(limit).assign(persoon_key=lambda f: f["persoon_key"].str.slice(0, 16) + "…")
    lines.append(render_table(shown) if len(shown) else "  (none)")
    return "\n".join(lines)
