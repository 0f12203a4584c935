-- A calendar for grouping by year, quarter, month and week, in Dutch.
with

dagen as (
    select cast(dag as date) as datum
    from generate_series(date '2005-01-01', date '2030-12-31', interval 1 day) as dagen (dag)
)

select
    datum,
    cast(extract(year from datum) as integer) as jaar,
    cast(extract(quarter from datum) as integer) as kwartaal,
    cast(extract(month from datum) as integer) as maand,
    [
        'januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus',
        'september', 'oktober', 'november', 'december'
    ][extract(month from datum)] as maandnaam,
    cast(extract(isoyear from datum) as integer) as isojaar,
    cast(extract(week from datum) as integer) as isoweek,
    cast(extract(isodow from datum) as integer) as dag_van_de_week,
    extract(isodow from datum) >= 6 as is_weekend
from dagen
