{#-
  Keep the latest version of each record: sources deliver corrections as new rows with the same key.
  A whole select over `relation`, one row per key, its columns as they are. DuckDB filters with
  qualify; PostgreSQL has no qualify but picks the first row per key with distinct on.
-#}
{% macro latest_by(relation, key, order_by) -%}
    {{ return(adapter.dispatch('latest_by')(relation, key, order_by)) }}
{%- endmacro %}

{% macro default__latest_by(relation, key, order_by) -%}
    select *
    from {{ relation }}
    qualify row_number() over (partition by {{ key }} order by {{ descending(order_by) }}) = 1
{%- endmacro %}

{% macro postgres__latest_by(relation, key, order_by) -%}
    select distinct on ({{ key }}) *
    from {{ relation }}
    order by {{ key }}, {{ descending(order_by) }}
{%- endmacro %}

{#- 'gewijzigd_op, _loaded_at' → 'gewijzigd_op desc, _loaded_at desc': the latest by every term, not the last one only. -#}
{% macro descending(order_by) -%}
    {%- for term in order_by.split(',') -%}
        {{ term.strip() }} desc{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
