-- The RIHG's behind each cell of Table 9: the report year's registrations by measure and gemeente.
with

huisverboden as (
    select * from {{ ref('int_huisverboden') }}
    where jaar = {{ var('jaar') }}
),

measures as (
    select
        huisverboden.*,
        measures.rij,
        measures.rij_volgorde
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
)

select
    '9' as tabel,
    measures.rij,
    measures.rij_volgorde,
    gemeente_kolommen.kolom,
    gemeente_kolommen.kolom_volgorde,
    'gemeenten:' || measures.registratienummer as lid,
    measures.persoon_key,
    measures.datum_rihg as datum,
    case when measures.rij = 'Samenloop met strafrecht' then 'gemeenten+om' else 'gemeenten' end as bronnen,
    measures.delivery_id,
    measures.delivery_row_number
from measures
inner join {{ gemeente_kolommen() }} on measures.gemeente = gemeente_kolommen.gemeente
