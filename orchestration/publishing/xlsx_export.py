"""One workbook with a sheet per table of the report ("Tabel 1" ... "Tabel 9", "Bijlage 3"): the
report's title, source line and the mode above the table, the column headings as printed, the
footnotes below. The same data give the same bytes: fixed document properties and zip times."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.layout import BIJLAGE_3_TOTAL_LABELS, TOTAL_LABEL
from orchestration.publishing.report_tables import LoadedTable
from orchestration.publishing.table_structure import is_derived

HEADING_ROW = 5  # title, source, mode, blank, then the headings; the data start on the row below
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build time in the file
BOLD = Font(bold=True)
RULE = Border(bottom=Side(style="thin"))


def write_workbook(tables: list[LoadedTable], path: Path, year: int, mode: str) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.layout.sheet)
        _write_header(sheet, table, year, mode)
        if table.layout.key == "B3":
            _write_bijlage_3(sheet, table.shown)
        else:
            _write_table(sheet, table, year)
    moment = datetime(year + 1, 1, 1)  # fixed: the bytes must not depend on when the export ran
    workbook.properties = DocumentProperties(
        creator="vhpipe",
        lastModifiedBy="vhpipe",
        title=f"Jaarverslag {year} Veiligheidshuis district Maastricht: tabellen",
        description=mode,
        created=moment,
        modified=moment,
    )
    return write_atomically(path, lambda target: target.write_bytes(_reproducible_zip(workbook)))


def _write_header(sheet: Worksheet, table: LoadedTable, year: int, mode: str) -> None:
    sheet["A1"] = table.layout.title_for(year)
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = table.layout.bron
    sheet["A3"] = mode
    sheet["A3"].font = Font(italic=True)


def _write_table(sheet: Worksheet, table: LoadedTable, year: int) -> None:
    frame, layout = table.shown, table.layout
    for col, column in enumerate(frame.columns, start=1):
        cell = sheet.cell(HEADING_ROW, col, layout.heading(column) or None)
        cell.font, cell.border = BOLD, RULE
        cell.alignment = Alignment(wrap_text=True, horizontal="left" if col == 1 else "right", vertical="bottom")
        sheet.column_dimensions[get_column_letter(col)].width = 44 if col == 1 else 14
    for offset, row in enumerate(frame.itertuples(index=False)):
        excel_row = HEADING_ROW + 1 + offset
        is_total = row[0] == TOTAL_LABEL
        sheet.cell(excel_row, 1, layout.printed_row_label(row[0])).font = Font(bold=is_total)
        for col, (column, value) in enumerate(zip(frame.columns[1:], row[1:], strict=True), start=2):
            cell = sheet.cell(excel_row, col, _cell_value(value))
            cell.font = Font(bold=is_total)
            cell.alignment = Alignment(horizontal="right")
            if is_derived(column):
                cell.number_format = '0"%"'
    _write_footnotes(sheet, HEADING_ROW + len(frame) + 2, table.layout.footnotes_for(year))


def _write_bijlage_3(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """As printed: each rubriek as a heading, its figures below, its total under the appendix's label."""
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 14
    excel_row = HEADING_ROW
    for rubriek, rows in frame.groupby("rubriek", sort=False):
        sheet.cell(excel_row, 1, rubriek).font = BOLD
        sheet.cell(excel_row, 1).border = RULE
        excel_row += 1
        for row in rows.itertuples(index=False):
            is_total = row.omschrijving == TOTAL_LABEL
            label = BIJLAGE_3_TOTAL_LABELS.get(rubriek, TOTAL_LABEL) if is_total else row.omschrijving
            sheet.cell(excel_row, 1, label).font = Font(bold=is_total)
            value = sheet.cell(excel_row, 2, _cell_value(row.aantal))
            value.font, value.alignment = Font(bold=is_total), Alignment(horizontal="right")
            excel_row += 1
        excel_row += 1


def _write_footnotes(sheet: Worksheet, first_row: int, notes: tuple[str, ...]) -> None:
    for offset, note in enumerate(notes):
        sheet.cell(first_row + offset, 1, note if note.startswith("*") else f"• {note}")


def _cell_value(value: object) -> object:
    """Counts as numbers, '<5' and 'x' as text, nothing for a cell the report leaves empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else int(value)


def _reproducible_zip(workbook: Workbook) -> bytes:
    """The workbook's zip with every entry at the same fixed time, in openpyxl's own order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    fixed = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return fixed.getvalue()
