-- One row per RIHG in the district, with whether a strafzaak ran alongside the huisverbod
-- ("samenloop met strafrecht": a strafzaak against the pleger within 30 days of the RIHG).
with

huisverboden as (
    select *
    from {{ ref('stg_gemeenten__huisverboden') }}
    where in_district and not is_testpersoon
),

strafzaken as (
    select *
    from {{ ref('stg_om__strafzaken') }}
    where not is_testpersoon
),

met_strafzaak as (
    select distinct huisverboden.registratienummer
    from huisverboden
    inner join strafzaken
        on
            huisverboden.persoon_key = strafzaken.persoon_key
            and abs({{ days_between('huisverboden.datum_rihg', 'strafzaken.feitdatum') }}) <= 30
)

select
    huisverboden.registratienummer,
    huisverboden.gemeente,
    huisverboden.datum_rihg,
    cast(extract(year from huisverboden.datum_rihg) as integer) as jaar,
    huisverboden.is_opgelegd,
    huisverboden.datum_opgelegd,
    huisverboden.is_ingetrokken,
    huisverboden.is_verlengd,
    huisverboden.einddatum,
    huisverboden.is_opgelegd and met_strafzaak.registratienummer is not null as is_samenloop_strafrecht,
    huisverboden.persoon_key,
    huisverboden.leeftijdsklasse,
    huisverboden.delivery_id,
    huisverboden.delivery_row_number
from huisverboden
left join met_strafzaak on huisverboden.registratienummer = met_strafzaak.registratienummer
