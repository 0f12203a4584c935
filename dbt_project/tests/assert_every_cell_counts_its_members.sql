{{ config(meta={"dagster": {"ref": {"name": "report_cell_members"}}}) }}
-- Every count cell of the report equals the number of records that make it up, for every cell of
-- every table (percentages are shares, not counts, and have no members). Returns the cells that do not.
with

members as (
    select
        tabel,
        rij,
        kolom,
        count(*) as leden
    from {{ ref('report_cell_members') }}
    group by tabel, rij, kolom
)

select
    cells.tabel,
    cells.rij,
    cells.kolom,
    cells.waarde,
    coalesce(members.leden, 0) as leden
from {{ ref('report_cells') }} as cells
left join members
    on cells.tabel = members.tabel and cells.rij = members.rij and cells.kolom = members.kolom
where
    cells.kolom != '% van totaal'
    and cells.waarde != coalesce(members.leden, 0)
