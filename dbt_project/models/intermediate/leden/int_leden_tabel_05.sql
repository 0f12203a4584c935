-- The vervolgacties behind each cell of Table 5: what became of the report year's
-- multiproblematiek meldingen, by the stadsdeel of the melding.
select
    '5' as tabel,
    meldingen.stadsdeelgroep as rij,
    stadsdeelgroepen.rij_volgorde,
    soorten.tabel_5 as kolom,
    case soorten.tabel_5 when 'Doorgestroomd naar PGA' then 1 else 2 end as kolom_volgorde,
    vervolgacties.vervolgactie_id as lid,
    vervolgacties.persoon_key,
    vervolgacties.datum,
    vervolgacties.bronnen,
    vervolgacties.delivery_id,
    vervolgacties.delivery_row_number
from {{ ref('int_vervolgacties') }} as vervolgacties
inner join {{ ref('int_meldingen') }} as meldingen
    on vervolgacties.melding_id = meldingen.melding_id
inner join {{ ref('vervolgactie_soorten') }} as soorten on vervolgacties.soort = soorten.soort
inner join {{ stadsdeelgroepen() }} on meldingen.stadsdeelgroep = stadsdeelgroepen.stadsdeelgroep
where
    vervolgacties.jaar = {{ var('jaar') }}
    and meldingen.jaar = {{ var('jaar') }}
    and meldingen.doelgroep = 'Multiproblematiek'
    and soorten.tabel_5 is not null
