-- A calendar for grouping by year, quarter, month and week, in Dutch.
with

dagen as (
    select cast(dag as date) as datum
    from generate_series(date '2005-01-01', date '2030-12-31', interval '1 day') as dagen (dag)
),

maanden as (
    select
        maanden.maand,
        maanden.maandnaam
    from (
        values
        (1, 'januari'), (2, 'februari'), (3, 'maart'), (4, 'april'), (5, 'mei'), (6, 'juni'),
        (7, 'juli'), (8, 'augustus'), (9, 'september'), (10, 'oktober'), (11, 'november'), (12, 'december')
    ) as maanden (maand, maandnaam)
)

select
    dagen.datum,
    cast(extract(year from dagen.datum) as integer) as jaar,
    cast(extract(quarter from dagen.datum) as integer) as kwartaal,
    cast(extract(month from dagen.datum) as integer) as maand,
    maanden.maandnaam,
    cast(extract(isoyear from dagen.datum) as integer) as isojaar,
    cast(extract(week from dagen.datum) as integer) as isoweek,
    cast(extract(isodow from dagen.datum) as integer) as dag_van_de_week,
    extract(isodow from dagen.datum) >= 6 as is_weekend
from dagen
inner join maanden on extract(month from dagen.datum) = maanden.maand
