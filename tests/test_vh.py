"""The Veiligheidshuis register: the simulator's store and API on loopback, and the connector pulling from it.

Every test runs a real HTTP server on 127.0.0.1 and a real DuckDB file in tmp_path.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from sources.connectors import vh
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser
from sources.simulator import vh_api, vh_register
from sources.simulator.defects import DefectRates
from sources.simulator.world import World, generate_world

SEED_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "vh_codes.csv"
KEY = b"test-key-vh"
TABLES = {"meldingen": "vh_meldingen", "vervolgacties": "vh_vervolgacties", "trajecten": "vh_trajecten"}
ID_COLUMNS = {"meldingen": "melding_id", "vervolgacties": "vervolgactie_id", "trajecten": "traject_id"}


@pytest.fixture(scope="module")
def clean_world() -> World:
    return generate_world(2011, 1, 0, DefectRates.none())


@pytest.fixture(scope="module")
def defective_world() -> World:
    return generate_world(2011, 1, 0, DefectRates())


def publish(world: World, folder: Path, defects: DefectRates, seed: int = 7, **api) -> Path:
    """The register in `folder`; keyword arguments override the API's fault settings."""
    vh_register.publish(world, folder, defects, np.random.default_rng(seed))
    if api:
        settings = json.loads((folder / vh_register.API_SETTINGS_FILE).read_text()) | api
        (folder / vh_register.API_SETTINGS_FILE).write_text(json.dumps(settings))
    return folder


def extract(folder: Path, warehouse: Path, **options) -> list:
    with vh_api.serve(folder) as url, duckdb.connect(str(warehouse)) as con:
        return vh.extract(con, url, Pseudonymiser(KEY), **options)


def query(warehouse: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, params or []).df()


def raw_content(warehouse: Path, table: str) -> pd.DataFrame:
    return query(warehouse, f"select * exclude (_loaded_at) from raw.{table} order by _delivery_id, _row_number")


def request_log(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / vh_api.REQUEST_LOG_FILE).read_text().splitlines()]


def edit_store(folder: Path, sql: str, params: list | None = None) -> None:
    with closing(sqlite3.connect(folder / vh_register.STORE_FILE)) as con, con:
        con.execute(sql, params or [])


@pytest.fixture(scope="module")
def clean_run(clean_world, tmp_path_factory) -> tuple[Path, Path, list]:
    """The clean world published and extracted once: (register folder, warehouse, outcomes)."""
    folder = publish(clean_world, tmp_path_factory.mktemp("clean"), DefectRates.none())
    warehouse = folder / "warehouse.duckdb"
    return folder, warehouse, extract(folder, warehouse)


def test_a_clean_register_lands_completely(clean_world, clean_run):
    folder, warehouse, outcomes = clean_run
    assert [o.delivery.name for o in outcomes] == [f"{e} updated_since=begin" for e in TABLES]
    for outcome, (endpoint, table) in zip(outcomes, TABLES.items(), strict=True):
        world_frame = getattr(clean_world, endpoint)
        assert (outcome.received, outcome.accepted, outcome.quarantined, outcome.duplicates) == (
            len(world_frame),
            len(world_frame),
            0,
            0,
        )
        landed = query(warehouse, f"select {ID_COLUMNS[endpoint]} as id from raw.{table}")["id"]
        assert sorted(landed) == sorted(world_frame[ID_COLUMNS[endpoint]])
    watermarks = query(warehouse, "select entity, watermark from raw._watermarks where source = 'vh'")
    with closing(sqlite3.connect(folder / vh_register.STORE_FILE)) as store:
        for entity, watermark in watermarks.itertuples(index=False):
            assert watermark == store.execute(f"select max(gewijzigd_op) from {entity}").fetchone()[0]


def test_a_second_extract_lands_nothing(clean_run, tmp_path):
    folder, warehouse, _ = clean_run
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    assert extract(folder, copy) == []
    assert query(copy, "select count(*) as n from raw._deliveries")["n"][0] == 3
    assert all(entry["updated_since"] for entry in request_log(folder))  # asked only for what changed


