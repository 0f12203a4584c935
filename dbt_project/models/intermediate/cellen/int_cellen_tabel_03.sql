-- Table 3 as cells: multiproblematiek meldingen in the report year per stadsdeel of Maastricht
-- (counted from int_leden_tabel_03).
with

cells as (
    select
        stadsdeelgroepen.stadsdeelgroep as rij,
        stadsdeelgroepen.rij_volgorde,
        'Aantal meldingen' as kolom,
        1 as kolom_volgorde,
        coalesce(leden.waarde, 0) as waarde
    from {{ stadsdeelgroepen() }}
    left join {{ member_counts('int_leden_tabel_03') }} as leden on stadsdeelgroepen.stadsdeelgroep = leden.rij
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', row_totals=false) }}) as with_totals
