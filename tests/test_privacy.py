"""Privacy: no BSN, surname or birth date of the simulated world leaves the connectors, whatever a run
writes (warehouse, published copy, exports, reports, logs, dbt's files, Dagster's events); the key lives
outside the data and the repository, and production refuses to run without one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from reliability import PersonData, person_data_in_folder

from sources import pseudonymise
from sources.connectors.persons import AGE_BANDS
from sources.paths import PROJECT_ROOT
from sources.simulator import simulate
from sources.simulator.defects import DefectRates

VHPIPE = str(Path(sys.executable).parent / "vhpipe")


@pytest.fixture(scope="module")
def person_data(pipeline) -> PersonData:
    return PersonData.of(pipeline.simulation.world)


def test_the_world_has_person_data_to_leak(person_data):
    assert len(person_data.bsns) > 1000 and len(person_data.birth_dates) > 1000
    assert person_data.found_in("Jansen, 111222333 en Crützen") == ["Crützen", "Jansen"]


def test_the_search_finds_person_data_planted_in_a_database_a_workbook_and_a_log(person_data, tmp_path):
    import duckdb
    from openpyxl import Workbook

    bsn, born = sorted(person_data.bsns)[0], sorted(person_data.birth_dates)[0]
    with duckdb.connect(str(tmp_path / "copy.duckdb")) as con:
        con.execute("create schema marts; create table marts.lek as select ? as code", [bsn])
    book = Workbook()
    book.active.append(["Naam", "Coenen"])
    book.save(tmp_path / "tabellen.xlsx")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "run.log").write_text(f'{{"msg": "geboren {born}"}}')
    assert person_data_in_folder(tmp_path, person_data) == {
        "copy.duckdb": [f"BSN {bsn}"],
        "logs/run.log": [f"birth date {born}"],
        "tabellen.xlsx": ["Coenen"],
    }


def test_no_file_a_full_run_writes_holds_a_bsn_surname_or_birth_date(pipeline, person_data):
    """Everything under the data folder but the sources' own deliveries: the warehouse (every schema,
    the quarantine included), the published copy, exports, reports, logs, dbt's target and logs."""
    written = [p for p in pipeline.paths.root.rglob("*") if p.is_file() and "landing" not in p.parts]
    assert any(p.suffix == ".duckdb" for p in written) and any(p.name == "dbt.log" for p in written)
    if (pipeline.paths.root / "exports").exists():  # the published copy, exports and reports, once they exist
        assert any(p.suffix == ".xlsx" for p in written) and any(p.suffix == ".parquet" for p in written)
    assert person_data_in_folder(pipeline.paths.root, person_data) == {}


def test_no_dagster_event_of_the_run_holds_a_bsn_surname_or_birth_date(pipeline, person_data):
    """The run's event log as Dagster stores it: messages, metadata, errors, dbt's structured events."""
    events = pipeline.result.all_events
    assert any(e.is_step_materialization for e in events)
    assert person_data.found_in("\n".join(dg.serialize_value(e) for e in events)) == []


def test_birth_dates_reach_the_warehouse_only_as_age_bands(pipeline):
    import duckdb

    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        columns = [c for (c,) in con.execute("select column_name from information_schema.columns").fetchall()]
        bands = {b for (b,) in con.execute("select distinct leeftijdsklasse from raw.politie_mutaties").fetchall()}
    assert not [c for c in columns if "geboorte" in c or c in {"bsn", "achternaam", "voornamen"}]
    assert bands - {None} <= {f"{low}+" if high >= 200 else f"{low}-{high}" for low, high in AGE_BANDS}


# --- the key


