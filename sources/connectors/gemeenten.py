"""Connector for the gemeenten's Excel workbooks of tijdelijk huisverboden.

Contract (sources/contracts/gemeenten.md): one .xlsx workbook per gemeente per period, one row
per RIHG on a data sheet whose header lies within its first 10 rows. Layouts differ per
gemeente, so sheets, header position, heading synonyms, Excel or dd-mm-jjjj dates and Ja/Nee
or J/N are all recognised. The connector takes every workbook in the landing folder that is
not yet in the ledger, in name order.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import duckdb
import pandas as pd
from python_calamine import CalamineWorkbook

from sources.connectors import ledger, persons, rules, workers
from sources.connectors.distinct import DistinctValues
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser

SOURCE = "gemeenten"
TABLE = "gemeenten_huisverboden"
GEMEENTEN = ("Maastricht", "Eijsden-Margraten", "Meerssen", "Valkenburg aan de Geul")
HEADER_SEARCH_ROWS = 10
JA, NEE = "Ja", "Nee"

# Accepted headings per field; case, spaces, dots, dashes, underscores and colons do not count.
_PERSON_SUFFIXES = ("", " pleger", " uithuisgeplaatste")
HEADINGS: dict[str, tuple[str, ...]] = {
    "registratienummer": (
        "Registratienummer",
        "Registratienr",
        "Nummer",
        "Nr",
        "Huisverbodnummer",
        "Dossiernummer",
    ),
    "gemeente": ("Gemeente", "Gemeentenaam"),
    "datum_rihg": ("Datum RIHG", "RIHG datum", "RIHG ingevuld op", "Datum RIHG ingevuld", "RIHG ingevuld"),
    "bsn": tuple(f"{base}{suffix}" for base in ("BSN", "Burgerservicenummer") for suffix in _PERSON_SUFFIXES),
    "achternaam": tuple(f"{base}{suffix}" for base in ("Achternaam", "Naam") for suffix in _PERSON_SUFFIXES),
    "voornamen": tuple(f"{base}{suffix}" for base in ("Voornamen", "Voornaam") for suffix in _PERSON_SUFFIXES),
    "geboortedatum": tuple(
        f"{base}{suffix}" for base in ("Geboortedatum", "Geb datum", "Geb dat") for suffix in _PERSON_SUFFIXES
    ),
    "opgelegd": ("Huisverbod opgelegd", "Opgelegd", "Opgelegd (J/N)", "Huisverbod opgelegd (J/N)"),
    "datum_opgelegd": ("Datum opgelegd", "Opgelegd op", "Datum huisverbod", "Datum beschikking"),
    "ingetrokken": ("Ingetrokken", "Ingetrokken (J/N)", "Huisverbod ingetrokken"),
    "verlengd": ("Verlengd", "Verlengd (J/N)", "Huisverbod verlengd"),
    "einddatum": ("Einddatum", "Einde huisverbod", "Datum einde", "Einddatum huisverbod"),
}
FIELDS = tuple(HEADINGS)
IDENTIFYING_FIELDS = ("registratienummer", "datum_rihg")  # a row naming both is the header
OPTIONAL_FIELDS = ("gemeente",)  # without the column, the file name says which gemeente
DATE_FIELDS = ("datum_rihg", "datum_opgelegd", "einddatum", "geboortedatum")
JA_NEE_FIELDS = ("opgelegd", "ingetrokken", "verlengd")
JA_NEE_WORDS = {"ja": JA, "j": JA, "nee": NEE, "n": NEE}
# cells of these types can be equal across them (True == 1 == 1.0) and still read differently
EQUAL_ACROSS_TYPES = frozenset({bool, int, float})

RAW_DDL = f"""
create table if not exists raw.{TABLE} (
    registratienummer varchar,
    gemeente varchar,          -- as the workbook writes it (old names and spelling variants are mapped in dbt)
    datum_rihg varchar,        -- ISO dates, YYYY-MM-DD
    opgelegd varchar,          -- Ja / Nee
    datum_opgelegd varchar,
    ingetrokken varchar,       -- Ja / Nee
    verlengd varchar,          -- Ja / Nee
    einddatum varchar,
    persoon_sleutel varchar,   -- HMAC of the pleger's BSN
    naam_sleutel varchar,      -- HMAC of name and birth date, for persons without a BSN
    leeftijdsklasse varchar,   -- age band on the datum RIHG; the birth date itself is not kept
    is_testpersoon boolean,    -- registered on a test person (flagged at the door, the name is not kept)
    _sheet varchar,
    _row_hash varchar,
    _row_number integer,       -- the Excel row number on the sheet
    _delivery_id varchar,
    _loaded_at timestamp
);
"""


def heading_key(text: str) -> str:
    """'Geb. datum', 'GEB DATUM' and 'geb_datum:' are one heading (accents do not count either)."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in folded if not (c.isspace() or c in "._-:" or unicodedata.combining(c)))


