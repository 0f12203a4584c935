-- Strafzaken at the OM, latest version of each, typed.
with

landed as (
    select * from {{ source('om', 'om_strafzaken') }}
),

latest as (
    {{ latest_by('landed', 'parketnummer', 'gewijzigd_op, _loaded_at') }}
)

select
    latest.parketnummer,
    {{ iso_date('latest.feitdatum') }} as feitdatum,
    latest.feitcode,
    latest.grond,
    gemeenten.gemeente,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number
from latest
left join {{ ref('gemeenten') }} as gemeenten
    on latest.pleeggemeente = gemeenten.naam_in_bron
