{#-
  The report's tables as cells (rij, kolom, waarde) with their order, plus the totals the
  report prints: a 'Totaal' column summing each row and a 'Totaal' row summing each column.
  `cells` is a relation with rij, rij_volgorde, kolom, kolom_volgorde, waarde.
-#}
{% macro with_totals(cells, row_totals=true, column_totals=true) %}
    
    select rij, rij_volgorde, kolom, kolom_volgorde, waarde from {{ cells }}
    {% if row_totals %}
        union all
        select rij, rij_volgorde, 'Totaal', 99, sum(waarde)
        from {{ cells }}
        group by rij, rij_volgorde
    {% endif %}
    {% if column_totals %}
    
        union all
        select 'Totaal', 99, kolom, kolom_volgorde, sum(waarde)
        from {{ cells }}
        group by kolom, kolom_volgorde
        {% if row_totals %}
            union all
            select 'Totaal', 99, 'Totaal', 99, sum(waarde) from {{ cells }}
        {% endif %}
    {% endif %}
{% endmacro %}

{#- Whole percentages, halves rounded up, as the report prints them. -#}
{% macro percentage(part, whole) -%}
    coalesce(cast(floor({{ part }} * 100.0 / nullif({{ whole }}, 0) + 0.5) as integer), 0)
{%- endmacro %}

{#- The four gemeenten as the report's columns, in the report's order. -#}
{% macro gemeente_kolommen() -%}
    (
        values
        ('Maastricht', 'Maastricht', 1),
        ('Eijsden-Margraten', 'Eijsden-Margraten', 2),
        ('Meerssen', 'Meerssen', 3),
        ('Valkenburg aan de Geul', 'Valkenburg', 4)
    ) as gemeente_kolommen (gemeente, kolom, kolom_volgorde)
{%- endmacro %}

{#- The stadsdelen as the report groups them, in the report's order. -#}
{% macro stadsdeelgroepen() -%}
    (
        values
        ('Noord-West', 1),
        ('Noord-Oost', 2),
        ('Zuid-Oost', 3),
        ('Zuid-West en centrum (inclusief OGGZ)', 4)
    ) as stadsdeelgroepen (stadsdeelgroep, rij_volgorde)
{%- endmacro %}

{#- The columns of a doelgroep × gemeente table as (heading, column name) pairs, for pivot_cells. -#}
{% macro gemeente_pivot_columns() %}
    {{ return([
        ('Maastricht', 'maastricht'), ('Eijsden-Margraten', 'eijsden_margraten'), ('Meerssen', 'meerssen'),
        ('Valkenburg', 'valkenburg'), ('Totaal', 'totaal')
    ]) }}
{% endmacro %}

{#- How many members each cell of a table has: the cell's value, counted from its records. -#}
{% macro member_counts(members_model) -%}
    (
        select
            rij,
            kolom,
            count(*) as waarde
        from {{ ref(members_model) }}
        group by rij, kolom
    )
{%- endmacro %}
