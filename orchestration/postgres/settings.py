"""Which warehouse a run uses: the DuckDB file (default) or the PostgreSQL server of VH_WAREHOUSE_URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sources.paths import DataPaths

WAREHOUSE_URL = "VH_WAREHOUSE_URL"
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")


@dataclass(frozen=True)
class PostgresWarehouse:
    """A PostgreSQL database named by a URL: postgresql://user:password@host:port/dbname.

    The host may be a folder (a unix socket), given as ?host=/path as libpq allows.
    """

    url: str
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> PostgresWarehouse:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError(f"{WAREHOUSE_URL} must be a postgresql:// URL, got scheme {parts.scheme!r}")
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise ValueError(f"{WAREHOUSE_URL} names no database: postgresql://user@host:port/dbname")
        return cls(
            url=url,
            host=unquote(query.get("host") or parts.hostname or "localhost"),
            port=int(query.get("port") or parts.port or 5432),
            user=unquote(parts.username or os.environ.get("USER", "postgres")),
            password=unquote(parts.password or ""),
            dbname=dbname,
        )

    def conninfo(self) -> str:
        """For psycopg: the same server, database and user, the password kept out of the string."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(host=self.host, port=self.port, user=self.user, dbname=self.dbname)

    def connect(self, autocommit: bool = False):
        import psycopg

        return psycopg.connect(self.conninfo(), password=self.password or None, autocommit=autocommit)

    def dbt_environment(self) -> dict[str, str]:
        """What dbt's `postgres` target (dbt_project/profiles.yml) reads."""
        return {
            "VH_DBT_TARGET": "postgres",
            "VH_PG_HOST": self.host,
            "VH_PG_PORT": str(self.port),
            "VH_PG_USER": self.user,
            "VH_PG_DBNAME": self.dbname,
            # dbt scrubs DBT_ENV_SECRET_ variables from its logs
            "DBT_ENV_SECRET_VH_PG_PASSWORD": self.password,
        }

    def __str__(self) -> str:
        """The URL without its password, for logs and summaries."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


def configured_warehouse() -> PostgresWarehouse | None:
    """The PostgreSQL warehouse of VH_WAREHOUSE_URL, or None for the DuckDB file."""
    url = os.environ.get(WAREHOUSE_URL, "").strip()
    return PostgresWarehouse.from_url(url) if url else None


def built_warehouse_file(paths: DataPaths) -> Path:
    """The DuckDB file that holds the built warehouse: the warehouse, or PostgreSQL's snapshot of it."""
    return paths.postgres_snapshot if configured_warehouse() else paths.warehouse
