-- One row per person per police mutatie, typed, place names mapped, latest version only.
-- Incremental on DuckDB (dbt_project.yml): a night takes again every mutatie with a row landed since the last build
-- (or missing from this model), all its versions, and replaces its rows; a mutatie purged from raw
-- (retention) leaves. A changed project rebuilds it from scratch (orchestration/dbt_selection.py).
{{ config(
    unique_key='mutatienummer',
    incremental_strategy='delete+insert',
    post_hook=(
        "{% if is_incremental() %}delete from {{ this }} where mutatienummer not in "
        ~ "(select mutatienummer from {{ source('raw', 'politie_mutaties') }} where mutatienummer is not null)"
        ~ "{% endif %}"
    )
) }}
with

landed as (
    select * from {{ source('raw', 'politie_mutaties') }}
    {% if is_incremental() %}
        where mutatienummer in (
            select changed.mutatienummer
            from {{ source('raw', 'politie_mutaties') }} as changed
            where
                changed._loaded_at > (select coalesce(max(this.loaded_at), '1900-01-01') from {{ this }} as this)
                or changed.mutatienummer not in (select this.mutatienummer from {{ this }} as this)
        )
    {% endif %}
),

typed as (
    select
        mutatienummer,
        cast(versie as integer) as versie,
        {{ dutch_date('mutatiedatum') }} as mutatiedatum,
        incidentcode,
        nullif(projectcode, '') as projectcode,
        selectiecode,
        pleegplaats,
        rol,
        persoon_sleutel,
        naam_sleutel,
        {{ person_key() }} as persoon_key,
        leeftijdsklasse,
        coalesce(is_testpersoon, false) as is_testpersoon,
        _delivery_id as delivery_id,
        _row_number as delivery_row_number,
        _loaded_at as loaded_at
    from landed
),

latest_versions as (
    -- a corrected mutatie is delivered again with a higher versie; only the latest counts
    select
        mutatienummer,
        max(versie) as versie
    from typed
    group by mutatienummer
),

latest_version as (
    select typed.*
    from typed
    inner join latest_versions
        on typed.mutatienummer = latest_versions.mutatienummer and typed.versie = latest_versions.versie
)

select
    latest_version.*,
    selectiecodes.doelgroep,
    gemeenten.gemeente,
    gemeenten.cbs_code,
    coalesce(gemeenten.in_district, false) as in_district
from latest_version
left join {{ ref('politie_selectiecodes') }} as selectiecodes
    on latest_version.selectiecode = selectiecodes.selectiecode
left join {{ ref('gemeenten') }} as gemeenten
    on latest_version.pleegplaats = gemeenten.naam_in_bron
