{#-
  A table of the report laid out as printed: one row per `rij` (in the report's order), one
  column per entry of `columns` (a list of (heading, column_name) pairs), integers, null where
  the report has no cell.
-#}
{% macro pivot_cells(cells_model, row_column, columns) %}
    
select
    cast(rij as varchar) as {{ row_column }},
{%- for heading, column_name in columns %}
    
        cast(max(case when kolom = '{{ heading }}' then waarde end) as integer) as {{ column_name }}
    {{- "," if not loop.last }}
{%- endfor %}
from {{ ref(cells_model) }}
group by rij, rij_volgorde
order by rij_volgorde
{% endmacro %}
