"""The dbt project on a fully built warehouse: tests pass, the project is documented and laid out
as agreed, the docs site builds, the analyst marts hold no person identifiers, and the
incremental facts behave as designed.

Everything runs on the session's 2011 world; tests that run dbt or change tables work on a copy of
its warehouse.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dbt_cli import copy_warehouse, run_dbt

from orchestration.environment import DBT_PROJECT_DIR

PROJECT = "veiligheidshuis"
FACTS = ("fct_meldingen", "fct_vervolgacties")


def load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def models_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


# --- the nightly build --------------------------------------------------------------------------


def test_the_nightly_dbt_build_passed_every_data_test_and_left_unit_tests_to_ci(pipeline):
    builds = [
        path.parent
        for path in pipeline.paths.dbt_target.rglob("run_results.json")
        if load_json(path)["args"].get("which") == "build"
    ]
    assert builds, f"no run_results.json of a dbt build under {pipeline.paths.dbt_target}"
    build = max(builds, key=lambda folder: (folder / "run_results.json").stat().st_mtime)
    results = {r["unique_id"]: r["status"] for r in load_json(build / "run_results.json")["results"]}

    failed = {uid: status for uid, status in results.items() if status in {"error", "fail", "skipped"}}
    assert not failed
    # every data test the project defines took part: none was deselected or left out
    manifest = load_json(build / "manifest.json")
    tests = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    assert tests <= results.keys()
    # unit tests check SQL against fixed inputs: they run in CI (tests/test_dbt_rules.py), not every night
    assert len(manifest["unit_tests"]) >= 6
    assert not set(manifest["unit_tests"]) & results.keys()


# --- documentation and layout -------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs(pipeline, tmp_path_factory) -> Path:
    """`dbt docs generate` on a copy of the built warehouse; returns its target folder."""
    workdir = tmp_path_factory.mktemp("dbt-docs")
    warehouse = copy_warehouse(pipeline.paths.warehouse, workdir / "warehouse")
    run = run_dbt(["docs", "generate"], warehouse=warehouse, report_year=pipeline.simulation.year, workdir=workdir)
    assert run.process.returncode == 0, run.output
    return run.target


@pytest.fixture(scope="module")
def manifest(docs) -> dict[str, Any]:
    return load_json(docs / "manifest.json")


@pytest.fixture(scope="module")
def catalog(docs) -> dict[str, Any]:
    return load_json(docs / "catalog.json")


def test_docs_generate_writes_the_site_and_a_catalog_of_the_marts(docs, manifest, catalog):
    assert {"index.html", "manifest.json", "catalog.json"} <= {path.name for path in docs.iterdir()}
    assert f"model.{PROJECT}.report_cells" in catalog["nodes"]
    marts = {node["unique_id"] for node in models_of(manifest) if node["fqn"][1] == "marts"}
    assert marts <= catalog["nodes"].keys()


def test_every_model_and_every_column_has_a_description(manifest):
    undescribed = [node["name"] for node in models_of(manifest) if not node["description"].strip()]
    undescribed += [
        f"{node['name']}.{column['name']}"
        for node in models_of(manifest)
        for column in node["columns"].values()
        if not column.get("description", "").strip()
    ]
    assert not undescribed


def test_every_column_in_the_warehouse_is_documented(manifest, catalog):
    # the manifest only knows the columns the YAML names: the catalog has what the models really built
    documented = {node["unique_id"]: {name.lower() for name in node["columns"]} for node in models_of(manifest)}
    missing = [
        f"{uid}.{column}"
        for uid, node in catalog["nodes"].items()
        if uid in documented
        for column in node["columns"]
        if column.lower() not in documented[uid]
    ]
    assert not missing


def test_the_report_marts_enforce_their_contract(manifest):
    report_marts = [node for node in models_of(manifest) if node["fqn"][1:-1] == ["marts"]]
    assert report_marts
    assert [node["name"] for node in report_marts if not node["contract"]["enforced"]] == []


def test_each_model_is_described_in_its_own_yaml_beside_its_sql(manifest):
    for node in models_of(manifest):
        expected = f"{PROJECT}://" + Path(node["original_file_path"]).with_suffix(".yml").as_posix()
        assert node["patch_path"] == expected, node["name"]
    # and no YAML describes a second model (source definitions live in _<source>__sources.yml)
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        content = yaml.safe_load(path.read_text())
        names = [model["name"] for model in content.get("models", [])]
        if path.name.endswith("__sources.yml"):
            assert names == [], path
        else:
            assert names == [path.stem], path


def layout_pattern(folders: list[str]) -> str | None:
    """The name a model in models/<folders> must have, as a regular expression (None: no model belongs there)."""
    match folders:
        case ["staging", source]:
            return rf"stg_{source}__[a-z0-9_]+"
        case ["intermediate", *_]:
            return r"int_[a-z0-9_]+"
        case ["marts"]:
            return r"tabel_\d\d_[a-z0-9_]+|bijlage_3_[a-z0-9_]+|report_cells"
        case ["marts", "analyse"]:
            return r"(fct|dim)_[a-z0-9_]+"
        case ["audit"]:
            return r"report_cell_members|report_cell_parts"  # the auditor's lineage, never published
    return None


def test_model_names_follow_the_layout_of_the_layers(manifest):
    misnamed = []
    for node in models_of(manifest):
        folders = node["fqn"][1:-1]
        pattern = layout_pattern(folders)
        if pattern is None or not re.fullmatch(pattern, node["name"]):
            misnamed.append(f"models/{'/'.join(folders)}/{node['name']}")
    assert not misnamed


# --- no person-level data in the analyst marts ----------------------------------------------------

PERSON_WORDS = ("persoon", "bsn", "naam", "geboorte", "sleutel")
SURROGATE_KEYS = {"melding_sleutel", "vervolgactie_sleutel", "traject_sleutel", "huisverbod_sleutel"}
NOT_ABOUT_PERSONS = {"maandnaam"}  # dim_datum: the name of the month


@pytest.fixture(scope="module")
def warehouse(pipeline):
    """The session's warehouse, read only."""
    with duckdb.connect(str(pipeline.paths.warehouse), read_only=True) as con:
        yield con


