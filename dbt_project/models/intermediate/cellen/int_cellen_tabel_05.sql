-- Table 5 as cells: what became of the report year's multiproblematiek meldingen, per stadsdeel:
-- taken into a persoonsgerichte aanpak (PGA, the integrale aanpak) or handed to partners.
with

meldingen as (
    select * from {{ ref('int_meldingen') }}
    where jaar = {{ var('jaar') }} and doelgroep = 'Multiproblematiek'
),

vervolgacties as (
    select
        vervolgacties.vervolgactie_id,
        soorten.tabel_5 as kolom,
        meldingen.stadsdeelgroep
    from {{ ref('int_vervolgacties') }} as vervolgacties
    inner join meldingen on vervolgacties.melding_id = meldingen.melding_id
    inner join {{ ref('vervolgactie_soorten') }} as soorten on vervolgacties.soort = soorten.soort
    where vervolgacties.jaar = {{ var('jaar') }} and soorten.tabel_5 is not null
),

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
        count(vervolgacties.vervolgactie_id) as waarde
    from {{ stadsdeelgroepen() }}
    cross join kolommen
    left join vervolgacties
        on
            stadsdeelgroepen.stadsdeelgroep = vervolgacties.stadsdeelgroep
            and kolommen.kolom = vervolgacties.kolom
    group by stadsdeelgroepen.stadsdeelgroep, stadsdeelgroepen.rij_volgorde, kolommen.kolom, kolommen.kolom_volgorde
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', row_totals=false) }}) as with_totals