def test_a_record_changed_later_comes_again(clean_world, tmp_path):
    folder = publish(clean_world, tmp_path / "register", DefectRates.none())
    warehouse = tmp_path / "warehouse.duckdb"
    extract(folder, warehouse)
    edit_store(
        folder,
        "update meldingen set gewijzigd_op = '2012-06-01T10:00:00', melder = 'GGD Zuid-Limburg' "
        "where id = 'VHM-0000010'",
    )
    (outcome,) = extract(folder, warehouse)
    assert outcome.delivery.name.startswith("meldingen updated_since=")
    assert (outcome.received, outcome.accepted) == (1, 1)
    versions = query(warehouse, "select gewijzigd_op from raw.vh_meldingen where melding_id = 'VHM-0000010'")
    assert len(versions) == 2 and "2012-06-01T10:00:00" in set(versions["gewijzigd_op"])


def test_after_a_watermark_reset_only_what_changed_lands_again(clean_world, tmp_path):
    folder = publish(clean_world, tmp_path / "register", DefectRates.none())
    warehouse = tmp_path / "warehouse.duckdb"
    extract(folder, warehouse)
    assert extract(folder, warehouse) == []
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw._watermarks where entity = 'trajecten'")
    assert extract(folder, warehouse) == []  # the very same pull was taken before: no second ledger line
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw._watermarks where entity = 'trajecten'")
    edit_store(folder, "update trajecten set einddatum = '2011-12-31' where id = 'VHT-0000300'")
    (outcome,) = extract(folder, warehouse)
    assert outcome.delivery.name == "trajecten updated_since=begin"
    assert (outcome.accepted, outcome.duplicates) == (1, len(clean_world.trajecten) - 1)


def test_http_500s_and_timeouts_are_survived_and_the_result_equals_the_clean_run(clean_world, clean_run, tmp_path):
    _, clean_warehouse, clean_outcomes = clean_run
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), api_http_500=0.3, api_timeout=0.15)
    warehouse = tmp_path / "warehouse.duckdb"
    outcomes = extract(folder, warehouse, page_size=200, timeout=0.2, max_attempts=10)  # pages enough for faults
    assert outcomes == clean_outcomes
    for table in TABLES.values():
        pd.testing.assert_frame_equal(raw_content(warehouse, table), raw_content(clean_warehouse, table))
    faults = [entry["fault"] for entry in request_log(folder)]
    assert faults.count("http_500") >= 3 and faults.count("timeout") >= 2
    assert_no_page_asked_again_once_answered(request_log(folder))


def answered(entry: dict) -> bool:
    """The request got its page (not an HTTP 500, nor a stall the client gave up on)."""
    return entry["status"] == 200 and entry["fault"] is None


def assert_no_page_asked_again_once_answered(log: list[dict]) -> None:
    for endpoint in TABLES:
        asked = [(entry["page"], answered(entry)) for entry in log if entry.get("endpoint") == endpoint]
        for page in {page for page, _ in asked}:
            answers = [ok for number, ok in asked if number == page]
            assert answers == [False] * (len(answers) - 1) + [True], f"{endpoint} page {page}: {answers}"


def test_one_request_at_a_time_resumes_paging_at_the_page_that_failed(clean_world, tmp_path):
    failing = {"endpoint": "vervolgacties", "page": 3, "fault": "http_500", "times": 2}
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), scripted_faults=[failing])
    outcomes = extract(folder, tmp_path / "warehouse.duckdb", page_size=400, concurrent_requests=1)
    asked = [(e["page"], e["status"]) for e in request_log(folder) if e.get("endpoint") == "vervolgacties"]
    assert asked[:5] == [(1, 200), (2, 200), (3, 500), (3, 500), (3, 200)]
    assert [page for page, _ in asked] == [1, 2, 3, 3, 3, *range(4, asked[-1][0] + 1)]
    assert outcomes[1].accepted == len(clean_world.vervolgacties)


