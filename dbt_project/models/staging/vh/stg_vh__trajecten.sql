-- Trajecten and plannen van aanpak in the VH register, latest version of each, codes mapped.
with

landed as (
    select * from {{ source('vh', 'vh_trajecten') }}
),

latest as (
    {{ latest_by('landed', 'traject_id', 'gewijzigd_op, _loaded_at') }}
)

select
    latest.traject_id,
    latest.categorie,
    latest.soort_code,
    soorten.omschrijving as soort,
    doelgroepen.omschrijving as doelgroep,
    gemeenten.gemeente,
    coalesce(gemeenten.in_district, false) as in_district,
    nullif(latest.buurt, '') as buurt,
    {{ iso_date('latest.startdatum') }} as startdatum,
    {{ iso_date('latest.einddatum') }} as einddatum,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    {{ iso_timestamp('latest.gewijzigd_op') }} as gewijzigd_op,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number
from latest
left join {{ ref('vh_codes') }} as soorten
    on soorten.codelijst = 'traject_soort' and latest.soort_code = soorten.code
left join {{ ref('vh_codes') }} as doelgroepen
    on doelgroepen.codelijst = 'doelgroep' and latest.doelgroep_code = doelgroepen.code
left join {{ ref('gemeenten') }} as gemeenten
    on latest.gemeente = gemeenten.naam_in_bron