def columns_of(con, schema: str, table_pattern: str, column_pattern: str = ".*") -> list[tuple[str, str]]:
    return con.execute(
        """
        select table_name, column_name from information_schema.columns
        where table_schema = ? and regexp_full_match(table_name, ?) and regexp_full_match(column_name, ?)
        order by all
        """,
        [schema, table_pattern, column_pattern],
    ).fetchall()


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def person_pseudonyms_in(con, schema: str, table_pattern: str) -> list[tuple[str, str]]:
    """(column, value) of every value in the tables that contains a person pseudonym landed in raw."""
    pseudonyms = " union ".join(
        f"select {quoted(column)} as pseudonym from raw.{quoted(table)}"
        for table, column in columns_of(con, "raw", ".*", "persoon_sleutel|naam_sleutel")
    )
    values = " union all ".join(
        f"select distinct '{table}.{column}' as kolom, cast({quoted(column)} as varchar) as waarde "
        f"from {schema}.{quoted(table)}"
        for table, column in columns_of(con, schema, table_pattern)
    )
    return con.execute(
        f"""
        with pseudonyms as (select distinct pseudonym from ({pseudonyms}) where pseudonym is not null),
        candidates as (
            select * from ({values})
            where length(waarde) >= (select min(length(pseudonym)) from pseudonyms)
        )
        select kolom, waarde from candidates inner join pseudonyms on contains(candidates.waarde, pseudonyms.pseudonym)
        """
    ).fetchall()


