-- Table 6: Cliënten die een kort traject volgden in het Veiligheidshuis, naar doelgroep.
{{ pivot_cells('int_cellen_tabel_06', 'doelgroep', gemeente_pivot_columns()) }}
