"""Connector for the Veiligheidshuis register's HTTP JSON API (contract: sources/contracts/vh.md).

Per endpoint (meldingen, vervolgacties, trajecten) the connector pages through the records
changed since its watermark, a few requests at a time (sources/connectors/paging.py), retrying
failed requests on the page that failed; it takes the pages in page order, checking and
pseudonymising them in batches while later pages are being fetched, and lands the whole pull as
one delivery: accepted rows to raw.vh_<endpoint>, rows breaking the contract to the quarantine,
repeated rows counted as duplicates. The watermark (the latest `gewijzigd_op` taken) advances in
the landing's own transaction, so a pull is landed once or not at all.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import chain
from urllib.parse import urlencode

import duckdb
import pandas as pd

from sources.connectors import ledger, persons, rules
from sources.connectors.distinct import DistinctValues
from sources.connectors.errors import DeliveryError
from sources.connectors.paging import AbandonedError, PagesAhead
from sources.pseudonymise import Pseudonymiser

SOURCE = "vh"
API_PREFIX = "/api/v1/"
MAX_PAGE_SIZE = 1000
DEFAULT_TIMEOUT_SECONDS = 1.0  # the simulator stalls 2 s; against the real register pass a longer timeout
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 2.0
DEFAULT_CONCURRENT_REQUESTS = 4  # pages asked at once; a real register may allow fewer (pass 1 for one at a time)
PAGES_AHEAD_PER_REQUEST = 32  # enough for the workers to go on while a stalled page is asked again
CHECK_EVERY_ROWS = 20_000  # records are checked and pseudonymised in batches of about this many while paging on
CLIENT_FIELDS = ["bsn", "achternaam", "voornamen", "geboortedatum"]

# the register's own code lists (dbt maps them through the seed vh_codes)
DOELGROEPEN = ["JGD", "HG", "VP", "PGA", "EXG", "MPR", "CJG"]
VERVOLGACTIE_SOORTEN = ["PARTNER", "ZCO", "JCO", "JCOVP", "IA"]
TRAJECT_SOORTEN = ["NWO-RJ", "NAZORG", "NWO-SD", "IA", "PLAN-HV"]
HERKOMSTEN = ["gevangeniswezen", "partner"]
CATEGORIEEN = ["kort", "lang"]

WATERMARK_DDL = """
create table if not exists raw._watermarks (
    source varchar,
    entity varchar,
    watermark varchar,
    primary key (source, entity)
);
"""
_PERSON_COLUMNS = """
    persoon_sleutel varchar,   -- HMAC of the BSN
    naam_sleutel varchar,      -- HMAC of name and birth date, for persons without a BSN
    leeftijdsklasse varchar,   -- age band on the record's date; the birth date itself is not kept
    is_testpersoon boolean,    -- registered on a test person (flagged at the door, the name is not kept)
    _row_hash varchar,
    _row_number integer,       -- position of the record in the pull, 1-based
    _delivery_id varchar,
    _loaded_at timestamp
