-- Table 9 as cells: the tijdelijk huisverbod in the report year per gemeente, by the date the
-- RIHG was filled in (counted from int_leden_tabel_09).
with

rijen as (
    select
        rijen.rij,
        rijen.rij_volgorde
    from (
        values
        ('Ingevulde RIHG’s', 1), ('Opgelegde huisverboden', 2), ('Ingetrokken huisverbod', 3),
        ('Verlengd huisverbod', 4), ('Samenloop met strafrecht', 5)
    ) as rijen (rij, rij_volgorde)
),

cells as (
    select
        rijen.rij,
        rijen.rij_volgorde,
        gemeente_kolommen.kolom,
        gemeente_kolommen.kolom_volgorde,
        coalesce(leden.waarde, 0) as waarde
    from rijen
    cross join {{ gemeente_kolommen() }}
    left join {{ member_counts('int_leden_tabel_09') }} as leden
        on rijen.rij = leden.rij and gemeente_kolommen.kolom = leden.kolom
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', column_totals=false) }}) as with_totals
