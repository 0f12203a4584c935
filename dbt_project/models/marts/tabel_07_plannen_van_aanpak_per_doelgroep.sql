-- Table 7: Cliënten die een plan van aanpak hadden in het Veiligheidshuis, naar doelgroep.
{{ pivot_cells('int_cellen_tabel_07', 'doelgroep', gemeente_pivot_columns()) }}
