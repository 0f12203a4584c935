-- Table 2: Aanmeldingen bij het Veiligheidshuis per doelgroep per gemeente.
{{ pivot_cells('int_cellen_tabel_02', 'doelgroep', gemeente_pivot_columns()) }}
