"""The same quantity printed in two places of the report must be equal: the identities between tables.

Only identities the report's own text implies are listed, each with the sentence it rests on
(quoted from the report). Equal numbers are no reason by themselves: Table 6's Jeugd (337) is
not claimed to be Table 4's JCO + ZCO jeugd, nor Table 4's Integrale aanpak × Multiproblematiek
(162) Table 7's Multiproblematiek, because the report never says so.

Bijlage 3 restates Tables 1, 2, 4, 6 and 7 rubriek by rubriek, under the tables' doelgroepen (its
heading says "2012 in één oogopslag", but it closes this 2011 report and repeats its figures).
"""

from __future__ import annotations

from expectations.report_tables import TOTAAL, CellRef, Constraint

TABEL_1 = "«Tabel 1: Aanmeldingen bij het Veiligheidshuis naar herkomst, jaar 2011.»"
TABEL_2 = "«Tabel 2: Aanmeldingen bij het Veiligheidshuis per doelgroep per gemeente, jaar 2011.»"
TABEL_4 = "«Tabel 4: Soort vervolgacties op de meldingen binnen het Veiligheidshuis, jaar 2011.»"
TABEL_6_7 = (
    "«Tabel 6 en 7 zoomen in op het aantal cliënten dat een kort traject of een lang plan van aanpak heeft "
    "in het Veiligheidshuis.»"
)
BIJLAGE_3 = "Bijlage 3 «2012 IN ÉÉN OOGOPSLAG», rubriek «{rubriek}»"

MELDINGEN_PER_HERKOMST = "Meldingen per herkomst"
MELDINGEN_PER_DOELGROEP = "Meldingen per doelgroep"
VERVOLGACTIES_PER_DOELGROEP = "Vervolgacties per doelgroep"
KORTE_TRAJECTEN = "Korte trajecten per doelgroep"
LANGE_TRAJECTEN = "Lange trajecten per doelgroep"
GEMEENTEN = ("Maastricht", "Eijsden-Margraten", "Meerssen", "Valkenburg", TOTAAL)


def _same(left: tuple[str, str, str], right: tuple[str, str, str], grond: str) -> Constraint:
    return Constraint("identiteit", CellRef(*left), (CellRef(*right),), grond)


def _bijlage(rubriek: str, grond: str) -> str:
    return f"{BIJLAGE_3.format(rubriek=rubriek)} herhaalt {grond}"


def _meldingen() -> list[Constraint]:
    herkomst = _bijlage(MELDINGEN_PER_HERKOMST, TABEL_1)
    doelgroep = _bijlage(MELDINGEN_PER_DOELGROEP, TABEL_2)
    partners = (
        f"{herkomst}; de partners zijn de individuele professionals: «2. meldingen van medewerkers van "
        "partnerorganisaties die een casus voorleggen aan het Veiligheidshuis.»"
    )
    uitval = (
        f"{doelgroep}; multiproblematiek is de doelgroep van de maatschappelijke uitval: «Multiproblematiek "
        "NWO stadsdelen Maastricht — Voorkoming verergering maatschappelijke uitval door vroegsignalering»"
    )
    return [
        _same(("1", TOTAAL, "aantal"), ("2", TOTAAL, TOTAAL), f"Dezelfde aanmeldingen van 2011: {TABEL_1} {TABEL_2}"),
        _same(("B3", TOTAAL, MELDINGEN_PER_HERKOMST), ("1", TOTAAL, "aantal"), herkomst),
        _same(("B3", TOTAAL, MELDINGEN_PER_DOELGROEP), ("2", TOTAAL, TOTAAL), doelgroep),
        _same(
            ("B3", "Politiemeldingen doelgroepen", MELDINGEN_PER_HERKOMST),
            ("1", "Mutaties politie", "aantal"),
            herkomst,
        ),
        _same(
            ("B3", "Meldingen gevangeniswezen", MELDINGEN_PER_HERKOMST),
            ("1", "Meldingen gevangeniswezen (nazorg ex-gedetineerden)", "aantal"),
            herkomst,
        ),
        _same(
            ("B3", "Meldingen door individuele professionals", MELDINGEN_PER_HERKOMST),
            ("1", "Meldingen partners", "aantal"),
            partners,
        ),
        *(
            _same(
                ("B3", b3, MELDINGEN_PER_DOELGROEP),
                ("2", t2, TOTAAL),
                uitval if b3 == "Maatschappelijke uitval" else doelgroep,
            )
            for b3, t2 in (
                ("Jeugd", "Jeugd"),
                ("Huiselijk geweld", "Huiselijk geweld"),
                ("Veelplegers", "Volwassen veelplegers"),
                ("Geprioriteerden", "Geprioriteerden"),
                ("Ex-gedetineerden", "Volwassen ex-gedetineerden"),
                ("Maatschappelijke uitval", "Multiproblematiek"),
                ("Centrum Jeugd&Gezin", "Centrum Jeugd en Gezin"),
            )
        ),
        _same(
            ("2", "Volwassen ex-gedetineerden", TOTAAL),
            ("1", "Meldingen gevangeniswezen (nazorg ex-gedetineerden)", "aantal"),
            "De meldingen van het gevangeniswezen zijn die over ex-gedetineerden: Tabel 1 noemt ze "
            "«Meldingen gevangeniswezen (nazorg ex-gedetineerden)»",
        ),
        _same(
            ("3", TOTAAL, "Aantal meldingen"),
            ("2", "Multiproblematiek", TOTAAL),
            "«Tabel 3: Aantal meldingen casusaanpak multiproblematiek per stadsdeel gemeente Maastricht, jaar 2011.» "
            "telt de meldingen multiproblematiek van Tabel 2 per stadsdeel",
        ),
    ]


