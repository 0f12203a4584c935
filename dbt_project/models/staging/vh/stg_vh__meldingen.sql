-- Meldingen in the VH register, latest version of each, codes mapped.
with

landed as (
    select * from {{ source('vh', 'vh_meldingen') }}
),

latest as (
    {{ latest_by('landed', 'melding_id', 'gewijzigd_op, _loaded_at') }}
)

select
    latest.melding_id,
    {{ iso_date('latest.meldingsdatum') }} as meldingsdatum,
    case latest.herkomst when 'partner' then 'partners' else latest.herkomst end as herkomst,
    latest.melder,
    latest.doelgroep_code,
    codes.omschrijving as doelgroep,
    gemeenten.gemeente,
    coalesce(gemeenten.in_district, false) as in_district,
    nullif(latest.buurt, '') as buurt,
    {{ person_key('latest.persoon_sleutel', 'latest.naam_sleutel') }} as persoon_key,
    latest.leeftijdsklasse,
    coalesce(latest.is_testpersoon, false) as is_testpersoon,
    {{ iso_timestamp('latest.gewijzigd_op') }} as gewijzigd_op,
    latest._delivery_id as delivery_id,
    latest._row_number as delivery_row_number,
    latest._loaded_at as loaded_at
from latest
left join {{ ref('vh_codes') }} as codes
    on codes.codelijst = 'doelgroep' and latest.doelgroep_code = codes.code
left join {{ ref('gemeenten') }} as gemeenten
    on latest.gemeente = gemeenten.naam_in_bron
