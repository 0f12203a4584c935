-- For every count cell of the report, the member cells (cells of int_leden) whose records it
-- counts: a cell its own, a total those of its row or column, a cell of appendix 3 those of the
-- table it repeats. report_cell_members joins the records to these parts; the audit's cell pages
-- take each member cell's first records once and combine them per cell (a total's first records
-- are among its parts' first records). A part may occur twice in a cell: its records count twice.
-- A table: a few hundred rows, which every reader of report_cell_members joins.
{{ config(schema='audit', materialized='table') }}

with

tables as (
    {{ cell_parts('int_leden_tabel_01', row_totals=false) }}
    union all
    {{ cell_parts('int_leden_tabel_02') }}
    union all
    {{ cell_parts('int_leden_tabel_03', row_totals=false) }}
    union all
    {{ cell_parts('int_leden_tabel_04') }}
    union all
    {{ cell_parts('int_leden_tabel_05', row_totals=false) }}
    union all
    {{ cell_parts('int_leden_tabel_06') }}
    union all
    {{ cell_parts('int_leden_tabel_07') }}
    union all
    {{ cell_parts('int_leden_tabel_08', row_totals=false) }}
    union all
    {{ cell_parts('int_leden_tabel_09', column_totals=false) }}
),

bijlage_labels as (
    -- the appendix's label for each row label of Tables 2, 4, 6 and 7
    select distinct
        '2' as tabel,
        tabel_2 as doelgroep_label,
        bijlage_3_meldingen as bijlage_rij,
        'Meldingen per doelgroep' as rubriek
    from {{ ref('doelgroepen') }}
    where bijlage_3_meldingen is not null
    union
    select distinct
        '4' as tabel,
        tabel_4 as doelgroep_label,
        bijlage_3_overig as bijlage_rij,
        'Vervolgacties per doelgroep' as rubriek
    from {{ ref('doelgroepen') }}
    where bijlage_3_overig is not null and tabel_4 is not null
    union
    select distinct
        '6' as tabel,
        tabel_6_7 as doelgroep_label,
        bijlage_3_overig as bijlage_rij,
        'Korte trajecten per doelgroep' as rubriek
    from {{ ref('doelgroepen') }}
    where bijlage_3_overig is not null and tabel_6_7 is not null
    union
    select distinct
        '7' as tabel,
        tabel_6_7 as doelgroep_label,
        bijlage_3_overig as bijlage_rij,
        'Lange trajecten per doelgroep' as rubriek
    from {{ ref('doelgroepen') }}
    where bijlage_3_overig is not null and tabel_6_7 is not null
),

bijlage_cells as (
    select
        case member_cells.rij
            when 'Mutaties politie' then 'Politiemeldingen doelgroepen'
            when 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)' then 'Meldingen gevangeniswezen'
            when 'Meldingen partners' then 'Meldingen door individuele professionals'
        end as rij,
        'Meldingen per herkomst' as kolom,
        member_cells.tabel as leden_tabel,
        member_cells.rij as leden_rij,
        member_cells.kolom as leden_kolom
    from (
        select distinct
            tabel,
            rij,
            kolom
        from {{ ref('int_leden_tabel_01') }}
    ) as member_cells
    union all
    select
        labels.bijlage_rij as rij,
        labels.rubriek as kolom,
        parts.leden_tabel,
        parts.leden_rij,
        parts.leden_kolom
    from tables as parts
    inner join bijlage_labels as labels
        on
            parts.tabel = labels.tabel
            -- Table 4 is read by column (doelgroep), the others by row
            and (case when parts.tabel = '4' then parts.kolom else parts.rij end) = labels.doelgroep_label
    where
        parts.rij != 'Totaal' and parts.kolom != 'Totaal'
        and parts.tabel in ('2', '4', '6', '7')
),

bijlage as (
    select
        rij,
        kolom,
        leden_tabel,
        leden_rij,
        leden_kolom
    from bijlage_cells
    union all
    select
        'Totaal' as rij,
        kolom,
        leden_tabel,
        leden_rij,
        leden_kolom
    from bijlage_cells
)

select
    cast(tabel as varchar) as tabel,
    cast(rij as varchar) as rij,
    cast(kolom as varchar) as kolom,
    leden_tabel,
    leden_rij,
    leden_kolom
from tables
union all
select
    'B3' as tabel,
    rij,
    kolom,
    leden_tabel,
    leden_rij,
    leden_kolom
from bijlage
