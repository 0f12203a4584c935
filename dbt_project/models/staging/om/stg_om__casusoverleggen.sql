-- Justitiële casusoverleggen, latest version of each, typed, doelgroep decided.
with

landed as (
    select * from {{ source('om', 'om_casusoverleggen') }}
),

latest as (
    {{ latest_by('landed', 'casusoverleg_id', 'gewijzigd_op, _loaded_at') }}
)

select
    latest.casusoverleg_id,
    latest.parketnummer,
    latest.soort_overleg,
    soorten.vervolgactie_soort,
    soorten.kort_traject,
    -- the veelplegers JCO takes young adults (18-23) under the doelgroep Jeugd, as the report does
    coalesce(
        soorten.doelgroep,
        case when latest.leeftijdsklasse in ('12-17', '18-23') then 'Jeugd' else 'Volwassen veelplegers' end
    ) as doelgroep,
    {{ iso_date('latest.datum_overleg') }} as datum_overleg,
    latest.pleeggemeente,
    gemeenten.gemeente,
    coalesce(gemeenten.in_district, false) as in_district,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    latest.leeftijdsklasse,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    {{ iso_timestamp('latest.gewijzigd_op') }} as gewijzigd_op,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number,
    latest._loaded_at as loaded_at
from latest
left join {{ ref('om_overlegsoorten') }} as soorten
    on latest.soort_overleg = soorten.soort_overleg
left join {{ ref('gemeenten') }} as gemeenten
    on latest.pleeggemeente = gemeenten.naam_in_bron
