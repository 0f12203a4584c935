-- Table 1 as cells: meldingen in the report year per herkomst, with their share of the total.
with

meldingen as (
    select * from {{ ref('int_meldingen') }}
    where jaar = {{ var('jaar') }}
),

herkomsten as (
    select
        herkomsten.herkomst,
        herkomsten.rij,
        herkomsten.rij_volgorde
    from (
        values
        ('politie', 'Mutaties politie', 1),
        ('gevangeniswezen', 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)', 2),
        ('partners', 'Meldingen partners', 3)
    ) as herkomsten (herkomst, rij, rij_volgorde)
),

aantallen as (
    select
        herkomsten.rij,
        herkomsten.rij_volgorde,
        count(meldingen.melding_id) as aantal
    from herkomsten
    left join meldingen on herkomsten.herkomst = meldingen.herkomst
    group by herkomsten.rij, herkomsten.rij_volgorde
),

totaal as (
    select sum(aantal) as aantal from aantallen
),

met_totaal as (
    select
        rij,
        rij_volgorde,
        aantal
    from aantallen
    union all
    select
        'Totaal' as rij,
        99 as rij_volgorde,
        sum(aantal) as aantal
    from aantallen
)

select
    rij,
    rij_volgorde,
    'aantal' as kolom,
    1 as kolom_volgorde,
    cast(aantal as integer) as waarde
from met_totaal
union all
select
    met_totaal.rij,
    met_totaal.rij_volgorde,
    '% van totaal' as kolom,
    2 as kolom_volgorde,
    {{ percentage('met_totaal.aantal', 'totaal.aantal') }} as waarde
from met_totaal
cross join totaal
