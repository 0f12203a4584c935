-- The meldingen behind each cell of Table 2: the report year's meldingen by doelgroep and gemeente
-- (doelgroepen served for Maastricht only have no cells elsewhere).
select
    '2' as tabel,
    doelgroepen.tabel_2 as rij,
    doelgroepen.volgorde as rij_volgorde,
    gemeente_kolommen.kolom,
    gemeente_kolommen.kolom_volgorde,
    meldingen.bron || ':' || meldingen.melding_id as lid,
    meldingen.persoon_key,
    meldingen.meldingsdatum as datum,
    meldingen.bron as bronnen,
    meldingen.delivery_id,
    meldingen.delivery_row_number
from {{ ref('int_meldingen') }} as meldingen
inner join {{ ref('doelgroepen') }} as doelgroepen on meldingen.doelgroep = doelgroepen.doelgroep
inner join {{ gemeente_kolommen() }} on meldingen.gemeente = gemeente_kolommen.gemeente
where
    meldingen.jaar = {{ var('jaar') }}
    and (not doelgroepen.alleen_maastricht or gemeente_kolommen.gemeente = 'Maastricht')
