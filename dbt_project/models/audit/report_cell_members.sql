-- For every cell of report_cells, the harmonised records it counts: the lineage from a published
-- figure down to the landed rows (delivery and row number). Pseudonymous person keys only; kept
-- in the audit schema, never published to analysts. Percentages have no members: they are not counts.
-- The records of each of the cell's parts (report_cell_parts): its own, its row's or column's, the
-- table's an appendix cell repeats.
{{ config(schema='audit') }}

select
    parts.tabel,
    parts.rij,
    parts.kolom,
    members.lid,
    members.persoon_key,
    members.datum,
    members.bronnen,
    members.delivery_id,
    members.delivery_row_number
from {{ ref('report_cell_parts') }} as parts
inner join {{ ref('int_leden') }} as members
    on
        parts.leden_tabel = members.tabel
        and parts.leden_rij = members.rij
        and parts.leden_kolom = members.kolom
