-- Huisverboden as the gemeenten registered them, latest delivery of each registration, typed.
with

landed as (
    select * from {{ source('gemeenten', 'gemeenten_huisverboden') }}
),

latest as (
    -- a workbook delivered again (corrected) replaces the registrations it holds
    {{ latest_by('landed', 'registratienummer', '_loaded_at, _delivery_id, _row_number') }}
)

select
    latest.registratienummer,
    latest.gemeente as gemeente_in_bron,
    gemeenten.gemeente,
    coalesce(gemeenten.in_district, false) as in_district,
    {{ iso_date('latest.datum_rihg') }} as datum_rihg,
    latest.opgelegd = 'Ja' as is_opgelegd,
    {{ iso_date('latest.datum_opgelegd') }} as datum_opgelegd,
    latest.ingetrokken = 'Ja' as is_ingetrokken,
    latest.verlengd = 'Ja' as is_verlengd,
    {{ iso_date('latest.einddatum') }} as einddatum,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    latest.leeftijdsklasse,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number
from latest
left join {{ ref('gemeenten') }} as gemeenten
    on latest.gemeente = gemeenten.naam_in_bron
