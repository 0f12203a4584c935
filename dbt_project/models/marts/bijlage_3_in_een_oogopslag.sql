-- Bijlage 3: "in één oogopslag", the year's totals by rubriek.
select
    cast(kolom as varchar) as rubriek,
    cast(rij as varchar) as omschrijving,
    cast(waarde as integer) as aantal
from {{ ref('int_cellen_bijlage_3') }}
order by kolom_volgorde, rij_volgorde
