"""An exact mart's CSV, written by DuckDB, has the bytes Python's csv module writes for the same values."""

import csv
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from orchestration.publishing.csv_export import FLAVOURS, text, write_csv
from orchestration.publishing.export_tables import ExportTable

# the awkward values a text column can hold: each flavour's delimiter, quotes, line breaks, blanks, Unicode
AWKWARD = [
    (
        "a,b",
        "x;y",
        'say "hi"',
        "two\nlines",
        "crlf\r\nhere",
        "",
        None,
        " leading space",
        "Gülpen-Wittem",
        "'s-Gravenhage",
    ),
]
ROWS = [
    (text_value, i, Decimal(f"{i}.25"), date(2011, 1, i + 1), datetime(2011, 3, 4, 5, 6, 7, 890 * (i % 2)), i % 2 == 0)
    for i, text_value in enumerate(AWKWARD[0])
] + [(None, None, None, None, None, None)]
COLUMNS = ["naam", "aantal", "bedrag", "datum", "moment", "vlag"]
TYPES = ["VARCHAR", "BIGINT", "DECIMAL(9,2)", "DATE", "TIMESTAMP", "BOOLEAN"]


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute(f"create table mart ({', '.join(f'{c} {t}' for c, t in zip(COLUMNS, TYPES, strict=True))})")
        connection.executemany(f"insert into mart values ({', '.join('?' * len(COLUMNS))})", ROWS)
        yield connection


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.folder)
def test_duckdb_writes_the_bytes_python_csv_writes(con, tmp_path, flavour):
    table = ExportTable("mart", COLUMNS, TYPES, query="select * from mart order by aantal nulls last")
    written = write_csv(table, tmp_path, flavour, con).read_bytes()

    expected = tmp_path / "expected.csv"
    with expected.open("w", encoding=flavour.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=flavour.delimiter, lineterminator=flavour.line_end)
        writer.writerow(COLUMNS)
        writer.writerows([text(v, flavour.decimal) for v in row] for row in ROWS)
    assert written == expected.read_bytes()
    assert not list((tmp_path / flavour.folder).glob(".*")), "no temporary file is left behind"


def test_a_mart_with_a_float_column_is_written_without_exponents(con, tmp_path):
    table = ExportTable("ratio", ["aandeel"], ["DOUBLE"], query="select 1e-7::double as aandeel")
    assert write_csv(table, tmp_path, FLAVOURS[0], con).read_text() == "aandeel\n0.0000001\n"


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.folder)
def test_a_lone_carriage_return_is_quoted_so_the_field_reads_back_whole(con, tmp_path, flavour):
    # Python's csv module leaves such a field unquoted when the line ends in "\n" alone, and its
    # reader then splits the record; DuckDB quotes it
    table = ExportTable("mart", ["naam"], ["VARCHAR"], query="select 'cr' || chr(13) || 'here' as naam")
    path = write_csv(table, tmp_path, flavour, con)
    with path.open(encoding=flavour.encoding, newline="") as handle:
        assert list(csv.reader(handle, delimiter=flavour.delimiter)) == [["naam"], ["cr\rhere"]]
