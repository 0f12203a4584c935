-- Table 3: Aantal meldingen casusaanpak multiproblematiek per stadsdeel gemeente Maastricht.
{{ pivot_cells('int_cellen_tabel_03', 'stadsdeel', [('Aantal meldingen', 'aantal_meldingen')]) }}
