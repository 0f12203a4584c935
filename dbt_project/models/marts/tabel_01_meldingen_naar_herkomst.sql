-- Table 1 of the annual report: meldingen received by the Veiligheidshuis, by origin.
-- Walking skeleton: the police row, one melding per police mutatie in the report year.
with

politie_meldingen as (
    select distinct mutatienummer
    from {{ ref('stg_politie__mutaties') }}
    where extract(year from mutatiedatum) = {{ var('jaar') }}
)

select
    cast('Mutaties politie' as varchar) as herkomst,
    cast(count(*) as integer) as aantal
from politie_meldingen
