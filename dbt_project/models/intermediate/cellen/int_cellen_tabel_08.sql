-- Table 8 as cells: multiproblematiek plans van aanpak running on 1 January after the report
-- year (a stock, not a flow), per stadsdeel as it was on that day.
with

plannen as (
    select
        trajecten.traject_id,
        coalesce(buurten.stadsdeelgroep_jaarverslag, 'Zuid-West en centrum (inclusief OGGZ)') as stadsdeelgroep
    from {{ ref('int_trajecten') }} as trajecten
    left join {{ ref('stadsdelen_buurten') }} as buurten
        on
            trajecten.buurt = buurten.buurt
            and {{ stock_date() }} between buurten.geldig_van and buurten.geldig_tot
    where
        trajecten.doelgroep = 'Multiproblematiek'
        and trajecten.soort = 'Integrale aanpak'
        and {{ active_between('trajecten.startdatum', 'trajecten.einddatum', stock_date(), stock_date()) }}
),

cells as (
    select
        stadsdeelgroepen.stadsdeelgroep as rij,
        stadsdeelgroepen.rij_volgorde,
        'Aantal plannen' as kolom,
        1 as kolom_volgorde,
        count(plannen.traject_id) as waarde
    from {{ stadsdeelgroepen() }}
    left join plannen on stadsdeelgroepen.stadsdeelgroep = plannen.stadsdeelgroep
    group by stadsdeelgroepen.stadsdeelgroep, stadsdeelgroepen.rij_volgorde
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells', row_totals=false) }}) as with_totals
