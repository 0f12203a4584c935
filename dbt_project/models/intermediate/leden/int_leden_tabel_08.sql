-- The plans behind each cell of Table 8: multiproblematiek plans running on 1 January after the
-- report year, by the stadsdeel of their buurt on that day.
with

plannen as (
    select
        trajecten.*,
        coalesce(
            buurten.stadsdeelgroep_jaarverslag, 'Zuid-West en centrum (inclusief OGGZ)'
        ) as stadsdeelgroep_op_peildatum
    from {{ ref('int_trajecten') }} as trajecten
    left join {{ ref('stadsdelen_buurten') }} as buurten
        on
            trajecten.buurt = buurten.buurt
            and {{ stock_date() }} between buurten.geldig_van and buurten.geldig_tot
    where
        trajecten.doelgroep = 'Multiproblematiek'
        and trajecten.soort = 'Integrale aanpak'
        and {{ active_between('trajecten.startdatum', 'trajecten.einddatum', stock_date(), stock_date()) }}
)

select
    '8' as tabel,
    stadsdeelgroepen.stadsdeelgroep as rij,
    stadsdeelgroepen.rij_volgorde,
    'Aantal plannen' as kolom,
    1 as kolom_volgorde,
    plannen.traject_id as lid,
    plannen.persoon_key,
    plannen.startdatum as datum,
    plannen.bron as bronnen,
    plannen.delivery_id,
    plannen.delivery_row_number
from plannen
inner join {{ stadsdeelgroepen() }} on plannen.stadsdeelgroep_op_peildatum = stadsdeelgroepen.stadsdeelgroep
