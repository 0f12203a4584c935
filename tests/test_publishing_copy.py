"""The published copy: only the marts, no person-level column, readable while the warehouse is being
written and while a new copy is swapped in, and the previous copy kept when publishing fails."""

import json
import re
import shutil
import subprocess
import sys
import time

import duckdb
import pytest

from orchestration.publishing import marts
from orchestration.publishing.marts import (
    REPORT_MARTS,
    PersonLevelColumnError,
    mart_query,
    person_level_columns,
    published_marts,
    stored_in_order,
)
from orchestration.publishing.published_copy import publish_copy

MART_NAMES = "select table_name from information_schema.tables where table_schema = 'marts'"
SURROGATE_KEYS = {"melding_sleutel", "vervolgactie_sleutel", "traject_sleutel", "huisverbod_sleutel"}


@pytest.fixture(scope="module")
def warehouse(pipeline, tmp_path_factory):
    """A copy of the session's warehouse: these tests lock and change it."""
    copy = tmp_path_factory.mktemp("warehouse") / "vh.duckdb"
    shutil.copy(pipeline.paths.warehouse, copy)
    return copy


@pytest.fixture
def published(warehouse, tmp_path):
    return publish_copy(warehouse, tmp_path / "published" / "vh_marts.duckdb")


def test_the_copy_holds_the_marts_and_nothing_else(published, warehouse):
    with duckdb.connect(str(published), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
        tables = [row[0] for row in con.execute(MART_NAMES).fetchall()]
    assert schemas == {"marts", "publicatie"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        in_warehouse = published_marts(con)
    assert sorted(tables) == sorted(in_warehouse)
    assert {t.split("_")[0] for t in tables} == {"tabel", "bijlage", "report", "fct", "dim"}


def test_every_mart_is_copied_row_for_row(published, warehouse):
    with duckdb.connect() as con:
        con.execute(f"attach '{published}' as pub (read_only)")
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        sql = "select table_name from duckdb_tables() where database_name = 'pub' and schema_name = 'marts'"
        for (table,) in con.execute(sql).fetchall():
            for a, b in (("pub", "wh"), ("wh", "pub")):
                difference = con.execute(
                    f"select count(*) from (from {a}.marts.{table} except all from {b}.marts.{table})"
                )
                assert difference.fetchone()[0] == 0, f"{table} differs between warehouse and copy"


def test_no_person_level_column_is_published(published):
    with duckdb.connect(str(published), read_only=True) as con:
        columns = [row[0] for row in con.execute("select column_name from duckdb_columns()").fetchall()]
    keys = {c for c in columns if c.endswith("_sleutel")}
    assert keys and keys <= SURROGATE_KEYS
    assert not [c for c in columns if any(word in c for word in ("persoon", "bsn", "geboorte", "pseudo"))]
    assert person_level_columns(columns) == []


def test_the_guard_knows_a_person_level_column_from_a_harmless_one():
    assert person_level_columns(["persoon_sleutel", "bsn", "achternaam", "geboortedatum", "melding_sleutel"]) == [
        "persoon_sleutel", "bsn", "achternaam", "geboortedatum",
    ]  # fmt: skip
    assert person_level_columns(["maandnaam", "namen_in_bronnen", "huisverbod_sleutel", "leeftijdsklasse"]) == []


def test_a_person_level_column_stops_publication_and_the_previous_copy_stays(warehouse, published, tmp_path):
    leaky = tmp_path / "leaky.duckdb"
    shutil.copy(warehouse, leaky)
    with duckdb.connect(str(leaky)) as con:
        con.execute("create table marts.fct_personen as select 'abc' as persoon_sleutel, 1 as aantal")
    before = published.read_bytes()
    with pytest.raises(PersonLevelColumnError, match="persoon_sleutel"):
        publish_copy(leaky, published)
    assert published.read_bytes() == before
    assert [p.name for p in published.parent.iterdir()] == [published.name], "the temporary file was left behind"


HOLD_OPEN_FOR_WRITING = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create or replace table main.nachtelijke_load (x integer)")
print("locked", flush=True)
time.sleep(60)
"""


def test_analysts_read_the_copy_while_the_nightly_load_holds_the_warehouse(warehouse, published):
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN_FOR_WRITING, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        with pytest.raises(duckdb.IOException):  # what an analyst opening the warehouse itself would get
            duckdb.connect(str(warehouse), read_only=True)
        before = published.read_bytes()
        with pytest.raises(duckdb.IOException):  # publishing now fails: the previous copy stays
            publish_copy(warehouse, published)
        assert published.read_bytes() == before
        answer = subprocess.run(
            [sys.executable, "-c", "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True)"
             ".execute('select totaal from marts.tabel_02_meldingen_per_doelgroep_per_gemeente"
             " where doelgroep = $$Totaal$$').fetchone()[0])", str(published)],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert int(answer.stdout) > 0
    finally:
        writer.kill()
        writer.wait()


READ_IN_A_LOOP = """
import json, sys, time, duckdb
path, how, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
held = duckdb.connect(path, read_only=True) if how == "held" else None  # a BI tool keeping its connection open
seen, errors, reads, deadline = set(), [], 0, time.monotonic() + seconds
print("reading", flush=True)
while time.monotonic() < deadline:
    try:
        con = held or duckdb.connect(path, read_only=True)  # else a CLI or notebook opening it anew each time
        seen.add(str(con.execute("select gepubliceerd_op from publicatie.versie").fetchone()[0]))
        assert con.execute("select count(*) from marts.report_cells").fetchone()[0] > 0
        assert con.execute("select count(*) from marts.fct_meldingen").fetchone()[0] > 0
        if con is not held:
            con.close()
        reads += 1
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"versions": len(seen), "errors": errors, "reads": reads}))
"""


def test_readers_never_fail_while_a_new_copy_is_swapped_in(warehouse, published):
    command = [sys.executable, "-c", READ_IN_A_LOOP, str(published)]
    readers = {
        how: subprocess.Popen([*command, how, "4"], stdout=subprocess.PIPE, text=True) for how in ("fresh", "held")
    }
    assert all(reader.stdout.readline().strip() == "reading" for reader in readers.values())
    deadline = time.monotonic() + 3
    publications = 0
    while time.monotonic() < deadline:
        publish_copy(warehouse, published)
        publications += 1
    results = {how: json.loads(reader.communicate(timeout=60)[0]) for how, reader in readers.items()}
    assert publications >= 3
    assert results["fresh"]["errors"] == [] and results["held"]["errors"] == []
    assert results["fresh"]["reads"] > 10 and results["fresh"]["versions"] >= 2, "the fresh reader saw no new copy"
    assert results["held"]["reads"] > 10 and results["held"]["versions"] == 1, "an open connection keeps its copy"


def test_publishing_clears_what_a_killed_publisher_left_and_spares_a_live_ones(warehouse, published):
    """A SIGKILL while copying leaves `.vh_marts.duckdb.<pid>.tmp`; the next publication removes it, but
    never the temporary of a process that is still writing."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead_pid = int(dead.stdout)
    debris = [published.with_name(f".{published.name}.{dead_pid}.tmp{suffix}") for suffix in ("", ".wal")]
    live = published.with_name(f".{published.name}.1.tmp")  # pid 1 runs as long as the machine does
    for path in (*debris, live):
        path.write_bytes(b"half a copy")
    publish_copy(warehouse, published)
    assert [p.exists() for p in debris] == [False, False]
    assert live.exists()
    live.unlink()


