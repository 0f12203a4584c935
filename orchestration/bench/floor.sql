-- The DuckDB floor: every report cell (tabel, rij, kolom, waarde) from the landed raw layer in one
-- plain SQL script, no framework. It computes what dbt_project/models/intermediate/cellen and
-- marts/report_cells compute, so the benchmark can set dbt's transform against the cost of the
-- SQL alone. Runs in one connection where the seeds are tables under their own names
-- (floor.py loads them) and `set variable jaar = <report year>` has been done.
-- Nothing is written to the warehouse: the harmonised rows live in temp tables.

-- Harmonised meldingen: police mutaties (latest versie, first suspect) and the register's own.
create or replace temp table meldingen as
with politie_typed as (
    select
        m.mutatienummer,
        cast(m.versie as integer) as versie,
        cast(try_strptime(m.mutatiedatum, '%d-%m-%Y') as date) as meldingsdatum,
        m.rol,
        m._row_number,
        coalesce(m.is_testpersoon, false) as is_testpersoon,
        s.doelgroep,
        g.gemeente,
        coalesce(g.in_district, false) as in_district
    from raw.politie_mutaties as m
    left join politie_selectiecodes as s on m.selectiecode = s.selectiecode
    left join gemeenten as g on m.pleegplaats = g.naam_in_bron
    qualify cast(m.versie as integer) = max(cast(m.versie as integer)) over (partition by m.mutatienummer)
),

politie as (
    select
        mutatienummer as melding_id,
        'politie' as herkomst,
        meldingsdatum,
        doelgroep,
        gemeente,
        cast(null as varchar) as buurt
    from (
        select
            *,
            bool_or(is_testpersoon) over (partition by mutatienummer) as op_testpersoon
        from politie_typed
    ) as mutaties
    where in_district and not op_testpersoon
    qualify
        row_number() over (partition by mutatienummer order by rol = 'Verdachte' desc, _row_number) = 1
),

register as (
    select
        m.melding_id,
        case m.herkomst when 'partner' then 'partners' else m.herkomst end as herkomst,
        try_cast(left(m.meldingsdatum, 10) as date) as meldingsdatum,
        c.omschrijving as doelgroep,
        g.gemeente,
        nullif(m.buurt, '') as buurt
    from raw.vh_meldingen as m
    left join vh_codes as c on c.codelijst = 'doelgroep' and m.doelgroep_code = c.code
    left join gemeenten as g on m.gemeente = g.naam_in_bron
    qualify
        row_number() over (partition by m.melding_id order by m.gewijzigd_op desc, m._loaded_at desc) = 1
        and coalesce(g.in_district, false) and not coalesce(m.is_testpersoon, false)
),

alle as (
    select * from politie
    union all
    select * from register
)

select
    alle.*,
    year(alle.meldingsdatum) as jaar,
    coalesce(
        b.stadsdeelgroep_jaarverslag,
        case when alle.doelgroep = 'Multiproblematiek' then 'Zuid-West en centrum (inclusief OGGZ)' end
    ) as stadsdeelgroep
from alle
left join stadsdelen_buurten as b
    on alle.buurt = b.buurt and alle.meldingsdatum between b.geldig_van and b.geldig_tot;

-- Harmonised vervolgacties: the OM's casusoverleggen and the register's own, a JCO found in both once.
create or replace temp table casusoverleggen as
select
    c.casusoverleg_id,
    c.soort_overleg,
    s.vervolgactie_soort,
    s.kort_traject,
    coalesce(
        s.doelgroep,
        case when c.leeftijdsklasse in ('12-17', '18-23') then 'Jeugd' else 'Volwassen veelplegers' end
    ) as doelgroep,
    try_cast(left(c.datum_overleg, 10) as date) as datum,
    g.gemeente,
    coalesce('bsn:' || c.persoon_sleutel, 'naam:' || c.naam_sleutel) as persoon_key
from raw.om_casusoverleggen as c
left join om_overlegsoorten as s on c.soort_overleg = s.soort_overleg
left join gemeenten as g on c.pleeggemeente = g.naam_in_bron
qualify
    row_number() over (partition by c.casusoverleg_id order by c.gewijzigd_op desc, c._loaded_at desc) = 1
    and coalesce(g.in_district, false) and not coalesce(c.is_testpersoon, false);