"""
RAW_DDL = f"""
create table if not exists raw.vh_meldingen (
    melding_id varchar,
    meldingsdatum varchar,
    herkomst varchar,
    melder varchar,
    doelgroep_code varchar,
    gemeente varchar,
    buurt varchar,
    geregistreerd_op varchar,
    gewijzigd_op varchar,
    {_PERSON_COLUMNS}
);
create table if not exists raw.vh_vervolgacties (
    vervolgactie_id varchar,
    melding_id varchar,
    datum varchar,
    soort_code varchar,
    doelgroep_code varchar,
    gemeente varchar,
    buurt varchar,
    gewijzigd_op varchar,
    {_PERSON_COLUMNS}
);
create table if not exists raw.vh_trajecten (
    traject_id varchar,
    categorie varchar,
    soort_code varchar,
    doelgroep_code varchar,
    gemeente varchar,
    buurt varchar,
    startdatum varchar,
    einddatum varchar,
    gewijzigd_op varchar,
    {_PERSON_COLUMNS}
);
"""

log = logging.getLogger(__name__)


def iso_date(column: str, optional: bool = False, personal: bool = False) -> rules.Rule:
    """A 'YYYY-MM-DD' date that exists; for a personal field (a birth date) the reason does not repeat the value."""

    def broken(s: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(s.where(s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")
        return parsed.isna() & s.notna() if optional else parsed.isna()

    shown = "{column}" if personal else "{column} '{value}'"
    return rules.Rule(column, broken, shown + " is not a date (YYYY-MM-DD)", per_value=True)


def iso_timestamp(column: str) -> rules.Rule:
    def broken(s: pd.Series) -> pd.Series:
        whole = s.where(s.str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"))
        return pd.to_datetime(whole, format="%Y-%m-%dT%H:%M:%S", errors="coerce").isna()

    return rules.Rule(column, broken, "{column} '{value}' is not a timestamp (YYYY-MM-DDTHH:MM:SS)", per_value=True)


CLIENT_RULES = [
    *rules.field_lengths([f"client_{field}" for field in CLIENT_FIELDS]),
    rules.elfproef("client_bsn"),
    iso_date("client_geboortedatum", optional=True, personal=True),
]


@dataclass(frozen=True)
class Endpoint:
    name: str  # path under /api/v1/ and the watermark's entity
    table: str  # raw.<table>
    columns: dict[str, str]  # API field -> raw column, in the raw table's order
    record_date: str  # the API field the age band is taken on
    row_rules: list[rules.Rule]  # on the record's own fields; the client's rules (CLIENT_RULES) follow them

    def delivery_name(self, watermark: str | None) -> str:
        return f"{self.name} updated_since={watermark or 'begin'}"

    @property
    def record_rules(self) -> list[rules.Rule]:
        """The rules on the record's own fields (they land, so a requeue can check them again)."""
        return [*rules.field_lengths(list(self.columns)), *self.row_rules]

    @property
    def all_rules(self) -> list[rules.Rule]:
        return [*self.record_rules, *CLIENT_RULES]


ENDPOINTS = (
    Endpoint(
        name="meldingen",
        table="vh_meldingen",
        columns={
            "id": "melding_id",
            "meldingsdatum": "meldingsdatum",
            "herkomst": "herkomst",
            "melder": "melder",
            "doelgroep": "doelgroep_code",
            "gemeente": "gemeente",
            "buurt": "buurt",
            "geregistreerd_op": "geregistreerd_op",
            "gewijzigd_op": "gewijzigd_op",
        },
        record_date="meldingsdatum",
        row_rules=[
            rules.required("id"),
            rules.required("meldingsdatum"),
            iso_date("meldingsdatum"),
            rules.required("herkomst"),
            rules.one_of("herkomst", HERKOMSTEN),
            rules.required("doelgroep"),
            rules.one_of("doelgroep", DOELGROEPEN),
            rules.required("gemeente"),
            iso_date("geregistreerd_op", optional=True),
            iso_timestamp("gewijzigd_op"),
        ],
    ),
    Endpoint(
        name="vervolgacties",
        table="vh_vervolgacties",
        columns={
            "id": "vervolgactie_id",
            "melding_id": "melding_id",
            "datum": "datum",
            "soort": "soort_code",
            "doelgroep": "doelgroep_code",
            "gemeente": "gemeente",
            "buurt": "buurt",
            "gewijzigd_op": "gewijzigd_op",
        },
        record_date="datum",
        row_rules=[
            rules.required("id"),
            rules.required("datum"),
            iso_date("datum"),
            rules.required("soort"),
            rules.one_of("soort", VERVOLGACTIE_SOORTEN),
            rules.required("doelgroep"),
            rules.one_of("doelgroep", DOELGROEPEN),
            rules.required("gemeente"),
            iso_timestamp("gewijzigd_op"),
        ],
    ),
    Endpoint(
        name="trajecten",
        table="vh_trajecten",
        columns={
            "id": "traject_id",
            "categorie": "categorie",
            "soort": "soort_code",
            "doelgroep": "doelgroep_code",
            "gemeente": "gemeente",
            "buurt": "buurt",
            "startdatum": "startdatum",
            "einddatum": "einddatum",
            "gewijzigd_op": "gewijzigd_op",
        },
        record_date="startdatum",
        row_rules=[
            rules.required("id"),
            rules.required("categorie"),
            rules.one_of("categorie", CATEGORIEEN),
            rules.required("soort"),
            rules.one_of("soort", TRAJECT_SOORTEN),
            rules.required("doelgroep"),
            rules.one_of("doelgroep", DOELGROEPEN),
            rules.required("gemeente"),
            rules.required("startdatum"),
            iso_date("startdatum"),
            iso_date("einddatum", optional=True),  # empty while the traject runs
            iso_timestamp("gewijzigd_op"),
        ],
    ),
)