def test_analyst_marts_have_no_person_identifier_columns(warehouse):
    columns = columns_of(warehouse, "marts", "(fct|dim)_.*")
    assert {table for table, _ in columns} >= {"fct_meldingen", "fct_vervolgacties", "fct_trajecten"}
    suspicious = [
        f"{table}.{column}"
        for table, column in columns
        if any(word in column for word in PERSON_WORDS) and column not in SURROGATE_KEYS | NOT_ABOUT_PERSONS
    ]
    assert not suspicious


def test_no_person_pseudonym_from_raw_appears_in_the_analyst_marts(warehouse):
    # the check itself finds them where they are meant to be: int_meldingen links persons
    assert person_pseudonyms_in(warehouse, "intermediate", "int_meldingen")
    assert person_pseudonyms_in(warehouse, "marts", "(fct|dim)_.*") == []


# --- incremental facts --------------------------------------------------------------------------
# By design a nightly run of the facts only merges rows landed after the newest row already in
# them (loaded_at > max(loaded_at)), so its cost follows the new data. It does not look back:
# rows lost below that mark stay lost until a --full-refresh rebuilds the facts from scratch.


@pytest.fixture
def report_year(pipeline) -> int:
    """The year the session's warehouse holds the report of."""
    return pipeline.simulation.year


@pytest.fixture
def facts_warehouse(pipeline, tmp_path) -> Path:
    """A copy of the built warehouse with the facts as built saved in schema `as_built`."""
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path / "warehouse")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema as_built")
        for fact in FACTS:
            con.execute(f"create table as_built.{fact} as select * from marts.{fact}")
    return warehouse


