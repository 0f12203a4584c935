{#-
  Tables 6 and 7 as cells: clients (distinct persons) with a traject of the table's kind running
  in the report year, per doelgroep and gemeente, counted from the table's members.
-#}
{% macro traject_cells(members_model) %}
with

grid as (
    select
        rijen.rij,
        rijen.rij_volgorde,
        gemeente_kolommen.kolom,
        gemeente_kolommen.kolom_volgorde
    from {{ ref('doelgroepen') }} as doelgroepen
    inner join (
        values
        ('Volwassen veelplegers', 1), ('Jeugd', 2), ('Huiselijk geweld', 3),
        ('Ex-gedetineerden', 4), ('Multiproblematiek', 5)
    ) as rijen (rij, rij_volgorde) on doelgroepen.tabel_6_7 = rijen.rij
    cross join {{ gemeente_kolommen() }}
    where not doelgroepen.alleen_maastricht or gemeente_kolommen.gemeente = 'Maastricht'
),

cells as (
    select
        grid.rij,
        grid.rij_volgorde,
        grid.kolom,
        grid.kolom_volgorde,
        coalesce(leden.waarde, 0) as waarde
    from grid
    left join {{ member_counts(members_model) }} as leden
        on grid.rij = leden.rij and grid.kolom = leden.kolom
)

select
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    cast(waarde as integer) as waarde
from ({{ with_totals('cells') }}) as with_totals
{% endmacro %}

{#-
  The members of Tables 6 and 7: per doelgroep × gemeente cell, one traject per distinct client
  (the earliest), so that a cell's members are exactly the clients it counts.
-#}
{% macro traject_members(tabel, categorie) %}
with

kandidaten as (
    select
        rijen.rij,
        rijen.rij_volgorde,
        gemeente_kolommen.kolom,
        gemeente_kolommen.kolom_volgorde,
        trajecten.traject_id,
        trajecten.persoon_key,
        trajecten.startdatum,
        trajecten.bron,
        trajecten.delivery_id,
        trajecten.delivery_row_number,
        row_number() over (
            partition by rijen.rij, gemeente_kolommen.kolom, trajecten.persoon_key
            order by trajecten.startdatum, trajecten.traject_id
        ) as volgnummer
    from {{ ref('int_trajecten') }} as trajecten
    inner join {{ ref('doelgroepen') }} as doelgroepen on trajecten.doelgroep = doelgroepen.doelgroep
    inner join (
        values
        ('Volwassen veelplegers', 1), ('Jeugd', 2), ('Huiselijk geweld', 3),
        ('Ex-gedetineerden', 4), ('Multiproblematiek', 5)
    ) as rijen (rij, rij_volgorde) on doelgroepen.tabel_6_7 = rijen.rij
    inner join {{ gemeente_kolommen() }} on trajecten.gemeente = gemeente_kolommen.gemeente
    where
        trajecten.categorie = '{{ categorie }}'
        and {{ active_between('trajecten.startdatum', 'trajecten.einddatum', period_start(), period_end()) }}
        and (not doelgroepen.alleen_maastricht or gemeente_kolommen.gemeente = 'Maastricht')
)

select
    '{{ tabel }}' as tabel,
    rij,
    rij_volgorde,
    kolom,
    kolom_volgorde,
    traject_id as lid,
    persoon_key,
    startdatum as datum,
    bron as bronnen,
    delivery_id,
    delivery_row_number
from kandidaten
where volgnummer = 1
{% endmacro %}
