"""dbt-duckdb plugin that hands the surrogate-key salt to DuckDB as a session variable.

The salt must not appear in compiled SQL, dbt's target folder or its logs, so the models read it
with `getvariable('surrogate_salt')` instead of having it templated in as a literal.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

SALT_VARIABLE = "surrogate_salt"


def _salt() -> str:
    salt = os.environ.get("VH_SURROGATE_SALT", "")
    if not salt:
        raise RuntimeError("VH_SURROGATE_SALT is not set: run dbt through vhpipe, which derives it from the key")
    return salt


class Plugin(BasePlugin):
    """Sets the salt on every connection and cursor (a DuckDB cursor is a session of its own)."""

    def configure_connection(self, conn) -> None:
        conn.execute(f"set variable {SALT_VARIABLE} = ?", [_salt()])

    def configure_cursor(self, cursor):
        cursor.execute(f"set variable {SALT_VARIABLE} = ?", [_salt()])
        return cursor
