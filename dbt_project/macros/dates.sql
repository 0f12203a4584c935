{#-
  Dates as the source systems write them, typed; an unreadable value becomes null (the connectors
  already quarantined those). DuckDB reads them with try_strptime and try_cast (dbt.safe_cast);
  PostgreSQL has no safe cast, so it casts only what has the shape of a date.
-#}
{% macro dutch_date(column) -%}
    {{ return(adapter.dispatch('dutch_date')(column)) }}
{%- endmacro %}

{% macro default__dutch_date(column) -%}
    cast(try_strptime({{ column }}, '%d-%m-%Y') as date)
{%- endmacro %}

{% macro postgres__dutch_date(column) -%}
    case when {{ column }} ~ '^[0-9]{2}-[0-9]{2}-[0-9]{4}$' then to_date({{ column }}, 'DD-MM-YYYY') end
{%- endmacro %}

{% macro iso_date(column) -%}
    {{ return(adapter.dispatch('iso_date')(column)) }}
{%- endmacro %}

{% macro default__iso_date(column) -%}
    {{ dbt.safe_cast('left(' ~ column ~ ', 10)', api.Column.translate_type('date')) }}
{%- endmacro %}

{% macro postgres__iso_date(column) -%}
    case
        when {{ column }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
            then {{ dbt.cast('left(' ~ column ~ ', 10)', api.Column.translate_type('date')) }}
    end
{%- endmacro %}

{% macro iso_timestamp(column) -%}
    {{ return(adapter.dispatch('iso_timestamp')(column)) }}
{%- endmacro %}

{% macro default__iso_timestamp(column) -%}
    {{ dbt.safe_cast("replace(" ~ column ~ ", 'T', ' ')", api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{% macro postgres__iso_timestamp(column) -%}
    case
        when {{ column }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
            then {{ dbt.cast("replace(" ~ column ~ ", 'T', ' ')", api.Column.translate_type('timestamp')) }}
    end
{%- endmacro %}

{#- Days between two dates (second minus first), as DuckDB's date_diff('day', first, second). -#}
{% macro days_between(first, second) -%}
    {{ dbt.datediff(first, second, 'day') }}
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
