-- Bijlage 3, "2012 in één oogopslag", as cells: the totals of Tables 1, 2, 4, 6 and 7 under
-- the appendix's own labels, each rubriek with its total.
with

herkomst as (
    select
        case rij
            when 'Mutaties politie' then 'Politiemeldingen doelgroepen'
            when 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)' then 'Meldingen gevangeniswezen'
            when 'Meldingen partners' then 'Meldingen door individuele professionals'
        end as rij,
        rij_volgorde,
        'Meldingen per herkomst' as kolom,
        1 as kolom_volgorde,
        waarde
    from {{ ref('int_cellen_tabel_01') }}
    where kolom = 'aantal' and rij != 'Totaal'
),

per_doelgroep as (
    select
        doelgroepen.bijlage_3_meldingen as rij,
        tabel_2.rij_volgorde,
        'Meldingen per doelgroep' as kolom,
        2 as kolom_volgorde,
        tabel_2.waarde
    from {{ ref('int_cellen_tabel_02') }} as tabel_2
    inner join {{ ref('doelgroepen') }} as doelgroepen on tabel_2.rij = doelgroepen.tabel_2
    where tabel_2.kolom = 'Totaal'
),

overige_labels as (
    -- the appendix's label for each doelgroep label of Tables 4, 6 and 7
    select distinct
        tabel_4 as doelgroep_label,
        bijlage_3_overig
    from {{ ref('doelgroepen') }}
    where bijlage_3_overig is not null and tabel_4 is not null
    union
    select distinct
        tabel_6_7 as doelgroep_label,
        bijlage_3_overig
    from {{ ref('doelgroepen') }}
    where bijlage_3_overig is not null and tabel_6_7 is not null
),

vervolgacties as (
    select
        labels.bijlage_3_overig as rij,
        tabel_4.kolom_volgorde as rij_volgorde,
        'Vervolgacties per doelgroep' as kolom,
        3 as kolom_volgorde,
        tabel_4.waarde
    from {{ ref('int_cellen_tabel_04') }} as tabel_4
    inner join overige_labels as labels on tabel_4.kolom = labels.doelgroep_label
    where tabel_4.rij = 'Totaal'
),

trajecten as (
    select
        labels.bijlage_3_overig as rij,
        tabel.rij_volgorde,
        tabel.rubriek as kolom,
        tabel.rubriek_volgorde as kolom_volgorde,
        tabel.waarde
    from (
        select
            rij,
            rij_volgorde,
            kolom as tabelkolom,
            waarde,
            'Korte trajecten per doelgroep' as rubriek,
            4 as rubriek_volgorde
        from {{ ref('int_cellen_tabel_06') }}
        union all
        select
            rij,
            rij_volgorde,
            kolom as tabelkolom,
            waarde,
            'Lange trajecten per doelgroep' as rubriek,
            5 as rubriek_volgorde
        from {{ ref('int_cellen_tabel_07') }}
    ) as tabel
    inner join overige_labels as labels on tabel.rij = labels.doelgroep_label
    where tabel.tabelkolom = 'Totaal'
),

cells as (
    select * from herkomst
    union all
    select * from per_doelgroep
    union all
    select * from vervolgacties
    union all
    select * from trajecten
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    waarde
from cells
union all
select
    'Totaal' as rij,
    99 as rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(sum(waarde) as integer) as waarde
from cells
group by kolom, kolom_volgorde
