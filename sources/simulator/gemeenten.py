"""The gemeenten side of the simulated world: quarterly Excel workbooks of tijdelijk huisverboden.

Each of the four gemeenten keeps its own register of the RIHG's filled in on its territory and
sends one workbook per quarter, laid out a little differently from the others, as real ones
are: other headings, a title above the header, an explanatory sheet, J/N instead of Ja/Nee,
dates as Excel dates or as dd-mm-jjjj text. Samenloop met strafrecht is known to the OM, not
to the gemeente, so it is not in the workbooks.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from sources.simulator.defects import DefectRates
from sources.simulator.world import World

# The fields of a registration, in the order a register lists them.
FIELDS = (
    "registratienummer",
    "gemeente",
    "datum_rihg",
    "bsn",
    "achternaam",
    "voornamen",
    "geboortedatum",
    "opgelegd",
    "datum_opgelegd",
    "ingetrokken",
    "verlengd",
    "einddatum",
)
DATE_FIELDS = {"datum_rihg", "geboortedatum", "datum_opgelegd", "einddatum"}
JA_NEE_FIELDS = {"opgelegd", "ingetrokken", "verlengd"}
OLD_NAMES = {"Eijsden-Margraten": ("Eijsden", "Margraten")}  # the gemeenten merged on 1 January 2011
SPELLING_VARIANTS = {
    "Maastricht": ("MAASTRICHT", "Mestreech"),
    "Eijsden-Margraten": ("Eijsden Margraten",),
    "Meerssen": ("MEERSSEN",),
    "Valkenburg aan de Geul": ("Valkenburg a/d Geul", "Valkenburg"),
}
TEST_PERSON = {
    "bsn": None,
    "achternaam": "Testpersoon",
    "voornamen": "Test",
    "geboortedatum": pd.Timestamp("1970-01-01"),
}


@dataclass(frozen=True)
class Layout:
    """How one gemeente lays out its workbook."""

    sheet: str
    headings: dict[str, str]  # field → heading, in column order; a field left out is not in the workbook
    title: str | None = None  # a title line (then a blank line) above the header; may use {jaar} and {kwartaal}
    ja_nee: tuple[str, str] = ("Ja", "Nee")
    excel_dates: bool = True  # else dates are dd-mm-jjjj text
    bsn_as_number: bool = False
    toelichting: tuple[str, ...] = field(default=())  # lines of an explanatory sheet before the data sheet


LAYOUTS = {
    "Maastricht": Layout(
        sheet="Huisverboden",
        headings={
            "registratienummer": "Registratienummer",
            "gemeente": "Gemeente",
            "datum_rihg": "Datum RIHG",
            "bsn": "BSN",
            "achternaam": "Achternaam",
            "voornamen": "Voornamen",
            "geboortedatum": "Geboortedatum",
            "opgelegd": "Huisverbod opgelegd",
            "datum_opgelegd": "Datum opgelegd",
            "ingetrokken": "Ingetrokken",
            "verlengd": "Verlengd",
            "einddatum": "Einddatum",
        },
    ),
    "Eijsden-Margraten": Layout(
        sheet="Registraties",
        headings={
            "registratienummer": "Registratienr.",
            "datum_rihg": "Datum RIHG",
            "bsn": "Burgerservicenummer",
            "achternaam": "Achternaam",
            "voornamen": "Voornamen",
            "geboortedatum": "Geboortedatum",
            "opgelegd": "Huisverbod opgelegd",
            "datum_opgelegd": "Datum opgelegd",
            "ingetrokken": "Ingetrokken",
            "verlengd": "Verlengd",
            "einddatum": "Einddatum",
            "gemeente": "Gemeente",
        },
        excel_dates=False,
        toelichting=(
            "Registratie tijdelijk huisverbod gemeente Eijsden-Margraten",
            "Eén regel per ingevuld RIHG (risicotaxatie-instrument huiselijk geweld).",
            "Kolom Gemeente: de kern of voormalige gemeente waar het huisverbod speelt.",
            "Datums als dd-mm-jjjj.",
        ),
    ),
    "Meerssen": Layout(
        sheet="Blad1",
        title="Tijdelijk huisverbod gemeente Meerssen, {jaar} kwartaal {kwartaal}",
        headings={
            "registratienummer": "Registratienummer",
            "datum_rihg": "Datum RIHG",
            "bsn": "BSN pleger",
            "achternaam": "Achternaam pleger",
            "voornamen": "Voornamen pleger",
            "geboortedatum": "Geboortedatum pleger",
            "opgelegd": "Opgelegd",
            "datum_opgelegd": "Datum opgelegd",
            "ingetrokken": "Ingetrokken",
            "verlengd": "Verlengd",
            "einddatum": "Einddatum",
        },
        excel_dates=False,
    ),
    "Valkenburg aan de Geul": Layout(
        sheet="Huisverboden",
        headings={
            "registratienummer": "Nummer",
            "gemeente": "Gemeente",
            "datum_rihg": "RIHG ingevuld op",
            "achternaam": "Naam",
            "voornamen": "Voornaam",
            "geboortedatum": "Geb. datum",
            "bsn": "BSN",
            "opgelegd": "Opgelegd (J/N)",
            "datum_opgelegd": "Opgelegd op",
            "ingetrokken": "Ingetrokken (J/N)",
            "verlengd": "Verlengd (J/N)",
            "einddatum": "Einde huisverbod",
        },
        ja_nee=("J", "N"),
        bsn_as_number=True,
    ),
}


def workbook_name(gemeente: str, jaar: int, kwartaal: int) -> str:
    return f"{gemeente.replace(' ', '-')}_huisverboden_{jaar}_Q{kwartaal}.xlsx"


def publish(world: World, folder: Path, defects: DefectRates, rng: np.random.Generator) -> list[Path]:
    """One workbook per gemeente per quarter of the world's year (header only when it was quiet)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = registrations(world, defects, rng)
    written = []
    for gemeente, layout in LAYOUTS.items():
        for kwartaal in range(1, 5):
            own = rows[(rows["eigenaar"] == gemeente) & (rows["kwartaal"] == kwartaal)]
            path = folder / workbook_name(gemeente, world.year, kwartaal)
            path.write_bytes(render(own, layout, world.year, kwartaal))
            written.append(path)
    return written


