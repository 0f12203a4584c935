"""The Veiligheidshuis register's HTTP JSON API, served from the store `vh_register` wrote.

`GET /api/v1/{meldingen,vervolgacties,trajecten}?updated_since=&page=&page_size=` answers
`{"data": [...], "page", "page_size", "total_pages", "total"}` with the records changed after
`updated_since`, ordered by (gewijzigd_op, id) so that paging is stable. Like the real register
it is flaky: a share of the requests is answered with HTTP 500 or stalls, drawn from the seed, the
page asked for and how many times it was asked before, so a run can be replayed, however a client's
concurrent requests happen to interleave. Tests can also script a fault on one page
(`scripted_faults` in api.json). Every request is logged as a JSON line in `requests.jsonl`.

Run it by hand with `python -m sources.simulator.vh_api --folder DIR --port N`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np

from sources.simulator.vh_register import API_SETTINGS_FILE, CLIENT_COLUMNS, STORE_COLUMNS, STORE_FILE

API_PREFIX = "/api/v1/"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000
REQUEST_LOG_FILE = "requests.jsonl"
PARAMETERS = {"updated_since", "page", "page_size"}
# faults a test can script on one page: the response it gets instead of the right one
SCRIPTABLE_FAULTS = {"http_500", "timeout", "malformed_json", "missing_data", "repeat_previous_page"}


class BadRequestError(ValueError):
    """A request the API refuses with HTTP 400."""


@dataclass(frozen=True)
class PageRequest:
    kind: str
    updated_since: str  # '' for everything
    page: int
    page_size: int


@dataclass(frozen=True)
class ScriptedFault:
    endpoint: str
    page: int
    fault: str
    times: int | None = None  # None: every time the page is asked for


@dataclass(frozen=True)
class ApiSettings:
    seed: int = 0
    api_http_500: float = 0.0
    api_timeout: float = 0.0
    stall_seconds: float = 2.0
    scripted_faults: tuple[ScriptedFault, ...] = field(default_factory=tuple)

    @classmethod
    def from_folder(cls, folder: Path) -> ApiSettings:
        path = folder / API_SETTINGS_FILE
        values = json.loads(path.read_text()) if path.exists() else {}
        scripted = tuple(ScriptedFault(**f) for f in values.pop("scripted_faults", []))
        unknown = {f.fault for f in scripted} - SCRIPTABLE_FAULTS
        if unknown:
            raise ValueError(f"{path}: unknown scripted faults {sorted(unknown)}")
        return cls(**values, scripted_faults=scripted)


class RegisterApi:
    """What the handler threads share: the store, the fault settings, the request counter and log."""

    def __init__(self, folder: Path) -> None:
        self.store = folder / STORE_FILE
        if not self.store.exists():
            raise FileNotFoundError(f"no register store at {self.store}; publish the register first")
        self.settings = ApiSettings.from_folder(folder)
        self.log_path = folder / REQUEST_LOG_FILE
        self.log_path.write_text("")
        self._lock = threading.Lock()
        self._requests = 0
        self._scripted_served: Counter[ScriptedFault] = Counter()
        self._asked: Counter[PageRequest] = Counter()  # per page request, how many times it came
        self._matches = MatchCache(self.store)

    def next_request_number(self) -> int:
        with self._lock:
            self._requests += 1
            return self._requests

    def fault_for(self, request: PageRequest) -> str | None:
        """The scripted fault of this page if any, else one drawn from the seed, the request and how many
        times it came before (not from the request's number, which concurrent requests make a race)."""
        with self._lock:
            self._asked[request] += 1
            asked = self._asked[request]
        for scripted in self.settings.scripted_faults:
            if (scripted.endpoint, scripted.page) == (request.kind, request.page):
                with self._lock:
                    if scripted.times is None or self._scripted_served[scripted] < scripted.times:
                        self._scripted_served[scripted] += 1
                        return scripted.fault
        key = f"{self.settings.seed}:{request.kind}:{request.updated_since}:{request.page}:{request.page_size}:{asked}"
        draw = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8]) / 2**64
        if draw < self.settings.api_http_500:
            return "http_500"
        if draw < self.settings.api_http_500 + self.settings.api_timeout:
            return "timeout"
        return None

    def page(self, request: PageRequest) -> dict:
        """One page of the records changed after `updated_since`, in (gewijzigd_op, id) order; `data`
        holds each record as JSON text (see page_text)."""
        offset = (request.page - 1) * request.page_size
        total, records = self._matches.page(request.kind, request.updated_since, offset, request.page_size)
        return {
            "data": records,
            "page": request.page,
            "page_size": request.page_size,
            "total_pages": math.ceil(total / request.page_size),
            "total": total,
        }

    def log(self, entry: dict) -> None:
        with self._lock, self.log_path.open("a") as out:
            out.write(json.dumps(entry) + "\n")