def test_requests_in_parallel_ask_a_failed_page_again_on_its_own_and_land_what_one_at_a_time_lands(
    clean_world, tmp_path
):
    failing = {"endpoint": "vervolgacties", "page": 3, "fault": "http_500", "times": 2}
    landed = {}
    for concurrent in (1, 4):
        folder = publish(clean_world, tmp_path / f"register{concurrent}", DefectRates.none(), scripted_faults=[failing])
        warehouse = tmp_path / f"warehouse{concurrent}.duckdb"
        extract(folder, warehouse, page_size=400, concurrent_requests=concurrent)
        asked = [(e["page"], e["status"]) for e in request_log(folder) if e.get("endpoint") == "vervolgacties"]
        pages = -(-len(clean_world.vervolgacties) // 400)
        assert sorted(asked) == sorted([(3, 500), (3, 500), *((page, 200) for page in range(1, pages + 1))])
        landed[concurrent] = {table: raw_content(warehouse, table) for table in TABLES.values()}
    for table in TABLES.values():
        pd.testing.assert_frame_equal(landed[4][table], landed[1][table])
    # numbered in the order served, (gewijzigd_op, id), whichever page came back first
    served = list(landed[4]["vh_vervolgacties"][["gewijzigd_op", "vervolgactie_id"]].itertuples(index=False))
    assert served == sorted(served)


def test_a_stalled_page_does_not_hold_up_the_pages_after_it(clean_world, tmp_path):
    stall = {"endpoint": "vervolgacties", "page": 2, "fault": "timeout", "times": 1}
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), scripted_faults=[stall])
    outcomes = extract(folder, tmp_path / "warehouse.duckdb", page_size=400, concurrent_requests=4)
    asked = [e["page"] for e in request_log(folder) if e.get("endpoint") == "vervolgacties"]
    retried = asked.index(2, asked.index(2) + 1)
    assert {3, 4, 5} <= set(asked[:retried])  # the other workers went on while page 2 stalled
    assert outcomes[1].accepted == len(clean_world.vervolgacties)


def test_requests_in_parallel_name_the_first_page_that_keeps_failing_and_land_nothing_of_it(clean_world, tmp_path):
    broken = [
        {"endpoint": "vervolgacties", "page": 3, "fault": "timeout"},  # fails slowly: 3 stalls
        {"endpoint": "vervolgacties", "page": 5, "fault": "http_500"},  # fails fast, but comes later
    ]
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), scripted_faults=broken)
    warehouse = tmp_path / "warehouse.duckdb"
    with pytest.raises(DeliveryError, match=r"vervolgacties page 3: no answer .*\(after 3 attempts\)"):
        extract(folder, warehouse, page_size=400, timeout=0.3, max_attempts=3, concurrent_requests=4)
    log = request_log(folder)
    asked = Counter(e["page"] for e in log if e.get("endpoint") == "vervolgacties")
    assert asked[3] == asked[5] == 3 and max(asked.values()) == 3
    assert not any(e.get("endpoint") == "trajecten" for e in log)  # later endpoints are not pulled
    assert query(warehouse, "select count(*) as n from raw.vh_vervolgacties")["n"][0] == 0
    assert query(warehouse, "select entity from raw._watermarks")["entity"].tolist() == ["meldingen"]


def test_an_endpoint_that_fails_to_land_stops_the_run_before_the_next_one_is_pulled(clean_world, tmp_path):
    folder = publish(clean_world, tmp_path / "register", DefectRates.none())
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # a raw table the meldingen cannot be inserted into
        con.execute("create schema raw; create table raw.vh_meldingen (melding_id varchar, extra varchar not null)")
    with pytest.raises(duckdb.Error):
        extract(folder, warehouse)
    assert query(warehouse, "select count(*) as n from raw._deliveries")["n"][0] == 0
    assert query(warehouse, "select count(*) as n from raw._watermarks")["n"][0] == 0
    assert query(warehouse, "select count(*) as n from raw.vh_vervolgacties")["n"][0] == 0
    assert {e.get("endpoint") for e in request_log(folder)} == {"meldingen"}


def test_the_register_draws_the_same_faults_and_the_same_rows_land_however_requests_interleave(clean_world, tmp_path):
    faults, landed = {}, {}
    for concurrent in (1, 4):
        folder = publish(
            clean_world, tmp_path / f"register{concurrent}", DefectRates.none(), api_http_500=0.3, api_timeout=0.15
        )
        warehouse = tmp_path / f"warehouse{concurrent}.duckdb"
        extract(folder, warehouse, page_size=100, timeout=0.2, max_attempts=10, concurrent_requests=concurrent)
        drawn = [(e["endpoint"], e["page"], e["fault"]) for e in request_log(folder)]
        faults[concurrent] = sorted(drawn, key=str)
        landed[concurrent] = [
            query(warehouse, f"select * exclude ({stamp}) from raw.{table} order by all")
            for table, stamp in [*((t, "_loaded_at") for t in TABLES.values()), ("_quarantine", "quarantined_at")]
        ] + [query(warehouse, "select * exclude (loaded_at) from raw._deliveries order by all")]
    assert faults[4] == faults[1]
    assert {"http_500", "timeout"} <= {fault for _, _, fault in faults[1]}
    for frame, expected in zip(landed[4], landed[1], strict=True):
        pd.testing.assert_frame_equal(frame, expected)


