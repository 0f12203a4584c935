-- One row per melding received by the Veiligheidshuis in the district: the police mutaties
-- (one melding each, whatever the number of persons in it) and the register's own meldingen.
-- Test records and places outside the district are left out (counted in int_uitgesloten_records).
-- Incremental on DuckDB (dbt_project.yml), per mutatie and per register melding, which is what every window
-- below partitions by: a night first deletes the meldingen of those changed since the last build (a row
-- landed after this model's latest) or gone from staging (purged), then adds those of every mutatie and
-- register melding this model does not hold: the changed, the new, and those left out before, which are left
-- out again. A changed project rebuilds it from scratch (orchestration/dbt_selection.py).
{{ config(
    incremental_strategy='append',
    pre_hook=(
        "{% if is_incremental() %}delete from {{ this }} where "
        ~ "{{ changed_or_gone('politie', 'stg_politie__mutaties', 'mutatienummer') }} "
        ~ "or {{ changed_or_gone('vh', 'stg_vh__meldingen', 'melding_id') }}{% endif %}"
    )
) }}
with

politie_mutaties as (
    select
        *,
        bool_or(is_testpersoon) over (partition by mutatienummer) as mutatie_op_testpersoon
    from {{ ref('stg_politie__mutaties') }}
    {% if is_incremental() %}
        where mutatienummer not in (
            select this.melding_id from {{ this }} as this
            where this.bron = 'politie'
        )
    {% endif %}
),

politie_persons as (
    -- the melding's person is its (first) suspect
    select
        *,
        row_number() over (
            partition by mutatienummer
            order by rol = 'Verdachte' desc, delivery_row_number
        ) as persoon_volgnummer
    from politie_mutaties
    where in_district and not mutatie_op_testpersoon
),

politie as (
    select
        mutatienummer as melding_id,
        'politie' as bron,
        'politie' as herkomst,
        mutatiedatum as meldingsdatum,
        doelgroep,
        gemeente,
        cast(null as varchar) as buurt,
        persoon_key,
        leeftijdsklasse,
        incidentcode,
        delivery_id,
        delivery_row_number,
        loaded_at
    from politie_persons
    where persoon_volgnummer = 1
),

register as (
    select
        melding_id,
        'vh' as bron,
        herkomst,
        meldingsdatum,
        doelgroep,
        gemeente,
        buurt,
        persoon_key,
        leeftijdsklasse,
        cast(null as varchar) as incidentcode,
        delivery_id,
        delivery_row_number,
        loaded_at
    from {{ ref('stg_vh__meldingen') }}
    where
        in_district and not is_testpersoon
        {% if is_incremental() %}
            and melding_id not in (
                select this.melding_id from {{ this }} as this
                where this.bron = 'vh'
            )
        {% endif %}
),

meldingen as (
    select * from politie
    union all
    select * from register
)

select
    meldingen.*,
    cast(extract(year from meldingen.meldingsdatum) as integer) as jaar,
    buurten.stadsdeel,
    case
        when buurten.stadsdeelgroep_jaarverslag is not null then buurten.stadsdeelgroep_jaarverslag
        -- multiproblematiek clients without an address (OGGZ) belong to Zuid-West en centrum
        when meldingen.doelgroep = 'Multiproblematiek' then 'Zuid-West en centrum (inclusief OGGZ)'
    end as stadsdeelgroep
from meldingen
left join {{ ref('stadsdelen_buurten') }} as buurten
    on
        meldingen.buurt = buurten.buurt
        and meldingen.meldingsdatum between buurten.geldig_van and buurten.geldig_tot
