"""Helpers of the reliability, privacy and fuzz tests: the ledger's invariants, raw snapshots, hand-made drops."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import load_workbook

from sources.connectors import gemeenten, om, politie, vh
from sources.connectors.persons import TEST_SURNAMES
from sources.paths import DataPaths
from sources.pseudonymise import Pseudonymiser
from sources.simulator import vh_api
from sources.simulator.world import World

RAW_TABLES = (
    "politie_mutaties",
    "om_casusoverleggen",
    "om_veelplegersplannen",
    "om_strafzaken",
    "vh_meldingen",
    "vh_vervolgacties",
    "vh_trajecten",
    "gemeenten_huisverboden",
)


def landed_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables holding landed rows (the bookkeeping tables start with `_`)."""
    found = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' "
        "and table_name not like '\\_%' escape '\\' order by table_name"
    ).fetchall()
    return [t for (t,) in found]


def ledger_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every way the raw layer disagrees with its ledger; [] when consistent.

    Per delivery: received = accepted + quarantined + duplicates; its rows in raw = accepted, and its
    quarantine entries = quarantined, each less what a retention purge removed (raw._purges); no row in
    raw or in quarantine without a ledger line; a requeued quarantine entry names a delivery of the ledger.
    """
    problems = [
        f"{d}: received {r} != {a} + {q} + {u}"
        for d, r, a, q, u in con.execute(
            "select delivery_id, received, accepted, quarantined, duplicates from raw._deliveries "
            "where received <> accepted + quarantined + duplicates"
        ).fetchall()
    ]
    purged = "select delivery_id, sum(rows) as n from raw._purges where table_name = $table group by all"
    for table in landed_tables(con):
        problems += [
            f"raw.{table} {d}: {n} rows + {p} purged, the ledger accepted {a}"
            for d, n, p, a in con.execute(
                f"""
                with landed as (select _delivery_id as delivery_id, count(*) as n from raw.{table} group by all),
                ledger as (select delivery_id, accepted from raw._deliveries where raw_table = $table),
                purged as ({purged})
                select coalesce(ledger.delivery_id, landed.delivery_id), coalesce(landed.n, 0),
                    coalesce(purged.n, 0), ledger.accepted
                from ledger full outer join landed using (delivery_id) left join purged using (delivery_id)
                where ledger.accepted is null or coalesce(landed.n, 0) + coalesce(purged.n, 0) <> ledger.accepted
                """,
                {"table": table},
            ).fetchall()
        ]
    problems += [
        f"raw._quarantine {d}: {n} entries + {p} purged, the ledger quarantined {q}"
        for d, n, p, q in con.execute(
            f"""
            with entries as (select delivery_id, count(*) as n from raw._quarantine group by all),
            purged as ({purged})
            select coalesce(d.delivery_id, e.delivery_id), coalesce(e.n, 0), coalesce(p.n, 0), d.quarantined
            from raw._deliveries d full outer join entries e using (delivery_id) left join purged p using (delivery_id)
            where d.quarantined is null or coalesce(e.n, 0) + coalesce(p.n, 0) <> d.quarantined
            """,
            {"table": "_quarantine"},
        ).fetchall()
    ]
    problems += [
        f"raw._quarantine resolved by unknown delivery {r}"
        for (r,) in con.execute(
            "select distinct resolved_by from raw._quarantine where resolved_by is not null "
            "and resolved_by not in (select delivery_id from raw._deliveries)"
        ).fetchall()
    ]
    return problems


def raw_state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Everything a connector can change, sorted, to show that a refused delivery changed nothing."""
    tables = [f"raw.{t}" for t in landed_tables(con)]
    tables += [f"raw.{t}" for t in ("_deliveries", "_quarantine", "_watermarks", "_om_verstrekkingen", "_purges")]
    existing = {f"raw.{t}" for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in tables if t in existing}