def _vervolgacties() -> list[Constraint]:
    grond = _bijlage(VERVOLGACTIES_PER_DOELGROEP, TABEL_4)
    return [
        *(
            _same(("B3", b3, VERVOLGACTIES_PER_DOELGROEP), ("4", TOTAAL, t4), grond)
            for b3, t4 in (
                ("Veel- en overlastplegers", "Veelplegers"),
                ("Jeugd", "Jeugd"),
                ("Huiselijk geweld", "Huiselijk geweld"),
                ("Ex-gedetineerden", "Volwassen ex-gedetineerden"),
                ("Multiproblematiek", "Multiproblematiek"),
                (TOTAAL, TOTAAL),
            )
        ),
        _same(
            ("5", TOTAAL, "Afgehandeld door partners"),
            ("4", "Ter opvolging door partnerorganisatie(s)", "Multiproblematiek"),
            "«Tabel 5: Soort vervolgacties op de meldingen casusaanpak multiproblematiek, jaar 2011.» splitst de "
            "vervolgacties multiproblematiek van Tabel 4; «Afgehandeld door partners» is daar «Ter opvolging door "
            "partnerorganisatie(s)»",
        ),
    ]


def _trajecten() -> list[Constraint]:
    doelgroepen = (
        ("Veel- en overlastplegers", "Volwassen veelplegers"),
        ("Jeugd", "Jeugd"),
        ("Huiselijk geweld", "Huiselijk geweld"),
        ("Ex-gedetineerden", "Ex-gedetineerden"),
        ("Multiproblematiek", "Multiproblematiek"),
        (TOTAAL, TOTAAL),
    )
    kort = _bijlage(KORTE_TRAJECTEN, f"Tabel 6: {TABEL_6_7}")
    lang = _bijlage(
        LANGE_TRAJECTEN,
        f"Tabel 7: {TABEL_6_7} «Onder lange trajecten worden verstaan: justitieel veelplegersplan, plan na "
        "huisverbod en integrale aanpak»",
    )
    return [
        *(_same(("B3", b3, KORTE_TRAJECTEN), ("6", t, TOTAAL), kort) for b3, t in doelgroepen),
        *(_same(("B3", b3, LANGE_TRAJECTEN), ("7", t, TOTAAL), lang) for b3, t in doelgroepen),
        _same(
            ("8", TOTAAL, "Aantal plannen"),
            ("7", "Multiproblematiek", TOTAAL),
            "«Tabel 8: Aantal cliënten met een plan van aanpak in de Casusaanpak Multiproblematiek Maastricht, per 1 "
            "januari 2012.» telt de cliënten met een plan van aanpak multiproblematiek van Tabel 7 per stadsdeel",
        ),
    ]


def _huisverboden() -> list[Constraint]:
    grond = "Opmerking bij Tabel 7: «huiselijk geweld: aantal in 2011 opgelegde huisverboden»"
    return [_same(("9", "Opgelegde huisverboden", g), ("7", "Huiselijk geweld", g), grond) for g in GEMEENTEN]


IDENTITIES: tuple[Constraint, ...] = (*_meldingen(), *_vervolgacties(), *_trajecten(), *_huisverboden())