class _TransientError(Exception):
    """A failed request worth asking again: HTTP 5xx, a timeout, a dropped connection, a broken body."""


@dataclass(frozen=True)
class ServedPage:
    """One page as the register served it, its records already turned into text columns."""

    columns: dict[str, list[str | None]]  # record_columns of its records
    object_without_id: bool  # a record (an object) on it has no id
    total_pages: int
    total: int

    @classmethod
    def of(cls, endpoint: Endpoint, body: dict) -> ServedPage:
        records = body["data"]
        columns = record_columns(endpoint, records)
        without_id = any(i is None and isinstance(r, dict) for r, i in zip(records, columns["id"], strict=True))
        return cls(columns, without_id, body["total_pages"], body["total"])

    def __len__(self) -> int:
        return len(self.columns["id"])


@dataclass(frozen=True)
class CheckedRecords:
    """Records pseudonymised and checked against the contract's rules, in the order served."""

    row_hashes: list[str]  # of every record
    candidates: pd.DataFrame  # records breaking no rule: the raw table's columns
    quarantined: pd.DataFrame  # the others, with the `reason` of the first rule broken and rules.PERSON_FIELDS_VALID
    latest_change: str | None  # the latest gewijzigd_op that is a timestamp

    @classmethod
    def of(cls, endpoint: Endpoint, frame: pd.DataFrame, pseudonymiser: Pseudonymiser) -> CheckedRecords:
        """`frame` as records_frame has it."""
        distinct = DistinctValues(frame)  # the columns factorized once, for the rules and the pseudonyms
        rows = pseudonymise(frame, endpoint, pseudonymiser, distinct)
        reasons = rules.first_violation(frame, endpoint.all_rules, distinct)
        candidates, quarantined = rules.split_refused(frame, rows, reasons, CLIENT_RULES)
        latest = latest_change(frame["gewijzigd_op"], passed=reasons.isna())
        return cls(rows["_row_hash"].tolist(), candidates, quarantined, latest)


@dataclass(frozen=True)
class Pull:
    """Every record one endpoint returned for one `updated_since`, checked and pseudonymised."""

    records: CheckedRecords
    total: int  # what the register said it held for this `updated_since` (on the last page)
    distinct_ids: int  # among the records (objects), a missing id counted as one

    @property
    def complete(self) -> bool:
        """False when the register changed while being paged: a record moved forward and another was skipped."""
        return self.distinct_ids >= self.total

    @property
    def received(self) -> int:
        return len(self.records.row_hashes)


