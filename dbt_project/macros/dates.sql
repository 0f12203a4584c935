{#- Dates as the source systems write them, typed; an unreadable value becomes null (the connectors already quarantined those). -#}
{% macro dutch_date(column) -%}
    cast(try_strptime({{ column }}, '%d-%m-%Y') as date)
{%- endmacro %}

{% macro iso_date(column) -%}
    try_cast(left({{ column }}, 10) as date)
{%- endmacro %}

{% macro iso_timestamp(column) -%}
    try_cast(replace({{ column }}, 'T', ' ') as timestamp)
{%- endmacro %}

{#- First and last day of the report year, and the day stock measures are taken (1 January after it). -#}
{% macro period_start() -%}
    make_date({{ var('jaar') }}, 1, 1)
{%- endmacro %}

{% macro period_end() -%}
    make_date({{ var('jaar') }}, 12, 31)
{%- endmacro %}

{% macro stock_date() -%}
    make_date({{ var('jaar') }} + 1, 1, 1)
{%- endmacro %}

{#- True when a traject or plan runs on at least one day between first and last. -#}
{% macro active_between(start, end, first, last) -%}
    ({{ start }} <= {{ last }} and ({{ end }} is null or {{ end }} >= {{ first }}))
{%- endmacro %}
