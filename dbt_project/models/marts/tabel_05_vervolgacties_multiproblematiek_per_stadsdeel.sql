-- Table 5: Soort vervolgacties op de meldingen casusaanpak multiproblematiek.
{{ pivot_cells('int_cellen_tabel_05', 'stadsdeel', [
    ('Doorgestroomd naar PGA', 'doorgestroomd_naar_pga'), ('Afgehandeld door partners', 'afgehandeld_door_partners')
]) }}
