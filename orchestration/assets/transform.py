"""The dbt project as Dagster assets: one asset per model and seed, dbt tests as asset checks."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration import dbt_selection
from orchestration.dbt_in_process import DbtCli
from orchestration.dbt_manifest import dbt_executable, manifest_is_stale
from orchestration.environment import DBT_PROJECT_DIR
from orchestration.resources import Warehouse
from sources.paths import data_paths

LAYER_OWNERS = {"staging": "team:data-engineering", "marts": "team:analytics", "reference": "team:data-engineering"}


def dbt_project() -> DbtProject:
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=data_paths().dbt_target,
    )
    if manifest_is_stale(project.manifest_path):
        # a fresh clone has no manifest, an edited project an old one: parse (dbt parse, ~2 s)
        DbtCli(project_dir=project, dbt_executable=dbt_executable()).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()
    return project


def layer_of(props: Mapping[str, Any]) -> str:
    """The project layer a dbt node belongs to: its first folder under models/, or `reference` for seeds."""
    if props["resource_type"] == "seed":
        return "reference"
    fqn = props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "models"


class LayeredTranslator(DagsterDbtTranslator):
    """Groups assets by layer, gives each layer its owner, keeps dbt's descriptions."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            # every connector lands in the raw schema; the raw asset is the connector's
            return spec.replace_attributes(key=dg.AssetKey(["raw", props["name"]]))
        layer = layer_of(props)
        return spec.replace_attributes(group_name=layer, owners=[LAYER_OWNERS.get(layer, "team:data-engineering")])


PROJECT = dbt_project()


TRANSLATOR = LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild everything, the incremental facts from scratch (as the full_refresh job)


# how the full_refresh job asks for a full refresh: a run tag, because a run's config given on launch
# (`vhpipe run` sets the loggers') replaces the job's config, and the job then ran as nightly_load
FULL_REFRESH_TAG = "vhpipe/dbt_full_refresh"


def wants_full_refresh(context: dg.AssetExecutionContext, config: DbtBuildConfig) -> bool:
    return config.full_refresh or context.run.tags.get(FULL_REFRESH_TAG) == "true"


# dbt's advice: unit tests check the SQL against fixed inputs, so they run in CI (tests/test_dbt_rules.py,
# tests/test_dbt_project.py), not every night on unchanged code
NIGHTLY_EXCLUDES = ["--exclude", "resource_type:unit_test"]


def build_args(full_refresh: bool) -> list[str]:
    """The dbt command line of a run: build (models, seeds, data tests), fully when asked."""
    return ["build", *(["--full-refresh"] if full_refresh else []), *NIGHTLY_EXCLUDES]


# the models the run's other assets read (audit, publication): built in every run, so that their steps run
READ_BY_THE_RUN = ("report_cells", "bijlage_3_in_een_oogopslag", "report_cell_members")
REPORT_CELLS = dg.AssetKey(["marts", "report_cells"])


def plan_build(full_refresh: bool, warehouse: Warehouse) -> tuple[dbt_selection.BuildPlan, dict | None]:
    """What this build builds (orchestration/dbt_selection.py), and the record to keep once it succeeded
    (None: keep none). Call holding the writer lock, so that the sources are what dbt will read."""
    manifest = json.loads(PROJECT.manifest_path.read_text(encoding="utf-8"))
    models = sum(node["resource_type"] == "model" for node in manifest["nodes"].values())
    if warehouse.postgres:
        return dbt_selection.BuildPlan(models_total=models, reason="PostgreSQL: every night"), None
    project = dbt_selection.project_fingerprint(DBT_PROJECT_DIR)
    with warehouse.connect(read_only=True) as con:
        sources = dbt_selection.source_fingerprints(con, manifest)
        missing = dbt_selection.missing_models(con, manifest)
    record = {"project": project, "sources": sources}
    if full_refresh:
        return dbt_selection.BuildPlan(models_total=models, reason="the full_refresh job"), record
    previous = dbt_selection.read_record(data_paths().dbt_build_target)
    return dbt_selection.plan_build(manifest, previous, project, sources, missing, READ_BY_THE_RUN), record


@dbt_assets(manifest=PROJECT.manifest_path, project=PROJECT, dagster_dbt_translator=TRANSLATOR, pool="warehouse")
def veiligheidshuis_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: DbtBuildConfig
):
    with warehouse.writer(holder=f"run {context.run_id} (dbt)"):
        full_refresh = wants_full_refresh(context, config)
        plan, record = plan_build(full_refresh, warehouse)
        context.log.info(plan.describe())
        args = [*build_args(full_refresh or plan.from_scratch), *plan.exclude_args()]
        for streamed in dbt.cli(args, context=context, target_path=data_paths().dbt_build_target).stream():
            if isinstance(streamed, dg.Output) and context.asset_key_for_output(streamed.output_name) == REPORT_CELLS:
                # the plan travels with the one model every build builds: `vhpipe run` says why it built what
                yield streamed.with_metadata({**streamed.metadata, dbt_selection.PLAN_METADATA: plan.describe()})
            else:
                yield streamed
        if record is not None:  # reached only when the build succeeded (a failed one raises)
            dbt_selection.write_record(data_paths().dbt_build_target, record["project"], record["sources"])


def dbt_resource() -> DbtCliResource:
    return DbtCli(project_dir=PROJECT, dbt_executable=dbt_executable())
