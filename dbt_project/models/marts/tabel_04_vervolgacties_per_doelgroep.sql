-- Table 4: Soort vervolgacties op de meldingen binnen het Veiligheidshuis.
{{ pivot_cells('int_cellen_tabel_04', 'soort_vervolgactie', [
    ('Jeugd', 'jeugd'), ('Veelplegers', 'veelplegers'), ('Huiselijk geweld', 'huiselijk_geweld'),
    ('Volwassen ex-gedetineerden', 'volwassen_ex_gedetineerden'), ('Multiproblematiek', 'multiproblematiek'),
    ('Totaal', 'totaal'), ('% van totaal', 'percentage_van_totaal')
]) }}