class MatchCache:
    """Which records match an `updated_since`, in paging order, found once and paged from memory.

    Reading every page with LIMIT/OFFSET made a pull quadratic in the register's size (each page
    stepped over all the records before it, and counted them all). The order is found again as soon
    as the store changed (SQLite's data_version), so a page shows the store as it is now, as offset
    paging on a live register does: a record changed between two pages moves to the end. Only the
    rowids are kept; a page's records are read by rowid when it is asked for.
    """

    ROWIDS_PER_QUERY = 500  # below SQLite's oldest limit on bound parameters (999)

    def __init__(self, store: Path) -> None:
        # one connection for all handler threads, used under the lock (data_version is per connection);
        # it closes with the server, after the last stalled request has been answered
        self._con = sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._version: int | None = None
        self._latest: dict[str, tuple[str, np.ndarray]] = {}  # per kind: an updated_since and its rowids

    def page(self, kind: str, updated_since: str, offset: int, size: int) -> tuple[int, list[str]]:
        """How many records match, and those at [offset, offset + size) as JSON text."""
        with self._lock:
            version = self._con.execute("pragma data_version").fetchone()[0]
            if version != self._version:
                self._latest.clear()
                self._version = version
            cached = self._latest.get(kind)
            if cached is None or cached[0] != updated_since:
                cached = self._latest[kind] = updated_since, self._matching(kind, updated_since)
            rowids = cached[1]
            return len(rowids), self._records(kind, rowids[offset : offset + size].tolist())

    def _matching(self, kind: str, updated_since: str) -> np.ndarray:
        # as one text, parsed at once: a Python row per record made the first page of a large register
        # (millions of records) take longer than a client waits; the subquery's order is kept, as
        # SQLite runs a subquery that has an ORDER BY as a co-routine under an aggregate
        ordered = f"select rowid from {kind} where gewijzigd_op > ? order by gewijzigd_op, id"
        (text,) = self._con.execute(f"select group_concat(rowid) from ({ordered})", [updated_since]).fetchone()
        return np.fromstring(text or "", dtype=np.int64, sep=",")

    def _records(self, kind: str, rowids: list[int]) -> list[str]:
        found = {}
        for start in range(0, len(rowids), self.ROWIDS_PER_QUERY):
            chunk = rowids[start : start + self.ROWIDS_PER_QUERY]
            query = f"select rowid, {record_json(kind)} from {kind} where rowid in ({', '.join('?' * len(chunk))})"
            found |= dict(self._con.execute(query, chunk).fetchall())
        return [found[rowid] for rowid in rowids]


def record_json(kind: str) -> str:
    """SQL writing a store row as the API serves it, as JSON text: the client's fields nested under
    `client`. SQLite writes it (a dict per record and json.dumps cost more than the rest of a page)."""
    own = [f"'{c}', {c}" for c in STORE_COLUMNS[kind] if c not in CLIENT_COLUMNS]
    client = [f"'{c.removeprefix('client_')}', {c}" for c in CLIENT_COLUMNS]
    return f"json_object({', '.join(own)}, 'client', json_object({', '.join(client)}))"


def page_text(body: dict) -> str:
    """A page as JSON text; its records (`data`) are JSON text already."""
    fields = [f"{json.dumps(name)}: {json.dumps(value)}" for name, value in body.items() if name != "data"]
    if "data" in body:
        fields.insert(0, '"data": [' + ", ".join(body["data"]) + "]")
    return "{" + ", ".join(fields) + "}"


