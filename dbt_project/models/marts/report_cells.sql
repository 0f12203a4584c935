-- Every cell of every table of the report, labels exactly as printed (totals as Totaal):
-- for reconciliation against the published figures and for machines.
{% set tabellen = [
    ('1', 'int_cellen_tabel_01'), ('2', 'int_cellen_tabel_02'), ('3', 'int_cellen_tabel_03'),
    ('4', 'int_cellen_tabel_04'), ('5', 'int_cellen_tabel_05'), ('6', 'int_cellen_tabel_06'),
    ('7', 'int_cellen_tabel_07'), ('8', 'int_cellen_tabel_08'), ('9', 'int_cellen_tabel_09'),
    ('B3', 'int_cellen_bijlage_3')
] %}
{% for tabel, model in tabellen %}
    select
        cast('{{ tabel }}' as varchar) as tabel,
        cast(rij as varchar) as rij,
        cast(kolom as varchar) as kolom,
        cast(waarde as integer) as waarde
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