HEADING_FIELD = {heading_key(h): name for name, headings in HEADINGS.items() for h in headings}


@dataclass(frozen=True)
class WorkbookFile:
    path: Path
    content: bytes
    delivery: ledger.Delivery


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: list[list[object]]  # the cells' values from A1 on; an empty cell is ''


@dataclass(frozen=True)
class DataSheet:
    sheet: Sheet
    header_row: int
    columns: dict[str, int]  # field → 1-based column number


def pending_workbooks(con: duckdb.DuckDBPyConnection, folder: Path) -> list[WorkbookFile]:
    """Workbooks in the landing folder that the ledger has not seen (the connector's watermark)."""
    taken = ledger.loaded_deliveries(con, SOURCE)
    pending = []
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith("~$"):  # Excel's lock file of a workbook someone has open
            continue
        content = path.read_bytes()
        delivery = ledger.Delivery(SOURCE, path.name, hashlib.sha256(content).hexdigest())
        if delivery.delivery_id not in taken:
            pending.append(WorkbookFile(path, content, delivery))
    return pending


def open_workbook(workbook: WorkbookFile) -> list[Sheet]:
    """The workbook's sheets with their cells' values (a formula's as Excel last computed it).

    Read by calamine (Rust), which hands over a sheet's values at once: openpyxl, which the
    simulator writes with, builds an object per cell and read the workbooks at about 3,000 rows/s."""
    name = workbook.delivery.name
    if not workbook.content.strip():
        raise DeliveryError(SOURCE, name, "the file is empty")
    check_unpacked_size(workbook.content, name)
    try:
        book = CalamineWorkbook.from_filelike(BytesIO(workbook.content))
        # skip_empty_area=False: the rows start at row 1, so a row's index gives its Excel row number
        return [
            Sheet(title, book.get_sheet_by_name(title).to_python(skip_empty_area=False)) for title in book.sheet_names
        ]
    except Exception as exc:
        # a damaged or non-xlsx file fails in many ways (zip, XML, encoding, value errors); the only
        # input is the file's bytes, so to the contract they are one
        raise DeliveryError(SOURCE, name, f"cannot be read as an Excel workbook (.xlsx): {exc!r:.300}") from exc


MAX_UNPACKED_BYTES = 200 * 2**20  # a quarter's registrations take kilobytes; more is a damaged file or a zip bomb