def parse_request(path: str) -> PageRequest:
    """The endpoint and parameters of a request path; KeyError: unknown path, BadRequestError: bad parameter."""
    parts = urlsplit(path)
    kind = parts.path.removeprefix(API_PREFIX).rstrip("/")
    if not parts.path.startswith(API_PREFIX) or kind not in STORE_COLUMNS:
        raise KeyError(parts.path)
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - PARAMETERS
    if unknown:
        raise BadRequestError(f"unknown parameter(s) {sorted(unknown)}; allowed: {sorted(PARAMETERS)}")
    repeated = [name for name, values in query.items() if len(values) > 1]
    if repeated:
        raise BadRequestError(f"parameter(s) {repeated} given more than once")
    values = {name: v[0] for name, v in query.items()}
    return PageRequest(
        kind=kind,
        updated_since=_timestamp(values.get("updated_since", "")),
        page=_whole_number("page", values.get("page", "1"), 1, None),
        page_size=_whole_number("page_size", values.get("page_size", str(DEFAULT_PAGE_SIZE)), 1, MAX_PAGE_SIZE),
    )


def _timestamp(text: str) -> str:
    """An ISO timestamp (local time, no offset) normalised to the register's 'YYYY-MM-DDTHH:MM:SS'."""
    if text == "":
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"updated_since '{text}' is not an ISO timestamp (YYYY-MM-DDTHH:MM:SS)") from None
    if moment.tzinfo is not None:
        raise BadRequestError("updated_since must be local time without an offset, as gewijzigd_op is")
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _whole_number(name: str, text: str, low: int, high: int | None) -> int:
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        allowed = f"{low}..{high}" if high is not None else f"{low} or more"
        raise BadRequestError(f"{name} '{text}' is not a whole number in {allowed}")
    return int(text)


class _Handler(BaseHTTPRequestHandler):
    server: RegisterServer

    def do_GET(self) -> None:
        status, text = self._response(self.server.api)
        payload = text.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out during a stall and hung up

    def _response(self, api: RegisterApi) -> tuple[HTTPStatus, str]:
        """The status and body of this request, logged as soon as they are decided (before a stall)."""
        number = api.next_request_number()
        entry: dict = {"n": number, "path": self.path}
        try:
            request = parse_request(self.path)
        except KeyError:
            return _error(api, entry, HTTPStatus.NOT_FOUND, f"no such endpoint: {urlsplit(self.path).path}")
        except BadRequestError as exc:
            return _error(api, entry, HTTPStatus.BAD_REQUEST, str(exc))
        fault = api.fault_for(request)
        entry |= {"endpoint": request.kind, "page": request.page, "updated_since": request.updated_since}
        entry["fault"] = fault
        if fault == "http_500":
            return _error(api, entry, HTTPStatus.INTERNAL_SERVER_ERROR, "internal server error")
        api.log(entry | {"status": int(HTTPStatus.OK)})
        if fault == "timeout":
            time.sleep(api.settings.stall_seconds)  # bounded: the client has given up by now
        body = api.page(request)
        if fault == "repeat_previous_page" and request.page > 1:
            previous = api.page(PageRequest(request.kind, request.updated_since, request.page - 1, request.page_size))
            body["data"] = previous["data"] + body["data"]
        if fault == "missing_data":
            del body["data"]
        text = page_text(body)
        if fault == "malformed_json":
            text = text[: len(text) // 2]  # a response cut off halfway
        return HTTPStatus.OK, text

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests go to the request log instead of stderr."""


def _error(api: RegisterApi, entry: dict, status: HTTPStatus, message: str) -> tuple[HTTPStatus, str]:
    api.log(entry | {"status": int(status)})
    return status, json.dumps({"error": message}, ensure_ascii=False)


class RegisterServer(ThreadingHTTPServer):
    block_on_close = False  # a stalled request must not hold up shutting down

    def __init__(self, address: tuple[str, int], api: RegisterApi) -> None:
        super().__init__(address, _Handler)
        self.api = api


@contextmanager
def serve(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve the register in `folder` on 127.0.0.1 in a daemon thread; yields the base URL."""
    server = RegisterServer(("127.0.0.1", port), RegisterApi(folder))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a published Veiligheidshuis register on 127.0.0.1.")
    parser.add_argument("--folder", type=Path, required=True, help="folder holding register.sqlite and api.json")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with serve(args.folder, args.port) as url:
        print(f"Veiligheidshuis register API on {url}{API_PREFIX}{{meldingen,vervolgacties,trajecten}}; Ctrl-C stops")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
