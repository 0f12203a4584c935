"""export_all: every mart as CSV (two flavours) and Parquet, the report's tables as one workbook, and
a LEESMIJ.txt that says which mode the files are in. No file holds the time it was made, so the same
data give the same bytes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb

from orchestration.publishing.csv_export import FLAVOURS, csv_path, write_csv
from orchestration.publishing.export_tables import RECORD_LEVEL_PREFIX, ExportTable, export_tables
from orchestration.publishing.kept_exports import KeptExports, file_key, rows_fingerprint
from orchestration.publishing.marts import MARTS_SCHEMA, infer_report_year, published_marts
from orchestration.publishing.parquet_export import FOLDER as PARQUET_FOLDER
from orchestration.publishing.parquet_export import parquet_path, write_parquet
from orchestration.publishing.report_tables import load_report_tables
from orchestration.publishing.suppression import SuppressionSettings, mode_description, mode_name
from orchestration.publishing.xlsx_export import write_workbook
from sources import duckdb_memory

README = "LEESMIJ.txt"
# the rows of an Excel worksheet, its header row included: Excel opens a longer CSV only up to here
EXCEL_SHEET_ROWS = 1_048_576


def workbook_name(year: int) -> str:
    return f"tabellen_jaarverslag_{year}.xlsx"


def export_all(
    published_or_warehouse: Path,
    out_dir: Path,
    suppression: SuppressionSettings | None,
    *,
    year: int | None = None,
) -> list[Path]:
    """Export the marts of a DuckDB file (the published copy, or the warehouse) into `out_dir`.

    `suppression` None: the internal version, every mart exactly. Otherwise the public version: the
    report's tables and report_cells suppressed, the dimensions as they are, the record-level facts
    (fct_*) left out. Use one folder per mode: the folders csv/, csv_excel_nl/ and parquet/ are
    emptied but for the files of unchanged marts, kept (kept_exports.py), so no file of an earlier
    export lingers. `year` defaults to the year the tables describe (see marts.infer_report_year).
    Returns the files of the export, README last.
    """
    out_dir = Path(out_dir)
    with duckdb_memory.connect(published_or_warehouse, read_only=True) as con:
        year = year or infer_report_year(con)
        if year is None:
            raise ValueError(f"cannot tell which year the tables in {published_or_warehouse} describe: pass year=")
        report = load_report_tables(con, suppression)
        tables = export_tables(con, report, suppression)
        left_out = sorted(set(published_marts(con)) - {t.name for t in tables})
        beyond_excel = {t.name: rows for t in tables if (rows := _row_count(con, t)) >= EXCEL_SHEET_ROWS}
        metadata = {"modus": mode_name(suppression), "toelichting": mode_description(suppression)}
        if suppression is not None:
            metadata["drempel"] = str(suppression.threshold)
        files = [
            file
            for table in tables
            for file in (
                *(
                    ExportFile(csv_path(out_dir, table.name, f), table, f, partial(write_csv, table, out_dir, f, con))
                    for f in FLAVOURS
                ),
                ExportFile(
                    parquet_path(out_dir, table.name),
                    table,
                    metadata,
                    partial(write_parquet, table, out_dir, metadata, con),
                ),
            )
        ]
        kept = KeptExports.load(out_dir)
        keys = _file_keys(con, files)
        unchanged = {relative for relative, key in keys.items() if kept.unchanged(relative, key)}
        _remove_all_but(out_dir, unchanged)
        written = []
        for file in files:
            if file.relative in unchanged:
                written.append(kept.keep(file.relative))
            elif file.relative in keys:
                written.append(kept.record(file.write(), keys[file.relative]))
            else:
                written.append(file.write())
    written.append(write_workbook(report, out_dir / workbook_name(year), year, mode_description(suppression)))
    written.append(_write_readme(out_dir, written, year, suppression, left_out, beyond_excel, kept))
    kept.save()
    return written


@dataclass(frozen=True)
class ExportFile:
    path: Path  # where the writer puts it
    table: ExportTable
    kind: object  # the CSV flavour, or the Parquet metadata
    write: Callable[[], Path]

    @property
    def relative(self) -> str:
        """The path in the export's folder (csv/…, parquet/…)."""
        return f"{self.path.parent.name}/{self.path.name}"


