-- One row per vervolgactie in the district: the register's own and the OM's casusoverleggen.
-- A JCO that the register also recorded (same person and kind, dates at most 14 days apart)
-- counts once, as the OM's, with both systems kept in `bronnen`.
with

register as (
    select *
    from {{ ref('stg_vh__vervolgacties') }}
    where in_district and not is_testpersoon
),

om as (
    select *
    from {{ ref('stg_om__casusoverleggen') }}
    where in_district and not is_testpersoon
),

candidate_jco as (
    select
        register.vervolgactie_id,
        om.casusoverleg_id,
        row_number() over (
            partition by register.vervolgactie_id
            order by abs({{ days_between('register.datum', 'om.datum_overleg') }}), om.casusoverleg_id
        ) as nabijheid
    from register
    inner join om
        on
            register.persoon_key = om.persoon_key
            and register.soort = om.vervolgactie_soort
            and abs({{ days_between('register.datum', 'om.datum_overleg') }}) <= 14
),

same_jco as (
    -- the OM's JCO nearest in time to the register's
    select
        vervolgactie_id,
        casusoverleg_id
    from candidate_jco
    where nabijheid = 1
),

from_om as (
    select
        'om:' || om.casusoverleg_id as vervolgactie_id,
        case when count(same_jco.vervolgactie_id) > 0 then 'om+vh' else 'om' end as bronnen,
        min(om.datum_overleg) as datum,
        min(om.vervolgactie_soort) as soort,
        min(om.doelgroep) as doelgroep,
        min(om.gemeente) as gemeente,
        cast(null as varchar) as buurt,
        cast(null as varchar) as melding_id,
        min(om.persoon_key) as persoon_key,
        min(om.delivery_id) as delivery_id,
        min(om.delivery_row_number) as delivery_row_number,
        max(om.loaded_at) as loaded_at
    from om
    left join same_jco on om.casusoverleg_id = same_jco.casusoverleg_id
    group by om.casusoverleg_id
),

from_register as (
    select
        'vh:' || register.vervolgactie_id as vervolgactie_id,
        'vh' as bronnen,
        register.datum,
        register.soort,
        register.doelgroep,
        register.gemeente,
        register.buurt,
        register.melding_id,
        register.persoon_key,
        register.delivery_id,
        register.delivery_row_number,
        register.loaded_at
    from register
    where register.vervolgactie_id not in (select same_jco.vervolgactie_id from same_jco)
),

vervolgacties as (
    select * from from_om
    union all
    select * from from_register
)

select
    vervolgacties.*,
    cast(extract(year from vervolgacties.datum) as integer) as jaar
from vervolgacties
