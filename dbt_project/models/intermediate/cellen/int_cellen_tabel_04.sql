-- Table 4 as cells: vervolgacties in the report year per soort and doelgroep, with each
-- soort's share of all vervolgacties.
with

vervolgacties as (
    select * from {{ ref('int_vervolgacties') }}
    where jaar = {{ var('jaar') }}
),

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

grid as (
    select
        soorten.soort as rij,
        soorten.volgorde as rij_volgorde,
        kolommen.kolom,
        kolommen.kolom_volgorde
    from {{ ref('vervolgactie_soorten') }} as soorten
    cross join kolommen
),

labelled as (
    select
        vervolgacties.vervolgactie_id,
        vervolgacties.soort,
        doelgroepen.tabel_4 as kolom
    from vervolgacties
    inner join {{ ref('doelgroepen') }} as doelgroepen on vervolgacties.doelgroep = doelgroepen.doelgroep
),

cells as (
    select
        grid.rij,
        grid.rij_volgorde,
        grid.kolom,
        grid.kolom_volgorde,
        count(labelled.vervolgactie_id) as waarde
    from grid
    left join labelled on grid.rij = labelled.soort and grid.kolom = labelled.kolom
    group by grid.rij, grid.rij_volgorde, grid.kolom, grid.kolom_volgorde
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
