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
    qualify row_number() over (partition by {{ key }} order by {{ order_by }} desc) = 1
{%- endmacro %}

{% macro postgres__latest_by(relation, key, order_by) -%}
    select distinct on ({{ key }}) *
    from {{ relation }}
    order by {{ key }}, {{ order_by }} desc
{%- endmacro %}
