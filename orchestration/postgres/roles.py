"""Analysts read the marts of the PostgreSQL warehouse and nothing else (roles.sql says how)."""

from __future__ import annotations

from pathlib import Path

from orchestration.postgres.settings import PostgresWarehouse

ROLES_SQL = Path(__file__).with_name("roles.sql")
ANALYST_ROLE = "vh_analist"


def set_up_roles(warehouse: PostgresWarehouse, analyst_role: str = ANALYST_ROLE) -> None:
    """Create the group role `analyst_role` (no login) if missing and apply roles.sql, in one transaction."""
    from psycopg import sql

    role = sql.Identifier(analyst_role)
    with warehouse.connect() as pg:
        if not pg.execute("select 1 from pg_roles where rolname = %s", [analyst_role]).fetchone():
            pg.execute(sql.SQL("create role {role} nologin").format(role=role))
        for statement in _statements(ROLES_SQL.read_text(encoding="utf-8")):
            pg.execute(sql.SQL(statement).format(role=role))
        pg.commit()


def _statements(script: str) -> list[str]:
    """The statements of a script of plain statements (no functions), comments left out."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
