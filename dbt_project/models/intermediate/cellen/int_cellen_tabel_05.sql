-- Table 5 as cells: what became of the report year's multiproblematiek meldingen, per stadsdeel:
-- taken into a persoonsgerichte aanpak (PGA) or handed to partners (counted from int_leden_tabel_05).
with

kolommen as (
    select
        kolommen.kolom,
        kolommen.kolom_volgorde
    from (values ('Doorgestroomd naar PGA', 1), ('Afgehandeld door partners', 2)) as kolommen (kolom, kolom_volgorde)
),

cells as (
    select
        stadsdeelgroepen.stadsdeelgroep as rij,
        stadsdeelgroepen.rij_volgorde,
        kolommen.kolom,
        kolommen.kolom_volgorde,
        coalesce(leden.waarde, 0) as waarde
    from {{ stadsdeelgroepen() }}
    cross join kolommen
    left join {{ member_counts('int_leden_tabel_05') }} as leden
        on stadsdeelgroepen.stadsdeelgroep = leden.rij and kolommen.kolom = leden.kolom
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', row_totals=false) }}) as with_totals
