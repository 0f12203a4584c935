-- Justitiële veelplegersplannen, latest version of each, typed.
with

landed as (
    select * from {{ source('om', 'om_veelplegersplannen') }}
),

latest as (
    {{ latest_by('landed', 'plan_id', 'gewijzigd_op, _loaded_at') }}
)

select
    latest.plan_id,
    latest.doelgroep,
    latest.gemeente as gemeente_in_bron,
    gemeenten.gemeente,
    coalesce(gemeenten.in_district, false) as in_district,
    {{ iso_date('latest.startdatum') }} as startdatum,
    {{ iso_date('latest.einddatum') }} as einddatum,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    latest.leeftijdsklasse,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    {{ iso_timestamp('latest.gewijzigd_op') }} as gewijzigd_op,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number
from latest
left join {{ ref('gemeenten') }} as gemeenten
    on latest.gemeente = gemeenten.naam_in_bron
