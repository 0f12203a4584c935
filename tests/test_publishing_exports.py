"""The exports hold the marts' numbers, cell for cell, in every format; the public version hides what
suppression hides and leaves out the record-level facts; the same data give the same bytes."""

import csv
import hashlib
import shutil
from datetime import date, datetime
from decimal import Decimal

import duckdb
import openpyxl
import pandas as pd
import pytest

from orchestration.publishing import exports
from orchestration.publishing.exports import export_all, workbook_name
from orchestration.publishing.layout import BIJLAGE_3_TOTAL_LABELS
from orchestration.publishing.marts import mart_query
from orchestration.publishing.published_copy import publish_copy
from orchestration.publishing.report_tables import load_report_tables
from orchestration.publishing.suppression import SuppressionSettings

YEAR = 2011
PUBLIC = SuppressionSettings(5)


@pytest.fixture(scope="module")
def published(pipeline, tmp_path_factory):
    return publish_copy(pipeline.paths.warehouse, tmp_path_factory.mktemp("published") / "vh_marts.duckdb")


@pytest.fixture(scope="module")
def internal(published, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "intern"
    return out, export_all(published, out, None)


@pytest.fixture(scope="module")
def public(published, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "openbaar"
    return out, export_all(published, out, PUBLIC)


def marts(published) -> dict[str, tuple[list[str], list[str], list[tuple]]]:
    """Every mart: column names, DuckDB types, rows (in the export's order)."""
    with duckdb.connect(str(published), read_only=True) as con:
        sql = "select table_name from information_schema.tables where table_schema = 'marts'"
        names = [r[0] for r in con.execute(sql).fetchall()]
        result = {}
        for name in names:
            relation = con.sql(mart_query(name))
            result[name] = (relation.columns, [str(t) for t in relation.types], relation.fetchall())
    return result


INTEGER_TYPES = ("INTEGER", "BIGINT", "SMALLINT", "HUGEINT", "TINYINT")
PARSERS = {
    "BOOLEAN": lambda text, decimal: {"true": True, "false": False}[text],
    "DATE": lambda text, decimal: date.fromisoformat(text),
    "TIMESTAMP": lambda text, decimal: datetime.fromisoformat(text),
    "DOUBLE": lambda text, decimal: float(text.replace(decimal, ".")),
    **{t: (lambda text, decimal: int(text)) for t in INTEGER_TYPES},
}


def parse(text: str, duckdb_type: str, decimal: str):
    """A CSV field back into the value it stands for, by the mart column's type."""
    if text == "":
        return None
    if duckdb_type.startswith("DECIMAL"):
        return Decimal(text.replace(decimal, "."))
    return PARSERS.get(duckdb_type, lambda text, decimal: text)(text, decimal)


def read_csv(path, delimiter, encoding):
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_every_mart_is_exported_in_every_format(internal, published):
    out, files = internal
    names = set(marts(published))
    for folder, suffix in (("csv", ".csv"), ("csv_excel_nl", ".csv"), ("parquet", ".parquet")):
        assert {p.stem for p in (out / folder).iterdir() if p.suffix == suffix} == names
    assert (out / workbook_name(YEAR)).exists() and (out / "LEESMIJ.txt") in files


@pytest.mark.parametrize(("folder", "delimiter", "decimal", "encoding"), [
    ("csv", ",", ".", "utf-8"),
    ("csv_excel_nl", ";", ",", "utf-8-sig"),
])  # fmt: skip
def test_csv_holds_every_cell_of_every_mart(internal, published, folder, delimiter, decimal, encoding):
    out, _ = internal
    for name, (columns, types, rows) in marts(published).items():
        path = out / folder / f"{name}.csv"
        if encoding == "utf-8-sig":
            assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "Dutch Excel needs the byte order mark"
        header, *records = read_csv(path, delimiter, encoding)
        assert header == columns
        parsed = [tuple(parse(v, t, decimal) for v, t in zip(r, types, strict=True)) for r in records]
        assert parsed == rows, f"{folder}/{name}.csv differs from marts.{name}"


def test_parquet_holds_every_cell_of_every_mart_with_its_types(internal, published):
    out, _ = internal
    with duckdb.connect() as con:
        for name, (columns, types, rows) in marts(published).items():
            relation = con.sql(f"from read_parquet('{out / 'parquet' / name}.parquet')")
            assert relation.columns == columns and [str(t) for t in relation.types] == types
            assert relation.fetchall() == rows, f"parquet/{name} differs from marts.{name}"
            path = out / "parquet" / f"{name}.parquet"
            metadata = dict(con.execute(f"select key, value from parquet_kv_metadata('{path}')").fetchall())
            assert metadata[b"modus"] == b"intern"


def test_the_workbook_has_a_sheet_per_table_named_as_in_the_report(internal):
    out, _ = internal
    workbook = openpyxl.load_workbook(out / workbook_name(YEAR))
    assert workbook.sheetnames == [f"Tabel {i}" for i in range(1, 10)] + ["Bijlage 3"]


def test_the_workbook_holds_every_cell_of_the_report_tables_under_the_printed_headings(internal, published):
    out, _ = internal
    workbook = openpyxl.load_workbook(out / workbook_name(YEAR))
    with duckdb.connect(str(published), read_only=True) as con:
        tables = load_report_tables(con, None)
    for table in tables:
        sheet, layout, frame = workbook[table.layout.sheet], table.layout, table.exact
        assert sheet["A1"].value == layout.title_for(YEAR)
        assert sheet["A2"].value == layout.bron
        assert "Interne versie" in sheet["A3"].value
        if layout.key == "B3":
            assert bijlage_3_rows(sheet) == [
                (BIJLAGE_3_TOTAL_LABELS[r.rubriek] if r.omschrijving == "Totaal" else r.omschrijving, r.aantal)
                for r in frame.itertuples(index=False)
            ]
            continue
        headings = [c.value or "" for c in sheet[5]][: len(frame.columns)]
        assert headings == [layout.heading(c) for c in frame.columns]
        for offset, row in enumerate(frame.itertuples(index=False)):
            cells = [c.value for c in sheet[6 + offset]][: len(frame.columns)]
            assert cells[0] == layout.printed_row_label(row[0])
            assert cells[1:] == [None if pd.isna(v) else int(v) for v in row[1:]], f"{layout.sheet}, {row[0]}"


def bijlage_3_rows(sheet) -> list[tuple[str, int]]:
    return [(a.value, b.value) for a, b in sheet.iter_rows(min_row=5, max_col=2) if b.value is not None]


def test_the_public_export_shows_the_suppressed_tables_and_no_record_level_facts(public, published):
    out, _ = public
    exported = {p.stem for p in (out / "csv").iterdir()}
    assert not [n for n in exported if n.startswith("fct_")]
    assert {n for n in marts(published) if not n.startswith("fct_")} == exported
    with duckdb.connect(str(published), read_only=True) as con:
        tables = load_report_tables(con, PUBLIC)
    hidden = 0
    for table in tables:
        header, *records = read_csv(out / "csv" / f"{table.layout.mart}.csv", ",", "utf-8")
        assert header == list(table.shown.columns)
        expected = [["" if pd.isna(v) else str(v) for v in row] for row in table.shown.itertuples(index=False)]
        assert records == expected
        hidden += sum(v in ("<5", "x") for row in records for v in row)
        for exact_row, record in zip(table.exact.itertuples(index=False), records, strict=True):
            for exact, shown in zip(exact_row, record, strict=True):
                assert shown in ("<5", "x") or shown == ("" if pd.isna(exact) else str(exact))
    assert hidden > 10
    cells = read_csv(out / "csv" / "report_cells.csv", ",", "utf-8")[1:]
    assert ("7", "Jeugd", "Meerssen", "<5") in {tuple(c) for c in cells}


def test_the_public_workbook_and_parquet_say_they_are_public(public):
    out, _ = public
    workbook = openpyxl.load_workbook(out / workbook_name(YEAR))
    assert all("Openbare versie" in workbook[name]["A3"].value for name in workbook.sheetnames)
    assert workbook["Tabel 2"]["D9"].value == "<5"  # Geprioriteerden, Meerssen: 1
    with duckdb.connect() as con:
        path = out / "parquet" / "tabel_02_meldingen_per_doelgroep_per_gemeente.parquet"
        metadata = dict(con.execute(f"select key, value from parquet_kv_metadata('{path}')").fetchall())
        assert metadata[b"modus"] == b"openbaar" and metadata[b"drempel"] == b"5"
        assert con.execute(f"select meerssen from '{path}' where doelgroep = 'Geprioriteerden'").fetchone() == ("<5",)
    readme = (out / "LEESMIJ.txt").read_text(encoding="utf-8")
    assert "Modus: openbaar" in readme and "<5" in readme


@pytest.mark.parametrize("mode", ["internal", "public"])
def test_a_second_export_of_the_same_data_is_byte_identical(published, tmp_path, request, mode):
    first_dir, first = request.getfixturevalue(mode)
    republished = publish_copy(published, tmp_path / "republished.duckdb")  # a new copy of the same data
    second = export_all(republished, tmp_path / "second", None if mode == "internal" else PUBLIC)

    def digests(files, root):
        return {f.relative_to(root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}

    assert digests(first, first_dir) == digests(second, tmp_path / "second")


def stamps(out) -> dict[str, tuple[int, int]]:
    """Each data file of an export: its inode and modification time (a file kept keeps both)."""
    return {
        f.relative_to(out).as_posix(): (f.stat().st_ino, f.stat().st_mtime_ns)
        for folder in ("csv", "csv_excel_nl", "parquet")
        for f in (out / folder).iterdir()
    }


def digests(out) -> dict[str, str]:
    return {
        f.relative_to(out).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in out.rglob("*") if f.is_file()
    }


def test_an_export_keeps_the_files_of_unchanged_marts_and_rewrites_the_changed_ones(published, tmp_path):
    """A night changes a few marts: the files of the others are kept from the export before. The
    folder ends as an export into an empty folder would write it, byte for byte, its LEESMIJ included."""
    data = publish_copy(published, tmp_path / "data.duckdb")
    out = tmp_path / "intern"
    export_all(data, out, None)
    (out / "csv" / "a_mart_no_longer_published.csv").write_text("x\n", encoding="utf-8")
    first = stamps(out)

    with duckdb.connect(str(data)) as con:
        con.execute("update marts.dim_gemeente set namen_in_bronnen = 'Maastricht|MAASTRICHT|Mestreech' "
                    "where gemeente = 'Maastricht'")  # fmt: skip
    export_all(data, out, None)
    second = stamps(out)

    changed = {name for name in first if name.split("/")[-1].split(".")[0] == "dim_gemeente"}
    assert len(changed) == 3  # two CSV flavours and Parquet
    assert "Mestreech" in (out / "csv" / "dim_gemeente.csv").read_text(encoding="utf-8")
    kept = {name for name in second if second[name] == first.get(name)}
    assert {n for n in kept if n.split("/")[-1].startswith("fct_")} == {n for n in first if "/fct_" in n}
    assert not kept & changed
    assert "csv/a_mart_no_longer_published.csv" not in second  # nothing of before lingers

    fresh = tmp_path / "fresh" / "intern"
    export_all(data, fresh, None)
    assert digests(out) == digests(fresh)


def test_a_kept_file_edited_since_is_written_again(published, tmp_path):
    out = tmp_path / "intern"
    export_all(published, out, None)
    edited = out / "csv" / "fct_trajecten.csv"
    edited.write_text("edited by hand\n", encoding="utf-8")
    export_all(published, out, None)
    fresh = tmp_path / "fresh" / "intern"
    export_all(published, fresh, None)
    assert edited.read_bytes() == (fresh / "csv" / "fct_trajecten.csv").read_bytes()


def test_an_export_of_the_warehouse_has_the_bytes_of_an_export_of_its_published_copy(pipeline, internal, tmp_path):
    """The copy stores the facts and dimensions sorted and is read without a sort; the warehouse is sorted
    as it is read. Either way the files are the same."""
    out, files = internal
    from_warehouse = tmp_path / "intern"
    again = export_all(pipeline.paths.warehouse, from_warehouse, None)

    def digests(written, root):
        return {f.relative_to(root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in written}

    assert digests(again, from_warehouse) == digests(files, out)


def test_a_data_folder_whose_name_holds_a_quote_is_published_and_exported_as_any_other(published, internal, tmp_path):
    """DuckDB takes the files it attaches and copies to as SQL text: a quote in a folder's name
    ('s-Hertogenbosch, 't Zuiden) must neither break the statement nor change what is written."""
    folder = tmp_path / "Veiligheidshuis 't Zuiden"
    folder.mkdir()
    source = folder / "warehouse.duckdb"
    shutil.copyfile(published, source)
    copy = publish_copy(source, folder / "vh_marts.duckdb")
    out, files = internal
    again = export_all(copy, folder / "intern", None)

    def digests(written, root):
        return {f.relative_to(root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in written}

    assert digests(again, folder / "intern") == digests(files, out)


def test_the_leesmij_names_each_table_too_long_for_an_excel_sheet(published, internal, tmp_path, monkeypatch):
    """Excel opens a CSV up to a sheet's 1,048,576 rows, its header's included, and shows and sums only
    those: the LEESMIJ names each table longer than that, with its rows. The 2011 world has no such table;
    with a sheet of 1,000 rows its record-level facts and its calendar are."""
    internal_out, _ = internal
    assert "Excel-werkblad" not in (internal_out / "LEESMIJ.txt").read_text(encoding="utf-8")

    monkeypatch.setattr(exports, "EXCEL_SHEET_ROWS", 1000)
    out = tmp_path / "intern"
    export_all(published, out, None)
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        names = [name for (name,) in tables]
        counts = {name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0] for name in names}
    longer = {name: rows for name, rows in counts.items() if rows + 1 > 1000}  # the header takes a row too
    assert longer and len(longer) < len(counts)
    readme = (out / "LEESMIJ.txt").read_text(encoding="utf-8")
    section = readme.split("Te groot voor een Excel-werkblad (999 rijen onder de kop)")[1].split("\n\n")[0]
    listed = dict(line.strip().split(": ") for line in section.splitlines()[1:])
    assert listed == {name: f"{rows:,}".replace(",", ".") + " rijen" for name, rows in longer.items()}
