-- One row per melding in the district, every year loaded: the grain analysts count by.
-- Incremental: a nightly run merges the meldingen from deliveries landed since the last run and
-- any the fact lacks; a corrected melding replaces its earlier version through the key, and a
-- melding the harmonised layer no longer has (moved out of the district, on a test person) is
-- deleted. Rows that did not change are not rewritten.
{{ config(
    materialized='incremental',
    unique_key='melding_sleutel',
    incremental_strategy='delete+insert',
    post_hook="{{ delete_rows_gone_from('int_meldingen', 'melding_sleutel', \"bron || ':' || melding_id\") }}"
) }}

select
    {{ surrogate_key("meldingen.bron || ':' || meldingen.melding_id") }} as melding_sleutel,
    meldingen.bron,
    meldingen.herkomst,
    meldingen.meldingsdatum,
    cast(meldingen.jaar as integer) as jaar,
    cast(extract(month from meldingen.meldingsdatum) as integer) as maand,
    meldingen.doelgroep,
    meldingen.gemeente,
    meldingen.stadsdeel,
    meldingen.stadsdeelgroep,
    meldingen.buurt,
    meldingen.leeftijdsklasse,
    meldingen.incidentcode,
    incidentcodes.cbs_soort_misdrijf,
    incidentcodes.omschrijving as incident_omschrijving,
    meldingen.loaded_at
from {{ ref('int_meldingen') }} as meldingen
left join {{ ref('incidentcodes') }} as incidentcodes on meldingen.incidentcode = incidentcodes.incidentcode
{% if is_incremental() %}
    where
        meldingen.loaded_at > (select coalesce(max(this.loaded_at), '1900-01-01') from {{ this }} as this)
        or {{ surrogate_key("meldingen.bron || ':' || meldingen.melding_id") }} not in (
            select this.melding_sleutel from {{ this }} as this
        )
{% endif %}