def differing_rows(warehouse: Path, fact: str) -> int:
    """Rows in the fact or in its saved copy but not in both (duplicates counted)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"""
            select count(*) from (
                (select * from marts.{fact} except all select * from as_built.{fact})
                union all
                (select * from as_built.{fact} except all select * from marts.{fact})
            )
            """
        ).fetchone()[0]


def row_count(warehouse: Path, fact: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select count(*) from marts.{fact}").fetchone()[0]


def test_an_incremental_rerun_leaves_the_facts_unchanged(facts_warehouse, report_year, tmp_path):
    run = run_dbt(["run", "--select", *FACTS], warehouse=facts_warehouse, report_year=report_year, workdir=tmp_path)
    assert run.process.returncode == 0, run.output

    for fact in FACTS:
        # the run was incremental: only then does the model's SQL read the fact itself (its high-water mark)
        assert f'"marts"."{fact}"' in run.results[f"model.{PROJECT}.{fact}"]["compiled_code"]
        assert row_count(facts_warehouse, fact) > 0
        assert differing_rows(facts_warehouse, fact) == 0, fact


def test_an_incremental_run_restores_missing_rows_without_rewriting_the_rest_and_a_full_refresh_rebuilds(
    facts_warehouse, report_year, tmp_path
):
    # lose the 10 newest rows below the newest one, so the high-water mark stays where the nightly run left it
    with duckdb.connect(str(facts_warehouse)) as con:
        lost = con.execute(
            """
            delete from marts.fct_meldingen where melding_sleutel in (
                select melding_sleutel from marts.fct_meldingen
                order by loaded_at desc, melding_sleutel
                limit 10 offset 1
            )
            returning melding_sleutel
            """
        ).fetchall()
        assert len(lost) == 10
        mark = "select max(loaded_at) from {}.fct_meldingen"
        assert con.execute(mark.format("marts")).fetchone() == con.execute(mark.format("as_built")).fetchone()

    incremental = run_dbt(
        ["run", "--select", *FACTS],
        warehouse=facts_warehouse,
        report_year=report_year,
        workdir=tmp_path / "incremental",
    )
    assert incremental.process.returncode == 0, incremental.output
    # the fact converges to the harmonised layer: the lost rows are back, nothing else changed
    assert differing_rows(facts_warehouse, "fct_meldingen") == 0
    assert differing_rows(facts_warehouse, "fct_vervolgacties") == 0

    full_refresh = run_dbt(
        ["run", "--full-refresh", "--select", *FACTS],
        warehouse=facts_warehouse,
        report_year=report_year,
        workdir=tmp_path / "full-refresh",
    )
    assert full_refresh.process.returncode == 0, full_refresh.output
    for fact in FACTS:
        assert differing_rows(facts_warehouse, fact) == 0, fact


def test_an_incremental_run_deletes_fact_rows_the_harmonised_layer_no_longer_has(
    facts_warehouse, report_year, tmp_path
):
    """A JCO the register recorded first and the OM later: the register's row must leave the fact,
    or the JCO is counted twice. Stand-in: fact rows whose key int_vervolgacties / int_meldingen lack."""
    with duckdb.connect(str(facts_warehouse)) as con:
        for fact, key in (("fct_vervolgacties", "vervolgactie_sleutel"), ("fct_meldingen", "melding_sleutel")):
            con.execute(
                f"insert into marts.{fact} select * replace ('gone-from-the-source' as {key}) "
                f"from marts.{fact} order by loaded_at limit 1"
            )
    incremental = run_dbt(
        ["run", "--select", *FACTS], warehouse=facts_warehouse, report_year=report_year, workdir=tmp_path
    )
    assert incremental.process.returncode == 0, incremental.output
    for fact in FACTS:
        assert differing_rows(facts_warehouse, fact) == 0, fact


# --- required columns ---------------------------------------------------------------------------


def test_every_model_declares_its_required_columns_in_one_not_null_columns_test(manifest):
    """One test per model for all its required columns: dbt spends a node on each test it runs."""
    column_tests = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") == "not_null"
        and (node["attached_node"] or "").startswith("model.")
    ]
    assert not column_tests, "models declare required columns in not_null_columns, not per column"
    per_model = [
        node["attached_node"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") == "not_null_columns"
    ]
    assert len(per_model) == len(set(per_model)) >= 40


def test_not_null_columns_fails_on_nulls_and_counts_them_per_column(pipeline, report_year, tmp_path):
    warehouse = copy_warehouse(pipeline.paths.warehouse, tmp_path / "warehouse")
    with duckdb.connect(str(warehouse)) as con:
        emptied = {
            column: con.execute(
                f"update marts.fct_meldingen set {column} = null where melding_sleutel in "
                f"(select melding_sleutel from marts.fct_meldingen order by melding_sleutel limit {rows})"
            ).fetchone()[0]
            for column, rows in (("doelgroep", 3), ("gemeente", 2))
        }
    assert emptied == {"doelgroep": 3, "gemeente": 2}

    run = run_dbt(
        ["test", "--select", "fct_meldingen,test_name:not_null_columns", "--store-failures"],
        warehouse=warehouse,
        report_year=report_year,
        workdir=tmp_path,
    )
    [result] = run.results.values()
    assert result["status"] == "fail", run.output
    assert result["failures"] == 5  # null cells, not columns
    # the rows it returns name each column with nulls and how many (dbt stored them with --store-failures)
    assert result["relation_name"], run.output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"select column_name, null_rows from {result['relation_name']}").fetchall()
    assert sorted(rows) == [("doelgroep", 3), ("gemeente", 2)]


LATE_MUTATIE = "PL9999-2011999999"


def land_later_version(con: duckdb.DuckDBPyConnection, mutatienummer: str, change: str) -> None:
    """A correction of a mutatie: its latest version again with a higher versie and `change` (a `replace`
    item), landed an hour after every other row."""
    newest = "(select max(_loaded_at) from raw.politie_mutaties)"
    con.execute(
        f"""insert into raw.politie_mutaties select * replace (
            cast(cast(versie as integer) + 1 as varchar) as versie, {change},
            'politie:correction.csv' as _delivery_id, {newest} + interval 1 hour as _loaded_at)
        from raw.politie_mutaties where mutatienummer = ? and cast(versie as integer) = (
            select max(cast(versie as integer)) from raw.politie_mutaties where mutatienummer = ?)""",
        [mutatienummer, mutatienummer],
    )


def land_late_copy(con: duckdb.DuckDBPyConnection, mutatienummer: str) -> None:
    """A copy of a mutatie as a new one, LATE_MUTATIE, landed with a clock earlier than every other row's."""
    con.execute(
        f"""insert into raw.politie_mutaties select * replace (
            '{LATE_MUTATIE}' as mutatienummer, 'politie:late.csv' as _delivery_id,
            timestamp '2000-01-01' as _loaded_at)
        from raw.politie_mutaties where mutatienummer = ?""",
        [mutatienummer],
    )