def test_the_copy_stores_each_mart_in_the_order_it_is_read_in(published, warehouse):
    """A scan of the copy, without a sort, gives the rows in the order the warehouse's marts are read in."""
    with (
        duckdb.connect(str(published), read_only=True) as copy,
        duckdb.connect(str(warehouse), read_only=True) as source,
    ):
        assert stored_in_order(copy) and not stored_in_order(source)
        for mart in published_marts(copy):
            scanned = copy.execute(f'select * from marts."{mart}"').fetchall()
            assert scanned == source.execute(mart_query(mart)).fetchall(), mart


def renewed(published) -> list[str]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select marts_vernieuwd from publicatie.versie").fetchone()[0]


def same_marts(published, warehouse) -> bool:
    with (
        duckdb.connect(str(published), read_only=True) as copy,
        duckdb.connect(str(warehouse), read_only=True) as source,
    ):
        marts = published_marts(source)
        return published_marts(copy) == marts and all(
            copy.execute(mart_query(m, stored_in_order=True)).fetchall() == source.execute(mart_query(m)).fetchall()
            for m in marts
        )


def test_a_new_copy_keeps_the_previous_copys_unchanged_marts_and_copies_the_others(warehouse, tmp_path):
    """A night changes a few marts: the copy is made from the previous one, whose unchanged marts stay;
    a changed mart, a mart tampered with in the copy and the report's tables are copied anew, a mart the
    warehouse no longer has goes, and a copy of an earlier format is not built on."""
    source = tmp_path / "vh.duckdb"
    shutil.copy(warehouse, source)
    target = tmp_path / "published" / "vh_marts.duckdb"
    publish_copy(source, target)
    with duckdb.connect(str(source), read_only=True) as con:
        everything = published_marts(con)
    assert renewed(target) == everything
    publish_copy(source, target)
    assert renewed(target) == list(REPORT_MARTS) and same_marts(target, source)

    with duckdb.connect(str(source)) as con:
        first = con.execute("select min(traject_sleutel) from marts.fct_trajecten").fetchone()[0]
        con.execute("delete from marts.fct_trajecten where traject_sleutel = ?", [first])
        con.execute("drop table marts.fct_huisverboden")
    with duckdb.connect(str(target)) as con:
        con.execute("update marts.dim_gemeente set namen_in_bronnen = 'vervalst' where gemeente = 'Maastricht'")
    publish_copy(source, target)
    assert renewed(target) == [*REPORT_MARTS, "dim_gemeente", "fct_trajecten"]
    assert same_marts(target, source)  # fct_huisverboden gone, the tampered row repaired, the change in

    with duckdb.connect(str(target)) as con:
        con.execute("alter table publicatie.versie drop column formaat")  # as a copy before the format
    publish_copy(source, target)
    assert renewed(target) == [m for m in everything if m != "fct_huisverboden"] and same_marts(target, source)


def test_a_kept_mart_is_checked_for_person_level_columns_again(warehouse, tmp_path, monkeypatch):
    """A mart kept from the previous copy still passes the guard as it is now (a guard that learned a new
    name stops the copy), and the previous copy stays."""
    target = publish_copy(warehouse, tmp_path / "published" / "vh_marts.duckdb")
    before = target.read_bytes()
    monkeypatch.setattr(marts, "PERSON_LEVEL", re.compile(r"namen_in_bronnen"))  # a column of dim_gemeente
    with pytest.raises(PersonLevelColumnError, match="dim_gemeente"):
        publish_copy(warehouse, target)
    assert target.read_bytes() == before
