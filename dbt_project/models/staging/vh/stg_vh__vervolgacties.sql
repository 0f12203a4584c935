-- Vervolgacties in the VH register, latest version of each, codes mapped.
with

landed as (
    select * from {{ source('vh', 'vh_vervolgacties') }}
),

latest as (
    {{ latest_by('landed', 'vervolgactie_id', 'gewijzigd_op, _loaded_at') }}
)

select
    latest.vervolgactie_id,
    nullif(latest.melding_id, '') as melding_id,
    {{ iso_date('latest.datum') }} as datum,
    latest.soort_code,
    soorten.omschrijving as soort,
    doelgroepen.omschrijving as doelgroep,
    gemeenten.gemeente,
    coalesce(gemeenten.in_district, false) as in_district,
    nullif(latest.buurt, '') as buurt,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    {{ iso_timestamp('latest.gewijzigd_op') }} as gewijzigd_op,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number,
    latest._loaded_at as loaded_at
from latest
left join {{ ref('vh_codes') }} as soorten
    on soorten.codelijst = 'vervolgactie_soort' and latest.soort_code = soorten.code
left join {{ ref('vh_codes') }} as doelgroepen
    on doelgroepen.codelijst = 'doelgroep' and latest.doelgroep_code = doelgroepen.code
left join {{ ref('gemeenten') }} as gemeenten
    on latest.gemeente = gemeenten.naam_in_bron
