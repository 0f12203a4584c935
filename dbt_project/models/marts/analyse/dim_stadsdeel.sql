-- Maastricht's buurten and the stadsdeel they belonged to, dated (the city redrew its stadsdelen in 2022).
select
    buurt,
    stadsdeel,
    stadsdeelgroep_jaarverslag,
    geldig_van,
    geldig_tot
from {{ ref('stadsdelen_buurten') }}
