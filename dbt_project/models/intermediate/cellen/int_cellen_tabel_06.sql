-- Table 6 as cells: clients with a short traject in the report year, per doelgroep and gemeente.
{{ traject_cells('int_leden_tabel_06') }}
