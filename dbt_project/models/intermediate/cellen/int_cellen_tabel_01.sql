-- Table 1 as cells: meldingen in the report year per herkomst (counted from int_leden_tabel_01),
-- with their share of the total.
with

herkomsten as (
    select
        herkomsten.rij,
        herkomsten.rij_volgorde
    from (
        values
        ('Mutaties politie', 1),
        ('Meldingen gevangeniswezen (nazorg ex-gedetineerden)', 2),
        ('Meldingen partners', 3)
    ) as herkomsten (rij, rij_volgorde)
),

aantallen as (
    select
        herkomsten.rij,
        herkomsten.rij_volgorde,
        coalesce(leden.waarde, 0) as aantal
    from herkomsten
    left join {{ member_counts('int_leden_tabel_01') }} as leden on herkomsten.rij = leden.rij
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
        aantal
    from totaal
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
