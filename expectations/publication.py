"""Where the published report contradicts itself, found from the published figures alone.

Every table's row and column totals and every identity between tables (`identities.py`) is
checked on the printed figures. A printed cell that takes part in a constraint that holds is
confirmed by it; a cell that appears only in constraints that fail is suspect: the contradiction
is its doing. A suspect is then derived, where the rest of the report fixes it, by solving the
failing constraints for the suspects with every other cell as printed: when a constraint has one
unknown left it gives that cell's value, and every further constraint it appears in must agree.
When the report fixes only a sum of suspects (four cells against one total), `afgeleid` stays empty.

`write_discrepancies` stores the result in `audit.publication_discrepancies` with the value the
registrations give (`berekend`, from `marts.report_cells`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from expectations.harmonised import year_is_complete
from expectations.identities import IDENTITIES
from expectations.report_tables import CellRef, Constraint, table_constraints, table_name
from expectations.seeds import CALIBRATION_YEAR, published_cells

DISCREPANCIES_TABLE = "audit.publication_discrepancies"


@dataclass
class Contradiction:
    cell: CellRef
    gepubliceerd: int
    afgeleid: int | None
    toelichting: str


@dataclass
class _Derivation:
    value: int | None = None
    sources: list[str] = field(default_factory=list)
    conflict: bool = False


def report_constraints(cells: Iterable[CellRef]) -> list[Constraint]:
    """Every constraint the report implies on these cells: the tables' own sums and the identities."""
    cells = list(cells)
    known_tables = {c.tabel for c in cells}
    identities = [i for i in IDENTITIES if {c.tabel for c in i.cells} <= known_tables]
    return [*table_constraints(cells), *identities]


def published_values() -> dict[CellRef, int]:
    frame = published_cells()
    return {CellRef(r.tabel, r.rij, r.kolom): int(r.waarde) for r in frame.itertuples(index=False)}


def find_contradictions(printed: Mapping[CellRef, int]) -> list[Contradiction]:
    """The printed cells the rest of the report contradicts, with the value it implies where it fixes one."""
    constraints = report_constraints(printed)
    failing = [c for c in constraints if not c.holds(printed)]
    holding = [c for c in constraints if c.holds(printed)]
    confirmed = {cell for c in holding for cell in c.cells}
    suspects = {cell for c in failing for cell in c.cells if cell not in confirmed}
    derived = _derive(failing, suspects, printed)
    found = [
        Contradiction(
            cell, printed.get(cell, 0), derived[cell].value, _explain(cell, failing, holding, printed, derived)
        )
        for cell in _in_report_order(suspects, printed)
    ]
    # a failing constraint all of whose cells are confirmed elsewhere: the report says not which is wrong
    for constraint in failing:
        if not suspects & set(constraint.cells):
            text = f"{_violation(constraint, printed)}; elk van zijn cellen wordt elders in het rapport bevestigd."
            found.append(Contradiction(constraint.target, printed.get(constraint.target, 0), None, text))
    return found


def _derive(failing: list[Constraint], suspects: set[CellRef], printed: Mapping[CellRef, int]) -> dict:
    """Solve the failing constraints for the suspects, one unknown at a time; record every agreement."""
    derived: dict[CellRef, _Derivation] = defaultdict(_Derivation)
    values = {cell: v for cell, v in printed.items() if cell not in suspects}
    pending = [c for c in failing if c.kind != "percentage"]  # a rounded share fixes no count
    progress = True
    while progress:
        progress = False
        for constraint in list(pending):
            unknown = [cell for cell in constraint.cells if cell in suspects and cell not in values]
            if len(unknown) > 1:
                continue
            pending.remove(constraint)
            progress = True
            if unknown:
                (cell,) = unknown
                values[cell] = _solve(constraint, cell, values)
                derived[cell].value = values[cell]
                derived[cell].sources.append(_solution_text(constraint, cell, values))
                continue
            # every cell known: the constraint confirms (or contradicts) what was derived for its suspects
            for cell in (c for c in constraint.cells if c in suspects):
                if constraint.holds(values):
                    derived[cell].sources.append(f"bevestigd door {_confirmation_text(constraint, cell, values)}")
                else:
                    derived[cell].conflict = True
    for derivation in derived.values():
        if derivation.conflict or (derivation.value is not None and derivation.value < 0):
            derivation.value = None
    return derived


def _solve(constraint: Constraint, cell: CellRef, values: Mapping[CellRef, int]) -> int:
    known_parts = sum(values.get(p, 0) for p in constraint.parts if p != cell)
    if cell == constraint.target:
        return known_parts
    return values.get(constraint.target, 0) - known_parts


def _solution_text(constraint: Constraint, cell: CellRef, values: Mapping[CellRef, int]) -> str:
    others = [values.get(p, 0) for p in constraint.parts if p != cell]
    if constraint.kind == "identiteit":
        source = constraint.parts[0] if cell == constraint.target else constraint.target
        return f"{source.label()} = {values.get(source, 0)} ({constraint.grond})"
    if cell == constraint.target:
        sum_text = " + ".join(str(v) for v in others)
        return f"{sum_text} = {values[cell]} uit {_constraint_text(constraint)}"
    minus = "".join(f" − {v}" for v in others if v)
    return f"{values.get(constraint.target, 0)}{minus} = {values[cell]} uit {_constraint_text(constraint)}"


