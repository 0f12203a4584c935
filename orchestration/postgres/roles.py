"""Analysts read the marts of the PostgreSQL warehouse and nothing else (roles.sql says how)."""

from __future__ import annotations

from pathlib import Path

from orchestration.postgres.settings import PostgresWarehouse

ROLES_SQL = Path(__file__).with_name("roles.sql")
ANALYST_ROLE = "vh_analist"


class MissingRoleError(RuntimeError):
    """The analysts' group role does not exist and the pipeline's user may not create it."""


def set_up_roles(warehouse: PostgresWarehouse, analyst_role: str = ANALYST_ROLE) -> None:
    """Apply roles.sql for the group role `analyst_role`, in one transaction.

    The pipeline's user creates the role when it may (CREATEROLE); otherwise a database
    administrator creates it once (MissingRoleError says how) and this grants what it may read.
    """
    import psycopg
    from psycopg import sql

    role = sql.Identifier(analyst_role)
    with warehouse.connect() as pg:
        if not pg.execute("select 1 from pg_roles where rolname = %s", [analyst_role]).fetchone():
            try:
                pg.execute(sql.SQL("create role {role} nologin").format(role=role))
            except psycopg.errors.InsufficientPrivilege as refused:
                raise MissingRoleError(
                    f"role {analyst_role} does not exist and {warehouse.user} may not create it: ask a database "
                    f"administrator to run `create role {analyst_role} nologin;`, then run this again"
                ) from refused
        for statement in _statements(ROLES_SQL.read_text(encoding="utf-8")):
            pg.execute(sql.SQL(statement).format(role=role))
        pg.commit()


def _statements(script: str) -> list[str]:
    """The statements of a script of plain statements (no functions), comments left out."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