def check_unpacked_size(content: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to more than MAX_UNPACKED_BYTES before opening it."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DeliveryError(SOURCE, name, f"cannot be read as an Excel workbook (.xlsx): {exc!r:.300}") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        problem = f"unpacks to {unpacked} bytes (more than {MAX_UNPACKED_BYTES}): not a workbook of registrations"
        raise DeliveryError(SOURCE, name, problem)


def header_columns(values: Sequence[object]) -> dict[str, list[int]]:
    """The fields the cells of a row name, each with the column numbers naming it."""
    found: dict[str, list[int]] = {}
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and (name := HEADING_FIELD.get(heading_key(value))):
            found.setdefault(name, []).append(column)
    return found


def find_header(sheet: Sheet) -> tuple[int, dict[str, list[int]]] | None:
    """The header row within the first rows of a sheet, if the sheet has one."""
    for number, values in enumerate(sheet.rows[:HEADER_SEARCH_ROWS], start=1):
        found = header_columns(values)
        if all(name in found for name in IDENTIFYING_FIELDS):
            return number, found
    return None


def _has_values(sheet: Sheet) -> bool:
    return any(value not in (None, "") for row in sheet.rows for value in row)


def find_data_sheet(book: list[Sheet], name: str) -> DataSheet:
    """The one sheet with a recognised header; explanatory and other sheets are ignored."""
    candidates = [(sheet, header) for sheet in book if (header := find_header(sheet))]
    if not candidates:
        if not any(_has_values(sheet) for sheet in book):
            raise DeliveryError(SOURCE, name, "the workbook is empty")
        raise DeliveryError(
            SOURCE,
            name,
            f"no sheet has a recognisable header in its first {HEADER_SEARCH_ROWS} rows "
            f"(expected headings such as {', '.join(HEADINGS[f][0] for f in FIELDS)})",
        )
    if len(candidates) > 1:
        sheets = ", ".join(repr(sheet.title) for sheet, _ in candidates)
        raise DeliveryError(SOURCE, name, f"more than one sheet holds registrations ({sheets}); send one")
    sheet, (header_row, found) = candidates[0]
    missing = [HEADINGS[f][0] for f in FIELDS if f not in found and f not in OPTIONAL_FIELDS]
    if missing:
        raise DeliveryError(SOURCE, name, f"sheet {sheet.title!r}: header lacks {missing}", row=header_row)
    repeated = [HEADINGS[f][0] for f, columns in found.items() if len(columns) > 1]
    if repeated:
        raise DeliveryError(SOURCE, name, f"sheet {sheet.title!r}: header names {repeated} twice", row=header_row)
    return DataSheet(sheet, header_row, {f: columns[0] for f, columns in found.items()})


def as_text(value: object) -> str | None:
    """A cell as text: whole numbers without '.0', dates as ISO, blanks as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return JA if value else NEE
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return f"{value:%Y-%m-%d}"
    text = str(value).strip()
    return text or None


def as_iso_date(value: object) -> str | None:
    """An Excel date or dd-mm-jjjj (or jjjj-mm-dd) text as 'YYYY-MM-DD'; anything else as written."""
    text = as_text(value)
    if text is None or isinstance(value, datetime | date):
        return text
    for written in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return f"{datetime.strptime(text, written):%Y-%m-%d}"
        except ValueError:
            continue
    return text  # kept as written, so the quarantine shows what was wrong


def as_ja_nee(value: object) -> str | None:
    """Ja/J/Nee/N in any case (or an Excel TRUE/FALSE) as Ja or Nee; anything else as written."""
    text = as_text(value)
    return JA_NEE_WORDS.get(text.casefold(), text) if text else None


def as_bsn(value: object) -> str | None:
    """A BSN typed as a number lost its leading zero in Excel: nine digits again."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):09d}"
    return as_text(value)


def _reader(name: str) -> Callable[[object], str | None]:
    if name in DATE_FIELDS:
        return as_iso_date
    if name in JA_NEE_FIELDS:
        return as_ja_nee
    if name == "bsn":
        return as_bsn
    return as_text


def read_column(cells: Sequence[object], reader: Callable[[object], str | None]) -> list[str | None]:
    """`reader` applied to each cell, once per distinct value: a column repeats its dates and codes."""
    if len(set(map(type, cells)) & EQUAL_ACROSS_TYPES) <= 1:  # nearly always: a value is equal to itself only
        texts = {value: reader(value) for value in set(cells)}
        return list(map(texts.__getitem__, cells))
    # keyed by type too: True == 1 and 1 == 1.0, but True reads as 'Ja' (so not distinct.map_distinct,
    # whose pd.factorize takes True, 1 and 1.0 for one value)
    keyed = {key: reader(key[1]) for key in {(type(value), value) for value in cells}}
    return [keyed[type(value), value] for value in cells]


def read_rows(data: DataSheet) -> pd.DataFrame:
    """The rows under the header as text per field, with their Excel row number; blank rows skipped."""
    below_header = data.sheet.rows[data.header_row :]
    cells = sheet_columns(below_header)
    columns = {
        name: read_column(cells[column - 1] if column <= len(cells) else [None] * len(below_header), _reader(name))
        for name, column in data.columns.items()
    }
    first = data.header_row + 1
    frame = pd.DataFrame({"_row_number": range(first, first + len(below_header)), **columns})
    frame = frame[frame[list(data.columns)].notna().any(axis=1)].reset_index(drop=True)
    for name in FIELDS:
        if name not in frame:
            frame[name] = None
    frame["_sheet"] = data.sheet.title
    return frame


def sheet_columns(rows: list[list[object]]) -> list[Sequence[object]]:
    """The cells of the rows column by column; a row shorter than the longest has None in its missing cells."""
    width = max(map(len, rows), default=0)
    if any(len(row) != width for row in rows):  # calamine gives rows of one width; another reader may not
        rows = [[*row, *[None] * (width - len(row))] for row in rows]
    return list(zip(*rows, strict=True))


def gemeente_in_name(file_name: str) -> str | None:
    """The district gemeente a file name starts with ('Valkenburg-aan-de-Geul_huisverboden_...')."""
    key = heading_key(file_name)
    return next((g for g in GEMEENTEN if key.startswith(heading_key(g))), None)


def fill_gemeente(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """A row's gemeente is its Gemeente cell; without one, the gemeente the file name names."""
    blank = frame["gemeente"].isna()
    if not blank.any():
        return frame
    from_name = gemeente_in_name(file_name)
    if from_name is None:
        first = int(frame.loc[blank, "_row_number"].iloc[0])
        problem = f"rows without a Gemeente cell, and the file name names no gemeente of {list(GEMEENTEN)}"
        raise DeliveryError(SOURCE, file_name, problem, row=first)
    return frame.assign(gemeente=frame["gemeente"].where(~blank, from_name))


def _filled(s: pd.Series) -> pd.Series:
    return s.fillna("").str.strip() != ""


def iso_date(column: str, optional: bool = False, personal: bool = False) -> rules.Rule:
    """A date the reader could read (it turned it into YYYY-MM-DD); a birth date's value is not repeated."""

    def broken(s: pd.Series) -> pd.Series:
        unreadable = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").isna()
        return unreadable & _filled(s) if optional else unreadable

    shown = "{column}" if personal else "{column} '{value}'"
    return rules.Rule(column, broken, shown + " is not a date (an Excel date or dd-mm-jjjj text)", per_value=True)


def ja_nee(column: str, optional: bool = False) -> rules.Rule:
    def broken(s: pd.Series) -> pd.Series:
        wrong = ~s.isin([JA, NEE])
        return wrong & _filled(s) if optional else wrong

    return rules.Rule(column, broken, "{column} '{value}' is not Ja/Nee (or J/N)", per_value=True)


def required_when_opgelegd(column: str, opgelegd: pd.Series) -> rules.Rule:
    return rules.Rule(column, lambda s: (opgelegd == JA) & ~_filled(s), "{column} is missing while opgelegd is Ja")


PERSON_FIELDS = ("bsn", "achternaam", "voornamen", "geboortedatum")
# rules on the pleger's fields: their clear values do not land, so a quarantined row records whether
# it passed them (a requeue cannot check them again)
PERSON_RULES = [
    *rules.field_lengths(PERSON_FIELDS),
    rules.elfproef("bsn"),
    iso_date("geboortedatum", optional=True, personal=True),
]


def row_rules(frame: pd.DataFrame) -> list[rules.Rule]:
    """The contract's row rules, in the order a reader of the quarantine wants to hear of problems."""
    return [*registration_rules(frame), *PERSON_RULES]


def registration_rules(frame: pd.DataFrame) -> list[rules.Rule]:
    """The rules on the registration's own fields, which land."""
    return [
        *rules.field_lengths([f for f in FIELDS if f not in PERSON_FIELDS]),
        rules.required("registratienummer"),
        rules.required("datum_rihg"),
        iso_date("datum_rihg"),
        rules.required("opgelegd"),
        ja_nee("opgelegd"),
        ja_nee("ingetrokken", optional=True),
        ja_nee("verlengd", optional=True),
        required_when_opgelegd("datum_opgelegd", frame["opgelegd"]),
        iso_date("datum_opgelegd", optional=True),
        iso_date("einddatum", optional=True),
    ]


def _text_columns(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """Text columns for the rules (which use the .str accessor); blanks stay missing."""
    return frame.astype(dict.fromkeys(names, "str"))


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None, so a quarantined record is written as JSON null rather than NaN."""
    return frame.astype(object).where(frame.notna(), None)


def pseudonymise(frame: pd.DataFrame, pseudonymiser: Pseudonymiser, distinct: DistinctValues) -> pd.DataFrame:
    """Replace BSN, names and birth date by keyed pseudonyms and an age band, at the door."""
    person = persons.person_columns(
        pseudonymiser, distinct, "bsn", "achternaam", "voornamen", "geboortedatum", "datum_rihg"
    )
    out = pd.DataFrame(
        {
            "_row_number": frame["_row_number"],
            "registratienummer": frame["registratienummer"],
            "gemeente": frame["gemeente"],
            "datum_rihg": frame["datum_rihg"],
            "opgelegd": frame["opgelegd"],
            "datum_opgelegd": frame["datum_opgelegd"],
            "ingetrokken": frame["ingetrokken"],
            "verlengd": frame["verlengd"],
            "einddatum": frame["einddatum"],
            "persoon_sleutel": person["persoon_sleutel"],
            "naam_sleutel": person["naam_sleutel"],
            "leeftijdsklasse": person["leeftijdsklasse"],
            "is_testpersoon": person["is_testpersoon"].astype(bool),
        }
    )
    # the hash leaves out where the row sat (sheet, row), so a workbook sent again is recognised
    out["_row_hash"] = ledger.row_hashes(out.drop(columns="_row_number"))
    out["_sheet"] = frame["_sheet"]
    return out


def read_workbook(workbook: WorkbookFile, book: list[Sheet]) -> pd.DataFrame:
    """The registrations of a workbook (`book`: its sheets, open_workbook) as text per field, gemeente
    filled in; contract checked."""
    frame = read_rows(find_data_sheet(book, workbook.delivery.name))
    return _text_columns(fill_gemeente(frame, workbook.delivery.name), FIELDS)


def load_workbooks(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[WorkbookFile, pd.DataFrame]], pseudonymiser: Pseudonymiser
) -> list[ledger.DeliveryOutcome]:
    """Land workbooks (read in name order) in one transaction, each as its own delivery: per
    workbook, the checks and a transaction cost more than its few hundred rows."""
    if not batch:
        return []
    frame = pd.concat([rows.assign(_delivery_id=w.delivery.delivery_id) for w, rows in batch], ignore_index=True)
    distinct = DistinctValues(frame)  # the columns factorized once, for the rules and the pseudonyms
    reasons = rules.first_violation(frame, row_rules(frame), distinct)
    rows = pseudonymise(frame, pseudonymiser, distinct).assign(_delivery_id=frame["_delivery_id"])
    accepted, quarantined = rules.split_refused(frame, rows, reasons, PERSON_RULES)
    deliveries = [workbook.delivery for workbook, _ in batch]
    return ledger.land_new_rows(con, TABLE, deliveries, accepted, _missing_as_none(quarantined))


def extract(
    con: duckdb.DuckDBPyConnection, folder: Path, pseudonymiser: Pseudonymiser | None = None
) -> list[ledger.DeliveryOutcome]:
    """Land every pending workbook; stops at the first workbook that breaks the contract as a whole,
    keeping the ones before it."""
    ledger.ensure_ledger(con)
    con.execute(RAW_DDL)
    pseudonymiser = pseudonymiser or Pseudonymiser()
    batch: list[tuple[WorkbookFile, pd.DataFrame]] = []
    pending = pending_workbooks(con, folder)
    try:
        # calamine parses without holding the GIL: the next workbooks are opened while this one is read
        for workbook, book in zip(pending, workers.in_order(open_workbook, pending, threads=True), strict=True):
            batch.append((workbook, read_workbook(workbook, book)))
    except Exception:
        load_workbooks(con, batch, pseudonymiser)  # the workbooks read before the broken one still land
        raise
    return load_workbooks(con, batch, pseudonymiser)
