"""The delivery contracts of the raw layer (sources/contracts/*.md) as frames for the suites.

Per raw table: its columns and types (`schema_frame`) and its rows with the dates each contract
bounds (`rows_query`): an event cannot lie after the moment the source delivered or changed it,
nor before 2000, and an OM or VH record's `gewijzigd_op` lies inside the window its delivery asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

EARLIEST_EVENT = "2000-01-01"  # nothing in these registrations predates the Veiligheidshuis

PERSON_COLUMNS = {
    "persoon_sleutel": "VARCHAR",
    "naam_sleutel": "VARCHAR",
    "leeftijdsklasse": "VARCHAR",
    "is_testpersoon": "BOOLEAN",
}
LINEAGE_COLUMNS = {
    "_row_hash": "VARCHAR",
    "_row_number": "INTEGER",
    "_delivery_id": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}


@dataclass(frozen=True)
class RawTable:
    """One raw table as its contract describes it.

    `event_date` is the SQL for the record's own date, `latest_allowed` the last date the contract
    allows for it (the police drop's day, the record's `gewijzigd_op`), `earliest_allowed` the first;
    `window` is SQL for the (start, end) moments of the delivery's watermark window, if it has one.
    """

    name: str
    source: str
    source_columns: tuple[str, ...]
    event_date: str
    latest_allowed: str
    earliest_allowed: str = f"date '{EARLIEST_EVENT}'"
    window: tuple[str, str] | None = None
    extra_columns: dict[str, str] | None = None

    @property
    def relation(self) -> str:
        return f"raw.{self.name}"

    @property
    def suite(self) -> str:
        return f"raw_{self.name}"

    def expected_columns(self) -> dict[str, str]:
        """Column → DuckDB type: source values land as text, person and lineage columns typed."""
        columns = dict.fromkeys(self.source_columns, "VARCHAR")
        return {**columns, **PERSON_COLUMNS, **(self.extra_columns or {}), **LINEAGE_COLUMNS}


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


def _iso_date(column: str) -> str:
    return f"try_cast(t.{column} as date)"


def _moment(column: str) -> str:
    return f"try_cast(t.{column} as timestamp)"


# OM pulls: the provision log holds each delivery's watermark window (gewijzigd_op > from, <= to)
OM_WINDOW = ("try_cast(v.watermark_from as timestamp)", "try_cast(v.watermark_to as timestamp)")
# VH pulls: `<endpoint> updated_since=<moment>` asks for gewijzigd_op > moment; nothing can be newer than the load
VH_WINDOW = ("try_cast(regexp_extract(d.delivery_name, 'updated_since=(.+)$', 1) as timestamp)", "d.loaded_at")

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "politie_mutaties",
        "politie",
        _columns("mutatienummer versie mutatiedatum incidentcode projectcode selectiecode pleegplaats rol"),
        event_date="try_strptime(t.mutatiedatum, '%d-%m-%Y')::date",
        # the drop is named after the day it was delivered; a mutatie cannot be newer than its drop
        latest_allowed=(
            "coalesce(try_strptime(regexp_extract(d.delivery_name, '_(\\d{8})', 1), '%Y%m%d')::date, d.loaded_at::date)"
        ),
    ),
    RawTable(
        "om_casusoverleggen",
        "om",
        _columns("casusoverleg_id parketnummer soort_overleg datum_overleg pleeggemeente gewijzigd_op"),
        event_date=_iso_date("datum_overleg"),
        latest_allowed=f"{_moment('gewijzigd_op')}::date",
        window=OM_WINDOW,
    ),
    RawTable(
        "om_veelplegersplannen",
        "om",
        _columns("plan_id doelgroep gemeente startdatum einddatum gewijzigd_op"),
        event_date=_iso_date("startdatum"),
        latest_allowed=f"{_moment('gewijzigd_op')}::date",
        window=OM_WINDOW,
    ),
    RawTable(
        "om_strafzaken",
        "om",
        _columns("parketnummer feitdatum feitcode pleeggemeente grond gewijzigd_op"),
        event_date=_iso_date("feitdatum"),
        latest_allowed=f"{_moment('gewijzigd_op')}::date",
        window=OM_WINDOW,
    ),
    RawTable(
        "vh_meldingen",
        "vh",
        _columns(
            "melding_id meldingsdatum herkomst melder doelgroep_code gemeente buurt geregistreerd_op gewijzigd_op"
        ),
        event_date=_iso_date("meldingsdatum"),
        latest_allowed=f"{_moment('gewijzigd_op')}::date",
        window=VH_WINDOW,
    ),
    RawTable(
        "vh_vervolgacties",
        "vh",
        _columns("vervolgactie_id melding_id datum soort_code doelgroep_code gemeente buurt gewijzigd_op"),
        event_date=_iso_date("datum"),
        latest_allowed=f"{_moment('gewijzigd_op')}::date",
        window=VH_WINDOW,
    ),
    RawTable(
        "vh_trajecten",
        "vh",
        _columns("traject_id categorie soort_code doelgroep_code gemeente buurt startdatum einddatum gewijzigd_op"),
        event_date=_iso_date("startdatum"),
        latest_allowed=f"{_moment('gewijzigd_op')}::date",
        window=VH_WINDOW,
    ),
    RawTable(
        "gemeenten_huisverboden",
        "gemeenten",
        _columns("registratienummer gemeente datum_rihg opgelegd datum_opgelegd ingetrokken verlengd einddatum"),
        event_date=_iso_date("datum_rihg"),
        # one workbook per gemeente per quarter, by datum RIHG (`…_2011_Q3.xlsx`)
        earliest_allowed="coalesce(q.kwartaal_begin, date '2000-01-01')",
        latest_allowed="coalesce(q.kwartaal_begin + interval 3 month - interval 1 day, d.loaded_at::date)",
        extra_columns={"_sheet": "VARCHAR"},
    ),
)
RAW_TABLES_BY_NAME = {table.name: table for table in RAW_TABLES}


def schema_frame(con: duckdb.DuckDBPyConnection, table: RawTable) -> pd.DataFrame:
    """One row per column the contract names or the table has: the expected and the actual type."""
    expected = pd.DataFrame(
        [(name, kind) for name, kind in table.expected_columns().items()], columns=["column_name", "expected_type"]
    )
    actual = con.execute(
        "select column_name, data_type as actual_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ?",
        [table.name],
    ).df()
    frame = expected.merge(actual, on="column_name", how="outer")
    frame["column"] = table.relation + "." + frame["column_name"]
    return frame


def rows_query(table: RawTable) -> str:
    """SQL for every landed row of `table` with its delivery and the dates its contract allows.

    `delivery_row` (`<delivery id> rij <n>`) names the row in failure messages. The suites read only
    the columns they use, in parts when the table is large (runner.run_suite_on_query): a raw table
    of a national year does not fit in memory whole.
    """
    window_start, window_end = table.window or ("null::timestamp", "null::timestamp")
    return f"""
        with quarters as (
            select
                delivery_id,
                make_date(
                    try_cast(regexp_extract(delivery_name, '_(\\d{{4}})_Q([1-4])', 1) as integer),
                    3 * try_cast(regexp_extract(delivery_name, '_(\\d{{4}})_Q([1-4])', 2) as integer) - 2,
                    1
                ) as kwartaal_begin
            from raw._deliveries
        ),
        provisions as (
            select delivery_id, min(watermark_from) as watermark_from, max(watermark_to) as watermark_to
            from raw._om_verstrekkingen
            group by delivery_id
        )
        select
            t.*,
            t._delivery_id || ' rij ' || t._row_number as delivery_row,
            d.delivery_name,
            {table.event_date} as event_date,
            {table.earliest_allowed} as earliest_allowed,
            {table.latest_allowed} as latest_allowed,
            {_moment("gewijzigd_op") if "gewijzigd_op" in table.source_columns else "null::timestamp"} as changed_at,
            {window_start} as window_start,
            {window_end} as window_end
        from raw.{table.name} as t
        left join raw._deliveries as d on t._delivery_id = d.delivery_id
        left join quarters as q on t._delivery_id = q.delivery_id
        left join provisions as v on t._delivery_id = v.delivery_id
    """


ROW_ORDER = "_delivery_id, _row_number"  # a delivery's rows in the order they were delivered
