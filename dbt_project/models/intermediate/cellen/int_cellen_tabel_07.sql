-- Table 7 as cells: clients with a plan van aanpak (long traject) in the report year,
-- per doelgroep and gemeente.
{{ traject_cells('int_leden_tabel_07') }}
