"""The same pipeline on a PostgreSQL server: the same figures as on DuckDB, analysts in the marts only.

The end-to-end tests (test_end_to_end.py) run on both engines; these compare the two and check
what only PostgreSQL has: roles, the copy of raw, the connection settings.
"""

import datetime
import numbers
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pytest
from dbt_cli import run_dbt
from test_end_to_end import CONTRADICTIONS, PUBLISHED, cells

from orchestration.cli import main
from orchestration.environment import select_warehouse
from orchestration.postgres.copy import to_duckdb, to_postgres
from orchestration.postgres.roles import ANALYST_ROLE
from orchestration.postgres.settings import PostgresWarehouse

pytestmark = pytest.mark.e2e


def test_report_cells_from_postgresql_equal_those_from_duckdb_and_the_published_figures(pipeline, postgres_pipeline):
    on_duckdb = cells(pipeline.query("select * from marts.report_cells"))
    on_postgres = cells(postgres_pipeline.query("select * from marts.report_cells"))
    assert len(on_postgres) > 200
    assert on_postgres == on_duckdb
    published = pd.read_csv(PUBLISHED, dtype={"tabel": str})
    differing = {
        (r.tabel, r.rij, r.kolom): (int(r.waarde), on_postgres.get((r.tabel, r.rij, r.kolom)))
        for r in published.itertuples(index=False)
        if on_postgres.get((r.tabel, r.rij, r.kolom)) != r.waarde
    }
    assert differing == CONTRADICTIONS  # the report's own contradictions, and nothing else


@pytest.mark.parametrize("schema", ["staging", "intermediate", "marts", "audit"])
def test_every_model_holds_the_same_rows_on_both_engines(pipeline, postgres_pipeline, schema):
    tables = pipeline.query(f"select table_name from information_schema.tables where table_schema = '{schema}'")
    names = sorted(tables["table_name"])
    assert names
    differing = {}
    for name in names:
        if name == "publication_discrepancies":  # written by the audit step, compared below as report_cells
            continue
        on_duckdb = _rows(pipeline.query(f'select * from {schema}."{name}"'))
        on_postgres = _rows(postgres_pipeline.query(f'select * from {schema}."{name}"'))
        if on_duckdb != on_postgres:
            differing[name] = (len(on_duckdb), len(on_postgres), sorted(set(on_duckdb) ^ set(on_postgres))[:3])
    assert differing == {}


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """The rows as comparable text, whatever the engine's types (dates, whole numbers, nulls), without
    the moment of landing (each world was landed by a run of its own)."""
    frame = frame.drop(columns=[c for c in frame.columns if c.endswith("loaded_at")])

    def text(value) -> str:
        if value is None or (not isinstance(value, str | list) and pd.isna(value)):
            return "null"
        if isinstance(value, datetime.date | pd.Timestamp):
            return pd.Timestamp(value).isoformat()
        if isinstance(value, bool | np.bool_):
            return str(bool(value))
        if isinstance(value, numbers.Number):  # int, numpy's integers, Decimal
            return repr(float(value))
        return str(value)

    return sorted(tuple(text(v) for v in row) for row in frame.itertuples(index=False))


def test_an_analyst_reads_the_marts_and_nothing_else(postgres_pipeline, postgres_server, tmp_path, capsys):
    url = postgres_pipeline.warehouse_url
    try:
        # the pipeline's user may not create roles: a database administrator creates the group role once
        assert main(["postgres-roles", "--warehouse", url]) == 2
        assert f"create role {ANALYST_ROLE} nologin" in capsys.readouterr().err
        with psycopg.connect(postgres_server.admin_url("vh_2011"), autocommit=True) as admin:
            admin.execute(f"create role {ANALYST_ROLE} nologin")
            admin.execute(f"create role analist_anna login in role {ANALYST_ROLE}")
        assert main(["postgres-roles", "--warehouse", url]) == 0
        assert main(["postgres-roles", "--warehouse", url]) == 0  # again: changes nothing
    finally:
        select_warehouse("")
    analyst = postgres_server.admin_url("vh_2011").replace("postgres@", "analist_anna@")

    def read(relation: str) -> int:
        with psycopg.connect(analyst) as con:
            return con.execute(f"select count(*) from {relation}").fetchone()[0]

    assert read("marts.report_cells") > 200
    assert read("marts.fct_meldingen") > 3000
    for relation in (
        "raw.politie_mutaties", "raw._deliveries", "raw._quarantine", "staging.stg_politie__mutaties",
        "staging.stg_vh__meldingen", "intermediate.int_meldingen", "reference.gemeenten", "audit.report_cell_members",
    ):  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            read(relation)
    # dbt replaces the marts' tables on every build: the analysts keep reading the new ones
    rebuilt = run_dbt(
        ["run", "--select", "report_cells", "tabel_01_meldingen_naar_herkomst"],
        warehouse=postgres_pipeline.paths.warehouse,
        report_year=2011,
        workdir=tmp_path,
        extra_env=PostgresWarehouse.from_url(url).dbt_environment(),
    )
    assert rebuilt.process.returncode == 0, rebuilt.output
    assert read("marts.report_cells") > 200
    assert read("marts.tabel_01_meldingen_naar_herkomst") == 4
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        read("staging.stg_om__casusoverleggen")


