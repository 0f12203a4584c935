-- One row per traject or plan van aanpak in the district, with its start and end:
-- the register's trajecten, the OM's JCO jeugd and huiselijk geweld (short trajecten in
-- themselves) and the OM's justitiële veelplegersplannen.
with

register as (
    select
        'vh:' || traject_id as traject_id,
        'vh' as bron,
        categorie,
        soort,
        doelgroep,
        gemeente,
        buurt,
        startdatum,
        einddatum,
        persoon_key,
        delivery_id,
        delivery_row_number
    from {{ ref('stg_vh__trajecten') }}
    where in_district and not is_testpersoon
),

jco as (
    select
        'om:jco:' || casusoverleg_id as traject_id,
        'om' as bron,
        'kort' as categorie,
        soort_overleg as soort,
        doelgroep,
        gemeente,
        cast(null as varchar) as buurt,
        datum_overleg as startdatum,
        datum_overleg as einddatum,
        persoon_key,
        delivery_id,
        delivery_row_number
    from {{ ref('stg_om__casusoverleggen') }}
    where in_district and not is_testpersoon and kort_traject
),

veelplegersplannen as (
    select
        'om:plan:' || plan_id as traject_id,
        'om' as bron,
        'lang' as categorie,
        'Justitieel veelplegersplan' as soort,
        doelgroep,
        gemeente,
        cast(null as varchar) as buurt,
        startdatum,
        einddatum,
        persoon_key,
        delivery_id,
        delivery_row_number
    from {{ ref('stg_om__veelplegersplannen') }}
    where in_district and not is_testpersoon
),

trajecten as (
    select * from register
    union all
    select * from jco
    union all
    select * from veelplegersplannen
)

select
    trajecten.*,
    buurten.stadsdeel,
    case
        when buurten.stadsdeelgroep_jaarverslag is not null then buurten.stadsdeelgroep_jaarverslag
        when trajecten.doelgroep = 'Multiproblematiek' then 'Zuid-West en centrum (inclusief OGGZ)'
    end as stadsdeelgroep
from trajecten
left join {{ ref('stadsdelen_buurten') }} as buurten
    on
        trajecten.buurt = buurten.buurt
        and trajecten.startdatum between buurten.geldig_van and buurten.geldig_tot
