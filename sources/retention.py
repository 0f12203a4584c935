"""Retention: person-level rows older than the retention period leave the warehouse, and say so.

The raw layer keeps every version of every record on a person (pseudonymised, but personal data
all the same). `purge` removes the records whose story ended more than `older_than_years` ago,
with all their versions, and the quarantined records dated that long ago, in one transaction,
and logs what it removed per raw table and delivery in `raw._purges`. The ledger
(`raw._deliveries`) is never rewritten: per delivery, rows in raw + rows purged = rows accepted.

A record's story ends on its event date (a police mutatie, a casusoverleg, a strafzaak, a
melding, a vervolgactie), on its end date (a plan, a traject: while it runs it is kept), or on the
last date of a huisverbod. Its latest version decides whether it still runs; all versions go together.

The OM's provision log (`raw._om_verstrekkingen`, Wjsg art. 39j) holds no person data and must
be kept at least four years: its lines go after `provision_log_years` (default: the retention
period, but never under four years; asking for less is refused).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb

from sources.connectors import ledger

PERSON_COLUMNS = ("persoon_sleutel", "naam_sleutel")
PROVISION_LOG = "_om_verstrekkingen"
PROVISION_LOG_MINIMUM_YEARS = 4  # Wjsg art. 39j
MINIMUM_YEARS = 1  # the report year's own records are never purged
RETENTION_VARIABLE = "VH_RETENTION_YEARS"
DUTCH, ISO = "%d-%m-%Y", "%Y-%m-%d"


class RetentionError(ValueError):
    """A purge that is not allowed or not configured; nothing was removed."""


@dataclass(frozen=True)
class TableRetention:
    """How to date the records of one raw table that carries person keys."""

    table: str
    key: str  # SQL: one record across its versions
    newest_first: str  # SQL order: the latest version first
    end_columns: tuple[str, ...]  # the record's story ends on the latest of these dates
    date_format: str = ISO
    runs_until_ended: bool = False  # a record whose latest version has no end date still runs: kept
    record_columns: tuple[str, ...] = ()  # dates of a quarantined record (default: end_columns)

    def end_day(self, column: str = "{}") -> str:
        return _latest_day([column.format(c) for c in self.end_columns], self.date_format)

    def quarantine_day(self) -> str:
        columns = self.record_columns or self.end_columns
        return _latest_day([f"json_extract_string(q.record, '$.{c}')" for c in columns], self.date_format)


def _latest_day(expressions: list[str], date_format: str) -> str:
    days = [f"try_strptime({e}, '{date_format}')::date" for e in expressions]
    return days[0] if len(days) == 1 else f"greatest({', '.join(days)})"


BY_CHANGE = "gewijzigd_op desc, _loaded_at desc, _row_number desc"
RETENTION = {
    r.table: r
    for r in (
        TableRetention(
            "politie_mutaties",
            "mutatienummer",
            "try_cast(versie as integer) desc, _loaded_at desc",
            ("mutatiedatum",),
            DUTCH,
        ),
        TableRetention("om_casusoverleggen", "casusoverleg_id", BY_CHANGE, ("datum_overleg",)),
        TableRetention("om_strafzaken", "parketnummer", BY_CHANGE, ("feitdatum",)),
        TableRetention(
            "om_veelplegersplannen",
            "plan_id",
            BY_CHANGE,
            ("einddatum",),
            runs_until_ended=True,
            record_columns=("startdatum", "einddatum"),
        ),
        TableRetention("vh_meldingen", "melding_id", BY_CHANGE, ("meldingsdatum",)),
        TableRetention("vh_vervolgacties", "vervolgactie_id", BY_CHANGE, ("datum",)),
        TableRetention(
            "vh_trajecten",
            "traject_id",
            BY_CHANGE,
            ("einddatum",),
            runs_until_ended=True,
            record_columns=("startdatum", "einddatum"),
        ),
        TableRetention(
            "gemeenten_huisverboden",
            "registratienummer || '|' || coalesce(gemeente, '')",
            "_loaded_at desc, _row_number desc",
            ("datum_rihg", "datum_opgelegd", "einddatum"),
        ),
    )
}


@dataclass
class PurgeReport:
    cutoff: date
    retention_years: int
    provision_cutoff: date
    provision_log_years: int
    rows: dict[str, int] = field(default_factory=dict)  # per table (and `_quarantine`, `_om_verstrekkingen`)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def retention_years(older_than_years: int | None) -> int:
    """The retention period asked for, else VH_RETENTION_YEARS; refused when neither is set or it is too short."""
    if older_than_years is None:
        configured = os.environ.get(RETENTION_VARIABLE)
        if not configured:
            raise RetentionError(f"no retention period: pass --older-than-years N or set {RETENTION_VARIABLE}")
        try:
            older_than_years = int(configured)
        except ValueError:
            raise RetentionError(f"{RETENTION_VARIABLE}={configured!r} is not a whole number of years") from None
    if older_than_years < MINIMUM_YEARS:
        raise RetentionError(f"a retention of {older_than_years} years would purge the current report year's records")
    return older_than_years


def provision_log_retention(older_than_years: int, provision_log_years: int | None) -> int:
    years = max(older_than_years, PROVISION_LOG_MINIMUM_YEARS) if provision_log_years is None else provision_log_years
    if years < PROVISION_LOG_MINIMUM_YEARS:
        raise RetentionError(
            f"the OM provision log (raw.{PROVISION_LOG}) must be kept at least {PROVISION_LOG_MINIMUM_YEARS} "
            f"years (Wet justitiële en strafvorderlijke gegevens art. 39j); a retention of {years} years is refused"
        )
    return years


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def purge(
    con: duckdb.DuckDBPyConnection,
    older_than_years: int | None = None,
    *,
    provision_log_years: int | None = None,
    today: date | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Remove person-level rows dated before the cut-off, all or nothing, and log it in raw._purges."""
    years = retention_years(older_than_years)
    log_years = provision_log_retention(years, provision_log_years)
    today = today or date.today()
    report = PurgeReport(years_before(today, years), years, years_before(today, log_years), log_years, dry_run=dry_run)
    ledger.ensure_ledger(con)
    tables = person_level_tables(con)
    purged_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        for table in tables:
            report.rows[table] = _purge_table(con, RETENTION[table], report, purged_at)
        report.rows["_quarantine"] = _purge_quarantine(con, report, purged_at)
        if _exists(con, PROVISION_LOG):
            report.rows[PROVISION_LOG] = _purge_provision_log(con, report, purged_at)
        con.execute("rollback" if dry_run else "commit")
    except Exception:
        con.execute("rollback")
        raise
    if not dry_run:
        con.execute("checkpoint")  # the deleted rows leave the WAL for the database file's free blocks
    return report