def test_raw_in_postgresql_holds_what_the_landing_file_holds(postgres_pipeline):
    with duckdb.connect(str(postgres_pipeline.paths.warehouse), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        landed = {t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for (t,) in tables}
    copied = {t: int(postgres_pipeline.query(f'select count(*) as n from raw."{t}"')["n"][0]) for t in landed}
    assert copied == landed
    assert landed["politie_mutaties"] > 3000


def test_a_table_travels_to_postgresql_and_back_unchanged(postgres_server, tmp_path):
    url = postgres_server.create_warehouse("vh_copy")
    warehouse = PostgresWarehouse.from_url(url)
    with duckdb.connect(str(tmp_path / "a.duckdb")) as source, warehouse.connect() as pg:
        source.execute("create schema raw")
        source.execute(
            "create table raw.t (tekst varchar, leeg varchar, ja boolean, op timestamp, dag date, n integer, "
            "groot bigint, record json)"
        )
        source.execute(
            """insert into raw.t values
            ('a;b,"c"' || chr(10) || 'd', '', true, timestamp '2011-03-01 12:34:56.789', date '2011-12-31', 1,
             9007199254740993, '{"projectcode": NaN}'),
            (null, null, null, null, null, null, null, null)"""
        )
        assert to_postgres(source, pg, "raw", ["t"]) == {"t": 2}
        assert to_postgres(source, pg, "raw", ["t"]) == {"t": 2}  # again: emptied and refilled, not appended
        pg.commit()
        with duckdb.connect(str(tmp_path / "b.duckdb")) as back:
            assert to_duckdb(pg, back, "raw", ["t"]) == {"t": 2}
            types = back.execute("select data_type from information_schema.columns where table_name = 't'").fetchall()
            assert [t[0] for t in types][:7] == [
                "VARCHAR",
                "VARCHAR",
                "BOOLEAN",
                "TIMESTAMP",
                "DATE",
                "INTEGER",
                "BIGINT",
            ]
            original = source.execute("select * exclude (record), record::varchar from raw.t order by n").fetchall()
            returned = back.execute("select * exclude (record), record::varchar from raw.t order by n").fetchall()
    assert returned == original
    assert returned[0][1] == ""  # an empty string stays empty, a null stays null
    assert returned[1][1] is None


def test_the_warehouse_url_gives_dbt_its_connection_and_keeps_the_password_out_of_sight():
    warehouse = PostgresWarehouse.from_url("postgresql://vhpipe:geh%40eim@db.example:6543/vh")
    assert (warehouse.host, warehouse.port, warehouse.user, warehouse.password, warehouse.dbname) == (
        "db.example", 6543, "vhpipe", "geh@eim", "vh",
    )  # fmt: skip
    assert "geh" not in str(warehouse) and "geh" not in warehouse.conninfo()
    assert warehouse.dbt_environment()["DBT_ENV_SECRET_VH_PG_PASSWORD"] == "geh@eim"
    socket = PostgresWarehouse.from_url("postgresql:///vh?host=/run/postgresql")
    assert (socket.host, socket.port, socket.dbname) == ("/run/postgresql", 5432, "vh")
    for bad in ("mysql://x@y/vh", "postgresql://x@y:5432/"):
        with pytest.raises(ValueError, match="VH_WAREHOUSE_URL"):
            PostgresWarehouse.from_url(bad)


def test_vhpipe_run_refuses_a_warehouse_that_is_not_postgresql(capsys):
    assert main(["run", "--warehouse", "mysql://x@y/vh"]) == 2
    assert "postgresql://" in capsys.readouterr().err
    assert main(["postgres-roles", "--warehouse", ""]) == 2  # nothing to set up on the DuckDB file


def test_checks_reports_and_explain_read_what_postgresql_built(pipeline, postgres_pipeline, monkeypatch, capsys):
    paths = postgres_pipeline.paths
    discrepancies = "select tabel, rij, kolom, gepubliceerd, afgeleid, berekend from audit.publication_discrepancies"
    assert len(postgres_pipeline.query(discrepancies)) == len(CONTRADICTIONS)
    assert _rows(postgres_pipeline.query(discrepancies)) == _rows(pipeline.query(discrepancies))
    with duckdb.connect(str(paths.published), read_only=True) as con:
        totaal = "select waarde from marts.report_cells where tabel = '1' and rij = 'Totaal' and kolom = 'aantal'"
        assert con.execute(totaal).fetchone()[0] == 3362
    for report in ("reconciliation.html", "jaarverslag_2011.html", "jaarverslag_2011_openbaar.html"):
        assert (paths.reports / report).is_file()
    monkeypatch.setenv("VH_DATA_DIR", str(paths.root))
    try:
        command = ["explain", "--warehouse", postgres_pipeline.warehouse_url, "--tabel", "1", "--rij", "Totaal"]
        assert main([*command, "--kolom", "aantal", "--limit", "1"]) == 0
    finally:
        select_warehouse("")
    assert "Tabel 1 · Totaal · aantal: 3362" in capsys.readouterr().out


def test_vhpipe_run_with_a_warehouse_url_runs_against_postgresql_and_hides_the_password(postgres_pipeline):
    env = {**os.environ, "VH_DATA_DIR": str(postgres_pipeline.paths.root), "VH_WAREHOUSE_URL": ""}
    vhpipe = str(Path(sys.executable).parent / "vhpipe")
    command = [vhpipe, "run", "--job", "audit_checks", "--warehouse", postgres_pipeline.warehouse_url]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"warehouse (PostgreSQL) {PostgresWarehouse.from_url(postgres_pipeline.warehouse_url)}" in run.stdout
    assert "Mutaties politie" in run.stdout  # Tabel 1, read from what PostgreSQL built
    assert ":pipeline@" not in run.stdout + run.stderr