create or replace temp table vervolgacties as
with register as (
    select
        v.vervolgactie_id,
        nullif(v.melding_id, '') as melding_id,
        try_cast(left(v.datum, 10) as date) as datum,
        s.omschrijving as soort,
        d.omschrijving as doelgroep,
        coalesce('bsn:' || v.persoon_sleutel, 'naam:' || v.naam_sleutel) as persoon_key
    from raw.vh_vervolgacties as v
    left join vh_codes as s on s.codelijst = 'vervolgactie_soort' and v.soort_code = s.code
    left join vh_codes as d on d.codelijst = 'doelgroep' and v.doelgroep_code = d.code
    left join gemeenten as g on v.gemeente = g.naam_in_bron
    qualify
        row_number() over (partition by v.vervolgactie_id order by v.gewijzigd_op desc, v._loaded_at desc) = 1
        and coalesce(g.in_district, false) and not coalesce(v.is_testpersoon, false)
),

-- a register JCO within 14 days of the OM's for the same person and kind is the OM's
same_jco as (
    select register.vervolgactie_id
    from register
    inner join casusoverleggen as om
        on
            register.persoon_key = om.persoon_key
            and register.soort = om.vervolgactie_soort
            and abs(date_diff('day', register.datum, om.datum)) <= 14
)

select
    vervolgactie_soort as soort,
    doelgroep,
    cast(null as varchar) as melding_id,
    year(datum) as jaar
from casusoverleggen
union all
select
    soort,
    doelgroep,
    melding_id,
    year(datum) as jaar
from register
where vervolgactie_id not in (select same_jco.vervolgactie_id from same_jco);

-- Harmonised trajecten: the register's, the OM's short JCO trajecten and its veelplegersplannen.
create or replace temp table trajecten as
select
    t.categorie,
    s.omschrijving as soort,
    d.omschrijving as doelgroep,
    g.gemeente,
    nullif(t.buurt, '') as buurt,
    try_cast(left(t.startdatum, 10) as date) as startdatum,
    try_cast(left(t.einddatum, 10) as date) as einddatum,
    coalesce('bsn:' || t.persoon_sleutel, 'naam:' || t.naam_sleutel) as persoon_key
from raw.vh_trajecten as t
left join vh_codes as s on s.codelijst = 'traject_soort' and t.soort_code = s.code
left join vh_codes as d on d.codelijst = 'doelgroep' and t.doelgroep_code = d.code
left join gemeenten as g on t.gemeente = g.naam_in_bron
qualify
    row_number() over (partition by t.traject_id order by t.gewijzigd_op desc, t._loaded_at desc) = 1
    and coalesce(g.in_district, false) and not coalesce(t.is_testpersoon, false)
union all
select
    'kort' as categorie,
    soort_overleg as soort,
    doelgroep,
    gemeente,
    null as buurt,
    datum as startdatum,
    datum as einddatum,
    persoon_key
from casusoverleggen
where kort_traject
union all
select
    'lang' as categorie,
    'Justitieel veelplegersplan' as soort,
    p.doelgroep,
    g.gemeente,
    null as buurt,
    try_cast(left(p.startdatum, 10) as date) as startdatum,
    try_cast(left(p.einddatum, 10) as date) as einddatum,
    coalesce('bsn:' || p.persoon_sleutel, 'naam:' || p.naam_sleutel) as persoon_key
from raw.om_veelplegersplannen as p
left join gemeenten as g on p.gemeente = g.naam_in_bron
qualify
    row_number() over (partition by p.plan_id order by p.gewijzigd_op desc, p._loaded_at desc) = 1
    and coalesce(g.in_district, false) and not coalesce(p.is_testpersoon, false);

