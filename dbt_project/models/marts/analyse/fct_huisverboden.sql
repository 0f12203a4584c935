-- One row per RIHG (risk assessment for a tijdelijk huisverbod) in the district, every year loaded.
select
    {{ surrogate_key('registratienummer') }} as huisverbod_sleutel,
    gemeente,
    datum_rihg,
    cast(jaar as integer) as jaar,
    is_opgelegd,
    datum_opgelegd,
    is_ingetrokken,
    is_verlengd,
    einddatum,
    {{ days_between('datum_opgelegd', 'einddatum') }} as duur_dagen,
    is_samenloop_strafrecht,
    leeftijdsklasse
from {{ ref('int_huisverboden') }}
