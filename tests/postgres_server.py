"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, started on a free
localhost port, stopped and removed at the end. Debian's binaries (`make postgres` installs them).

PostgreSQL refuses to run as root; as root the server runs as the OS user `postgres`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PIPELINE_USER = "vhpipe"  # owns the warehouse database and runs dbt: not a superuser, as in production


def binaries() -> Path | None:
    """The folder with initdb and pg_ctl: $PG_BINDIR, else the newest Debian install, else PATH."""
    if configured := os.environ.get("PG_BINDIR"):
        return Path(configured)
    debian = Path("/usr/lib/postgresql")
    installed = sorted(debian.glob("*/bin/initdb"), key=lambda p: int(p.parts[4])) if debian.is_dir() else []
    if installed:
        return installed[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PostgresServer:
    bindir: Path
    folder: Path
    port: int
    owner: str | None  # the OS user the server runs as (None: this process's own)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.owner, "--"] if self.owner else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> PostgresServer:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"  # a test server: speed over durability
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                [*(["runuser", "-u", self.owner, "--"] if self.owner else []),
                 str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                capture_output=True, check=False,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin_url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_warehouse(self, dbname: str) -> str:
        """A database owned by the (non-superuser) pipeline user; returns the pipeline's URL of it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url(), autocommit=True) as admin:
            if not admin.execute("select 1 from pg_roles where rolname = %s", [PIPELINE_USER]).fetchone():
                admin.execute(sql.SQL("create role {} login password 'pipeline'").format(sql.Identifier(PIPELINE_USER)))
            admin.execute(
                sql.SQL("create database {} owner {}").format(sql.Identifier(dbname), sql.Identifier(PIPELINE_USER))
            )
        return f"postgresql://{PIPELINE_USER}:pipeline@127.0.0.1:{self.port}/{dbname}"


def start_server() -> PostgresServer:
    """Start a throwaway server; raises FileNotFoundError when no PostgreSQL is installed."""
    bindir = binaries()
    if bindir is None or not (bindir / "initdb").exists():
        raise FileNotFoundError("no PostgreSQL server binaries (initdb): run `make postgres` or set PG_BINDIR")
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="vhpipe-postgres-"))
    if owner:
        shutil.chown(folder, user=owner)
        folder.chmod(0o700)
    server = PostgresServer(bindir, folder, _free_port(), owner)
    try:
        return server.start()
    except subprocess.CalledProcessError as failed:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {failed.stderr}\n{log}") from failed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
