-- Table 9 as cells: the tijdelijk huisverbod in the report year per gemeente, by the date
-- the RIHG was filled in.
with

huisverboden as (
    select * from {{ ref('int_huisverboden') }}
    where jaar = {{ var('jaar') }}
),

measures as (
    select
        huisverboden.gemeente,
        measures.rij,
        measures.rij_volgorde,
        huisverboden.registratienummer
    from huisverboden
    cross join
        lateral (
            values
            ('Ingevulde RIHG’s', 1, true),
            ('Opgelegde huisverboden', 2, huisverboden.is_opgelegd),
            ('Ingetrokken huisverbod', 3, huisverboden.is_ingetrokken),
            ('Verlengd huisverbod', 4, huisverboden.is_verlengd),
            ('Samenloop met strafrecht', 5, huisverboden.is_samenloop_strafrecht)
        ) as measures (rij, rij_volgorde, geldt)
    where measures.geldt
),

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
        count(measures.registratienummer) as waarde
    from rijen
    cross join {{ gemeente_kolommen() }}
    left join measures
        on rijen.rij = measures.rij and gemeente_kolommen.gemeente = measures.gemeente
    group by rijen.rij, rijen.rij_volgorde, gemeente_kolommen.kolom, gemeente_kolommen.kolom_volgorde
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', column_totals=false) }}) as with_totals
