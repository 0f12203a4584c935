{#-
  A key for analysts' rows that cannot be recomputed from a source id: the hash is salted with a
  secret derived from the pseudonymisation key (vhpipe sets VH_SURROGATE_SALT), so knowing an OM
  or VH id does not lead to the row, nor back. The salt reaches the database as a session value
  (see surrogate_salt), never as a literal in compiled SQL, dbt's target folder or its logs.
-#}
{% macro surrogate_key(expression) -%}
    md5({{ surrogate_salt() }} || ':' || {{ expression }})
{%- endmacro %}

{% macro surrogate_salt() -%}
    {{ return(adapter.dispatch('surrogate_salt')()) }}
{%- endmacro %}

{#- DuckDB: set on every connection and cursor by the plugin orchestration/salt_plugin.py. -#}
{% macro duckdb__surrogate_salt() -%}
    getvariable('surrogate_salt')
{%- endmacro %}

{#- PostgreSQL: a session setting vhpipe passes at connect time (PGOPTIONS, orchestration/environment.py). -#}
{% macro postgres__surrogate_salt() -%}
    current_setting('vh.surrogate_salt')
{%- endmacro %}

{#- Elsewhere the salt is a literal (dbt refuses to build without VH_SURROGATE_SALT). -#}
{% macro default__surrogate_salt() -%}
    '{{ var("surrogate_salt") }}'
{%- endmacro %}

{#- An incremental fact drops the rows its model no longer has (a JCO found at the OM later, a correction). -#}
{% macro delete_rows_gone_from(model, key, key_expression) -%}
    delete from {{ this }}
    where {{ key }} not in (select {{ surrogate_key(key_expression) }} from {{ ref(model) }})
{%- endmacro %}
