-- Table 2 as cells: meldingen in the report year per doelgroep per gemeente (counted from
-- int_leden_tabel_02); doelgroepen served for Maastricht only have no cells for the other gemeenten.
with

grid as (
    select
        doelgroepen.tabel_2 as rij,
        doelgroepen.volgorde as rij_volgorde,
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
        coalesce(leden.waarde, 0) as waarde
    from grid
    left join {{ member_counts('int_leden_tabel_02') }} as leden
        on grid.rij = leden.rij and grid.kolom = leden.kolom
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells') }}) as with_totals