def test_at_least_one_request_at_a_time():
    with duckdb.connect() as con, pytest.raises(ValueError, match="concurrent_requests must be at least 1"):
        vh.extract(con, "http://127.0.0.1:9", Pseudonymiser(KEY), concurrent_requests=0)


@pytest.mark.parametrize("fault", ["malformed_json", "missing_data"])
def test_a_page_that_stays_broken_fails_the_endpoint_and_lands_nothing_of_it(clean_world, tmp_path, fault):
    broken = {"endpoint": "vervolgacties", "page": 2, "fault": fault}
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), scripted_faults=[broken])
    warehouse = tmp_path / "warehouse.duckdb"
    with pytest.raises(DeliveryError, match=r"vervolgacties page 2") as raised:
        extract(folder, warehouse, max_attempts=3)
    assert raised.value.source == "vh"
    assert query(warehouse, "select count(*) as n from raw.vh_vervolgacties")["n"][0] == 0
    ledger = query(warehouse, "select delivery_name from raw._deliveries")["delivery_name"].tolist()
    assert ledger == ["meldingen updated_since=begin"]  # the endpoint before it landed whole
    entities = query(warehouse, "select entity from raw._watermarks")["entity"].tolist()
    assert entities == ["meldingen"]


def test_a_page_broken_once_is_asked_again(clean_world, tmp_path):
    once = {"endpoint": "meldingen", "page": 1, "fault": "malformed_json", "times": 1}
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), scripted_faults=[once])
    outcomes = extract(folder, tmp_path / "warehouse.duckdb")
    assert outcomes[0].accepted == len(clean_world.meldingen)


def test_a_page_served_twice_yields_duplicates_not_extra_rows(clean_world, tmp_path):
    repeated = {"endpoint": "meldingen", "page": 2, "fault": "repeat_previous_page"}
    folder = publish(clean_world, tmp_path / "register", DefectRates.none(), scripted_faults=[repeated])
    warehouse = tmp_path / "warehouse.duckdb"
    meldingen = extract(folder, warehouse, page_size=200)[0]
    assert (meldingen.accepted, meldingen.duplicates) == (len(clean_world.meldingen), 200)
    assert meldingen.received == len(clean_world.meldingen) + 200
    landed = query(warehouse, "select count(distinct melding_id) as ids, count(*) as n from raw.vh_meldingen")
    assert landed["ids"][0] == landed["n"][0] == len(clean_world.meldingen)


def test_corrupt_records_are_quarantined_with_their_reason(clean_world, tmp_path):
    folder = publish(clean_world, tmp_path / "register", DefectRates.none())
    corruptions = {
        "VHM-0000001": ("meldingsdatum", "2011-13-01", "meldingsdatum '2011-13-01' is not a date (YYYY-MM-DD)"),
        "VHM-0000002": ("doelgroep", "XX", "doelgroep 'XX' is not one of JGD, HG, VP, PGA, EXG, MPR, CJG"),
        "VHM-0000003": ("client_bsn", "123456789", "client_bsn fails the 11-proef"),
        "VHM-0000004": ("client_geboortedatum", "1990-02-30", "client_geboortedatum is not a date (YYYY-MM-DD)"),
        "VHM-0000005": ("herkomst", "politie", "herkomst 'politie' is not one of gevangeniswezen, partner"),
    }
    for melding_id, (column, value, _) in corruptions.items():
        edit_store(folder, f"update meldingen set {column} = ? where id = ?", [value, melding_id])
    edit_store(folder, "update meldingen set id = null where id = 'VHM-0000006'")
    warehouse = tmp_path / "warehouse.duckdb"
    meldingen = extract(folder, warehouse)[0]
    assert (meldingen.quarantined, meldingen.accepted) == (6, len(clean_world.meldingen) - 6)
    quarantine = query(warehouse, "select reason, record from raw._quarantine")
    reasons = {json.loads(r)["melding_id"]: reason for reason, r in quarantine.itertuples(index=False)}
    assert reasons == {k: reason for k, (_, _, reason) in corruptions.items()} | {None: "id is missing"}
    assert not quarantine["record"].str.contains("123456789|1990-02-30").any()  # quarantined pseudonymised


