-- The vervolgacties behind each cell of Table 4: the report year's vervolgacties by soort and
-- doelgroep (a JCO found at both OM and VH once, with both systems in bronnen).
select
    '4' as tabel,
    soorten.soort as rij,
    soorten.volgorde as rij_volgorde,
    kolommen.kolom,
    kolommen.kolom_volgorde,
    vervolgacties.vervolgactie_id as lid,
    vervolgacties.persoon_key,
    vervolgacties.datum,
    vervolgacties.bronnen,
    vervolgacties.delivery_id,
    vervolgacties.delivery_row_number
from {{ ref('int_vervolgacties') }} as vervolgacties
inner join {{ ref('vervolgactie_soorten') }} as soorten on vervolgacties.soort = soorten.soort
inner join {{ ref('doelgroepen') }} as doelgroepen on vervolgacties.doelgroep = doelgroepen.doelgroep
inner join (
    values
    ('Jeugd', 1), ('Veelplegers', 2), ('Huiselijk geweld', 3),
    ('Volwassen ex-gedetineerden', 4), ('Multiproblematiek', 5)
) as kolommen (kolom, kolom_volgorde) on doelgroepen.tabel_4 = kolommen.kolom
where vervolgacties.jaar = {{ var('jaar') }}
