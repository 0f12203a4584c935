"""CSV in two flavours: plain (comma, UTF-8, decimal point) for machines, and the flavour Dutch Excel
opens correctly with a double click (semicolon, UTF-8 with byte order mark, decimal comma)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from orchestration.publishing.atomic_files import write_atomically
from orchestration.publishing.export_tables import ExportTable


@dataclass(frozen=True)
class CsvFlavour:
    folder: str
    delimiter: str
    decimal: str
    encoding: str
    line_end: str


PLAIN = CsvFlavour(folder="csv", delimiter=",", decimal=".", encoding="utf-8", line_end="\n")
EXCEL_NL = CsvFlavour(folder="csv_excel_nl", delimiter=";", decimal=",", encoding="utf-8-sig", line_end="\r\n")
FLAVOURS = (PLAIN, EXCEL_NL)


def write_csv(table: ExportTable, out_dir: Path, flavour: CsvFlavour) -> Path:
    def write(path: Path) -> None:
        with path.open("w", encoding=flavour.encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=flavour.delimiter, lineterminator=flavour.line_end)
            writer.writerow(table.columns)
            writer.writerows([text(v, flavour.decimal) for v in row] for row in table.rows)

    return write_atomically(out_dir / flavour.folder / f"{table.name}.csv", write)


def text(value: object, decimal: str) -> str:
    """A value as the flavour writes it: ISO dates, true/false, no exponent, empty for null."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        plain = np.format_float_positional(value, trim="-") if isinstance(value, float) else format(value, "f")
        return plain.replace(".", decimal)
    if isinstance(value, date):  # datetime too: a datetime is a date
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
