"""Dagster's event log as the pipeline configures it (orchestration/event_log.py): kept open between
events, and still what another process (the UI) reads."""

import dagster as dg

from orchestration.environment import DAGSTER_YAML
from orchestration.event_log import KeptOpenSqliteEventLogStorage


@dg.asset
def een_getal(context: dg.AssetExecutionContext) -> int:
    context.log.info("een getal")
    return 1


def test_a_runs_events_are_stored_and_read_back_by_another_instance(tmp_path):
    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML.format(event_logs=str(tmp_path / "history" / "runs")))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)
        result = dg.materialize([een_getal], instance=instance)
        assert result.success
        with dg.DagsterInstance.from_config(str(tmp_path)) as reader:  # as the UI reads a running instance
            logs = reader.all_logs(result.run_id)
            assert any(log.user_message == "een getal" for log in logs)
            assert reader.get_latest_materialization_event(dg.AssetKey("een_getal")) is not None
    # the next process (the next night's run) finds the run in the history
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_run_by_id(result.run_id).is_success
        assert len(instance.all_logs(result.run_id)) == len(logs)


@dg.asset_check(asset=een_getal)
def een_getal_is_positief() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_asset_check_results_are_stored_and_a_missing_table_is_asked_again(tmp_path):
    """The storage remembers that a table exists (Dagster asks at every check event), never that it doesn't."""
    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML.format(event_logs=str(tmp_path / "history" / "runs")))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        storage = instance.event_log_storage
        result = dg.materialize([een_getal, een_getal_is_positief], instance=instance)
        assert result.success
        check = dg.AssetCheckKey(dg.AssetKey("een_getal"), "een_getal_is_positief")
        assert instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check].status.value == (
            "SUCCEEDED"
        )
        assert storage.has_table("asset_check_executions")
        assert not storage.has_table("nog_niet_aangemaakt")
        with storage.index_connection() as conn:
            conn.exec_driver_sql("create table nog_niet_aangemaakt (x integer)")
        assert storage.has_table("nog_niet_aangemaakt")