class PullInProgress:
    """The pages of one pull, taken in page order; every `check_every` records they are checked and
    pseudonymised, while the workers are fetching the pages after them."""

    def __init__(self, endpoint: Endpoint, pseudonymiser: Pseudonymiser, check_every: int = CHECK_EVERY_ROWS) -> None:
        self.endpoint = endpoint
        self.pseudonymiser = pseudonymiser
        self.check_every = check_every
        self._waiting: list[ServedPage] = []  # taken, not checked yet
        self._checked: list[CheckedRecords] = []
        self._ids: list[pd.Series] = []
        self._received = 0
        self._object_without_id = False
        self._total = 0

    def take(self, page: ServedPage) -> None:
        self._waiting.append(page)
        self._object_without_id |= page.object_without_id
        self._total = page.total
        if sum(map(len, self._waiting)) >= self.check_every:
            self._check_waiting()

    def finish(self) -> Pull:
        """The pull, once its last page was taken."""
        self._check_waiting()
        if not self._checked:
            return Pull(CheckedRecords([], pd.DataFrame(), pd.DataFrame(), None), self._total, self._object_without_id)
        checked = self._checked
        records = CheckedRecords(
            list(chain.from_iterable(c.row_hashes for c in checked)),
            _concat([c.candidates for c in checked]),
            _concat([c.quarantined for c in checked]),
            max((c.latest_change for c in checked if c.latest_change), default=None),
        )
        distinct_ids = pd.concat(self._ids).nunique() + self._object_without_id
        return Pull(records, self._total, distinct_ids)

    def _check_waiting(self) -> None:
        if not sum(map(len, self._waiting)):
            return
        names = self._waiting[0].columns
        columns = {name: list(chain.from_iterable(p.columns[name] for p in self._waiting)) for name in names}
        frame = columns_frame(columns, first_row_number=self._received + 1)
        self._checked.append(CheckedRecords.of(self.endpoint, frame, self.pseudonymiser))
        self._ids.append(frame["id"])
        self._received += len(frame)
        self._waiting = []


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after another, numbered afresh; an empty one does not change a column's dtype."""
    filled = [frame for frame in frames if len(frame)] or frames[:1]
    return pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0].reset_index(drop=True)


@dataclass(frozen=True)
class RegisterClient:
    base_url: str
    timeout: float
    page_size: int
    max_attempts: int
    concurrent_requests: int = 1

    def pull(self, endpoint: Endpoint, watermark: str | None, pseudonymiser: Pseudonymiser) -> Pull:
        """All pages of records changed after `watermark`; a failed page is asked again, never earlier ones.

        Pages are taken in order, as if asked one at a time, while the workers are asking later ones."""
        pull = PullInProgress(endpoint, pseudonymiser)

        def read(number: int, abandoned: threading.Event) -> ServedPage:
            return ServedPage.of(endpoint, self.fetch_page(endpoint.name, watermark, number, abandoned))

        with PagesAhead(read, self.concurrent_requests, self.pages_ahead) as pages:
            number, last = 1, 1
            while True:
                page = pages.page(number, last)
                pull.take(page)
                if number >= page.total_pages:
                    return pull.finish()
                if not len(page):  # an empty page before the last: the register would be paged forever
                    problem = f"page {number} of {page.total_pages} is empty"
                    raise DeliveryError(SOURCE, f"{endpoint.name} page {number}", problem)
                number, last = number + 1, page.total_pages

    @property
    def pages_ahead(self) -> int:
        """How far ahead of the page taken the workers may ask: enough to keep them busy while the
        records are checked or a page waits out a stall; one request at a time asks nothing ahead."""
        return 0 if self.concurrent_requests == 1 else PAGES_AHEAD_PER_REQUEST * self.concurrent_requests

    def fetch_page(
        self, endpoint: str, watermark: str | None, page: int, abandoned: threading.Event | None = None
    ) -> dict:
        url = self.page_url(endpoint, watermark, page)
        abandoned = abandoned or threading.Event()
        for attempt in range(1, self.max_attempts + 1):
            try:
                return _checked_page(_get_json(url, self.timeout, endpoint, page), page)
            except _TransientError as exc:
                problem = str(exc)
                if attempt < self.max_attempts and abandoned.wait(backoff_seconds(f"{endpoint}:{page}", attempt)):
                    raise AbandonedError(f"{endpoint} page {page}") from exc
        raise DeliveryError(SOURCE, f"{endpoint} page {page}", f"{problem} (after {self.max_attempts} attempts)")

    def page_url(self, endpoint: str, watermark: str | None, page: int) -> str:
        params = {"page": page, "page_size": self.page_size} | ({"updated_since": watermark} if watermark else {})
        return f"{self.base_url.rstrip('/')}{API_PREFIX}{endpoint}?{urlencode(params)}"


