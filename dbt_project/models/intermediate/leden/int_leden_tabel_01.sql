-- The meldingen behind each cell of Table 1: every melding of the report year under its herkomst.
select
    '1' as tabel,
    herkomsten.rij,
    herkomsten.rij_volgorde,
    'aantal' as kolom,
    1 as kolom_volgorde,
    meldingen.bron || ':' || meldingen.melding_id as lid,
    meldingen.persoon_key,
    meldingen.meldingsdatum as datum,
    meldingen.bron as bronnen,
    meldingen.delivery_id,
    meldingen.delivery_row_number
from {{ ref('int_meldingen') }} as meldingen
inner join (
    values
    ('politie', 'Mutaties politie', 1),
    ('gevangeniswezen', 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)', 2),
    ('partners', 'Meldingen partners', 3)
) as herkomsten (herkomst, rij, rij_volgorde) on meldingen.herkomst = herkomsten.herkomst
where meldingen.jaar = {{ var('jaar') }}
