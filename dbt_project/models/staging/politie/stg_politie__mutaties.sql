-- One row per person per police mutatie, typed, latest version only.
with

landed as (
    select * from {{ source('raw', 'politie_mutaties') }}
),

typed as (
    select
        mutatienummer,
        cast(versie as integer) as versie,
        cast(strptime(mutatiedatum, '%d-%m-%Y') as date) as mutatiedatum,
        incidentcode,
        nullif(projectcode, '') as projectcode,
        selectiecode,
        pleegplaats,
        rol,
        persoon_sleutel,
        naam_sleutel,
        leeftijdsklasse,
        _delivery_id as delivery_id,
        _row_number as delivery_row_number
    from landed
),

latest_version as (
    -- a corrected mutatie is delivered again with a higher versie; only the latest counts
    select *
    from typed
    qualify versie = max(versie) over (partition by mutatienummer)
)

select
    latest_version.*,
    selectiecodes.doelgroep
from latest_version
left join {{ ref('politie_selectiecodes') }} as selectiecodes
    on latest_version.selectiecode = selectiecodes.selectiecode
