"""The walking skeleton end to end: simulated police drops → raw → dbt → Table 1 mart → GX check."""

import duckdb
import pandas as pd
import pytest

from sources.simulator.truth import read_truth

pytestmark = pytest.mark.e2e


def police_drops(paths) -> pd.DataFrame:
    """Every row of every police drop, read independently of the pipeline's connector."""
    files = sorted(paths.landing_for("politie").glob("*.csv"))
    return pd.concat(pd.read_csv(p, sep=";", encoding="cp1252", dtype=str) for p in files)


def simulated_police_meldingen(paths) -> int:
    rows = police_drops(paths)
    return rows.loc[rows["Mutatiedatum"].str.endswith("-2011"), "Mutatienummer"].nunique()


def test_run_succeeds_with_every_check_passing(pipeline):
    assert pipeline.result.success
    evaluations = pipeline.result.get_asset_check_evaluations()
    assert evaluations, "the run evaluated no checks"
    assert [e.check_name for e in evaluations if not e.passed] == []
    assert "ledger_reconciles" in {e.check_name for e in evaluations}


def test_tabel_01_police_row_equals_what_the_simulator_produced(pipeline):
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        mart = con.execute("select herkomst, aantal from marts.tabel_01_meldingen_naar_herkomst").fetchall()
    truth = read_truth(pipeline.paths.truth)
    expected = int(truth.query("tabel == 1 and rij == 'Mutaties politie'")["waarde"].iloc[0])
    assert expected == simulated_police_meldingen(pipeline.paths)
    assert expected > 50  # a handful of days of a district, not an empty world
    assert mart == [("Mutaties politie", expected)]


def test_every_received_row_is_accounted_for(pipeline):
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        received, accepted, landed = con.execute(
            "select sum(received), sum(accepted), (select count(*) from raw.politie_mutaties) from raw._deliveries"
        ).fetchone()
    assert received == pipeline.simulation.police_rows
    assert accepted == landed == received  # a clean world: nothing quarantined, no duplicates


def test_no_bsn_or_name_of_the_simulated_world_reaches_the_warehouse(pipeline):
    drops = police_drops(pipeline.paths)
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema <> 'information_schema'"
        ).fetchall()
        dump = "\n".join(con.execute(f'select * from "{s}"."{t}"').df().to_csv() for s, t in tables)
    assert not [b for b in drops["BSN"].dropna().unique() if b in dump]
    assert not [n for n in drops["Achternaam"].dropna().unique() if n in dump]
    assert not [d for d in drops["Geboortedatum"].dropna().unique() if d in dump]
