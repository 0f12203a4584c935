{#-
  The parts of a table's cells: each cell holds the members of its own member cell, a row total
  those of the row's cells, a column total those of the column's, the grand total all of them.
  One row per (cell, member cell whose members it holds).
-#}
{% macro cell_parts(members_model, row_totals=true, column_totals=true) %}
    {% set member_cells = 'select distinct tabel, rij, kolom from ' ~ ref(members_model) %}
    {% set parts = 'tabel as leden_tabel, rij as leden_rij, kolom as leden_kolom' %}
    select tabel, rij, kolom, {{ parts }} from ({{ member_cells }}) as member_cells
    {% if row_totals %}
        union all
        select tabel, rij, 'Totaal' as kolom, {{ parts }} from ({{ member_cells }}) as member_cells
    {% endif %}
    {% if column_totals %}
        union all
        select tabel, 'Totaal' as rij, kolom, {{ parts }} from ({{ member_cells }}) as member_cells
        {% if row_totals %}
            union all
            select tabel, 'Totaal' as rij, 'Totaal' as kolom, {{ parts }} from ({{ member_cells }}) as member_cells
        {% endif %}
    {% endif %}
{% endmacro %}
