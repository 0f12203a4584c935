"""Property-based tests of the three readers (police CSV, VH register JSON, gemeenten Excel).

Whatever arrives, a delivery lands (its bad rows quarantined with a reason) or is refused with a
DeliveryError; never another exception, never half a delivery, and the ledger always balances.
Each example starts from a warehouse in which one good delivery has landed, which must not change
when the next one is refused. Derandomized, so a CI run is reproducible.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from unittest import mock

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from reliability import drop_text, ledger_problems, mutatie, raw_state

from sources.connectors import gemeenten, politie, vh
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser

KEY = Pseudonymiser(b"test-key-fuzz")
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


@contextmanager
def folder_with_a_landed_delivery(write_good: Callable[[Path], None], extract) -> Iterator[tuple]:
    """A landing folder and an in-memory warehouse in which one good delivery has landed."""
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as con:
        folder = Path(tmp)
        write_good(folder)
        extract(con, folder)
        yield folder, con


def lands_or_is_refused_whole(con: duckdb.DuckDBPyConnection, take: Callable[[], object]) -> None:
    """The property: `take` lands (ledger balanced) or raises DeliveryError with nothing changed."""
    before = raw_state(con)
    try:
        take()
    except DeliveryError as refused:
        assert refused.source in {"politie", "vh", "gemeenten"} and refused.delivery
        assert raw_state(con) == before, "a refused delivery changed the warehouse"
    assert ledger_problems(con) == []
    reasons = [r for (r,) in con.execute("select reason from raw._quarantine").fetchall()]
    assert all(reasons), "a quarantined row without a reason"


# --- police CSV drops

CP1252_TEXT = st.text(st.characters(codec="cp1252"), max_size=30)
POLICE_FIELD = st.one_of(
    CP1252_TEXT,
    st.sampled_from(["", "PL2300-2011000001", "1", "03-01-2011", "31-02-2011", "05-01-2012", "Verdachte", "111222333"]),
    st.just('"quoted; with\r\nline break"'),
)


@st.composite
def police_drops(draw) -> bytes:
    """Mostly drops that look like the contract's, bent in every way; sometimes bytes of any kind."""
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=400))
    header = draw(st.permutations(politie.COLUMNS))
    if draw(st.booleans()):
        header = draw(st.lists(st.sampled_from([*politie.COLUMNS, "Opmerking", ""]), max_size=14))
    rows = draw(
        st.lists(
            st.one_of(
                st.builds(
                    lambda n, c: mutatie(n, **c),
                    st.integers(1, 9),
                    st.dictionaries(st.sampled_from(politie.COLUMNS), POLICE_FIELD),
                ),
                st.lists(POLICE_FIELD, max_size=14),
            ),
            max_size=6,
        )
    )
    text = drop_text(rows, header) if header else ""
    if draw(st.booleans()):  # cut, or stray characters
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["", '"', ";", "\r\n", "\n", "\x00"])) + text[cut:]
    return text.encode("cp1252", errors="replace")


def police_extract(con, folder: Path) -> list:
    return politie.extract(con, folder, KEY)


@FUZZ
@given(police_drops())
def test_any_police_drop_lands_or_is_refused_whole(drop: bytes):
    def first_drop(folder: Path) -> None:
        (folder / "BVH_VH_mutaties_20110103.csv").write_text(drop_text([mutatie(1), mutatie(2)]), encoding="cp1252")

    with folder_with_a_landed_delivery(first_drop, police_extract) as (folder, con):
        (folder / "BVH_VH_mutaties_20110104.csv").write_bytes(drop)
        lands_or_is_refused_whole(con, lambda: politie.extract(con, folder, KEY))


# the characters that matter to a `;`-separated reader, and a few that do not
DROP_CHARACTERS = st.sampled_from(["a", "1", " ", "é", ";", ";", "\r\n", "\n", "\r", '"', "\x00", "\x0b", "\x85"])


@FUZZ
@given(st.lists(DROP_CHARACTERS, max_size=80).map("".join))
def test_a_police_drop_split_at_semicolons_reads_as_the_csv_module_reads_it(text: str):
    """The connector splits a plain drop itself (fast); what it accepts as plain reads as csv reads it."""
    lines = politie.plain_lines(text)
    try:
        by_csv = [record for record in csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True) if record]
    except csv.Error:
        assert lines is None, "a text csv refuses was split as plain"
        return
    if lines is not None:
        assert politie.parse_records(text, "drop.csv") == by_csv
    assert ('"' in text or "\x00" in text or "\r" in text.replace("\r\n", "")) == (lines is None)


# --- the VH register's JSON pages

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
FIELD_VALUES = st.one_of(
    JSON_LEAVES,
    st.sampled_from(["VHM-0000001", "2011-03-01", "2011-02-30", "partner", "MPR", "Maastricht", "2011-03-02T10:00:00"]),
    st.just("\ud800"),  # half a surrogate pair, which JSON can escape and UTF-8 cannot hold
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(["id", "meldingsdatum", "herkomst", "melder", "doelgroep", "gemeente"], FIELD_VALUES),
        **dict.fromkeys(["buurt", "geregistreerd_op", "gewijzigd_op"], FIELD_VALUES),
        "client": st.one_of(JSON, st.fixed_dictionaries({}, optional=dict.fromkeys(vh.CLIENT_FIELDS, FIELD_VALUES))),
    },
)