-- Harmonised huisverboden, with whether a strafzaak ran within 30 days of the RIHG.
create or replace temp table huisverboden as
with hv as (
    select
        h.registratienummer,
        g.gemeente,
        try_cast(left(h.datum_rihg, 10) as date) as datum_rihg,
        h.opgelegd = 'Ja' as is_opgelegd,
        h.ingetrokken = 'Ja' as is_ingetrokken,
        h.verlengd = 'Ja' as is_verlengd,
        coalesce('bsn:' || h.persoon_sleutel, 'naam:' || h.naam_sleutel) as persoon_key
    from raw.gemeenten_huisverboden as h
    left join gemeenten as g on h.gemeente = g.naam_in_bron
    qualify
        row_number() over (
            partition by h.registratienummer order by h._loaded_at desc, h._delivery_id desc, h._row_number desc
        ) = 1
        and coalesce(g.in_district, false) and not coalesce(h.is_testpersoon, false)
),

strafzaken as (
    select
        try_cast(left(feitdatum, 10) as date) as feitdatum,
        coalesce('bsn:' || persoon_sleutel, 'naam:' || naam_sleutel) as persoon_key,
        coalesce(is_testpersoon, false) as is_testpersoon
    from raw.om_strafzaken
    qualify
        row_number() over (partition by parketnummer order by gewijzigd_op desc, _loaded_at desc) = 1
),

met_strafzaak as (
    select distinct hv.registratienummer
    from hv
    inner join strafzaken
        on
            hv.persoon_key = strafzaken.persoon_key
            and abs(date_diff('day', hv.datum_rihg, strafzaken.feitdatum)) <= 30
    where not strafzaken.is_testpersoon
)

select
    hv.*,
    year(hv.datum_rihg) as jaar,
    hv.is_opgelegd and m.registratienummer is not null as is_samenloop_strafrecht
from hv
left join met_strafzaak as m on hv.registratienummer = m.registratienummer;

-- The report's grid: gemeenten as columns, stadsdeelgroepen as rows.
create or replace temp table gemeente_kolommen as
select
    k.gemeente,
    k.kolom
from (
    values
    ('Maastricht', 'Maastricht'),
    ('Eijsden-Margraten', 'Eijsden-Margraten'),
    ('Meerssen', 'Meerssen'),
    ('Valkenburg aan de Geul', 'Valkenburg')
) as k (gemeente, kolom);

create or replace temp table stadsdeelgroepen as
select s.stadsdeelgroep
from (
    values
    ('Noord-West'), ('Noord-Oost'), ('Zuid-Oost'), ('Zuid-West en centrum (inclusief OGGZ)')
) as s (stadsdeelgroep);

-- Tables 1-9 as cells without their totals (tabel, rij, kolom, waarde); totals are added below.
create or replace temp table cellen as
with jaar_meldingen as (
    select * from meldingen
    where jaar = getvariable('jaar')
),

jaar_vervolgacties as (
    select * from vervolgacties
    where jaar = getvariable('jaar')
),

tabel_1 as (
    select
        '1' as tabel,
        h.rij,
        'aantal' as kolom,
        count(m.melding_id) as waarde
    from (
        values
        ('politie', 'Mutaties politie'),
        ('gevangeniswezen', 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)'),
        ('partners', 'Meldingen partners')
    ) as h (herkomst, rij)
    left join jaar_meldingen as m on h.herkomst = m.herkomst
    group by all
),

tabel_2 as (
    select
        '2' as tabel,
        d.tabel_2 as rij,
        k.kolom,
        count(m.melding_id) as waarde
    from doelgroepen as d
    cross join gemeente_kolommen as k
    left join jaar_meldingen as m on d.doelgroep = m.doelgroep and k.gemeente = m.gemeente
    where not d.alleen_maastricht or k.gemeente = 'Maastricht'
    group by all
),

tabel_3 as (
    select
        '3' as tabel,
        s.stadsdeelgroep as rij,
        'Aantal meldingen' as kolom,
        count(m.melding_id) as waarde
    from stadsdeelgroepen as s
    left join jaar_meldingen as m
        on s.stadsdeelgroep = m.stadsdeelgroep and m.doelgroep = 'Multiproblematiek'
    group by all
),

tabel_4 as (
    select
        '4' as tabel,
        s.soort as rij,
        k.kolom,
        count(v.soort) as waarde
    from vervolgactie_soorten as s
    cross join (
        values ('Jeugd'), ('Veelplegers'), ('Huiselijk geweld'), ('Volwassen ex-gedetineerden'), ('Multiproblematiek')
    ) as k (kolom)
    left join (
        select
            v.soort,
            d.tabel_4
        from jaar_vervolgacties as v
        inner join doelgroepen as d on v.doelgroep = d.doelgroep
    ) as v on s.soort = v.soort and k.kolom = v.tabel_4
    group by all
),

