"""Connector for the Veiligheidshuis register's HTTP JSON API (contract: sources/contracts/vh.md).

Per endpoint (meldingen, vervolgacties, trajecten) the connector pages through the records
changed since its watermark, retrying failed requests on the page that failed, and lands the
whole pull as one delivery: accepted rows to raw.vh_<endpoint>, rows breaking the contract to
the quarantine, repeated rows counted as duplicates. The watermark (the latest `gewijzigd_op`
taken) advances in the landing's own transaction, so a pull is landed once or not at all.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

import duckdb
import pandas as pd

from sources.connectors import ledger, persons, rules
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser

SOURCE = "vh"
API_PREFIX = "/api/v1/"
MAX_PAGE_SIZE = 1000
DEFAULT_TIMEOUT_SECONDS = 1.0  # the simulator stalls 2 s; against the real register pass a longer timeout
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 2.0
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
class Pull:
    """Every record one endpoint returned for one `updated_since`, in the order served."""

    records: list
    total: int  # what the register said it held for this `updated_since` (on the last page)

    @property
    def complete(self) -> bool:
        """False when the register changed while being paged: a record moved forward and another was skipped."""
        ids = {_text(r.get("id")) for r in self.records if isinstance(r, dict)}
        return len(ids) >= self.total


@dataclass(frozen=True)
class RegisterClient:
    base_url: str
    timeout: float
    page_size: int
    max_attempts: int

    def pull(self, endpoint: str, watermark: str | None) -> Pull:
        """All pages of records changed after `watermark`; a failed page is asked again, never earlier ones."""
        records: list = []
        page = 1
        while True:
            body = self.fetch_page(endpoint, watermark, page)
            records.extend(body["data"])
            if page >= body["total_pages"]:
                return Pull(records, body["total"])
            if not body["data"]:  # an empty page before the last: the register would be paged forever
                problem = f"page {page} of {body['total_pages']} is empty"
                raise DeliveryError(SOURCE, f"{endpoint} page {page}", problem)
            page += 1

    def fetch_page(self, endpoint: str, watermark: str | None, page: int) -> dict:
        url = self.page_url(endpoint, watermark, page)
        for attempt in range(1, self.max_attempts + 1):
            try:
                return _checked_page(_get_json(url, self.timeout, endpoint, page), page)
            except _TransientError as exc:
                problem = str(exc)
                if attempt < self.max_attempts:
                    time.sleep(backoff_seconds(f"{endpoint}:{page}", attempt))
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


def records_frame(endpoint: Endpoint, records: list) -> pd.DataFrame:
    """The records as text columns named after the API's fields (client fields as client_<field>)."""
    # built column by column: a dict per row cost more than the rest of the record's way in
    objects = [served if isinstance(served, dict) else {} for served in records]  # no object: breaks every rule
    clients = [client if isinstance(client := record.get("client"), dict) else {} for record in objects]
    columns = {field: [_text(record.get(field)) for record in objects] for field in endpoint.columns}
    columns |= {f"client_{field}": [_text(client.get(field)) for client in clients] for field in CLIENT_FIELDS}
    frame = pd.DataFrame(columns, dtype="str")
    frame.insert(0, "_row_number", range(1, len(frame) + 1))
    return frame


def _text(value: object) -> str | None:
    """Raw keeps text: JSON null and blanks become null, anything else its text (valid Unicode)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    if not text.isascii():
        # JSON can escape half a surrogate pair ("\\ud800"), which no UTF-8 text can hold: it becomes '?'
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text if text.strip() else None


def pseudonymise(frame: pd.DataFrame, endpoint: Endpoint, pseudonymiser: Pseudonymiser) -> pd.DataFrame:
    """The raw table's columns: the client replaced by keyed pseudonyms, an age band and a test flag."""
    keys = persons.person_keys(
        pseudonymiser,
        frame["client_bsn"],
        frame["client_achternaam"],
        frame["client_voornamen"],
        frame["client_geboortedatum"],
    )
    out = frame[["_row_number", *endpoint.columns]].rename(columns=endpoint.columns)
    out["persoon_sleutel"] = keys["persoon_sleutel"]
    out["naam_sleutel"] = keys["naam_sleutel"]
    out["leeftijdsklasse"] = persons.age_band(frame["client_geboortedatum"], frame[endpoint.record_date])
    out["is_testpersoon"] = persons.is_test_person(frame["client_achternaam"])
    out["_row_hash"] = ledger.row_hashes(out.drop(columns="_row_number"))
    return out


def content_sha256(rows: pd.DataFrame) -> str:
    """The delivery's fingerprint, taken over the pseudonymised rows: never a hash of clear values."""
    return hashlib.sha256("\n".join(rows["_row_hash"]).encode()).hexdigest()


def read_watermark(con: duckdb.DuckDBPyConnection, entity: str) -> str | None:
    rows = con.execute(
        "select watermark from raw._watermarks where source = ? and entity = ?", [SOURCE, entity]
    ).fetchall()  # fetchall: DuckDB 2 keeps a half-read result open and refuses the next statement
    return rows[0][0] if rows else None


def next_watermark(frame: pd.DataFrame, pull: Pull, current: str | None) -> str | None:
    """The latest gewijzigd_op taken; unchanged when the pull was incomplete, so the next pull reads it again."""
    if not pull.complete:
        log.warning("vh: the register changed while it was paged; the watermark stays at %s", current)
        return current
    stamps = frame["gewijzigd_op"]
    valid = stamps[~iso_timestamp("gewijzigd_op").check(stamps)]
    if valid.empty:
        return current
    latest = valid.max()
    return max(latest, current) if current else latest


def _with_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None, so a quarantined record's JSON holds null rather than NaN (which is no JSON)."""
    return frame.astype(object).where(frame.notna(), None)


def land_pull(
    con: duckdb.DuckDBPyConnection,
    endpoint: Endpoint,
    watermark: str | None,
    pull: Pull,
    pseudonymiser: Pseudonymiser,
) -> ledger.DeliveryOutcome | None:
    """Land one pull as one delivery with the new watermark; None when there is nothing new to land."""
    if not pull.records:
        return None
    frame = records_frame(endpoint, pull.records)
    rows = pseudonymise(frame, endpoint, pseudonymiser)
    delivery = ledger.Delivery(SOURCE, endpoint.delivery_name(watermark), content_sha256(rows))
    if delivery.delivery_id in ledger.loaded_deliveries(con, SOURCE):
        return None  # this very pull was landed before (the watermark was held back)
    reasons = rules.first_violation(frame, endpoint.all_rules)
    bad = reasons.notna()
    candidates = rows[~bad]
    quarantined = rows[bad].assign(reason=reasons[bad], _person_fields_valid=rules.passes(frame[bad], CLIENT_RULES))
    repeated = ledger.repeated_rows(con, endpoint.table, candidates)
    new_watermark = next_watermark(frame, pull, watermark)

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
        candidates[~repeated],
        _with_nulls(quarantined),
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
) -> list[ledger.DeliveryOutcome]:
    """Pull every endpoint since its watermark and land what is new; stops at the first endpoint that fails."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    ledger.ensure_ledger(con)
    con.execute(WATERMARK_DDL)
    con.execute(RAW_DDL)
    pseudonymiser = pseudonymiser or Pseudonymiser()
    client = RegisterClient(base_url, timeout, page_size, max_attempts)
    outcomes = []
    for endpoint in ENDPOINTS:
        watermark = read_watermark(con, endpoint.name)
        outcome = land_pull(con, endpoint, watermark, client.pull(endpoint.name, watermark), pseudonymiser)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes
