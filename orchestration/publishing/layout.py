"""The report's tables as the 2011 annual report prints them: title, "Bron:" line, column headings,
the label of the total row, and the footnotes that define a figure.

Footnotes that only compare 2011 with 2010 in words ("terugloop van 211 meldingen") are left out:
the annual report computes year-on-year differences from the facts instead (see comparison.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOTAL_LABEL = "Totaal"  # how the marts label a total row or column
TOTAL_COLUMN = "totaal"

GEMEENTE_HEADINGS = {
    "maastricht": "Maastricht",
    "eijsden_margraten": "Eijsden-Margraten",
    "meerssen": "Meerssen",
    "valkenburg": "Valkenburg",
    "totaal": "Totaal",
}

BRON_VH = "Bron: registratiesysteem Veiligheidshuis."
BRONNEN_VH_OM = "Bronnen: registratiesysteem Veiligheidshuis en registratiesysteem Openbaar Ministerie."


@dataclass(frozen=True)
class ReportTable:
    """One table of the report and the mart that holds it."""

    key: str  # as in report_cells.tabel: '1'..'9', 'B3'
    mart: str
    sheet: str  # the sheet name in the workbook, as the report names the table
    title: str  # with {jaar} and {volgend_jaar} placeholders
    bron: str
    headings: dict[str, str]  # mart column -> heading as printed ('' where the report prints none)
    total_row_label: str = TOTAL_LABEL  # the printed label of the row the mart calls Totaal
    footnotes: tuple[str, ...] = field(default_factory=tuple)

    def title_for(self, year: int) -> str:
        return self.title.format(jaar=year, volgend_jaar=year + 1)

    def footnotes_for(self, year: int) -> tuple[str, ...]:
        return tuple(note.format(jaar=year) for note in self.footnotes)

    def heading(self, column: str) -> str:
        return self.headings.get(column, column.replace("_", " ").capitalize())

    def printed_row_label(self, label: str) -> str:
        return self.total_row_label if label == TOTAL_LABEL else ROW_LABELS_AS_PRINTED.get((self.key, label), label)


# Rows whose printed label carries a footnote mark the marts leave out.
ROW_LABELS_AS_PRINTED = {("9", "Samenloop met strafrecht"): "Samenloop met strafrecht*"}

TABLES: tuple[ReportTable, ...] = (
    ReportTable(
        key="1",
        mart="tabel_01_meldingen_naar_herkomst",
        sheet="Tabel 1",
        title="Tabel 1: Aanmeldingen bij het Veiligheidshuis naar herkomst, jaar {jaar}.",
        bron=BRON_VH,
        headings={"herkomst": "", "aantal": "aantal", "percentage_van_totaal": "% van totaal"},
        # printed as "Totaal medlingen/mutaties": the typo is not reproduced
        total_row_label="Totaal meldingen/mutaties",
    ),
    ReportTable(
        key="2",
        mart="tabel_02_meldingen_per_doelgroep_per_gemeente",
        sheet="Tabel 2",
        title="Tabel 2: Aanmeldingen bij het Veiligheidshuis per doelgroep per gemeente, jaar {jaar}.",
        # the report prints no source under Table 2; its meldingen are those of Table 1
        bron=BRON_VH,
        headings={"doelgroep": "Doelgroep Veiligheidshuis", **GEMEENTE_HEADINGS},
        footnotes=(
            "Veelplegers, jeugd en huiselijk geweld: cijfers gebaseerd op pleegplaats.",
            "Huiselijk geweld: inclusief huisverboden.",
            "Centraal Aanmelden: aanmeldingen zijn verwerkt in de doelgroepen. Voor de gemeenten buiten Maastricht"
            " zijn een klein aantal meldingen ontvangen. Meldingen zijn opgepakt, al het huiselijk geweldmeldingen"
            " betrof; overige meldingen zijn overgedragen aan de betreffende gemeente.",
        ),
    ),
    ReportTable(
        key="3",
        mart="tabel_03_meldingen_multiproblematiek_per_stadsdeel",
        sheet="Tabel 3",
        title="Tabel 3: Aantal meldingen casusaanpak multiproblematiek per stadsdeel gemeente Maastricht, jaar {jaar}.",
        bron=BRON_VH,
        headings={"stadsdeel": "Stadsdeel", "aantal_meldingen": "Aantal meldingen"},
    ),
    ReportTable(
        key="4",
        mart="tabel_04_vervolgacties_per_doelgroep",
        sheet="Tabel 4",
        title="Tabel 4: Soort vervolgacties op de meldingen binnen het Veiligheidshuis, jaar {jaar}.",
        bron="Bronnen: registratiesysteem Veiligheidshuis, registratiesysteem Openbaar Ministerie.",
        headings={
            "soort_vervolgactie": "",
            "jeugd": "Jeugd",
            "veelplegers": "Veelplegers",
            "huiselijk_geweld": "Huiselijk geweld",
            "volwassen_ex_gedetineerden": "Volwassen ex-gedetineerden",
            "multiproblematiek": "Multiproblematiek",
            "totaal": "Totaal",
            "percentage_van_totaal": "% van totaal",
        },
        total_row_label="Totaal vervolgacties",
        footnotes=(
            "Jeugd: inclusief vervolgacties procesmanagement Centrum Jeugd en Gezin.",
            "Integrale aanpak huiselijk geweld is onderdeel van het aantal bij multiproblematiek.",
            "Volwassen ex-gedetineerden, ter opvolging door partnerorganisaties: aantal meldingen opgepakt door de"
            " Serviceportal ex-gedetineerden en kredietbank.",
            "Veelplegers: enkel politie meldingen worden ontvangen over veelplegers welke in het netwerk van het"
            " Veiligheidshuis geprioriteerd zijn. Elke melding wordt vertaald naar eventuele gevolgen voor het lopende"
            " plan van aanpak.",
            "Bij de andere doelgroepen vindt er geen pre selectie plaats maar komen alle meldingen binnen bij het"
            " Veiligheidshuis om voor 100% gescreend te worden op de noodzaak tot eventuele vervolgactie.",
        ),
    ),
    ReportTable(
        key="5",
        mart="tabel_05_vervolgacties_multiproblematiek_per_stadsdeel",
        sheet="Tabel 5",
        title="Tabel 5: Soort vervolgacties op de meldingen casusaanpak multiproblematiek, jaar {jaar}.",
        bron=BRON_VH,
        headings={
            "stadsdeel": "Stadsdeel",
            "doorgestroomd_naar_pga": "Doorgestroomd naar PGA",
            "afgehandeld_door_partners": "Afgehandeld door partners",
        },
    ),
    ReportTable(
        key="6",
        mart="tabel_06_korte_trajecten_per_doelgroep",
        sheet="Tabel 6",
        title="Tabel 6: Cliënten die een kort traject volgden in het Veiligheidshuis, naar doelgroep.",
        bron=BRONNEN_VH_OM,
        headings={"doelgroep": "Doelgroep Veiligheidshuis", **GEMEENTE_HEADINGS},
        footnotes=(
            "Onder korte trajecten worden verstaan: justitieel casusoverleg jeugd of huiselijk geweld, nazorgoverleg"
            " ex-gedetineerden, netwerkoverleg risicojeugd en netwerkoverleg stadsdelen Maastricht.",
        ),
    ),
    ReportTable(
        key="7",
        mart="tabel_07_plannen_van_aanpak_per_doelgroep",
        sheet="Tabel 7",
        title="Tabel 7: Cliënten die een plan van aanpak hadden in het Veiligheidshuis, naar doelgroep.",
        bron=BRONNEN_VH_OM,
        headings={"doelgroep": "Doelgroep Veiligheidshuis", **GEMEENTE_HEADINGS},
        footnotes=(
            "Onder lange trajecten worden verstaan: justitieel veelplegersplan, plan na huisverbod en integrale"
            " aanpak.",
            "Jeugd, gemeenten buiten Maastricht: lange trajecten betreffen veelplegers 18 - 23 jaar.",
            "Jeugdigen 18-23 jaar met een plan na een huisverbod zijn opgenomen in de aantallen huiselijk geweld.",
            "Huiselijk geweld: aantal in {jaar} opgelegde huisverboden.",
            "Ex-gedetineerden, die tevens een integraal plan van aanpak hebben lopen zijn meegeteld bij de doelgroep"
            " waartoe zij behoren.",
        ),
    ),
    ReportTable(
        key="8",
        mart="tabel_08_plannen_multiproblematiek_per_stadsdeel",
        sheet="Tabel 8",
        title="Tabel 8: Aantal cliënten met een plan van aanpak in de Casusaanpak Multiproblematiek Maastricht,"
        " per 1 januari {volgend_jaar}.",
        bron=BRON_VH,
        headings={"stadsdeel": "Stadsdeel", "aantal_plannen": "Aantal plannen"},
    ),
    ReportTable(
        key="9",
        mart="tabel_09_tijdelijk_huisverbod",
        sheet="Tabel 9",
        title="Tabel 9: Aantallen Wet Tijdelijk Huisverbod.",
        bron="Bronnen: registratiesysteem Veiligheidshuis, registratiesystemen gemeenten, registratiesysteem"
        " Openbaar Ministerie.",
        headings={"omschrijving": "Omschrijving", **GEMEENTE_HEADINGS},
        footnotes=(
            "* het aantal zaken waarin door slachtoffer aangifte is gedaan of waarin politie/OM besloten tot"
            " ambtshalve vervolging.",
        ),
    ),
    ReportTable(
        key="B3",
        mart="bijlage_3_in_een_oogopslag",
        sheet="Bijlage 3",
        # printed as "2012 in één oogopslag" (the year of publication); the figures are those of 2011
        title="Bijlage 3: {jaar} in één oogopslag.",
        bron="Bron: tabellen 1, 2, 4, 6 en 7.",
        headings={"rubriek": "Rubriek", "omschrijving": "Omschrijving", "aantal": "Aantal"},
    ),
)

# Bijlage 3 prints a total per rubriek under its own label.
BIJLAGE_3_TOTAL_LABELS = {
    "Meldingen per herkomst": "Totaal aantal meldingen",
    "Meldingen per doelgroep": "Totaal aantal meldingen per doelgroep",
    "Vervolgacties per doelgroep": "Totaal aantal vervolgacties",
    "Korte trajecten per doelgroep": "Totaal aantal korte trajecten",
    "Lange trajecten per doelgroep": "Totaal aantal lange trajecten",
}

TABLES_BY_MART = {table.mart: table for table in TABLES}
TABLES_BY_KEY = {table.key: table for table in TABLES}
