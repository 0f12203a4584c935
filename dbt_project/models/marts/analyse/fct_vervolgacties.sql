-- One row per vervolgactie in the district, every year loaded, a JCO registered at both the
-- OM and the VH once. Incremental like fct_meldingen: when the OM's copy of a JCO arrives after
-- the register's, the register's row is deleted, so the JCO is not counted twice.
{{ config(
    materialized='incremental',
    unique_key='vervolgactie_sleutel',
    incremental_strategy='delete+insert',
    post_hook="{{ delete_rows_gone_from('int_vervolgacties', 'vervolgactie_sleutel', 'vervolgactie_id') }}"
) }}

select
    {{ surrogate_key('vervolgactie_id') }} as vervolgactie_sleutel,
    bronnen,
    datum,
    cast(jaar as integer) as jaar,
    cast(extract(month from datum) as integer) as maand,
    soort,
    doelgroep,
    gemeente,
    buurt,
    melding_id is not null as op_melding,
    loaded_at
from {{ ref('int_vervolgacties') }}
{% if is_incremental() %}
    where
        loaded_at > (select coalesce(max(this.loaded_at), '1900-01-01') from {{ this }} as this)
        or {{ surrogate_key('vervolgactie_id') }} not in (select this.vervolgactie_sleutel from {{ this }} as this)
{% endif %}
