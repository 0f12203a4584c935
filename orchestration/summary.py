"""What `vhpipe run` prints when a run ends: rows per source, checks, the marts, where outputs are."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd

from orchestration.dbt_selection import PLAN_METADATA
from orchestration.postgres.settings import built_warehouse_file, configured_warehouse
from sources import duckdb_memory
from sources.paths import DataPaths


@dataclass(frozen=True)
class CheckResult:
    asset: str
    name: str
    passed: bool
    description: str | None
    severity: str = "ERROR"  # WARN checks (freshness) inform, ERROR checks block


def what_ran(result: dg.ExecuteInProcessResult) -> list[str]:
    """What the run built and validated again, and why: a night builds the models its new rows change
    and keeps the audit's outcomes on unchanged rows, so its checks are fewer than a full load's."""
    lines = []
    for event in result.asset_materializations_for_node("veiligheidshuis_dbt"):
        if PLAN_METADATA in event.metadata:
            lines.append(event.metadata[PLAN_METADATA].value)
    for event in result.asset_materializations_for_node("audit_reconciliation"):
        suites, kept = event.metadata["suites"].value, event.metadata["suites_on_unchanged_rows"].value
        lines.append(f"GX validated {suites - kept} of {suites} suites; {kept} kept their outcome on unchanged rows")
    return lines


def ledger_per_source(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        select source as bron, count(*) as leveringen, sum(received) as ontvangen, sum(accepted) as geaccepteerd,
               sum(quarantined) as quarantaine, sum(duplicates) as duplicaten
        from raw._deliveries group by source order by source
        """
    ).df()


def render_table(frame: pd.DataFrame) -> str:
    """A plain-text table, aligned, numbers to the right (no dependency on a pretty-printer)."""
    columns = [str(c) for c in frame.columns]
    cells = [[_fmt(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))

    return "\n".join([line(columns), "  ".join("-" * w for w in widths), *(line(r) for r in cells)])


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_summary(
    paths: DataPaths, run_id: str, success: bool, checks: list[CheckResult], log_file, days=None, ran=()
) -> str:
    failed = [c for c in checks if not c.passed and c.severity == "ERROR"]
    warned = [c for c in checks if not c.passed and c.severity != "ERROR"]
    parts = [f"Run {run_id}: {'SUCCESS' if success else 'FAILED'}" + (f" (delivery days {days})" if days else ""), ""]
    if not paths.warehouse.exists():
        return "\n".join([*parts, "No warehouse was written.", f"Run log: {log_file}"])
    with duckdb_memory.connect(paths.warehouse, read_only=True) as con:
        parts += ["Rows per source (ledger, all deliveries):", render_table(ledger_per_source(con)), ""]
        passed = len(checks) - len(failed) - len(warned)
        parts += [f"Checks: {passed} passed, {len(failed)} failed, {len(warned)} warnings"]
        parts += [f"  FAILED {c.asset} :: {c.name}: {c.description or ''}" for c in failed]
        parts += [f"  WARN   {c.asset} :: {c.name}: {c.description or ''}" for c in warned]
        parts += [f"  {line}" for line in ran]  # `ran`: what_ran(result)
        parts.append("")
    postgres, built = configured_warehouse(), built_warehouse_file(paths)
    tabel = None
    if built.exists():
        with duckdb_memory.connect(built, read_only=True) as con:
            tabel = con.execute("select * from marts.tabel_01_meldingen_naar_herkomst").df() if _has_mart(con) else None
    if tabel is not None:
        parts += ["Tabel 1: Aanmeldingen bij het Veiligheidshuis naar herkomst", render_table(tabel), ""]
    parts += [
        "Outputs:",
        *(
            [f"  warehouse (DuckDB)  {paths.warehouse}"]
            if not postgres
            else [
                f"  warehouse (PostgreSQL) {postgres}",
                f"  landing (DuckDB)    {paths.warehouse}",
                f"  snapshot (DuckDB)   {paths.postgres_snapshot}",
            ]
        ),
        f"  published copy      {paths.published}" + ("" if paths.published.exists() else "  (not published)"),
        f"  exports             {paths.exports}/intern, {paths.exports}/openbaar",
        f"  annual report       {paths.reports}/jaarverslag_<jaar>.html (and _openbaar.html)",
        f"  auditor's report    {paths.reports}/reconciliation.html, Data Docs in {paths.reports}/data_docs/",
        f"  dbt docs            {paths.reports}/dbt_docs/index.html",
        f"  run log             {log_file}",
        f"  Dagster instance    {paths.dagster_home}  (make ui to browse runs)",
    ]
    return "\n".join(parts)


def _has_mart(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'tabel_01_meldingen_naar_herkomst'"
        ).fetchone()[0]
    )
