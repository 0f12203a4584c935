{#-
  The members of a table's cells, with the members of its totals: a row total holds the members
  of the row's cells, a column total those of the column's, the grand total all of them.
-#}
{% macro members_with_totals(members_model, row_totals=true, column_totals=true) %}
    {% set columns = 'tabel, lid, persoon_key, datum, bronnen, delivery_id, delivery_row_number' %}
    select rij, kolom, {{ columns }} from {{ ref(members_model) }}
    {% if row_totals %}
        union all
        select rij, 'Totaal' as kolom, {{ columns }} from {{ ref(members_model) }}
    {% endif %}
    {% if column_totals %}
        union all
        select 'Totaal' as rij, kolom, {{ columns }} from {{ ref(members_model) }}
        {% if row_totals %}
            union all
            select 'Totaal' as rij, 'Totaal' as kolom, {{ columns }} from {{ ref(members_model) }}
        {% endif %}
    {% endif %}
{% endmacro %}
