"""Each harmonisation rule has a dbt unit test that catches its removal.

For every rule, a copy of the dbt project has exactly that rule taken out of its model (a small
textual mutation), and the rule's unit test must then fail, while it passes on an unmutated copy.
dbt unit tests mock their inputs but read the input relations' columns from the warehouse, so
every run gets its own copy of the built warehouse.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_cli import DbtRun, copy_project, copy_warehouse, run_dbt

from orchestration.environment import DBT_PROJECT_DIR


@dataclass(frozen=True)
class Rule:
    unit_test: str
    model_file: str  # relative to the dbt project
    rule_text: str  # must occur exactly once in the model
    without_rule: str  # what the mutation puts in its place

    def __str__(self) -> str:
        return self.unit_test


RULES = [
    Rule(
        "keeps_only_the_latest_version_of_a_corrected_mutatie",
        "models/staging/politie/stg_politie__mutaties.sql",
        # join each row to its mutatie's latest versie by mutatienummer alone: every version stays
        " and typed.versie = latest_versions.versie",
        "",
    ),
    Rule(
        # join on the official name instead of the name as the source writes it: only exact names still map
        "maps_old_names_and_spelling_variants_to_the_gemeente",
        "models/staging/politie/stg_politie__mutaties.sql",
        "on latest_version.pleegplaats = gemeenten.naam_in_bron",
        "on latest_version.pleegplaats = gemeenten.gemeente",
    ),
    Rule(
        "counts_a_jco_registered_at_both_om_and_vh_once",
        "models/intermediate/int_vervolgacties.sql",
        "where register.vervolgactie_id not in (select same_jco.vervolgactie_id from same_jco)",
        "",
    ),
    Rule(
        "leaves_out_places_outside_the_district_and_test_records",
        "models/intermediate/int_meldingen.sql",
        "where in_district and not mutatie_op_testpersoon",
        "where true",
    ),
    Rule(
        "counts_only_meldingen_of_the_report_year",
        "models/intermediate/leden/int_leden_tabel_02.sql",
        "    meldingen.jaar = {{ var('jaar') }}\n    and",
        "    true\n    and",
    ),
    Rule(
        "counts_plans_running_on_1_january_after_the_year",
        "models/intermediate/leden/int_leden_tabel_08.sql",
        "and {{ active_between('trajecten.startdatum', 'trajecten.einddatum', stock_date(), stock_date()) }}",
        "",
    ),
]
UNMUTATED = "unmutated"


def occurrences(rule: Rule) -> int:
    return (DBT_PROJECT_DIR / rule.model_file).read_text().count(rule.rule_text)


def remove_rule(project: Path, rule: Rule) -> None:
    model = project / rule.model_file
    model.write_text(model.read_text().replace(rule.rule_text, rule.without_rule))


@pytest.fixture(scope="module")
def unit_test_runs(pipeline, tmp_path_factory) -> dict[str, DbtRun]:
    """All unit tests on an unmutated copy, and each rule's unit test on a copy without that rule.

    The seven dbt runs are independent (own project, warehouse and target folders), so they run
    side by side: each spends most of its ~6 s parsing the project.
    """
    root = tmp_path_factory.mktemp("dbt-rules")
    year = pipeline.simulation.year

    def prepare(name: str, rule: Rule | None) -> tuple[list[str], Path, Path]:
        workdir = root / name
        project = copy_project(workdir / "dbt_project")
        if rule is not None:
            remove_rule(project, rule)
        warehouse = copy_warehouse(pipeline.paths.warehouse, workdir / "warehouse")
        # the nightly build leaves unit tests out (orchestration/assets/transform.py): all of them run here
        selected = [rule.unit_test] if rule else ["test_type:unit"]
        return ["test", "--select", *selected], warehouse, project

    jobs = {UNMUTATED: prepare(UNMUTATED, None)}
    # a rule whose text is gone from its model is reported by its own test, not run here
    jobs |= {rule.unit_test: prepare(rule.unit_test, rule) for rule in RULES if occurrences(rule) == 1}
    with ThreadPoolExecutor() as pool:
        futures = {
            name: pool.submit(
                run_dbt, args, warehouse=warehouse, report_year=year, workdir=root / name, project_dir=project
            )
            for name, (args, warehouse, project) in jobs.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_the_rule_is_in_its_model(rule: Rule):
    # if a model is rewritten, its mutation below no longer removes the rule: update RULES with it
    assert occurrences(rule) == 1, f"{rule.model_file} no longer contains exactly one {rule.rule_text!r}"


def test_every_unit_test_of_the_project_passes(unit_test_runs):
    run = unit_test_runs[UNMUTATED]
    manifest = json.loads((run.target / "manifest.json").read_text())
    assert len(manifest["unit_tests"]) >= 6
    assert {uid: run.results[uid]["status"] for uid in manifest["unit_tests"]} == dict.fromkeys(
        manifest["unit_tests"], "pass"
    ), run.output


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_unit_test_passes_on_the_project_as_it_is(unit_test_runs, rule: Rule):
    run = unit_test_runs[UNMUTATED]
    assert run.status_of(rule.unit_test) == "pass", run.output


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_unit_test_fails_when_the_rule_is_removed(unit_test_runs, rule: Rule):
    assert rule.unit_test in unit_test_runs, f"{rule.model_file} has no {rule.rule_text!r} to remove"
    run = unit_test_runs[rule.unit_test]
    # `fail`, not `error`: the mutant must compile and run, and give other rows than the test expects
    assert run.status_of(rule.unit_test) == "fail", run.output
    assert run.process.returncode != 0
