"""Connector for the police (BVH/BPS) daily CSV drops.

Contract of a drop (see sources/README.md): Windows-1252, `;`-separated, a header row with
exactly the columns below, one row per person per mutatie, dates as dd-mm-jjjj. The connector
takes every drop in the landing folder that is not yet in the ledger, in name order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sources.connectors import ledger, persons, rules, workers
from sources.connectors.distinct import DistinctValues, per_distinct
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser

SOURCE = "politie"
DROP_NAME = re.compile(r"_(\d{8})(?:_[^.]*)?\.csv$")
TABLE = "politie_mutaties"
COLUMNS = [
    "Mutatienummer",
    "Versie",
    "Mutatiedatum",
    "Incidentcode",
    "Projectcode",
    "Selectiecode",
    "Pleegplaats",
    "Rol",
    "BSN",
    "Achternaam",
    "Voornamen",
    "Geboortedatum",
]
ROLLEN = ["Verdachte", "Slachtoffer", "Betrokkene", "Getuige"]
PERSON_COLUMNS = ["BSN", "Achternaam", "Voornamen", "Geboortedatum"]
# rules on the person's fields: their clear values are gone once the row is pseudonymised, so a
# quarantined row records whether it passed them (a requeue cannot check them again)
PERSON_RULES = [
    *rules.field_lengths(PERSON_COLUMNS),
    rules.elfproef("BSN"),
    rules.dutch_date("Geboortedatum", optional=True, personal=True),
]
RAW_DDL = f"""
create table if not exists raw.{TABLE} (
    mutatienummer varchar,
    versie varchar,
    mutatiedatum varchar,
    incidentcode varchar,
    projectcode varchar,
    selectiecode varchar,
    pleegplaats varchar,
    rol varchar,
    persoon_sleutel varchar,   -- HMAC of the BSN
    naam_sleutel varchar,      -- HMAC of name and birth date, for persons without a BSN
    leeftijdsklasse varchar,   -- age band on the mutatiedatum; the birth date itself is not kept
    is_testpersoon boolean,    -- registered on a test person (flagged at the door, the name is not kept)
    _row_hash varchar,
    _row_number integer,
    _delivery_id varchar,
    _loaded_at timestamp
);
"""


def event_rules(delivered_on: date | pd.Series) -> list[rules.Rule]:
    """The rules on the mutatie itself; a mutatie cannot be dated after the day it was delivered
    (one day for a drop, or per row for a batch of drops)."""
    return [
        *rules.field_lengths([c for c in COLUMNS if c not in PERSON_COLUMNS]),
        rules.required("Mutatienummer"),
        rules.matches("Mutatienummer", r"PL\d{4}-\d{10}", "a mutatienummer (PLnnnn-jjjjnnnnnn)"),
        rules.positive_integer("Versie"),
        rules.required("Mutatiedatum"),
        rules.dutch_date("Mutatiedatum"),
        not_after_delivery("Mutatiedatum", delivered_on),
        rules.required("Selectiecode"),
        rules.required("Pleegplaats"),
        rules.one_of("Rol", ROLLEN),
    ]


def not_after_delivery(column: str, delivered_on: date | pd.Series) -> rules.Rule:
    reason = "{column} '{value}' is after the day the drop was delivered, "
    if isinstance(delivered_on, pd.Series):  # a batch of drops: each row's own delivery day
        limit = pd.to_datetime(delivered_on)
        days = per_distinct(delivered_on, lambda days: days.astype(str))  # a drop's rows share their day
        return rules.Rule(column, lambda s: _dutch_dates(s) > limit, reason + "{detail}", days)
    after = pd.Timestamp(delivered_on)
    return rules.Rule(column, lambda s: _dutch_dates(s) > after, reason + str(delivered_on), per_value=True)


def _dutch_dates(s: pd.Series) -> pd.Series:
    return per_distinct(s, lambda days: pd.to_datetime(days, format="%d-%m-%Y", errors="coerce"))


def latest_event_day(delivery_name: str) -> date:
    """The day a drop was delivered, from its name; for a name without one, today (nothing is dated later)."""
    return delivery_day(Path(delivery_name)) or date.today()


@dataclass(frozen=True)
class DropFile:
    path: Path
    delivery: ledger.Delivery


def delivery_day(path: Path) -> date | None:
    """The day a drop was delivered, from its name (BVH_VH_mutaties_jjjjmmdd…); None if the name has none."""
    match = DROP_NAME.search(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def pending_drops(con: duckdb.DuckDBPyConnection, folder: Path, until: date | None = None) -> list[DropFile]:
    """Drops in the landing folder that the ledger has not seen (the connector's watermark),
    delivered on or before `until` when given: a drop that arrives late is still taken."""
    taken = ledger.loaded_deliveries(con, SOURCE)
    drops = []
    for path in sorted(folder.glob("*.csv")):
        day = delivery_day(path)
        if until is not None and day is not None and day > until:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        delivery = ledger.Delivery(SOURCE, path.name, digest)
        if delivery.delivery_id not in taken:
            drops.append(DropFile(path, delivery))
    return drops


def read_drop(drop: DropFile) -> pd.DataFrame:
    """The drop as text columns with a 1-based row number (the header is row 0), contract checked."""
    name = drop.delivery.name
    text = decode(drop.path.read_bytes(), name)
    header, *records = parse_records(text, name)
    check_header(header, name)
    check_field_counts(records, len(header), name)
    # one array of all fields (the rows are of one length now), an empty field missing: a pass in numpy
    # instead of one per field in Python
    cells = np.array(records, dtype=object) if records else np.empty((0, len(header)), dtype=object)
    cells[cells == ""] = None
    frame = pd.DataFrame({heading: cells[:, column] for column, heading in enumerate(header)}, dtype="str")
    frame.insert(0, "_row_number", range(1, len(frame) + 1))
    return frame


def decode(raw: bytes, name: str) -> str:
    """The drop's text: Windows-1252, whole (ending in a line break), not empty."""
    if not raw.strip():
        raise DeliveryError(SOURCE, name, "the file is empty")
    if not raw.isascii() and _is_utf8(raw):
        # cp1252 would read it without complaint, as mojibake ('Crützen' → 'CrÃ¼tzen'), and break linkage
        raise DeliveryError(SOURCE, name, "is UTF-8 text; the contract says Windows-1252")
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeliveryError(SOURCE, name, f"not Windows-1252 text (byte {exc.start})", row=line - 1) from exc
    if not text.endswith("\n"):
        # every line ends in a line break: a last line without one was cut off in transfer
        problem = "ends in the middle of a line: the file was cut off (truncated); ask the police to send it again"
        raise DeliveryError(SOURCE, name, problem, row=text.count("\n"))
    return text


def parse_records(text: str, name: str) -> list[list[str]]:
    """The `;`-separated records (header first), blank lines skipped; quoting errors name the row."""
    if (plain := plain_lines(text)) is not None:
        return [line.split(";") for line in plain if line]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    records: list[list[str]] = []
    try:
        records.extend(record for record in reader if record)
    except csv.Error as exc:  # an unbalanced quote, or a field larger than csv's limit (128 KB)
        problem = f"cannot be parsed as `;`-separated text: {exc}"
        raise DeliveryError(SOURCE, name, problem, row=len(records)) from exc
    return records


def plain_lines(text: str) -> list[str] | None:
    """The lines of a drop that the csv module would read as lines split at `;`, or None when it needs
    the csv module: a quote, a NUL, a line break other than CRLF or LF, or a line longer than csv's
    field limit. Nearly every drop is plain, and splitting it takes a fraction of csv's time."""
    if '"' in text or "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    lines = text.replace("\r\n", "\n").split("\n")
    return lines if max(map(len, lines)) <= csv.field_size_limit() else None


def check_header(header: list[str], name: str) -> None:
    """Exactly the contract's columns, each once, in any order."""
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or extra or repeated:
        problem = "header does not match the contract:"
        problem += f" missing {missing}" if missing else ""
        problem += f" unexpected {extra}" if extra else ""
        problem += f" repeated {repeated}" if repeated else ""
        raise DeliveryError(SOURCE, name, problem)


def check_field_counts(records: list[list[str]], expected: int, name: str) -> None:
    """Every row has as many fields as the header: pandas would fill a short row up without a word."""
    for number, record in enumerate(records, start=1):
        if len(record) != expected:
            problem = (
                f"has {len(record)} fields where the header has {expected}: a line cut short, "
                "or broken by a stray line break, `;` or quote"
            )
            raise DeliveryError(SOURCE, name, problem, row=number)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def pseudonymise(frame: pd.DataFrame, pseudonymiser: Pseudonymiser, distinct: DistinctValues) -> pd.DataFrame:
    """Replace BSN, names and birth date by keyed pseudonyms and an age band, at the door."""
    person = persons.person_columns(
        pseudonymiser, distinct, "BSN", "Achternaam", "Voornamen", "Geboortedatum", "Mutatiedatum"
    )
    out = pd.DataFrame(
        {
            "_row_number": frame["_row_number"],
            "mutatienummer": frame["Mutatienummer"],
            "versie": distinct.rebuilt("Versie"),
            "mutatiedatum": distinct.rebuilt("Mutatiedatum"),
            "incidentcode": distinct.rebuilt("Incidentcode"),
            "projectcode": distinct.rebuilt("Projectcode"),
            "selectiecode": distinct.rebuilt("Selectiecode"),
            "pleegplaats": distinct.rebuilt("Pleegplaats"),
            "rol": distinct.rebuilt("Rol"),
            "persoon_sleutel": person["persoon_sleutel"],
            "naam_sleutel": person["naam_sleutel"],
            "leeftijdsklasse": person["leeftijdsklasse"],
            "is_testpersoon": person["is_testpersoon"],
        }
    )
    out["_row_hash"] = ledger.row_hashes(out.drop(columns="_row_number"))
    return out


# Drops are read, checked and pseudonymised in batches of about this many bytes (some 240,000 rows):
# per drop the pandas work costs more than the rows of a small drop (a year is ~380 drops), and a
# batch is what a worker process prepares while the batches before it land.
BATCH_BYTES = 24 * 2**20


def batches(drops: list[DropFile], batch_bytes: int | None = None, workers_count: int = 1) -> list[list[DropFile]]:
    """The drops in their order, in runs of even size of at most about `batch_bytes`; more than one run
    comes as a multiple of `workers_count`, so that the workers finish their last runs together."""
    limit = batch_bytes or BATCH_BYTES
    sizes = [drop.path.stat().st_size for drop in drops]
    total = sum(sizes)
    count = max(1, math.ceil(total / limit))
    if count > 1:
        count = math.ceil(count / workers_count) * workers_count
    runs: list[list[DropFile]] = [[] for _ in range(count)]
    start = 0
    for drop, size in zip(drops, sizes, strict=True):
        runs[min(count - 1, start * count // max(total, 1))].append(drop)  # the run where the drop starts
        start += size
    return [run for run in runs if run]


@dataclass(frozen=True)
class PreparedBatch:
    """A batch of drops ready to land: its rows pseudonymised and checked, each naming its delivery."""

    deliveries: list[ledger.Delivery]
    rows: pd.DataFrame  # the rows no rule refuses
    quarantined: pd.DataFrame  # the rows a rule refuses, with the reason
    error: Exception | None = None  # a drop that cannot be taken at all stopped the batch here


def prepare_batch(drops: list[DropFile], pseudonymiser: Pseudonymiser) -> PreparedBatch:
    """Read a batch of drops and prepare their rows; a drop that breaks the contract as a whole ends
    the batch with the drops read before it (which still land)."""
    read: list[tuple[DropFile, pd.DataFrame]] = []
    try:
        for drop in drops:
            read.append((drop, read_drop(drop)))
    except Exception as error:  # raised in the connector's process, once the drops before it landed
        return prepare_drops(read, pseudonymiser, error)
    return prepare_drops(read, pseudonymiser)


def prepare_drops(
    batch: list[tuple[DropFile, pd.DataFrame]], pseudonymiser: Pseudonymiser, error: Exception | None = None
) -> PreparedBatch:
    """The rows of drops read in name order, pseudonymised and checked, each naming its delivery."""
    deliveries = [drop.delivery for drop, _ in batch]
    if not batch:
        return PreparedBatch(deliveries, pd.DataFrame(), pd.DataFrame(), error)
    frame = pd.concat([rows for _, rows in batch], ignore_index=True)
    sizes = [len(rows) for _, rows in batch]
    # one id object per drop shared by its rows, not a fresh string per row
    ids = np.array([delivery.delivery_id for delivery in deliveries], dtype=object)
    delivery_ids = pd.Series(np.repeat(ids, sizes), index=frame.index, dtype="str")
    delivered_on = pd.Series(np.repeat([latest_event_day(d.name) for d in deliveries], sizes), index=frame.index)
    distinct = DistinctValues(frame)  # the pseudonyms and the rules look at the same columns
    rows = pseudonymise(frame, pseudonymiser, distinct).assign(_delivery_id=delivery_ids)
    reasons = rules.first_violation(frame, [*event_rules(delivered_on), *PERSON_RULES], distinct)
    accepted, quarantined = rules.split_refused(frame, rows, reasons, PERSON_RULES)
    return PreparedBatch(deliveries, accepted, quarantined, error)


def land_batch(con: duckdb.DuckDBPyConnection, batch: PreparedBatch) -> list[ledger.DeliveryOutcome]:
    """Land a prepared batch in one transaction, each drop as its own delivery."""
    if not batch.deliveries:
        return []
    return ledger.land_new_rows(con, TABLE, batch.deliveries, batch.rows, batch.quarantined)


def extract(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    pseudonymiser: Pseudonymiser | None = None,
    until: date | None = None,
    batch_bytes: int | None = None,
) -> list[ledger.DeliveryOutcome]:
    """Land every pending drop (delivered on or before `until`), in name order; stops at the first drop
    that breaks the contract as a whole, keeping the ones landed before it. More than one batch is
    prepared in worker processes (sources/connectors/workers.py) while the ones before them land."""
    ledger.ensure_ledger(con)
    con.execute(RAW_DDL)
    prepare = partial(prepare_batch, pseudonymiser=pseudonymiser or Pseudonymiser())
    outcomes: list[ledger.DeliveryOutcome] = []
    runs = batches(pending_drops(con, folder, until), batch_bytes, workers.worker_count())
    for batch in workers.in_order(prepare, runs):
        outcomes += land_batch(con, batch)
        if batch.error is not None:
            raise batch.error
    return outcomes