def test_defect_records_are_published_as_they_are_and_invalid_ones_quarantined(defective_world, tmp_path):
    defects = DefectRates.only("cross_system_jco", "out_of_period", "test_records", "invalid_rows")
    folder = publish(defective_world, tmp_path / "register", defects)
    warehouse = tmp_path / "warehouse.duckdb"
    outcomes = extract(folder, warehouse)
    for outcome, endpoint in zip(outcomes, TABLES, strict=True):
        world_frame = getattr(defective_world, endpoint)
        assert outcome.accepted == len(world_frame)
        assert outcome.quarantined == round(len(world_frame) * defects.invalid_rows) > 0
    tests = (defective_world.meldingen["defect"] == "test_record").sum()
    flagged = query(warehouse, "select count(*) as n from raw.vh_meldingen where is_testpersoon")["n"][0]
    assert flagged == tests > 0


def test_the_store_is_deterministic_for_a_seed(clean_world, tmp_path):
    def content(folder: Path) -> dict:
        with closing(sqlite3.connect(folder / vh_register.STORE_FILE)) as con:
            tables = {t: con.execute(f"select * from {t} order by id").fetchall() for t in TABLES}
        return tables | {"api": (folder / vh_register.API_SETTINGS_FILE).read_text()}

    first = content(publish(clean_world, tmp_path / "a", DefectRates(), seed=3))
    assert first == content(publish(clean_world, tmp_path / "b", DefectRates(), seed=3))
    assert first != content(publish(clean_world, tmp_path / "c", DefectRates(), seed=4))


def test_no_bsn_name_or_birth_date_reaches_raw(defective_world, tmp_path):
    folder = publish(defective_world, tmp_path / "register", DefectRates.only("invalid_rows", "test_records"))
    warehouse = tmp_path / "warehouse.duckdb"
    extract(folder, warehouse)
    persons = defective_world.persons
    identifying = set(persons["bsn"].dropna()) | set(persons["achternaam"]) | set(persons["voornamen"])
    identifying |= {"Testpersoon"} | set(persons["geboortedatum"].dt.strftime("%Y-%m-%d"))  # all born before 2008
    with duckdb.connect(str(warehouse)) as con:
        tables = [
            t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        ]
        for table in tables:
            frame = con.execute(f"select * from raw.{table}").df()
            assert not {"bsn", "achternaam", "voornamen", "geboortedatum"} & set(frame.columns)
            values = {v for c in frame.columns if frame[c].dtype != bool for v in frame[c].dropna().astype(str)}
            assert not values & identifying, f"raw.{table} holds identifying values"
        records = [json.loads(r) for (r,) in con.execute("select record from raw._quarantine").fetchall()]
    assert records and not any({"client_bsn", "client_geboortedatum"} & set(r) for r in records)
    assert not {str(v) for r in records for v in r.values()} & identifying


def pull_of(records: list, total: int) -> vh.Pull:
    """The meldingen pulled as one page holding `records`, the register saying it holds `total`."""
    pull = vh.PullInProgress(vh.ENDPOINTS[0], Pseudonymiser(KEY))
    pull.take(vh.ServedPage.of(vh.ENDPOINTS[0], {"data": records, "page": 1, "total_pages": 1, "total": total}))
    return pull.finish()


def test_an_incomplete_pull_keeps_the_watermark():
    moved = [  # a record moved forward while paged, and another was skipped
        {"id": "VHM-1", "gewijzigd_op": "2011-05-01T10:00:00"},
        {"id": "VHM-1", "gewijzigd_op": "2011-06-01T10:00:00"},
    ]
    incomplete = pull_of(moved, total=3)
    assert not incomplete.complete
    assert vh.next_watermark(incomplete, "2011-01-01T00:00:00") == "2011-01-01T00:00:00"
    assert vh.next_watermark(pull_of(moved, total=1), None) == "2011-06-01T10:00:00"