tabel_5 as (
    select
        '5' as tabel,
        s.stadsdeelgroep as rij,
        k.kolom,
        count(v.melding_id) as waarde
    from stadsdeelgroepen as s
    cross join (values ('Doorgestroomd naar PGA'), ('Afgehandeld door partners')) as k (kolom)
    left join (
        select
            v.melding_id,
            soorten.tabel_5,
            m.stadsdeelgroep
        from jaar_vervolgacties as v
        inner join jaar_meldingen as m on v.melding_id = m.melding_id and m.doelgroep = 'Multiproblematiek'
        inner join vervolgactie_soorten as soorten on v.soort = soorten.soort
    ) as v on s.stadsdeelgroep = v.stadsdeelgroep and k.kolom = v.tabel_5
    group by all
),

-- tables 6 and 7: distinct clients with a short or long traject running in the year
trajecten_6_7 as (
    select
        case c.categorie when 'kort' then '6' else '7' end as tabel,
        d.tabel_6_7 as rij,
        k.kolom,
        count(distinct t.persoon_key) as waarde
    from (values ('kort'), ('lang')) as c (categorie)
    cross join doelgroepen as d
    cross join gemeente_kolommen as k
    left join trajecten as t
        on
            c.categorie = t.categorie
            and d.doelgroep = t.doelgroep
            and k.gemeente = t.gemeente
            and t.startdatum <= make_date(getvariable('jaar'), 12, 31)
            and (t.einddatum is null or t.einddatum >= make_date(getvariable('jaar'), 1, 1))
    where
        d.tabel_6_7 in ('Volwassen veelplegers', 'Jeugd', 'Huiselijk geweld', 'Ex-gedetineerden', 'Multiproblematiek')
        and (not d.alleen_maastricht or k.gemeente = 'Maastricht')
    group by all
),

-- table 8: integrale aanpak plans running on 1 January after the year, by stadsdeel on that day
plannen_op_peildatum as (
    select coalesce(b.stadsdeelgroep_jaarverslag, 'Zuid-West en centrum (inclusief OGGZ)') as stadsdeelgroep
    from trajecten as t
    left join stadsdelen_buurten as b
        on t.buurt = b.buurt and make_date(getvariable('jaar') + 1, 1, 1) between b.geldig_van and b.geldig_tot
    where
        t.doelgroep = 'Multiproblematiek'
        and t.soort = 'Integrale aanpak'
        and t.startdatum <= make_date(getvariable('jaar') + 1, 1, 1)
        and (t.einddatum is null or t.einddatum >= make_date(getvariable('jaar') + 1, 1, 1))
),

tabel_8 as (
    select
        '8' as tabel,
        s.stadsdeelgroep as rij,
        'Aantal plannen' as kolom,
        count(p.stadsdeelgroep) as waarde
    from stadsdeelgroepen as s
    left join plannen_op_peildatum as p on s.stadsdeelgroep = p.stadsdeelgroep
    group by all
),

tabel_9 as (
    select
        '9' as tabel,
        r.rij,
        k.kolom,
        count(h.registratienummer) as waarde
    from (
        values
        ('Ingevulde RIHG’s'), ('Opgelegde huisverboden'), ('Ingetrokken huisverbod'),
        ('Verlengd huisverbod'), ('Samenloop met strafrecht')
    ) as r (rij)
    cross join gemeente_kolommen as k
    left join huisverboden as h
        on
            k.gemeente = h.gemeente
            and h.jaar = getvariable('jaar')
            and case r.rij
                when 'Ingevulde RIHG’s' then true
                when 'Opgelegde huisverboden' then h.is_opgelegd
                when 'Ingetrokken huisverbod' then h.is_ingetrokken
                when 'Verlengd huisverbod' then h.is_verlengd
                else h.is_samenloop_strafrecht
            end
    group by all
)

select
    tabel,
    rij,
    kolom,
    waarde
from tabel_1
union all
select
    tabel,
    rij,
    kolom,
    waarde
from tabel_2
union all
select
    tabel,
    rij,
    kolom,
    waarde
