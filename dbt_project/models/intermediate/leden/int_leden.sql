-- The members of every table's own cells, one relation: what the audit's cell pages read per member
-- cell before they combine them into totals (report_cell_parts). A view: it only puts the member
-- tables side by side.
{{ config(materialized='view') }}

{% set columns = 'tabel, rij, kolom, lid, persoon_key, datum, bronnen, delivery_id, delivery_row_number' %}

{% for number in range(1, 10) %}
    select {{ columns }} from {{ ref('int_leden_tabel_0' ~ number) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