def rebuilt_rows(warehouse: Path, model: str, query: str, report_year: int, workdir: Path) -> list[tuple]:
    """The rows of `query` after `model` is built from scratch (dbt's --full-refresh), in order."""
    rebuild = run_dbt(
        ["run", "--full-refresh", "--select", model],
        warehouse=warehouse,
        report_year=report_year,
        workdir=workdir / "rebuild",
    )
    assert rebuild.process.returncode == 0, rebuild.output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"{query} order by all").fetchall()


def test_the_police_staging_takes_a_night_incrementally_and_equals_a_rebuild(warehouse_copy, report_year, tmp_path):
    """stg_politie__mutaties, incremental on DuckDB: a corrected mutatie (a higher versie, another selection
    code), a new one landed with an earlier clock, and a mutatie purged from raw come out as a rebuild makes
    them, and the mutaties nothing touched are not rewritten."""
    warehouse = warehouse_copy
    staging = "select * exclude (loaded_at) from staging.stg_politie__mutaties"
    with duckdb.connect(str(warehouse)) as con:
        corrected, purged, copied = (
            row[0]
            for row in con.execute(
                "select mutatienummer from staging.stg_politie__mutaties where in_district "
                "group by 1 having count(*) = 1 order by 1 limit 3"
            ).fetchall()
        )
        con.execute("create table untouched as select rowid as r, * from staging.stg_politie__mutaties")
        land_later_version(con, corrected, "'JGD' as selectiecode")
        land_late_copy(con, copied)
        con.execute("delete from raw.politie_mutaties where mutatienummer = ?", [purged])

    night = run_dbt(
        ["run", "--select", "stg_politie__mutaties"], warehouse=warehouse, report_year=report_year, workdir=tmp_path
    )
    assert night.process.returncode == 0, night.output
    compiled = night.results[f"model.{PROJECT}.stg_politie__mutaties"]["compiled_code"]
    assert '"staging"."stg_politie__mutaties"' in compiled  # the night was incremental: it read the model itself
    with duckdb.connect(str(warehouse)) as con:
        after_night = con.execute(f"{staging} order by all").fetchall()
        by_number = dict(
            con.execute(
                "select mutatienummer, selectiecode from staging.stg_politie__mutaties "
                "where mutatienummer in (?, ?, ?)",
                [corrected, purged, LATE_MUTATIE],
            ).fetchall()
        )
        # the untouched mutaties kept their rows where they were: not deleted and inserted again
        moved = con.execute(
            "select count(*) from untouched u left join staging.stg_politie__mutaties s on s.rowid = u.r "
            "and s.mutatienummer = u.mutatienummer and s.delivery_row_number = u.delivery_row_number "
            "where u.mutatienummer not in (?, ?) and s.mutatienummer is null",
            [corrected, purged],
        ).fetchone()[0]
    assert by_number[corrected] == "JGD"  # the correction's selection code
    assert LATE_MUTATIE in by_number and purged not in by_number
    assert moved == 0

    assert rebuilt_rows(warehouse, "stg_politie__mutaties", staging, report_year, tmp_path) == after_night