def test_production_mode_refuses_to_run_without_a_key_and_writes_nothing(tmp_path):
    paths = simulate_into(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"VH_PSEUDONYM_KEY", "VH_KEY_FILE"}}
    env |= {"VH_DATA_DIR": str(tmp_path), "VH_MODE": "production"}
    run = subprocess.run([VHPIPE, "run"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0
    assert "VH_MODE=production needs a pseudonymisation key: set VH_PSEUDONYM_KEY or VH_KEY_FILE" in run.stderr
    assert not paths.warehouse.exists()
    written = [
        p for p in tmp_path.rglob("*") if p.is_file() and p.parts[len(tmp_path.parts)] not in {"landing", "truth"}
    ]
    assert [p.name for p in written] in ([], ["dagster.yaml"])  # no run, no log, no data


def simulate_into(root: Path):
    from sources.paths import DataPaths

    paths = DataPaths(root)
    simulate(paths, year=2011, days=1, defects=DefectRates.none())
    return paths


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"VH_PSEUDONYM_KEY": "kort"}, "at least 32 bytes; VH_PSEUDONYM_KEY holds 4"),
        ({"VH_KEY_FILE": "{data}/geheim.key"}, "lies inside the data folder"),
        ({"VH_KEY_FILE": "{project}/geheim.key"}, "lies inside the project (a repository)"),
        ({"VH_KEY_FILE": "{outside}/open.key"}, "is readable by other users: chmod 600 it"),
        ({"VH_KEY_FILE": "{outside}/nergens.key"}, "which does not exist"),
    ],
    ids=["short-key", "key-in-data-folder", "key-in-repository", "key-file-readable-by-all", "no-key-file"],
)
def test_production_mode_refuses_a_weak_or_misplaced_key(tmp_path, monkeypatch, settings, problem):
    data, outside = tmp_path / "data", tmp_path / "elders"
    data.mkdir()
    outside.mkdir()
    for key_file, mode in ((data / "geheim.key", 0o600), (outside / "open.key", 0o644)):
        key_file.write_text("k" * 64)
        key_file.chmod(mode)
    monkeypatch.setenv("VH_MODE", "production")
    monkeypatch.setenv("VH_DATA_DIR", str(data))
    monkeypatch.delenv("VH_PSEUDONYM_KEY", raising=False)
    project_key = PROJECT_ROOT / "geheim.key"
    for name, value in settings.items():
        monkeypatch.setenv(name, value.format(data=data, project=PROJECT_ROOT, outside=outside))
    try:
        if "{project}" in settings.get("VH_KEY_FILE", ""):
            project_key.write_text("k" * 64)
            project_key.chmod(0o600)
        assert problem in (pseudonymise.key_problem() or "")
    finally:
        project_key.unlink(missing_ok=True)


def test_production_mode_accepts_a_strong_key_file_outside_project_and_data(tmp_path, monkeypatch):
    key_file = tmp_path / "elders" / "pseudonym.key"
    key_file.parent.mkdir()
    key_file.write_text("0123456789abcdef" * 4)
    key_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
    monkeypatch.setenv("VH_MODE", "production")
    monkeypatch.setenv("VH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("VH_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("VH_KEY_FILE", str(key_file))
    assert pseudonymise.key_problem() is None
    assert pseudonymise.Pseudonymiser().pseudonym("bsn", "111222333") != pseudonymise.Pseudonymiser(b"x").pseudonym(
        "bsn", "111222333"
    )


def test_the_demo_key_lives_outside_the_data_folder_and_git_ignores_it(pipeline):
    demo_key = pseudonymise.DEMO_KEY_FILE
    assert not demo_key.resolve().is_relative_to(pipeline.paths.root.resolve())
    assert not demo_key.resolve().is_relative_to((PROJECT_ROOT / "data").resolve())
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", str(demo_key)], cwd=PROJECT_ROOT, check=False)
    assert ignored.returncode == 0, f"{demo_key} is not git-ignored"


# --- the surrogate-key salt


def test_the_surrogate_key_salt_is_used_but_written_nowhere(pipeline):
    """The analysts' keys are salted with the secret, and the secret appears in no file the run wrote
    (dbt's compiled SQL, run results and logs included) nor in the run's Dagster events."""
    import duckdb

    from orchestration.environment import surrogate_salt

    salt = surrogate_salt()
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        total = con.execute("select count(*) from marts.fct_meldingen").fetchone()[0]
        salted = con.execute(
            """select count(*) from marts.fct_meldingen as f join intermediate.int_meldingen as i
               on f.melding_sleutel = md5(? || ':' || i.bron || ':' || i.melding_id)""",
            [salt],
        ).fetchone()[0]
    assert total > 3000 and salted == total
    written = [p for p in pipeline.paths.root.rglob("*") if p.is_file() and "landing" not in p.parts]
    assert any(p.suffix == ".sql" for p in written) and any(p.name == "dbt.log" for p in written)
    assert [p for p in written if salt.encode() in p.read_bytes()] == []
    assert salt not in "\n".join(dg.serialize_value(e) for e in pipeline.result.all_events)