def person_level_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables carrying person keys; each must have a retention rule, or the purge is refused."""
    found = sorted(
        {
            table
            for (table,) in con.execute(
                "select table_name from information_schema.columns where table_schema = 'raw' "
                f"and column_name in {PERSON_COLUMNS} and table_name not like '\\_%' escape '\\'"
            ).fetchall()
        }
    )
    unknown = [t for t in found if t not in RETENTION]
    if unknown:
        problem = f"raw tables {unknown} hold person keys but have no retention rule in sources/retention.py"
        raise RetentionError(problem)
    return found


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?"
    return con.execute(query, [table]).fetchall()[0][0] > 0


def _purge_table(con: duckdb.DuckDBPyConnection, rule: TableRetention, report: PurgeReport, at: datetime) -> int:
    """Delete every version of the records of `rule.table` whose story ended before the cut-off."""
    still_runs = "bool_or(newest = 1 and ends is null)" if rule.runs_until_ended else "false"
    con.execute(
        f"""
        create or replace temp table purge_keys as
        with versions as (
            select {rule.key} as record_key, {rule.end_day()} as ends,
                row_number() over (partition by {rule.key} order by {rule.newest_first}) as newest
            from raw.{rule.table}
        )
        select record_key from versions group by record_key
        having max(ends) < $cutoff and not {still_runs}
        """,
        {"cutoff": report.cutoff},
    )
    doomed = f"from raw.{rule.table} where {rule.key} in (select record_key from purge_keys)"
    per_delivery = con.execute(f"select _delivery_id, count(*) {doomed} group by all").fetchall()
    con.execute(f"delete {doomed}")
    con.execute("drop table purge_keys")
    _log(con, at, rule.table, per_delivery, report.cutoff, report.retention_years)
    return sum(n for _, n in per_delivery)


def _purge_quarantine(con: duckdb.DuckDBPyConnection, report: PurgeReport, at: datetime) -> int:
    """Quarantined records go on their own date; one that has none (it was why it was quarantined) on arrival."""
    days = " ".join(f"when '{rule.table}' then {rule.quarantine_day()}" for rule in RETENTION.values())
    quarantined_on = "q.quarantined_at::date"
    dated = f"least(coalesce(case d.raw_table {days} end, {quarantined_on}), {quarantined_on})"
    doomed = f"from raw._quarantine q left join raw._deliveries d using (delivery_id) where {dated} < $cutoff"
    per_delivery = con.execute(
        f"select q.delivery_id, count(*) {doomed} group by all", {"cutoff": report.cutoff}
    ).fetchall()
    con.execute(f"delete from raw._quarantine where rowid in (select q.rowid {doomed})", {"cutoff": report.cutoff})
    _log(con, at, "_quarantine", per_delivery, report.cutoff, report.retention_years)
    return sum(n for _, n in per_delivery)


def _purge_provision_log(con: duckdb.DuckDBPyConnection, report: PurgeReport, at: datetime) -> int:
    doomed = f"from raw.{PROVISION_LOG} where verstrekt_op::date < $cutoff"
    (count,) = con.execute(f"select count(*) {doomed}", {"cutoff": report.provision_cutoff}).fetchall()[0]
    con.execute(f"delete {doomed}", {"cutoff": report.provision_cutoff})
    _log(con, at, PROVISION_LOG, [(None, count)], report.provision_cutoff, report.provision_log_years)
    return count


def _log(
    con: duckdb.DuckDBPyConnection,
    at: datetime,
    table: str,
    per_delivery: list[tuple[str | None, int]],
    cutoff: date,
    years: int,
) -> None:
    """One line per delivery that lost rows; a table that lost none still gets one line, so every purge shows."""
    lines = [(d, n) for d, n in per_delivery if n] or [(None, 0)]
    con.executemany(
        "insert into raw._purges values (?, ?, ?, ?, ?, ?)",
        [[at, table, delivery, cutoff, years, rows] for delivery, rows in lines],
    )
