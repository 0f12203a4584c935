"""The pipeline's DuckDB connections keep to VH_DUCKDB_MEMORY_LIMIT (DuckDB's default is 80% of the machine)."""

import pytest
from dbt_cli import copy_warehouse, run_dbt

from sources import duckdb_memory


def test_a_connection_keeps_to_the_configured_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("VH_DUCKDB_MEMORY_LIMIT", "2GB")
    with duckdb_memory.connect(tmp_path / "w.duckdb") as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "1.8 GiB"  # 2 * 10^9 bytes


def test_the_default_limit_is_one_gigabyte(tmp_path, monkeypatch):
    monkeypatch.delenv("VH_DUCKDB_MEMORY_LIMIT", raising=False)
    with duckdb_memory.connect(tmp_path / "w.duckdb") as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # 10^9 bytes


@pytest.mark.parametrize(("configured", "shown"), [(None, "953.6 MiB"), ("2GB", "1.8 GiB")])
def test_dbt_keeps_to_the_same_limit(pipeline, tmp_path, monkeypatch, configured, shown):
    if configured is None:
        monkeypatch.delenv("VH_DUCKDB_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("VH_DUCKDB_MEMORY_LIMIT", configured)
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path / "warehouse")
    query = "select current_setting('memory_limit') as limit_in_use"
    dbt = run_dbt(
        ["show", "--inline", query, "--output", "json"], warehouse=warehouse, report_year=2011, workdir=tmp_path
    )
    assert dbt.process.returncode == 0, dbt.output
    assert f'"limit_in_use": "{shown}"' in dbt.output


@pytest.mark.parametrize("wrong", ["lots", "80%", "1 gigabyte", "12"])
def test_a_limit_that_is_no_size_is_refused_naming_the_setting(tmp_path, monkeypatch, wrong):
    monkeypatch.setenv("VH_DUCKDB_MEMORY_LIMIT", wrong)
    with pytest.raises(ValueError, match="VH_DUCKDB_MEMORY_LIMIT"):
        duckdb_memory.connect(tmp_path / "w.duckdb")
