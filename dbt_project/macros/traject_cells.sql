{#-
  Tables 6 and 7 as cells: clients (distinct persons) with a traject of `categorie` ('kort'
  or 'lang') running in the report year, per doelgroep and gemeente.
-#}
{% macro traject_cells(categorie) %}
with

trajecten as (
    select * from {{ ref('int_trajecten') }}
    where
        categorie = '{{ categorie }}'
        and {{ active_between('startdatum', 'einddatum', period_start(), period_end()) }}
),

grid as (
    select
        doelgroepen.doelgroep,
        doelgroepen.tabel_6_7 as rij,
        rijen.rij_volgorde,
        gemeente_kolommen.gemeente,
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
        count(distinct trajecten.persoon_key) as waarde
    from grid
    left join trajecten
        on grid.doelgroep = trajecten.doelgroep and grid.gemeente = trajecten.gemeente
    group by grid.rij, grid.rij_volgorde, grid.kolom, grid.kolom_volgorde
)

select rij, rij_volgorde, kolom, kolom_volgorde, cast(waarde as integer) as waarde
from ({{ with_totals('cells') }}) as with_totals
{% endmacro %}