def _confirmation_text(constraint: Constraint, cell: CellRef, values: Mapping[CellRef, int]) -> str:
    """What a constraint says of `cell`: the other side of an identity, or the row or column it sums in."""
    if constraint.kind == "identiteit":
        other = constraint.parts[0] if cell == constraint.target else constraint.target
        return f"{other.label()} = {values.get(other, 0)}"
    return _constraint_text(constraint)


def _constraint_text(constraint: Constraint) -> str:
    target = constraint.target
    if constraint.kind == "rijtotaal":
        return f"rij «{target.rij}» van {table_name(target.tabel)}"
    if constraint.kind == "kolomtotaal":
        return f"kolom «{target.kolom}» van {table_name(target.tabel)}"
    return f"{target.label()} = {constraint.parts[0].label()}"


def _violation(constraint: Constraint, printed: Mapping[CellRef, int]) -> str:
    value, expected = printed.get(constraint.target, 0), constraint.expected(printed)
    if constraint.kind == "identiteit":
        other = constraint.parts[0]
        return f"{constraint.target.label()} is {value}, maar {other.label()} is {expected} ({constraint.grond})"
    if constraint.kind == "percentage":
        return f"{constraint.target.label()} is {value}%, de aantallen geven {expected}%"
    return (
        f"de cellen van {_constraint_text(constraint)} tellen op tot {expected}, niet tot het gedrukte totaal {value}"
    )


def _explain(
    cell: CellRef,
    failing: list[Constraint],
    holding: list[Constraint],
    printed: Mapping[CellRef, int],
    derived: Mapping[CellRef, _Derivation],
) -> str:
    """One sentence: which sums or identities the printed cell breaks, what confirms the rest, what follows."""
    broken = [c for c in failing if cell in c.cells]
    clauses = [_violation(c, printed) for c in broken]
    for constraint in broken:
        if constraint.target != cell:
            confirmations = [c for c in holding if constraint.target in c.cells and c.kind == "identiteit"]
            clauses.extend(
                f"het totaal {printed.get(constraint.target, 0)} wordt bevestigd door "
                f"{_confirmation_text(c, constraint.target, printed)}"
                for c in confirmations
            )
    derivation = derived[cell]
    if derivation.value is not None:
        conclusion = f"afgeleid: {'; '.join(derivation.sources)}"
    elif derivation.conflict:
        conclusion = "de afleidingen spreken elkaar tegen, dus het rapport legt de cel niet vast"
    else:
        conclusion = "het rapport legt alleen de som van deze cellen vast, niet elke cel afzonderlijk"
    return f"{'; '.join(dict.fromkeys(clauses))}; {conclusion}."


def _in_report_order(cells: Iterable[CellRef], printed: Mapping[CellRef, int]) -> list[CellRef]:
    order = {cell: i for i, cell in enumerate(printed)}
    return sorted(cells, key=lambda c: order.get(c, len(order)))


def discrepancies_frame(contradictions: list[Contradiction], computed: Mapping[CellRef, int] | None) -> pd.DataFrame:
    """The rows of audit.publication_discrepancies; `berekend` null when no computed cells are given."""
    rows = [
        {
            "tabel": c.cell.tabel,
            "rij": c.cell.rij,
            "kolom": c.cell.kolom,
            "gepubliceerd": c.gepubliceerd,
            "afgeleid": c.afgeleid,
            "berekend": None if computed is None else computed.get(c.cell),
            "toelichting": c.toelichting,
        }
        for c in contradictions
    ]
    columns = ["tabel", "rij", "kolom", "gepubliceerd", "afgeleid", "berekend", "toelichting"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("gepubliceerd", "afgeleid", "berekend"):
        frame[column] = frame[column].astype("Int64")
    return frame


def computed_cells(con: duckdb.DuckDBPyConnection) -> dict[CellRef, int]:
    frame = con.execute("select tabel, rij, kolom, waarde from marts.report_cells").df()
    return {CellRef(str(r.tabel), r.rij, r.kolom): int(r.waarde) for r in frame.itertuples(index=False)}


def write_discrepancies(con: duckdb.DuckDBPyConnection, year: int = CALIBRATION_YEAR) -> pd.DataFrame:
    """(Re)write audit.publication_discrepancies: the report's contradictions, with what the records give.

    `berekend` comes from marts.report_cells when the marts hold the whole of the report's own year,
    else it is null. Returns the rows written.
    """
    computed = computed_cells(con) if year == CALIBRATION_YEAR and year_is_complete(con, year) else None
    frame = discrepancies_frame(find_contradictions(published_values()), computed)
    con.execute("create schema if not exists audit")
    con.execute(
        f"""
        create or replace table {DISCREPANCIES_TABLE} (
            tabel varchar not null, rij varchar not null, kolom varchar not null, gepubliceerd integer not null,
            afgeleid integer, berekend integer, toelichting varchar not null
        )
        """
    )
    con.register("discrepancies_frame", frame)
    try:
        con.execute(f"insert into {DISCREPANCIES_TABLE} select * from discrepancies_frame")
    finally:
        con.unregister("discrepancies_frame")
    return frame
