-- The doelgroepen of the Veiligheidshuis with the labels each table of the report uses.
select
    doelgroep,
    volgorde,
    alleen_maastricht,
    tabel_2 as label_tabel_2,
    tabel_4 as label_tabel_4,
    tabel_6_7 as label_tabel_6_7,
    bijlage_3_meldingen as label_bijlage_3_meldingen,
    bijlage_3_overig as label_bijlage_3_overig
from {{ ref('doelgroepen') }}