def backoff_seconds(key: str, attempt: int) -> float:
    """Exponential, capped, with a jitter drawn from the key so that a run can be replayed."""
    jitter = int.from_bytes(hashlib.sha256(f"{key}:{attempt}".encode()).digest()[:4]) / 2**32
    return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)) * (0.5 + 0.5 * jitter)


def _get_json(url: str, timeout: float, endpoint: str, page: int) -> object:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise _TransientError(f"HTTP {exc.code}") from exc
        detail = exc.read()[:300].decode(errors="replace")
        raise DeliveryError(SOURCE, f"{endpoint} page {page}", f"HTTP {exc.code}: {detail}") from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
        raise _TransientError(f"no answer ({type(exc).__name__}: {exc})") from exc
    return parse_json(body)


def parse_json(body: bytes) -> object:
    """The response body as JSON; a body that is not (UTF-8) JSON is a failed request."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _TransientError(f"malformed JSON ({type(exc).__name__}: {str(exc)[:200]})") from exc


def _checked_page(body: object, page: int) -> dict:
    """The page's envelope as the contract has it: data (a list), page, total_pages and total."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _TransientError("the response has no `data` list")
    numbers = {k: body.get(k) for k in ("page", "total_pages", "total")}
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in numbers.values()):
        raise _TransientError(f"the response's page, total_pages or total is not a whole number: {numbers}")
    if body["page"] != page:
        raise _TransientError(f"asked for page {page}, got page {body['page']}")
    if body["total"] > 0 and body["total_pages"] == 0:
        raise _TransientError(f"the response counts {body['total']} records on 0 pages")
    return body


def record_columns(endpoint: Endpoint, records: list) -> dict[str, list[str | None]]:
    """The records' fields as text, column by column, named after the API's fields (client fields as client_<field>)."""
    # column by column: a dict per row cost more than the rest of the record's way in
    objects = [served if isinstance(served, dict) else {} for served in records]  # no object: breaks every rule
    clients = [client if isinstance(client := record.get("client"), dict) else {} for record in objects]
    columns = {field: [_text(record.get(field)) for record in objects] for field in endpoint.columns}
    return columns | {f"client_{field}": [_text(client.get(field)) for client in clients] for field in CLIENT_FIELDS}


def columns_frame(columns: dict[str, list[str | None]], first_row_number: int = 1) -> pd.DataFrame:
    """Text columns (record_columns) as a frame, the records numbered in their order."""
    frame = pd.DataFrame(columns, dtype="str")
    frame.insert(0, "_row_number", range(first_row_number, first_row_number + len(frame)))
    return frame


def records_frame(endpoint: Endpoint, records: list) -> pd.DataFrame:
    """The records as text columns named after the API's fields (client fields as client_<field>)."""
    return columns_frame(record_columns(endpoint, records))


def _text(value: object) -> str | None:
    """Raw keeps text: JSON null and blanks become null, anything else its text (valid Unicode)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    if not text.isascii():
        # JSON can escape half a surrogate pair ("\\ud800"), which no UTF-8 text can hold: it becomes '?'
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text if text.strip() else None


def pseudonymise(
    frame: pd.DataFrame, endpoint: Endpoint, pseudonymiser: Pseudonymiser, distinct: DistinctValues
) -> pd.DataFrame:
    """The raw table's columns: the client replaced by keyed pseudonyms, an age band and a test flag."""
    client = [f"client_{field}" for field in ("bsn", "achternaam", "voornamen", "geboortedatum")]
    person = persons.person_columns(pseudonymiser, distinct, *client, endpoint.record_date)
    out = frame[["_row_number", *endpoint.columns]].rename(columns=endpoint.columns)
    out["persoon_sleutel"] = person["persoon_sleutel"]
    out["naam_sleutel"] = person["naam_sleutel"]
    out["leeftijdsklasse"] = person["leeftijdsklasse"]
    out["is_testpersoon"] = person["is_testpersoon"].astype(bool)
    out["_row_hash"] = ledger.row_hashes(out.drop(columns="_row_number"))
    return out


