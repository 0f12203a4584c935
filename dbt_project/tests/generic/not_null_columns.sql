{% test not_null_columns(model, column_names) %}
    {#- Every named column holds a value in every row. One test per model, not per column: dbt
        spends about 30 ms on every test it runs, and this scans the model once for all columns.
        It returns a row per column that has nulls, with how many; failures count the null cells. -#}
    {{ config(fail_calc='coalesce(sum(null_rows), 0)') }}

with null_counts as (
    select
        {% for column_name in column_names -%}
        count(*) filter (where {{ column_name }} is null) as {{ column_name }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}
)

{% for column_name in column_names %}
select
    '{{ column_name }}' as column_name,
    {{ column_name }} as null_rows
from null_counts
where {{ column_name }} > 0
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% endtest %}
