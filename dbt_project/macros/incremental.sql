{#- The meldingen of an incremental model's `bron` to build again on a night, for a delete before it:
    those whose record in `staging` landed after the model's latest row (a new version), and those whose
    record is gone from staging (purged). `staging_key` is the record's key, the model's melding_id. -#}
{% macro changed_or_gone(bron, staging, staging_key) -%}
    (bron = '{{ bron }}' and (
        melding_id in (
            select changed.{{ staging_key }} from {{ ref(staging) }} as changed
            where changed.loaded_at > (select max(this.loaded_at) from {{ this }} as this)
        )
        or melding_id not in (
            select kept.{{ staging_key }} from {{ ref(staging) }} as kept
            where kept.{{ staging_key }} is not null
        )
    ))
{%- endmacro %}
