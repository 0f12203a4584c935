-- One row per vervolgactie in the district, every year loaded, a JCO registered at both the
-- OM and the VH once. Incremental like fct_meldingen.
{{ config(materialized='incremental', unique_key='vervolgactie_sleutel', incremental_strategy='delete+insert') }}

select
    md5(vervolgactie_id) as vervolgactie_sleutel,
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
    where loaded_at > (select coalesce(max(this.loaded_at), '1900-01-01') from {{ this }} as this)
{% endif %}
