-- Table 3 as cells: multiproblematiek meldingen in the report year per stadsdeel of Maastricht.
with

meldingen as (
    select * from {{ ref('int_meldingen') }}
    where jaar = {{ var('jaar') }} and doelgroep = 'Multiproblematiek'
),

cells as (
    select
        stadsdeelgroepen.stadsdeelgroep as rij,
        stadsdeelgroepen.rij_volgorde,
        'Aantal meldingen' as kolom,
        1 as kolom_volgorde,
        count(meldingen.melding_id) as waarde
    from {{ stadsdeelgroepen() }}
    left join meldingen on stadsdeelgroepen.stadsdeelgroep = meldingen.stadsdeelgroep
    group by stadsdeelgroepen.stadsdeelgroep, stadsdeelgroepen.rij_volgorde
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', row_totals=false) }}) as with_totals
