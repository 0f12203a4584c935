{#-
  A key for analysts' rows that cannot be recomputed from a source id: the hash is salted with a
  secret derived from the pseudonymisation key (vhpipe sets VH_SURROGATE_SALT; dbt refuses to
  build without it), so knowing an OM or VH id does not lead to the row, nor back.
-#}
{% macro surrogate_key(expression) -%}
    md5('{{ var("surrogate_salt") }}' || ':' || {{ expression }})
{%- endmacro %}

{#- An incremental fact drops the rows its model no longer has (a JCO found at the OM later, a correction). -#}
{% macro delete_rows_gone_from(model, key, key_expression) -%}
    delete from {{ this }}
    where {{ key }} not in (select {{ surrogate_key(key_expression) }} from {{ ref(model) }})
{%- endmacro %}
