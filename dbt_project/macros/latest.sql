{#- Keep the latest version of each record: sources deliver corrections as new rows with the same key. -#}
{% macro latest_by(key, order_by) -%}
    qualify row_number() over (partition by {{ key }} order by {{ order_by }} desc) = 1
{%- endmacro %}
