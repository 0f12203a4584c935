-- Table 9: Aantallen Wet Tijdelijk Huisverbod.
{{ pivot_cells('int_cellen_tabel_09', 'omschrijving', gemeente_pivot_columns()) }}