def test_records_checked_in_batches_while_paging_give_what_checking_them_all_at_once_gives(defective_world, tmp_path):
    defects = DefectRates.only("invalid_rows", "test_records", "out_of_period")
    folder = publish(defective_world, tmp_path / "register", defects)
    endpoint = vh.ENDPOINTS[1]  # vervolgacties: the most records
    with vh_api.serve(folder) as url:
        client = vh.RegisterClient(url, timeout=5, page_size=250, max_attempts=1)
        first = client.fetch_page(endpoint.name, None, 1)
        bodies = [first, *(client.fetch_page(endpoint.name, None, n) for n in range(2, first["total_pages"] + 1))]
    pulls = {}
    for check_every in (1, 600, 10**9):  # every page alone, batches across pages, all at once
        pull = vh.PullInProgress(endpoint, Pseudonymiser(KEY), check_every)
        for body in bodies:
            pull.take(vh.ServedPage.of(endpoint, body))
        pulls[check_every] = pull.finish()
    whole = pulls[10**9].records
    assert len(whole.quarantined) > 0 and len(bodies) > 4
    for pull in (pulls[1], pulls[600]):
        assert (pull.total, pull.distinct_ids, pull.received) == (
            pulls[10**9].total,
            pulls[10**9].distinct_ids,
            pulls[10**9].received,
        )
        assert pull.records.row_hashes == whole.row_hashes
        assert pull.records.latest_change == whole.latest_change
        pd.testing.assert_frame_equal(pull.records.candidates, whole.candidates)
        pd.testing.assert_frame_equal(pull.records.quarantined, whole.quarantined)


def test_every_endpoint_checks_that_gewijzigd_op_is_a_timestamp():
    """latest_change trusts the gewijzigd_op of a record that broke no rule to be a timestamp."""
    for endpoint in vh.ENDPOINTS:
        assert any(r.column == "gewijzigd_op" and "not a timestamp" in r.reason for r in endpoint.row_rules)


def test_the_api_refuses_bad_requests_with_json(clean_run):
    import urllib.error
    import urllib.request

    folder, _, _ = clean_run
    with vh_api.serve(folder) as url:
        for path, status in [
            ("/api/v1/meldingen?page=0", 400),
            ("/api/v1/meldingen?page_size=1001", 400),
            ("/api/v1/meldingen?updated_since=gisteren", 400),
            ("/api/v1/meldingen?updatedSince=2011-01-01", 400),
            ("/api/v1/personen", 404),
        ]:
            with pytest.raises(urllib.error.HTTPError) as raised:
                urllib.request.urlopen(url + path, timeout=5)
            assert raised.value.code == status
            assert "error" in json.loads(raised.value.read())
        page = json.loads(urllib.request.urlopen(url + "/api/v1/trajecten?page_size=7&page=2", timeout=5).read())
    assert set(page) == {"data", "page", "page_size", "total_pages", "total"}
    assert (page["page"], page["page_size"], len(page["data"])) == (2, 7, 7)
    stamps = [(r["gewijzigd_op"], r["id"]) for r in page["data"]]
    assert stamps == sorted(stamps)


def test_a_page_shows_the_store_as_it_is_when_asked_for(clean_world, tmp_path):
    """The API keeps the paging order between pages, but finds it again when the store changed:
    offset paging on a live register, where a record changed after page 1 moves to the end."""
    import urllib.request

    folder = publish(clean_world, tmp_path / "register", DefectRates.none())

    def page(url: str, number: int) -> list[str]:
        body = json.loads(
            urllib.request.urlopen(f"{url}/api/v1/meldingen?page_size=10&page={number}", timeout=5).read()
        )
        return [record["id"] for record in body["data"]]

    with vh_api.serve(folder) as url:
        first, second, third = page(url, 1), page(url, 2), page(url, 3)
        assert page(url, 2) == second  # unchanged store: the same page again
        edit_store(folder, "update meldingen set gewijzigd_op = '2099-01-01T00:00:00' where id = ?", [first[0]])
        # every record after the changed one moved up one place, and the changed one is served last
        assert page(url, 1) == [*first[1:], second[0]]
        assert page(url, 2) == [*second[1:], third[0]]
        last_page = -(-len(clean_world.meldingen) // 10)
        assert page(url, last_page)[-1] == first[0]


def test_the_code_lists_agree_between_register_connector_and_dbt_seed():
    with SEED_FILE.open(newline="") as f:
        seed = [(r["codelijst"], r["code"], r["omschrijving"]) for r in csv.DictReader(f)]
    simulator = [(lijst, code, name) for lijst, codes in vh_register.CODE_LISTS.items() for name, code in codes.items()]
    assert seed == simulator
    connector = {"doelgroep": vh.DOELGROEPEN, "vervolgactie_soort": vh.VERVOLGACTIE_SOORTEN}
    connector["traject_soort"] = vh.TRAJECT_SOORTEN
    for lijst, codes in connector.items():
        assert codes == [code for s_lijst, code, _ in seed if s_lijst == lijst]
