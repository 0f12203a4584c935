-- Table 8: Aantal cliënten met een plan van aanpak in de Casusaanpak Multiproblematiek, per 1 januari.
{{ pivot_cells('int_cellen_tabel_08', 'stadsdeel', [('Aantal plannen', 'aantal_plannen')]) }}