def _row_count(con: duckdb.DuckDBPyConnection, table: ExportTable) -> int:
    """The rows a table's files hold (a mart exported exactly: counted in the mart itself)."""
    if table.query is None:
        return len(table.rows or [])
    return con.execute(f'select count(*) from {MARTS_SCHEMA}."{table.name}"').fetchone()[0]


def _file_keys(con: duckdb.DuckDBPyConnection, files: list[ExportFile]) -> dict[str, str]:
    """The key of each file that may be kept from the export before (kept_exports.py), by relative path."""
    tables = {file.table.name: file.table for file in files}
    fingerprints = {name: rows_fingerprint(con, table) for name, table in tables.items()}
    return {
        file.relative: file_key(fingerprints[file.table.name], file.table, file.kind)
        for file in files
        if fingerprints[file.table.name] is not None
    }


def _remove_all_but(out_dir: Path, unchanged: set[str]) -> None:
    """Empty the folders csv/, csv_excel_nl/ and parquet/ but for the files kept: no file of an earlier
    export lingers."""
    for folder in (*(f.folder for f in FLAVOURS), PARQUET_FOLDER):
        for path in (out_dir / folder).glob("*") if (out_dir / folder).is_dir() else []:
            if path.relative_to(out_dir).as_posix() in unchanged:
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def _write_readme(
    out_dir: Path,
    files: list[Path],
    year: int,
    suppression: SuppressionSettings | None,
    left_out: list[str],
    beyond_excel: dict[str, int],
    kept: KeptExports,
) -> Path:
    lines = [
        f"Veiligheidshuis district Maastricht: cijfers jaarverslag {year}",
        "",
        f"Modus: {mode_name(suppression)}",
        mode_description(suppression),
    ]
    if suppression is not None:
        lines += [
            f"De feitentabellen ({RECORD_LEVEL_PREFIX}*) zijn niet opgenomen: het zijn records per melding, traject of"
            " huisverbod, waaruit elke afgeschermde cel opnieuw te tellen is.",
            f"Niet opgenomen: {', '.join(left_out) or '-'}.",
            "In de openbare versie zijn alle kolommen van de tabellen tekst (een aantal kan '<"
            f"{suppression.threshold}' of 'x' zijn).",
        ]
    lines += [
        "",
        "Bestanden:",
        "  csv/           komma, UTF-8, decimale punt: voor programma's",
        "  csv_excel_nl/  puntkomma, UTF-8 met BOM, decimale komma: opent goed in Nederlandse Excel",
        "  parquet/       kolomtypen behouden; de modus staat ook in de metadata van elk bestand",
        f"  {workbook_name(year)}  de tabellen zoals in het jaarverslag, een tabblad per tabel",
        "",
    ]
    if beyond_excel:
        # Excel warns once that such a file was not loaded whole, then shows (and sums) only its first rows
        lines += [
            f"Te groot voor een Excel-werkblad ({_dutch(EXCEL_SHEET_ROWS - 1)} rijen onder de kop); Excel opent"
            " alleen het begin. Lees ze met Power Query, of gebruik parquet/ of csv/:",
            *(f"  {name}: {_dutch(rows)} rijen" for name, rows in sorted(beyond_excel.items())),
            "",
        ]
    lines += [
        "SHA-256:",
        *(f"  {kept.sha256(f)}  {f.relative_to(out_dir).as_posix()}" for f in sorted(files)),
        "",
    ]
    path = out_dir / README
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _dutch(number: int) -> str:
    """A whole number as Dutch writes it: 3.956.900."""
    return f"{number:,}".replace(",", ".")
