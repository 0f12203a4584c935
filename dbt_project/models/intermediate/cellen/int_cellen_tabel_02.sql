-- Table 2 as cells: meldingen in the report year per doelgroep per gemeente (by pleegplaats).
with

meldingen as (
    select * from {{ ref('int_meldingen') }}
    where jaar = {{ var('jaar') }}
),

grid as (
    -- doelgroepen the VH serves for Maastricht only have no cells for the other gemeenten
    select
        doelgroepen.doelgroep,
        doelgroepen.tabel_2 as rij,
        doelgroepen.volgorde as rij_volgorde,
        gemeente_kolommen.gemeente,
        gemeente_kolommen.kolom,
        gemeente_kolommen.kolom_volgorde
    from {{ ref('doelgroepen') }} as doelgroepen
    cross join {{ gemeente_kolommen() }}
    where not doelgroepen.alleen_maastricht or gemeente_kolommen.gemeente = 'Maastricht'
),

cells as (
    select
        grid.rij,
        grid.rij_volgorde,
        grid.kolom,
        grid.kolom_volgorde,
        count(meldingen.melding_id) as waarde
    from grid
    left join meldingen
        on grid.doelgroep = meldingen.doelgroep and grid.gemeente = meldingen.gemeente
    group by grid.rij, grid.rij_volgorde, grid.kolom, grid.kolom_volgorde
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells') }}) as with_totals
