"""Nothing lost, nothing twice, one writer: the ledger balances for every delivery of every source, the
same delivery taken twice changes nothing, and a reader cannot open the warehouse while a writer holds it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from reliability import RAW_TABLES, ledger_problems, raw_state

from sources.connectors import gemeenten, om, politie, vh
from sources.paths import DataPaths
from sources.pseudonymise import Pseudonymiser
from sources.simulator import simulate, vh_api

KEY = Pseudonymiser(b"test-key-ledger")


def test_every_delivery_of_every_source_balances_and_every_row_has_its_ledger_line(pipeline):
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        assert ledger_problems(con) == []
        per_source = dict(con.execute("select source, sum(received) from raw._deliveries group by all").fetchall())
        landed = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
    assert set(per_source) == {"politie", "om", "vh", "gemeenten"}
    assert all(rows > 0 for rows in landed.values())


# --- the same delivery twice changes nothing, per connector


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> DataPaths:
    """Ten days of 2011, every defect on (repeated drops, corrections, invalid rows, API faults)."""
    paths = DataPaths(tmp_path_factory.mktemp("twice"))
    simulate(paths, year=2011, days=10, seed=6)
    return paths


def pull_politie(con, paths: DataPaths) -> list:
    return politie.extract(con, paths.landing_for("politie"), KEY)


def pull_om(con, paths: DataPaths) -> list:
    return om.extract(con, om.default_url(paths.landing_for("om")), KEY)


def pull_vh(con, paths: DataPaths) -> list:
    with vh_api.serve(paths.landing_for("vh")) as url:
        return vh.extract(con, url, KEY, max_attempts=10)


def pull_gemeenten(con, paths: DataPaths) -> list:
    return gemeenten.extract(con, paths.landing_for("gemeenten"), KEY)


@pytest.mark.parametrize("pull", [pull_politie, pull_om, pull_vh, pull_gemeenten], ids=lambda f: f.__name__[5:])
def test_taking_the_same_deliveries_again_changes_nothing(landing, tmp_path, pull: Callable):
    with duckdb.connect(str(tmp_path / "vh.duckdb")) as con:
        first = pull(con, landing)
        assert first and sum(o.accepted for o in first) > 0
        before = raw_state(con)
        assert pull(con, landing) == []
        assert raw_state(con) == before
        assert ledger_problems(con) == []


# --- one writer; readers use the published copy


def test_a_reader_is_refused_while_a_writer_holds_the_warehouse_but_the_published_copy_opens(pipeline, tmp_path):
    warehouse = shutil.copy(pipeline.paths.warehouse, tmp_path / "vh.duckdb")
    published = tmp_path / "published" / "vh_marts.duckdb"
    publish_copy = _publisher()
    if publish_copy:
        publish_copy(Path(warehouse), published)
    writer = _hold_open_for_writing(Path(warehouse))
    try:
        with pytest.raises(duckdb.IOException, match="Could not set lock on file"):
            duckdb.connect(str(warehouse), read_only=True)
        if publish_copy:
            with duckdb.connect(str(published), read_only=True) as reader:
                assert reader.execute("select count(*) from marts.report_cells").fetchone()[0] > 200
    finally:
        writer.kill()
        writer.wait()
    with duckdb.connect(str(warehouse), read_only=True) as reader:  # the writer gone, readers are welcome
        assert reader.execute("select count(*) from raw._deliveries").fetchone()[0] > 0


def _publisher() -> Callable | None:
    """The published copy's writer, once orchestration/publishing exists."""
    try:
        from orchestration.publishing.published_copy import publish_copy
    except ImportError:
        return None
    return publish_copy


def _hold_open_for_writing(warehouse: Path) -> subprocess.Popen:
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(warehouse)!r})\n"
        "print('writing', flush=True)\ntime.sleep(60)"
    )
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    return writer
