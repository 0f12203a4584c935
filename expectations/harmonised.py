"""Frames of the harmonised layer (intermediate.int_*) for the integrity suites.

dbt tests guard single rows (keys, not-nulls, relationships); these frames add what only shows
across rows or against other models: shares, distributions, date order, links between events.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# the whole-table relations the suites read (runner.run_suite_on_query: only the columns a suite
# uses, in parts when large); each is named by its key, the first column of the suite's id

# every melding of every year, with the year of its own date next to the year it is counted in
MELDINGEN = "select *, year(meldingsdatum) as jaar_van_datum from intermediate.int_meldingen"

# every vervolgactie, with whether the melding it names (if any) is a known melding
VERVOLGACTIES = """
    select
        v.*,
        year(v.datum) as jaar_van_datum,
        v.melding_id is null or m.melding_id is not null as melding_bekend
    from intermediate.int_vervolgacties as v
    left join (select distinct melding_id from intermediate.int_meldingen) as m on v.melding_id = m.melding_id
"""

TRAJECTEN = "select *, date '2000-01-01' as earliest_allowed from intermediate.int_trajecten"

# every RIHG, with the length of the huisverbod in days (10, up to 28 when extended)
HUISVERBODEN = "select *, datediff('day', datum_opgelegd, einddatum) as duur_dagen from intermediate.int_huisverboden"


def year_is_complete(con: duckdb.DuckDBPyConnection, year: int) -> bool:
    """The registrations cover the whole year: its meldingen run from January into December.

    A nightly run during the year sees a part of it; shares per month and the published figures
    only apply to a whole year.
    """
    first, last = con.execute(
        "select min(meldingsdatum), max(meldingsdatum) from intermediate.int_meldingen where jaar = $year",
        {"year": year},
    ).fetchone()
    return first is not None and first.month == 1 and last.month == 12


def meldingen_spreiding(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The year's meldingen spread over the gemeenten and over the months, as shares of the year's total.

    One row per gemeente (`indeling` = gemeente) and per month (`indeling` = maand); `deel` names it.
    Empty until the year is complete: part of a year is no sample of it (the register's meldingen of
    the whole year arrive at once, the police's day by day).
    """
    return con.execute(
        """
        with jaar as (
            select * from intermediate.int_meldingen where jaar = $year
        ),
        totaal as (
            select count(*) as n from jaar
        ),
        per_gemeente as (
            select 'gemeente' as indeling, gemeente as deel, count(*) as aantal
            from jaar
            where $complete
            group by all
        ),
        per_maand as (
            select 'maand' as indeling, strftime(maanden.maand, '%Y-%m') as deel, count(jaar.melding_id) as aantal
            from (
                select unnest(generate_series(make_date($year, 1, 1), make_date($year, 12, 1), interval 1 month))::date
                    as maand
            ) as maanden
            left join jaar on date_trunc('month', jaar.meldingsdatum) = maanden.maand
            where $complete
            group by all
        )
        select indeling, deel, aantal, aantal / nullif(totaal.n, 0) as aandeel
        from (select * from per_gemeente union all select * from per_maand) as delen
        cross join totaal
        order by indeling, deel
        """,
        {"year": year, "complete": year_is_complete(con, year)},
    ).df()
