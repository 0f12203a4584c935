"""The dbt resource of the Dagster assets: dagster-dbt's, with dbt run in this process.

dagster-dbt runs each dbt command in a subprocess and reads dbt's structured log (JSON lines) from
its stdout. A subprocess costs about 1.6 s a command: a second Python starts, imports dbt and the
adapter (imported here already, by dagster-dbt) and tears them down again. Here dbt's programmatic
entry point (`dbtRunner`) runs the same command in a thread of this process, and `InProcessDbt`
has the face of the subprocess that dagster-dbt reads: `stdout` yields the lines dbt would have
printed at its console level (info), `wait()` returns dbt's exit code. dagster-dbt's translation of
those lines into materializations and check results is unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import queue
import shutil
import threading
import traceback
from collections.abc import Iterator, Sequence
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster import AssetExecutionContext, OpExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource
from dagster_dbt.asset_utils import extract_runtime_selection_from_args, get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation, _get_dbt_target_path
from dagster_dbt.dagster_dbt_translator import validate_opt_translator
from dagster_dbt.dbt_manifest import DbtManifestParam, validate_manifest
from packaging.version import Version

# the levels dbt prints on its console by default: what dagster-dbt read from the subprocess
CONSOLE_LEVELS = {"info", "warn", "error"}
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# dbt's exit codes: 0 success, 1 a node failed, 2 dbt itself failed (see dbt's `dbtRunnerResult`)
SUCCESS, FAILURE, ERROR = 0, 1, 2


class InProcessDbt:
    """A dbt command run by `dbtRunner` in a thread, seen as the `subprocess.Popen` dagster-dbt reads.

    `send_signal` (dagster-dbt's answer to an interrupted run) stops dbt as Ctrl-C stops it: it raises
    KeyboardInterrupt in dbt's thread, where Ctrl-C raises it in dbt's process, and dbt cancels its open
    queries and stops once its node in progress ends.
    """

    def __init__(self, args: Sequence[str]):
        self.args = ["dbt", *args]  # as dagster-dbt shows the command it ran
        self.returncode: int | None = None
        self._lines: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._running = True  # dbt has not returned: an interrupt may still be raised in its thread
        self._running_lock = threading.Lock()
        self._errors_told = False  # whether dbt told an error itself (then it needs no second telling)
        self.stdout = _Lines(self._lines)
        self._thread = threading.Thread(target=self._run, args=(list(args),), name="dbt", daemon=True)
        self._thread.start()

    def _run(self, args: list[str]) -> None:
        from dbt.cli.main import dbtRunner

        try:
            try:
                result = dbtRunner(callbacks=[self._forward]).invoke(args)
            finally:
                with self._running_lock:
                    self._running = False
            if result.exception is not None and not self._errors_told:
                self._error(f"dbt failed: {result.exception}")
            self.returncode = SUCCESS if result.success else (ERROR if result.exception is not None else FAILURE)
        except BaseException as stopped:  # the thread's end must reach the reader, whatever ended it
            self._error(f"dbt stopped: {stopped!r}\n{traceback.format_exc()}")
            self.returncode = ERROR
        finally:
            close_duckdb_database()
            self._lines.put(None)

    def _forward(self, event) -> None:
        from dbt_common.events.functions import env_scrubber, msg_to_dict

        if event.info.level in CONSOLE_LEVELS:
            self._errors_told |= event.info.level == "error"
            # the line dbt's JSON console logger writes, secrets scrubbed as it scrubs them
            line = env_scrubber(json.dumps(msg_to_dict(event), sort_keys=True, default=str))
            self._lines.put(line.encode())

    def _error(self, message: str) -> None:
        """An error of dbt's invocation itself, as an error line: dagster-dbt puts those in the step's error."""
        from dbt_common.events.functions import env_scrubber

        line = {"info": {"level": "error", "msg": env_scrubber(message), "name": "InProcessDbtError"}, "data": {}}
        self._lines.put(json.dumps(line).encode())

    def send_signal(self, _signal: int) -> None:
        with self._running_lock:
            if self._running and self._thread.ident is not None:
                # CPython raises it when the thread next runs Python code: as a signal reaches dbt's main thread
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._thread.ident), ctypes.py_object(KeyboardInterrupt)
                )

    def wait(self, timeout: float | None = None) -> int:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"dbt did not stop within {timeout} s: {' '.join(self.args)}")
        return self.returncode


def close_duckdb_database() -> None:
    """dbt-duckdb keeps the warehouse open in the process after dbt returns (its environment is
    class-wide); close it, or the pipeline's next connection to the file fails on its other
    configuration ("different configuration than existing connections")."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with contextlib.suppress(Exception):  # no environment: dbt never opened DuckDB (a PostgreSQL target)
        DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()


class _Lines:
    """The stdout of an `InProcessDbt`: its lines until dbt's thread ends (a context manager, as a pipe)."""

    def __init__(self, lines: queue.SimpleQueue[bytes | None]):
        self._lines = lines
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        while (line := self._lines.get()) is not None:
            yield line

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *_exc) -> None:
        self.closed = True


class DbtCli(DbtCliResource):
    """dagster-dbt's resource, with dbt in this process and without two start-up costs we have no use for.

    dagster-dbt asks `dbt --version` in a subprocess, while the dbt it runs is the dbt-core package of
    this environment; and it opens a dbt adapter in this process, which serves only row counts and
    column metadata, which we do not fetch.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: DbtManifestParam | None = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: OpExecutionContext | AssetExecutionContext | None = None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        """dagster-dbt's `cli` (the same selection of the context's assets), the command run in this process.

        What dagster-dbt hands its subprocess in environment variables is given as dbt's flags here:
        an environment is the process's, shared by every thread.
        """
        translator = validate_opt_translator(dagster_dbt_translator) or DagsterDbtTranslator()
        cleaned_args, runtime_selects, runtime_excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=translator,
            runtime_selects=runtime_selects,
            runtime_excludes=runtime_excludes,
        )
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        target_path = target_path or self._get_unique_target_path(context=context)
        if not target_path.is_absolute():
            target_path = project_dir / target_path
        _reuse_partial_parse(project_dir, target_path)
        flags = [
            *(["--profile", self.profile] if self.profile else []),
            *(["--target", self.target] if self.target else []),
            *(["--profiles-dir", self.profiles_dir] if self.profiles_dir else []),
            *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else []),
            *["--project-dir", str(project_dir), "--target-path", str(target_path)],
            # dbt's log file beside its artifacts, as dagster-dbt places it; nothing on this process's console
            *["--log-path", str(target_path), "--log-format", "json", "--log-level", "none"],
            "--no-send-anonymous-usage-stats",
        ]
        command = [*self.global_config_flags, *cleaned_args, *flags, *params.selection_args]
        return DbtCliInvocation(
            process=InProcessDbt(command),
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=raise_on_error,
            context=context,
            adapter=None,
            cli_version=self._cli_version,
            project=params.dbt_project,
        )


def _reuse_partial_parse(project_dir: Path, target_path: Path) -> None:
    """dagster-dbt's start of a command: a new target folder gets the project's parse, so dbt need not parse again."""
    parsed = project_dir / _get_dbt_target_path() / PARTIAL_PARSE_FILE  # the project's target (absolute: as is)
    destination = target_path / PARTIAL_PARSE_FILE
    if parsed.exists() and not destination.exists():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(parsed, destination)