from tabel_3
union all
select
    tabel,
    rij,
    kolom,
    waarde
from tabel_4
union all
select
    tabel,
    rij,
    kolom,
    waarde
from tabel_5
union all
select
    tabel,
    rij,
    kolom,
    waarde
from trajecten_6_7
union all
select
    tabel,
    rij,
    kolom,
    waarde
from tabel_8
union all
select
    tabel,
    rij,
    kolom,
    waarde
from tabel_9;

-- The totals as the report prints them: a Totaal column per row (tables 2, 4, 6, 7, 9), a Totaal
-- row per column (all but 9), percentages in tables 1 and 4, and Bijlage 3 from the table totals.
create or replace temp table met_totalen as
select
    tabel,
    rij,
    kolom,
    waarde
from cellen
union all
select
    tabel,
    rij,
    'Totaal' as kolom,
    sum(waarde) as waarde
from cellen
where tabel in ('2', '4', '6', '7', '9')
group by all
union all
select
    tabel,
    'Totaal' as rij,
    kolom,
    sum(waarde) as waarde
from cellen
where tabel != '9'
group by all
union all
select
    tabel,
    'Totaal' as rij,
    'Totaal' as kolom,
    sum(waarde) as waarde
from cellen
where tabel in ('2', '4', '6', '7')
group by all;

with percentages as (
    -- table 1: each herkomst's share; table 4: each soort's share of all vervolgacties
    select
        t.tabel,
        t.rij,
        '% van totaal' as kolom,
        coalesce(cast(floor(t.waarde * 100.0 / nullif(g.waarde, 0) + 0.5) as integer), 0) as waarde
    from met_totalen as t
    inner join met_totalen as g on t.tabel = g.tabel and g.rij = 'Totaal'
    where
        (t.tabel = '1' and t.kolom = 'aantal' and g.kolom = 'aantal')
        or (t.tabel = '4' and t.kolom = 'Totaal' and g.kolom = 'Totaal')
),

overige_labels as (
    select distinct
        tabel_4 as doelgroep_label,
        bijlage_3_overig as rij
    from doelgroepen
    where bijlage_3_overig is not null and tabel_4 is not null
    union
    select distinct
        tabel_6_7 as doelgroep_label,
        bijlage_3_overig as rij
    from doelgroepen
    where bijlage_3_overig is not null and tabel_6_7 is not null
),

bijlage_3 as (
    select
        case t.rij
            when 'Mutaties politie' then 'Politiemeldingen doelgroepen'
            when 'Meldingen gevangeniswezen (nazorg ex-gedetineerden)' then 'Meldingen gevangeniswezen'
            when 'Meldingen partners' then 'Meldingen door individuele professionals'
        end as rij,
        'Meldingen per herkomst' as kolom,
        t.waarde
    from cellen as t
    where t.tabel = '1'
    union all
    select
        d.bijlage_3_meldingen as rij,
        'Meldingen per doelgroep' as kolom,
        t.waarde
    from met_totalen as t
    inner join doelgroepen as d on t.rij = d.tabel_2
    where t.tabel = '2' and t.kolom = 'Totaal'
    union all
    select
        l.rij,
        'Vervolgacties per doelgroep' as kolom,
        t.waarde
    from met_totalen as t
    inner join overige_labels as l on t.kolom = l.doelgroep_label
    where t.tabel = '4' and t.rij = 'Totaal'
    union all
    select
        l.rij,
        case t.tabel when '6' then 'Korte trajecten per doelgroep' else 'Lange trajecten per doelgroep' end as kolom,
        t.waarde
    from met_totalen as t
    inner join overige_labels as l on t.rij = l.doelgroep_label
    where t.tabel in ('6', '7') and t.kolom = 'Totaal'
)

select
    tabel,
    rij,
    kolom,
    cast(waarde as integer) as waarde
from met_totalen
union all
select
    tabel,
    rij,
    kolom,
    waarde
from percentages
union all
select
    'B3' as tabel,
    rij,
    kolom,
    cast(waarde as integer) as waarde
from bijlage_3
union all
select
    'B3' as tabel,
    'Totaal' as rij,
    kolom,
    cast(sum(waarde) as integer) as waarde
from bijlage_3
group by kolom;
