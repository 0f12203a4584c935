-- Table 4 as cells: vervolgacties in the report year per soort and doelgroep (counted from
-- int_leden_tabel_04), with each soort's share of all vervolgacties.
with

kolommen as (
    select
        kolommen.kolom,
        kolommen.kolom_volgorde
    from (
        values
        ('Jeugd', 1), ('Veelplegers', 2), ('Huiselijk geweld', 3),
        ('Volwassen ex-gedetineerden', 4), ('Multiproblematiek', 5)
    ) as kolommen (kolom, kolom_volgorde)
),

cells as (
    select
        soorten.soort as rij,
        soorten.volgorde as rij_volgorde,
        kolommen.kolom,
        kolommen.kolom_volgorde,
        coalesce(leden.waarde, 0) as waarde
    from {{ ref('vervolgactie_soorten') }} as soorten
    cross join kolommen
    left join {{ member_counts('int_leden_tabel_04') }} as leden
        on soorten.soort = leden.rij and kolommen.kolom = leden.kolom
),

totalled as (
    {{ with_totals('cells') }}
),

grand as (
    select waarde from totalled
    where rij = 'Totaal' and kolom = 'Totaal'
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from totalled
union all
select
    totalled.rij,
    totalled.rij_volgorde,
    '% van totaal' as kolom,
    100 as kolom_volgorde,
    {{ percentage('totalled.waarde', 'grand.waarde') }} as waarde
from totalled
cross join grand
where totalled.kolom = 'Totaal'