@st.composite
def register_pages(draw) -> list[bytes]:
    """The meldingen endpoint's pages: envelopes of odd records, odd envelopes, JSON of any shape, or bytes."""
    count = draw(st.integers(1, 3))
    pages = []
    for number in range(1, count + 1):
        kind = draw(st.sampled_from(["envelope", "envelope", "json", "bytes"]))
        if kind == "bytes":
            pages.append(draw(st.binary(max_size=200)))
            continue
        if kind == "json":
            pages.append(json.dumps(draw(JSON)).encode())
            continue
        records = draw(st.lists(st.one_of(RECORDS, JSON), max_size=5))
        envelope = {"data": records, "page": draw(st.sampled_from([number, number, 0, "1"])), "page_size": 500}
        envelope |= {"total_pages": draw(st.sampled_from([count, count, 0, 10**6])), "total": draw(st.integers(-1, 20))}
        pages.append(json.dumps(envelope).encode())
    return pages


def empty_page(page: int) -> dict:
    return {"data": [], "page": page, "page_size": 500, "total_pages": 0, "total": 0}


@FUZZ
@given(register_pages())
def test_any_register_response_lands_or_is_refused_whole(pages: list[bytes]):
    served: dict[str, list[bytes]] = {}

    def respond(url: str, timeout: float, endpoint: str, page: int) -> object:
        bodies = served.get(endpoint, [])
        return vh.parse_json(bodies[page - 1]) if page <= len(bodies) else empty_page(page)

    good = {"data": [valid_melding()], "page": 1, "page_size": 500, "total_pages": 1, "total": 1}
    with duckdb.connect() as con, mock.patch.object(vh, "_get_json", respond):
        served["meldingen"] = [json.dumps(good).encode()]
        vh.extract(con, "http://register.invalid", KEY, max_attempts=1)
        con.execute("delete from raw._watermarks")  # the next pull asks from the start again
        served["meldingen"] = pages
        lands_or_is_refused_whole(con, lambda: vh.extract(con, "http://register.invalid", KEY, max_attempts=1))


def valid_melding() -> dict:
    return {
        "id": "VHM-0000001",
        "meldingsdatum": "2011-03-01",
        "herkomst": "partner",
        "doelgroep": "MPR",
        "gemeente": "Maastricht",
        "gewijzigd_op": "2011-03-02T10:00:00",
        "client": {"bsn": "111222333", "achternaam": "Vossen", "voornamen": "Bram", "geboortedatum": "1975-07-14"},
    }


# --- the gemeenten's workbooks

HEADINGS = [variants[0] for variants in gemeenten.HEADINGS.values()]
CELL = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20),
    st.sampled_from(["Ja", "N", "03-02-2011", "2011-02-31", "111222333", "012345672", "Maastricht", "Totaal"]),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
)


@st.composite
def workbooks(draw) -> bytes:
    """Workbooks with a header somewhere near the top (or none), rows of cells of every type, extra sheets;
    sometimes a valid workbook's bytes cut short or bytes of any kind."""
    shape = draw(st.sampled_from(["sheet", "sheet", "sheet", "cut", "bytes"]))
    if shape == "bytes":
        return draw(st.binary(max_size=300))
    book = Workbook()
    book.remove(book.active)
    for _ in range(draw(st.integers(1, 2))):
        sheet = book.create_sheet(draw(st.sampled_from(["Huisverboden", "Toelichting", "Blad1"])))
        for _ in range(draw(st.integers(0, 12))):
            sheet.append(draw(st.lists(CELL, max_size=4)))
        if draw(st.booleans()):
            sheet.append(
                draw(st.permutations(HEADINGS)) if draw(st.booleans()) else draw(st.lists(st.sampled_from(HEADINGS)))
            )
        for _ in range(draw(st.integers(0, 5))):
            sheet.append(draw(st.lists(CELL, max_size=len(HEADINGS) + 1)))
    out = BytesIO()
    book.save(out)
    content = out.getvalue()
    return content[: draw(st.integers(0, len(content) - 1))] if shape == "cut" else content


def good_workbook(folder: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS)
    sheet.append(["HV-1", "Maastricht", "03-02-2011", "111222333", "Vossen", "Bram", "14-07-1975", "Ja", "03-02-2011"])
    book.save(folder / "A_Maastricht_huisverboden_2011_Q1.xlsx")


def gemeenten_extract(con, folder: Path) -> list:
    return gemeenten.extract(con, folder, KEY)


@settings(FUZZ, max_examples=50)
@given(workbooks())
def test_any_workbook_lands_or_is_refused_whole(content: bytes):
    with folder_with_a_landed_delivery(good_workbook, gemeenten_extract) as (folder, con):
        (folder / "B_Meerssen_huisverboden_2011_Q2.xlsx").write_bytes(content)
        lands_or_is_refused_whole(con, lambda: gemeenten.extract(con, folder, KEY))