def content_sha256(row_hashes: list[str]) -> str:
    """The delivery's fingerprint, taken over the pseudonymised rows: never a hash of clear values."""
    return hashlib.sha256("\n".join(row_hashes).encode()).hexdigest()


def read_watermark(con: duckdb.DuckDBPyConnection, entity: str) -> str | None:
    rows = con.execute(
        "select watermark from raw._watermarks where source = ? and entity = ?", [SOURCE, entity]
    ).fetchall()  # fetchall: DuckDB 2 keeps a half-read result open and refuses the next statement
    return rows[0][0] if rows else None


def latest_change(stamps: pd.Series, passed: pd.Series) -> str | None:
    """The latest of the gewijzigd_op values that are timestamps; None when none is. Those of records
    that `passed` every rule are timestamps already (every endpoint checks it): the others are checked."""
    unsure = stamps[~passed]
    valid = pd.concat([stamps[passed], unsure[~iso_timestamp("gewijzigd_op").check(unsure)]])
    return None if valid.empty else valid.max()


def next_watermark(pull: Pull, current: str | None) -> str | None:
    """The latest gewijzigd_op taken; unchanged when the pull was incomplete, so the next pull reads it again."""
    if not pull.complete:
        log.warning("vh: the register changed while it was paged; the watermark stays at %s", current)
        return current
    latest = pull.records.latest_change
    if latest is None:
        return current
    return max(latest, current) if current else latest


def _with_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None, so a quarantined record's JSON holds null rather than NaN (which is no JSON)."""
    return frame.astype(object).where(frame.notna(), None)


def land_pull(
    con: duckdb.DuckDBPyConnection,
    endpoint: Endpoint,
    watermark: str | None,
    pull: Pull,
) -> ledger.DeliveryOutcome | None:
    """Land one pull as one delivery with the new watermark; None when there is nothing new to land."""
    if not pull.received:
        return None
    records = pull.records
    delivery = ledger.Delivery(SOURCE, endpoint.delivery_name(watermark), content_sha256(records.row_hashes))
    if delivery.delivery_id in ledger.loaded_deliveries(con, SOURCE):
        return None  # this very pull was landed before (the watermark was held back)
    candidates = records.candidates
    repeated = ledger.repeated_rows(con, endpoint.table, candidates)
    new_watermark = next_watermark(pull, watermark)

    def advance_watermark(tx: duckdb.DuckDBPyConnection) -> None:
        tx.execute(
            "insert into raw._watermarks values (?, ?, ?) "
            "on conflict (source, entity) do update set watermark = excluded.watermark",
            [SOURCE, endpoint.name, new_watermark],
        )

    return ledger.land_delivery(
        con,
        delivery,
        endpoint.table,
        candidates[~repeated] if repeated.any() else candidates,  # a first pull repeats nothing: no copy
        _with_nulls(records.quarantined),
        int(repeated.sum()),
        after_insert=advance_watermark if new_watermark else None,
    )


def extract(
    con: duckdb.DuckDBPyConnection,
    base_url: str,
    pseudonymiser: Pseudonymiser | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    page_size: int = MAX_PAGE_SIZE,
    max_attempts: int = 6,
    concurrent_requests: int = DEFAULT_CONCURRENT_REQUESTS,
) -> list[ledger.DeliveryOutcome]:
    """Pull every endpoint since its watermark and land what is new; stops at the first endpoint that fails."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    if concurrent_requests < 1:
        raise ValueError(f"concurrent_requests must be at least 1, got {concurrent_requests}")
    ledger.ensure_ledger(con)
    con.execute(WATERMARK_DDL)
    con.execute(RAW_DDL)
    pseudonymiser = pseudonymiser or Pseudonymiser()
    client = RegisterClient(base_url, timeout, page_size, max_attempts, concurrent_requests)
    outcomes = []
    for endpoint in ENDPOINTS:
        watermark = read_watermark(con, endpoint.name)
        outcome = land_pull(con, endpoint, watermark, client.pull(endpoint, watermark, pseudonymiser))
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes
