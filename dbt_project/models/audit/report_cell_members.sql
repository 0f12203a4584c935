-- For every cell of report_cells, the harmonised records it counts: the lineage from a published
-- figure down to the landed rows (delivery and row number). Pseudonymous person keys only; kept
-- in the audit schema, never published to analysts. Percentages have no members: they are not counts.
{{ config(schema='audit') }}

with

tables as (
    {{ members_with_totals('int_leden_tabel_01', row_totals=false) }}
    union all
    {{ members_with_totals('int_leden_tabel_02') }}
    union all
    {{ members_with_totals('int_leden_tabel_03', row_totals=false) }}
    union all
    {{ members_with_totals('int_leden_tabel_04') }}
    union all
    {{ members_with_totals('int_leden_tabel_05', row_totals=false) }}
    union all
    {{ members_with_totals('int_leden_tabel_06') }}
    union all
    {{ members_with_totals('int_leden_tabel_07') }}
    union all
    {{ members_with_totals('int_leden_tabel_08', row_totals=false) }}
    union all
    {{ members_with_totals('int_leden_tabel_09', column_totals=false) }}
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
        case members.rij
            when 'Mutaties politie' then 'Politiemeldingen doelgroepen'
            when 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)' then 'Meldingen gevangeniswezen'
            when 'Meldingen partners' then 'Meldingen door individuele professionals'
        end as rij,
        'Meldingen per herkomst' as kolom,
        members.lid,
        members.persoon_key,
        members.datum,
        members.bronnen,
        members.delivery_id,
        members.delivery_row_number
    from {{ ref('int_leden_tabel_01') }} as members
    union all
    select
        labels.bijlage_rij as rij,
        labels.rubriek as kolom,
        members.lid,
        members.persoon_key,
        members.datum,
        members.bronnen,
        members.delivery_id,
        members.delivery_row_number
    from tables as members
    inner join bijlage_labels as labels
        on
            members.tabel = labels.tabel
            -- Table 4 is read by column (doelgroep), the others by row
            and (case when members.tabel = '4' then members.kolom else members.rij end) = labels.doelgroep_label
    where
        members.rij != 'Totaal' and members.kolom != 'Totaal'
        and members.tabel in ('2', '4', '6', '7')
),

bijlage as (
    select
        rij,
        kolom,
        lid,
        persoon_key,
        datum,
        bronnen,
        delivery_id,
        delivery_row_number
    from bijlage_cells
    union all
    select
        'Totaal' as rij,
        kolom,
        lid,
        persoon_key,
        datum,
        bronnen,
        delivery_id,
        delivery_row_number
    from bijlage_cells
)

select
    cast(tabel as varchar) as tabel,
    cast(rij as varchar) as rij,
    cast(kolom as varchar) as kolom,
    lid,
    persoon_key,
    cast(datum as date) as datum,
    bronnen,
    delivery_id,
    delivery_row_number
from tables
union all
select
    'B3' as tabel,
    rij,
    kolom,
    lid,
    persoon_key,
    cast(datum as date) as datum,
    bronnen,
    delivery_id,
    delivery_row_number
from bijlage