def drop_text(rows: list[list[str]], header: list[str] | None = None) -> str:
    """A police drop as the contract has it: `;`-separated, quoted only where needed, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header or politie.COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def mutatie(number: int = 1, day: str = "03-01-2011", **changes: str) -> list[str]:
    """One valid police row (a suspect in Maastricht); `changes` by column name."""
    values = {
        "Mutatienummer": f"PL2300-2011{number:06d}",
        "Versie": "1",
        "Mutatiedatum": day,
        "Incidentcode": "F550",
        "Projectcode": "HG",
        "Selectiecode": "HG",
        "Pleegplaats": "Maastricht",
        "Rol": "Verdachte",
        "BSN": "111222333",
        "Achternaam": "Vossen",
        "Voornamen": "Bram",
        "Geboortedatum": "14-07-1975",
    } | changes
    return [values[c] for c in politie.COLUMNS]


def load_all(paths: DataPaths, con: duckdb.DuckDBPyConnection, key: Pseudonymiser) -> None:
    """Every connector on the simulated landing zone, as the nightly load's extract steps do."""
    politie.extract(con, paths.landing_for("politie"), key)
    om.extract(con, om.default_url(paths.landing_for("om")), key)
    with vh_api.serve(paths.landing_for("vh")) as url:
        vh.extract(con, url, key, max_attempts=10)
    gemeenten.extract(con, paths.landing_for("gemeenten"), key)


def copy_warehouse(template: Path, target: Path) -> Path:
    target.write_bytes(template.read_bytes())
    return target


# --- looking for person-level data in whatever a run leaves behind

DUCKDB_MAGIC = b"DUCK"  # at byte 8 of every DuckDB database file
CALENDAR_START = "2005-01-01"  # marts.dim_datum lists every day from here on: a birth date after it is no tell


@dataclass(frozen=True)
class PersonData:
    """What must not be found: BSNs, surnames (longer than four letters) and birth dates of a world."""

    bsns: frozenset[str]
    surnames: re.Pattern
    birth_dates: frozenset[str]

    @classmethod
    def of(cls, world: World) -> PersonData:
        people = pd.concat([world.persons[FIELDS], world.politie_mutaties[FIELDS]])
        names = {n for n in people["achternaam"].dropna() if len(n) > 4 and n.casefold() not in TEST_SURNAMES}
        names |= {_ascii(n) for n in names}  # 'Crützen' may have lost its accent on the way
        born = pd.to_datetime(people["geboortedatum"]).dropna()
        born = born[born < CALENDAR_START]
        return cls(
            frozenset(people["bsn"].dropna()),
            re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b", re.IGNORECASE),
            frozenset(born.dt.strftime("%d-%m-%Y")) | frozenset(born.dt.strftime("%Y-%m-%d")),
        )

    def found_in(self, text: str) -> list[str]:
        digits = set(re.findall(r"(?<!\d)\d{9}(?!\d)", text)) & self.bsns
        dates = set(re.findall(r"(?<!\d)(?:\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2})(?!\d)", text)) & self.birth_dates
        surnames = {m.group(0) for m in self.surnames.finditer(text)}
        return sorted(f"BSN {b}" for b in digits) + sorted(surnames) + sorted(f"birth date {d}" for d in dates)


FIELDS = ["bsn", "achternaam", "geboortedatum"]


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def text_of(path: Path) -> str:
    """A file's content as text: databases and workbooks as their rows, anything else as decoded bytes."""
    head = path.read_bytes()[:12]
    if head[8:12] == DUCKDB_MAGIC:
        return duckdb_text(path)
    if path.suffix == ".parquet":
        with duckdb.connect() as con:
            return con.execute("select * from read_parquet(?)", [str(path)]).df().to_csv()
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        return "\n".join(repr(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return path.read_bytes().decode("utf-8", errors="replace")


def duckdb_text(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema <> 'information_schema'"
        ).fetchall()
        return "\n".join(con.execute(f'select * from "{s}"."{t}"').df().to_csv() for s, t in tables)


def person_data_in_folder(root: Path, person_data: PersonData, skip: tuple[str, ...] = ("landing",)) -> dict:
    """Per file under `root` (the sources' own deliveries in `landing/` excepted) the person data found in it."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.relative_to(root).parts[0] in skip:
            continue
        if hits := person_data.found_in(text_of(path)):
            found[str(path.relative_to(root))] = hits[:5]
    return found