def registrations(world: World, defects: DefectRates, rng: np.random.Generator) -> pd.DataFrame:
    """The huisverboden with their pleger in clear, as the gemeenten register them, defects applied.

    `eigenaar` is the gemeente whose workbook holds the row; `gemeente` is what its Gemeente
    column says, which a defect may spell otherwise.
    """
    hv = world.huisverboden
    unknown = set(hv["gemeente"]) - set(LAYOUTS)
    if unknown:
        raise ValueError(f"no workbook layout for gemeente(n) {sorted(unknown)}")
    rows = hv.merge(world.persons, on="persoon_id", how="left", validate="many_to_one")
    rows = rows.rename(columns={"huisverbod_id": "registratienummer"}).drop(columns=["samenloop", "persoon_id"])
    rows = pd.concat([rows, _test_rows(rows, defects.test_records, rng, world.year)], ignore_index=True)
    rows = rows.sort_values("datum_rihg", kind="stable").reset_index(drop=True)
    rows["eigenaar"] = rows["gemeente"]
    rows["kwartaal"] = rows["datum_rihg"].dt.quarter
    rows["gemeente"] = _misspelled(rows["gemeente"], defects, rng)
    return rows


def _test_rows(rows: pd.DataFrame, rate: float, rng: np.random.Generator, jaar: int) -> pd.DataFrame:
    """Registrations on a test person, copied from real ones (the register's test entries)."""
    n = round(len(rows) * rate)
    if n == 0:
        return rows.iloc[0:0]
    tests = rows.iloc[rng.integers(0, len(rows), size=n)].copy()
    for column, value in TEST_PERSON.items():
        tests[column] = value
    tests["registratienummer"] = [f"HV-{jaar}-T{i + 1:03d}" for i in range(n)]
    return tests


