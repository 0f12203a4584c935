-- The meldingen behind each cell of Table 3: the report year's multiproblematiek meldingen by stadsdeel.
select
    '3' as tabel,
    stadsdeelgroepen.stadsdeelgroep as rij,
    stadsdeelgroepen.rij_volgorde,
    'Aantal meldingen' as kolom,
    1 as kolom_volgorde,
    meldingen.bron || ':' || meldingen.melding_id as lid,
    meldingen.persoon_key,
    meldingen.meldingsdatum as datum,
    meldingen.bron as bronnen,
    meldingen.delivery_id,
    meldingen.delivery_row_number
from {{ ref('int_meldingen') }} as meldingen
inner join {{ stadsdeelgroepen() }} on meldingen.stadsdeelgroep = stadsdeelgroepen.stadsdeelgroep
where meldingen.jaar = {{ var('jaar') }} and meldingen.doelgroep = 'Multiproblematiek'
