-- Table 1: Aanmeldingen bij het Veiligheidshuis naar herkomst.
{{ pivot_cells('int_cellen_tabel_01', 'herkomst', [('aantal', 'aantal'), ('% van totaal', 'percentage_van_totaal')]) }}
