-- What the harmonisation left out, per source and reason, so the auditor can see it.
with

politie_rows as (
    select
        mutatienummer,
        max(versie) as versie,
        bool_or(is_testpersoon) as op_testpersoon,
        bool_and(in_district) as in_district
    from {{ ref('stg_politie__mutaties') }}
    group by mutatienummer
),

politie_versies as (
    select distinct
        landed.mutatienummer,
        cast(landed.versie as integer) as versie
    from {{ source('raw', 'politie_mutaties') }} as landed
),

vervangen as (
    select count(*) as aantal
    from politie_versies
    where not exists (
        select 1
        from politie_rows
        where
            politie_versies.mutatienummer = politie_rows.mutatienummer
            and politie_versies.versie = politie_rows.versie
    )
),

reasons as (
    select
        'politie' as bron,
        'testrecord' as reden,
        count(*) filter (where op_testpersoon) as aantal
    from politie_rows
    union all
    select
        'politie' as bron,
        'buiten het district' as reden,
        count(*) filter (where not in_district and not op_testpersoon) as aantal
    from politie_rows
    union all
    select
        'politie' as bron,
        'vervangen door een latere versie' as reden,
        aantal
    from vervangen
    union all
    select
        'vh' as bron,
        'testrecord' as reden,
        count(*) filter (where is_testpersoon) as aantal
    from {{ ref('stg_vh__meldingen') }}
    union all
    select
        'vh' as bron,
        'testrecord' as reden,
        count(*) filter (where is_testpersoon) as aantal
    from {{ ref('stg_vh__vervolgacties') }}
    union all
    select
        'vh' as bron,
        'testrecord' as reden,
        count(*) filter (where is_testpersoon) as aantal
    from {{ ref('stg_vh__trajecten') }}
    union all
    select
        'vh' as bron,
        'ook bij het OM geregistreerd (JCO)' as reden,
        count(*) filter (where bronnen = 'om+vh') as aantal
    from {{ ref('int_vervolgacties') }}
    union all
    select
        'om' as bron,
        'testrecord' as reden,
        count(*) filter (where is_testpersoon) as aantal
    from {{ ref('stg_om__casusoverleggen') }}
    union all
    select
        'gemeenten' as bron,
        'testrecord' as reden,
        count(*) filter (where is_testpersoon) as aantal
    from {{ ref('stg_gemeenten__huisverboden') }}
)

select
    bron,
    reden,
    cast(sum(aantal) as integer) as aantal
from reasons
group by bron, reden