def _misspelled(gemeente: pd.Series, defects: DefectRates, rng: np.random.Generator) -> pd.Series:
    """Old municipality names for a share of Eijsden-Margraten's rows, spelling variants for a share of all."""
    out = gemeente.astype(object).copy()
    for name, old in OLD_NAMES.items():
        chosen = _share(rng, out.index[gemeente == name], defects.old_municipality_names)
        out[chosen] = rng.choice(old, size=len(chosen))
    for name, variants in SPELLING_VARIANTS.items():
        still_canonical = out.index[out == name]
        chosen = _share(rng, still_canonical, defects.spelling_variants)
        out[chosen] = rng.choice(variants, size=len(chosen))
    return out


def _share(rng: np.random.Generator, index: pd.Index, rate: float) -> pd.Index:
    return index[rng.permutation(len(index))[: round(len(index) * rate)]]


def render(rows: pd.DataFrame, layout: Layout, jaar: int, kwartaal: int) -> bytes:
    """The workbook's bytes: the same rows and layout always give the same bytes."""
    book = Workbook()
    data_sheet = book.active
    if layout.toelichting:
        data_sheet.title = "Toelichting"
        for line in layout.toelichting:
            data_sheet.append([line])
        data_sheet = book.create_sheet()
    data_sheet.title = layout.sheet
    if layout.title:
        data_sheet.append([layout.title.format(jaar=jaar, kwartaal=kwartaal)])
        data_sheet.append([])
    data_sheet.append(list(layout.headings.values()))
    for cell in data_sheet[data_sheet.max_row]:
        cell.font = Font(bold=True)
    for record in rows.to_dict("records"):
        data_sheet.append([_cell(name, record[name], layout) for name in layout.headings])
    _format_dates(data_sheet, layout)
    return _deterministic_bytes(book, sent_on=_quarter_end(jaar, kwartaal))


def _cell(name: str, value: object, layout: Layout) -> object:
    if name in JA_NEE_FIELDS:
        return layout.ja_nee[0] if value else layout.ja_nee[1]
    if value is None or pd.isna(value):
        return None
    if name in DATE_FIELDS:
        day = pd.Timestamp(value).date()
        return day if layout.excel_dates else f"{day:%d-%m-%Y}"
    if name == "bsn" and layout.bsn_as_number:
        return int(value)
    return str(value)


def _format_dates(sheet: Worksheet, layout: Layout) -> None:
    """Excel dates shown the Dutch way, as a gemeente's spreadsheet would."""
    if not layout.excel_dates:
        return
    for column, name in enumerate(layout.headings, start=1):
        if name in DATE_FIELDS:
            for (cell,) in sheet.iter_rows(min_col=column, max_col=column):
                if isinstance(cell.value, date):
                    cell.number_format = "dd-mm-yyyy"


def _quarter_end(jaar: int, kwartaal: int) -> datetime:
    """The moment the gemeente saves the quarter's workbook: the first morning of the next quarter."""
    return datetime(jaar + kwartaal // 4, kwartaal % 4 * 3 + 1, 1, 9, 0)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose members all carry one timestamp.

    zipfile stamps a member with the clock (writestr) or with its temporary file's mtime (write),
    and openpyxl uses both.
    """

    fixed_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.fixed_time)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        member = arcname if arcname is not None else Path(filename).name
        self.writestr(member, Path(filename).read_bytes(), compress_type, compresslevel)


def _deterministic_bytes(book: Workbook, sent_on: datetime) -> bytes:
    """Save without the clock: openpyxl's save() stamps docProps with now, zipfile stamps members."""
    book.properties.creator = "Gemeente"
    book.properties.created = sent_on
    book.properties.modified = sent_on
    buffer = BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED)
    archive.fixed_time = sent_on.timetuple()[:6]
    ExcelWriter(book, archive).save()  # closes the archive
    return buffer.getvalue()
