"""The connectors' ledger (`raw._deliveries`) against what the raw layer and the quarantine hold.

Per delivery: received = accepted + quarantined + duplicates, the accepted rows are in raw, the
quarantined rows are in `raw._quarantine`, and no row in either belongs to a delivery the ledger
does not know. Also which deliveries the contracts promise but the ledger lacks (`expected_deliveries`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from expectations.raw_contracts import RawTable

# the raw table a delivery lands in, from its id (`politie:<file>:<hash>`, `om:<table> …`, `vh:<endpoint> …`)
TABLE_OF_DELIVERY = """
    case
        when {id} like 'politie:%' then 'politie_mutaties'
        when {id} like 'gemeenten:%' then 'gemeenten_huisverboden'
        else split_part({id}, ':', 1) || '_' || split_part(split_part({id}, ':', 2), ' ', 1)
    end
"""
BSN_FAILS = "lower(reason) like '%11-proef%'"  # every connector's reason for a BSN failing the 11-proef


def deliveries_frame(con: duckdb.DuckDBPyConnection, table: RawTable) -> pd.DataFrame:
    """One row per delivery into `table` known to the ledger, to raw or to the quarantine.

    `delivery_key` names it; `in_ledger` is false for rows whose delivery the ledger lacks.
    """
    return con.execute(
        f"""
        with ledger as (
            select *
            from raw._deliveries
            where coalesce(raw_table, {TABLE_OF_DELIVERY.format(id="delivery_id")}) = $table
        ),
        landed as (
            select _delivery_id as delivery_id, count(*) as landed
            from raw.{table.name}
            group by all
        ),
        quarantine as (
            select delivery_id, count(*) as quarantine_rows, count(*) filter (where {BSN_FAILS}) as bsn_failures
            from raw._quarantine
            where {TABLE_OF_DELIVERY.format(id="delivery_id")} = $table
            group by all
        ),
        purged as (
            -- rows the retention purge removed (raw._purges) were received and accounted for all the same
            select
                delivery_id,
                sum(rows) filter (where table_name = $table) as landed,
                sum(rows) filter (where table_name = '_quarantine') as quarantined
            from raw._purges
            group by all
        ),
        keys as (
            select delivery_id from ledger
            union
            select delivery_id from landed
            union
            select delivery_id from quarantine
        )
        select
            keys.delivery_id as delivery_key,
            ledger.delivery_id is not null as in_ledger,
            ledger.delivery_name,
            ledger.received,
            ledger.accepted,
            ledger.quarantined,
            ledger.duplicates,
            ledger.accepted + ledger.quarantined + ledger.duplicates as accounted,
            coalesce(landed.landed, 0) + coalesce(purged.landed, 0) as landed,
            coalesce(quarantine.quarantine_rows, 0) + coalesce(purged.quarantined, 0) as quarantine_rows,
            coalesce(quarantine.bsn_failures, 0) as bsn_failures,
            1 - coalesce(quarantine.bsn_failures, 0) / nullif(ledger.received, 0) as bsn_pass_share,
            ledger.loaded_at
        from keys
        left join ledger on keys.delivery_id = ledger.delivery_id
        left join landed on keys.delivery_id = landed.delivery_id
        left join quarantine on keys.delivery_id = quarantine.delivery_id
        left join purged on keys.delivery_id = purged.delivery_id
        order by ledger.loaded_at nulls first, delivery_key
        """,
        {"table": table.name},
    ).df()


def expected_deliveries(con: duckdb.DuckDBPyConnection, table: RawTable, year: int) -> pd.DataFrame | None:
    """The deliveries the source promises for `table` in `year`, each with the ledger's delivery or null.

    - politie: a drop for every day of the year between its first and its last drop (a quiet day
      still has mutaties in a district of this size: a missing day is a lost file);
    - gemeenten: a workbook per gemeente per quarter, up to the last quarter anyone delivered
      (the contract: "a quarter without registrations is still sent");
    - OM: every pull in the provision log (`raw._om_verstrekkingen`) that returned rows.
    None for the VH register: its pulls follow the watermark and promise nothing in advance.
    """
    if table.source == "politie":
        sql = """
            with drops as (
                select delivery_id, try_strptime(regexp_extract(delivery_name, '^BVH_VH_mutaties_(\\d{8})\\.csv$', 1),
                    '%Y%m%d')::date as dag
                from raw._deliveries
                where source = 'politie'
            ),
            days as (
                select unnest(generate_series(min(dag), max(dag), interval 1 day))::date as dag
                from drops
                where year(dag) = $year
            )
            select 'politie BVH_VH_mutaties_' || strftime(days.dag, '%Y%m%d') || '.csv' as expected_delivery,
                min(drops.delivery_id) as delivery_id
            from days
            left join drops on days.dag = drops.dag
            group by days.dag
            order by days.dag
        """
    elif table.source == "gemeenten":
        sql = """
            with workbooks as (
                select
                    delivery_id,
                    lower(replace(regexp_extract(delivery_name, '^(.*)_huisverboden_', 1), '-', ' ')) as gemeente,
                    try_cast(regexp_extract(delivery_name, '_(\\d{4})_Q([1-4])', 2) as integer) as kwartaal
                from raw._deliveries
                where source = 'gemeenten'
                    and try_cast(regexp_extract(delivery_name, '_(\\d{4})_Q([1-4])', 1) as integer) = $year
            ),
            expected as (
                select gemeente, unnest(range(1, (select max(kwartaal) from workbooks) + 1)) as kwartaal
                from (values ('maastricht'), ('eijsden margraten'), ('meerssen'), ('valkenburg aan de geul'))
                    as gemeenten (gemeente)
            )
            select 'gemeenten ' || expected.gemeente || ' ' || $year || ' Q' || expected.kwartaal as expected_delivery,
                min(workbooks.delivery_id) as delivery_id
            from expected
            left join workbooks on expected.gemeente = workbooks.gemeente and expected.kwartaal = workbooks.kwartaal
            group by all
            order by all
        """
    elif table.source == "om":
        sql = """
            select 'om ' || log.delivery_id as expected_delivery, min(ledger.delivery_id) as delivery_id
            from raw._om_verstrekkingen as log
            left join raw._deliveries as ledger on log.delivery_id = ledger.delivery_id
            where 'om_' || log.entity = $table and log.rows > 0
            group by all
            order by all
        """
    else:
        return None
    parameters = {"table": table.name} if table.source == "om" else {"year": year}
    return con.execute(sql, parameters).df()


def ledger_per_delivery(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The ledger for people: per source and delivery the counts and the reasons rows were quarantined."""
    return con.execute(
        """
        with reasons as (
            select delivery_id, reason, count(*) as aantal
            from raw._quarantine
            group by all
        ),
        reasons_per_delivery as (
            select
                delivery_id,
                string_agg(reason || ' (' || aantal || ')', '; ' order by aantal desc, reason) as redenen
            from reasons
            group by all
        )
        select
            d.source as bron,
            d.delivery_name as levering,
            d.delivery_id,
            d.raw_table,
            d.received as ontvangen,
            d.accepted as geaccepteerd,
            d.quarantined as quarantaine,
            d.duplicates as duplicaten,
            d.received = d.accepted + d.quarantined + d.duplicates as sluit,
            d.loaded_at as geladen_op,
            r.redenen as quarantaineredenen
        from raw._deliveries as d
        left join reasons_per_delivery as r on d.delivery_id = r.delivery_id
        order by d.source, d.loaded_at, d.delivery_name
        """
    ).df()


def freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source: the last delivery's load moment and the latest event date it delivered."""
    return con.execute(
        """
        with events as (
            select 'politie' as bron, max(try_strptime(mutatiedatum, '%d-%m-%Y')::date) as laatste_gebeurtenis
            from raw.politie_mutaties
            union all
            select 'om', greatest(
                (select max(try_cast(datum_overleg as date)) from raw.om_casusoverleggen),
                (select max(try_cast(startdatum as date)) from raw.om_veelplegersplannen),
                (select max(try_cast(feitdatum as date)) from raw.om_strafzaken))
            union all
            select 'vh', greatest(
                (select max(try_cast(meldingsdatum as date)) from raw.vh_meldingen),
                (select max(try_cast(datum as date)) from raw.vh_vervolgacties),
                (select max(try_cast(startdatum as date)) from raw.vh_trajecten))
            union all
            select 'gemeenten', max(try_cast(datum_rihg as date)) from raw.gemeenten_huisverboden
        ),
        loads as (
            select source as bron, max(loaded_at) as laatste_levering_geladen, count(*) as leveringen
            from raw._deliveries
            group by all
        )
        select events.bron, loads.leveringen, loads.laatste_levering_geladen, events.laatste_gebeurtenis
        from events
        left join loads on events.bron = loads.bron
        order by events.bron
        """
    ).df()