def test_the_meldingen_take_a_night_incrementally_and_equal_a_rebuild(warehouse_copy, report_year, tmp_path):
    """int_meldingen, incremental on DuckDB, per mutatie and per register melding: a mutatie corrected to a
    place outside the district and a register melding corrected to a test person leave, a mutatie corrected
    to another selection code changes its doelgroep, a mutatie landed with an earlier clock comes in, a
    purged mutatie and a purged register melding leave; the night equals a rebuild, and the meldingen
    nothing touched are not rewritten."""
    warehouse = warehouse_copy
    meldingen = "select * exclude (loaded_at) from intermediate.int_meldingen"
    with duckdb.connect(str(warehouse)) as con:
        moved_out, recoded, purged, copied = (
            row[0]
            for row in con.execute(
                "select mutatienummer from staging.stg_politie__mutaties where in_district and selectiecode <> 'JGD' "
                "and mutatienummer in (select melding_id from intermediate.int_meldingen) "
                "group by 1 having count(*) = 1 order by 1 limit 4"
            ).fetchall()
        )
        tested, gone = (
            row[0]
            for row in con.execute(
                "select melding_id from intermediate.int_meldingen where bron = 'vh' order by 1 limit 2"
            ).fetchall()
        )
        con.execute("create table untouched as select rowid as r, * from intermediate.int_meldingen")
        land_later_version(con, moved_out, "'Heerlen' as pleegplaats")
        land_later_version(con, recoded, "'JGD' as selectiecode")
        land_late_copy(con, copied)
        con.execute("delete from raw.politie_mutaties where mutatienummer = ?", [purged])
        con.execute(
            """insert into raw.vh_meldingen select * replace (
                true as is_testpersoon, '2099-01-01T00:00:00' as gewijzigd_op,
                'vh:correction' as _delivery_id, now() as _loaded_at)
            from raw.vh_meldingen where melding_id = ?
            qualify row_number() over (order by gewijzigd_op desc, _loaded_at desc) = 1""",
            [tested],
        )
        con.execute("delete from raw.vh_meldingen where melding_id = ?", [gone])
        doelgroep_before = con.execute(
            "select doelgroep from intermediate.int_meldingen where melding_id = ?", [recoded]
        ).fetchone()[0]

    night = run_dbt(
        ["run", "--select", "stg_politie__mutaties", "stg_vh__meldingen", "int_meldingen"],
        warehouse=warehouse,
        report_year=report_year,
        workdir=tmp_path,
    )
    assert night.process.returncode == 0, night.output
    compiled = night.results[f"model.{PROJECT}.int_meldingen"]["compiled_code"]
    assert '"intermediate"."int_meldingen"' in compiled  # the night was incremental: it read the model itself
    changed = [moved_out, recoded, purged, copied, LATE_MUTATIE, tested, gone]
    with duckdb.connect(str(warehouse)) as con:
        after_night = con.execute(f"{meldingen} order by all").fetchall()
        doelgroepen = dict(
            con.execute(
                "select melding_id, doelgroep from intermediate.int_meldingen where list_contains(?, melding_id)",
                [changed],
            ).fetchall()
        )
        # the untouched meldingen kept their rows where they were: not deleted and inserted again
        moved = con.execute(
            "select count(*) from untouched u left join intermediate.int_meldingen m on m.rowid = u.r "
            "and m.melding_id = u.melding_id where not list_contains(?, u.melding_id) and m.melding_id is null",
            [changed],
        ).fetchone()[0]
    assert set(doelgroepen) == {recoded, copied, LATE_MUTATIE}
    assert doelgroepen[recoded] == "Jeugd" != doelgroep_before  # JGD, the correction's selection code
    assert moved == 0

    assert rebuilt_rows(warehouse, "int_meldingen", meldingen, report_year, tmp_path) == after_night
