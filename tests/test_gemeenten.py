"""The gemeenten's huisverbod workbooks: the simulator's publisher and the connector, on real files.

Workbooks are written with openpyxl in a temporary folder and landed in a real DuckDB file.
"""

import shutil
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from sources.connectors import gemeenten as connector
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser
from sources.simulator import gemeenten as simulator
from sources.simulator.defects import DefectRates
from sources.simulator.world import World, generate_world

YEAR = 2011
PSEUDONYMISER = Pseudonymiser(b"test-key-gemeenten")
COUNTED = ["opgelegd", "ingetrokken", "verlengd"]
MAASTRICHT_HEADER = [
    "Registratienummer",
    "Gemeente",
    "Datum RIHG",
    "BSN",
    "Achternaam",
    "Voornamen",
    "Geboortedatum",
    "Huisverbod opgelegd",
    "Datum opgelegd",
    "Ingetrokken",
    "Verlengd",
    "Einddatum",
]


# --- helpers ---------------------------------------------------------------------------------


def registration(**changes: object) -> list[object]:
    """One valid registration in Maastricht's layout; `changes` by heading (spaces as '_')."""
    values = {
        "Registratienummer": "HV-2011-9001",
        "Gemeente": "Maastricht",
        "Datum RIHG": "03-02-2011",
        "BSN": "111222333",
        "Achternaam": "Vossen",
        "Voornamen": "Bram",
        "Geboortedatum": "14-07-1975",
        "Huisverbod opgelegd": "Ja",
        "Datum opgelegd": "03-02-2011",
        "Ingetrokken": "Nee",
        "Verlengd": "Nee",
        "Einddatum": "13-02-2011",
    }
    values.update({heading.replace("_", " "): value for heading, value in changes.items()})
    return [values[h] for h in MAASTRICHT_HEADER]


def write_workbook(
    path: Path, rows: list[list[object]], sheet: str = "Huisverboden", before: dict | None = None
) -> Path:
    """A workbook whose data sheet holds `rows` from Excel row 1 ([] is a blank row), other sheets first."""
    book = Workbook()
    book.remove(book.active)
    for title, lines in (before or {}).items():
        extra = book.create_sheet(title)
        for line in lines:
            extra.append(line)
    data = book.create_sheet(sheet)
    for line in rows:
        data.append(line)
    book.save(path)
    return path


def landed(con: duckdb.DuckDBPyConnection, where: str = "true") -> pd.DataFrame:
    return con.execute(f"select * from raw.gemeenten_huisverboden where {where} order by _row_number").df()


def quarantine(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    return dict(con.execute("select row_number, reason from raw._quarantine order by row_number").fetchall())


def world_counts(world: World) -> pd.DataFrame:
    hv = world.huisverboden
    return hv.groupby("gemeente")[COUNTED].sum().assign(rihg=hv.groupby("gemeente").size()).astype(int)


def raw_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    counts = con.execute(
        """
        select gemeente,
            count(*) filter (opgelegd = 'Ja') as opgelegd,
            count(*) filter (ingetrokken = 'Ja') as ingetrokken,
            count(*) filter (verlengd = 'Ja') as verlengd,
            count(*) as rihg
        from raw.gemeenten_huisverboden group by gemeente
        """
    ).df()
    return counts.set_index("gemeente").astype(int)


def publish(world: World, folder: Path, defects: DefectRates, seed: int = 0) -> list[Path]:
    return simulator.publish(world, folder, defects, np.random.default_rng(seed))


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "vh.duckdb")) as connection:
        yield connection


@pytest.fixture(scope="module")
def clean_world() -> World:
    return generate_world(YEAR, 1, 0, DefectRates.none())


@pytest.fixture(scope="module")
def clean_landing(tmp_path_factory, clean_world):
    """The clean world published and landed once for the module."""
    root = tmp_path_factory.mktemp("clean")
    written = publish(clean_world, root / "landing", DefectRates.none())
    with duckdb.connect(str(root / "vh.duckdb")) as connection:
        outcomes = connector.extract(connection, root / "landing", PSEUDONYMISER)
        again = connector.extract(connection, root / "landing", PSEUDONYMISER)
        raw = landed(connection)
        deliveries = connection.execute("select * from raw._deliveries").df()
        counts = raw_counts(connection)
    return {
        "written": written,
        "outcomes": outcomes,
        "again": again,
        "raw": raw,
        "deliveries": deliveries,
        "counts": counts,
    }


# --- simulator -------------------------------------------------------------------------------


def test_one_workbook_per_gemeente_per_quarter_also_when_it_was_quiet(clean_landing):
    names = sorted(p.name for p in clean_landing["written"])
    assert len(names) == 16
    assert "Valkenburg-aan-de-Geul_huisverboden_2011_Q3.xlsx" in names
    assert "Eijsden-Margraten_huisverboden_2011_Q4.xlsx" in names
    quiet = [o for o in clean_landing["outcomes"] if o.received == 0]
    assert quiet, "the 2011 world has gemeenten without registrations in some quarter (Meerssen)"


def test_the_same_seed_gives_identical_bytes(tmp_path):
    world = generate_world(YEAR, 1, 7, DefectRates())
    first = publish(world, tmp_path / "a", DefectRates(), seed=7)
    second = publish(world, tmp_path / "b", DefectRates(), seed=7)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


def test_workbooks_carry_no_clock_time(tmp_path):
    """Byte-identical across runs needs fixed document properties and zip member times, not just luck."""
    (path, *_) = publish(generate_world(YEAR, 1, 0, DefectRates.none()), tmp_path, DefectRates.none())
    assert path.name == "Maastricht_huisverboden_2011_Q1.xlsx"
    with zipfile.ZipFile(path) as archive:
        assert {m.date_time for m in archive.infolist()} == {(2011, 4, 1, 9, 0, 0)}
    properties = load_workbook(path).properties
    assert properties.created == properties.modified == datetime(2011, 4, 1, 9, 0)


def test_samenloop_is_not_published(clean_landing):
    for path in clean_landing["written"]:
        book = load_workbook(path)
        headings = {str(v).casefold() for sheet in book for row in sheet.iter_rows(values_only=True) for v in row}
        assert not any("samenloop" in h for h in headings)


# --- connector: a clean world ----------------------------------------------------------------


def test_a_clean_world_lands_completely(clean_landing, clean_world):
    deliveries = clean_landing["deliveries"]
    assert len(deliveries) == 16
    assert (deliveries["received"] == deliveries["accepted"]).all()
    assert deliveries["received"].sum() == len(clean_world.huisverboden) == len(clean_landing["raw"])


def test_counts_per_gemeente_equal_the_worlds(clean_landing, clean_world):
    expected = world_counts(clean_world)
    pd.testing.assert_frame_equal(
        clean_landing["counts"].sort_index(), expected[clean_landing["counts"].columns].sort_index(), check_names=False
    )


def test_a_second_extract_lands_nothing(clean_landing):
    assert clean_landing["again"] == []


@pytest.mark.parametrize("gemeente", list(simulator.LAYOUTS))
def test_each_layout_is_read_field_by_field(clean_landing, clean_world, gemeente):
    hv = clean_world.huisverboden.merge(clean_world.persons, on="persoon_id")
    hv = hv[hv["gemeente"] == gemeente].set_index("huisverbod_id").sort_index()
    raw = clean_landing["raw"].set_index("registratienummer").sort_index()
    raw = raw[raw["gemeente"] == gemeente]
    assert list(raw.index) == list(hv.index)

    def iso(column: str) -> list[str | None]:
        return [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in hv[column]]

    def ja_nee(column: str) -> list[str]:
        return ["Ja" if v else "Nee" for v in hv[column]]

    for column in ["datum_rihg", "datum_opgelegd", "einddatum"]:
        assert [None if pd.isna(v) else v for v in raw[column]] == iso(column), column
    for column in COUNTED:
        assert list(raw[column]) == ja_nee(column), column
    expected_keys = PSEUDONYMISER.each("bsn", [None if pd.isna(b) else b for b in hv["bsn"]])
    assert [None if pd.isna(k) else k for k in raw["persoon_sleutel"]] == expected_keys
    assert raw["leeftijdsklasse"].notna().all()
    assert not raw["is_testpersoon"].any()


def test_layout_particulars_are_what_the_connector_had_to_cope_with(clean_landing):
    raw = clean_landing["raw"]
    first_row = raw.groupby("gemeente")["_row_number"].min()
    assert first_row["Meerssen"] == 4  # a title line and a blank line above the header
    assert first_row["Maastricht"] == 2
    assert set(raw.loc[raw["gemeente"] == "Eijsden-Margraten", "_sheet"]) == {"Registraties"}
    valkenburg = [p for p in clean_landing["written"] if p.name.startswith("Valkenburg")]
    written = [r for p in valkenburg for r in load_workbook(p).active.iter_rows(min_row=2, values_only=True)]
    assert {r[7] for r in written} <= {"J", "N"}  # 'Opgelegd (J/N)', landed as Ja/Nee
    assert isinstance(written[0][2], datetime)  # an Excel date
    meerssen = [p for p in clean_landing["written"] if p.name.startswith("Meerssen")]
    written = [r for p in meerssen for r in load_workbook(p).active.iter_rows(min_row=4, values_only=True)]
    assert isinstance(written[0][1], str)  # dd-mm-jjjj text


# --- connector: defects of the simulated world -----------------------------------------------


def test_old_names_spelling_variants_and_test_persons_arrive_as_written(tmp_path, con):
    world = generate_world(YEAR, 1, 0, DefectRates.none())
    defects = replace(DefectRates.none(), old_municipality_names=1.0, spelling_variants=1.0, test_records=0.1)
    publish(world, tmp_path / "landing", defects)
    connector.extract(con, tmp_path / "landing", PSEUDONYMISER)
    raw = landed(con)
    by_gemeente = raw.groupby("gemeente").size()
    assert set(by_gemeente.index) <= {"Eijsden", "Margraten", "MAASTRICHT", "Mestreech", "Meerssen"} | {
        "Valkenburg a/d Geul",
        "Valkenburg",
    }
    tests = round(len(world.huisverboden) * 0.1)
    assert int(by_gemeente.sum()) == len(world.huisverboden) + tests
    assert int(raw["is_testpersoon"].sum()) == tests
    assert raw.loc[raw["is_testpersoon"], "registratienummer"].str.contains("-T").all()


# --- connector: layouts a gemeente might send ------------------------------------------------


def test_an_extra_sheet_and_a_moved_header_row_are_read(tmp_path, con):
    header = [
        " REGISTRATIE NR. ",
        "datum  rihg",
        "Opmerkingen",
        "bsn_uithuisgeplaatste",
        "Achternaam pleger",
        "voornaam",
        "GEB. DATUM",
        "opgelegd (j/n)",
        "Opgelegd op:",
        "ingetrokken",
        "verlengd",
        "Einde huisverbod",
    ]
    first_registration = ["2011/17", date(2011, 3, 2), "vrij tekstveld", 12345672, "Coenen", "Ilse", "01-01-1980"]
    first_registration += ["j", date(2011, 3, 2), "N", "n", date(2011, 3, 30)]
    second_registration = [18, "05-03-2011", None, "111222333", "Dassen", "Stijn", datetime(1990, 6, 5)]
    second_registration += ["NEE", None, "Nee", "Nee", None]
    rows = [
        ["Overzicht huisverboden"],
        [],
        ["Bijgewerkt tot en met 31 maart"],
        [],
        [],
        header,
        [*first_registration],
        [],
        [*second_registration],
    ]
    notes = {"Notities": [["Registratienummer", "kolom A"], ["Datum RIHG", "kolom B"]]}
    write_workbook(tmp_path / "Meerssen_export.xlsx", rows, sheet="Gegevens", before=notes)
    (outcome,) = connector.extract(con, tmp_path, PSEUDONYMISER)
    assert (outcome.received, outcome.accepted) == (2, 2)
    raw = landed(con)
    assert list(raw["_row_number"]) == [7, 9]  # Excel row numbers: the blank row is skipped, not renumbered
    assert list(raw["_sheet"]) == ["Gegevens", "Gegevens"]
    assert list(raw["registratienummer"]) == ["2011/17", "18"]
    assert list(raw["gemeente"]) == ["Meerssen", "Meerssen"]  # from the file name: no Gemeente column
    assert list(raw["datum_rihg"]) == ["2011-03-02", "2011-03-05"]
    assert list(raw["opgelegd"]) == ["Ja", "Nee"]
    assert list(raw["ingetrokken"]) == ["Nee", "Nee"]
    assert [None if pd.isna(v) else v for v in raw["einddatum"]] == ["2011-03-30", None]
    # a BSN typed as a number lost its leading zero in Excel; it is the same person as the text one
    assert raw["persoon_sleutel"].iloc[0] == PSEUDONYMISER.pseudonym("bsn", "012345672")
    assert list(raw["leeftijdsklasse"]) == ["30-44", "18-23"]
    assert "vrij tekstveld" not in con.execute("select * from raw.gemeenten_huisverboden").df().to_csv()


def test_every_heading_names_one_field():
    seen: dict[str, str] = {}
    for name, headings in connector.HEADINGS.items():
        for heading in headings:
            key = connector.heading_key(heading)
            assert seen.setdefault(key, name) == name, f"{heading!r} names both {seen[key]} and {name}"


# --- connector: workbooks that break the contract as a whole ---------------------------------


def _no_header_within_ten_rows(path: Path) -> None:
    write_workbook(path, [["Huisverboden"]] + [[]] * 10 + [MAASTRICHT_HEADER, registration()])


def _unknown_headings(path: Path) -> None:
    write_workbook(path, [["Nummer zaak", "Datum", "Persoon"], ["1", "03-02-2011", "X"]])


def _missing_column(path: Path) -> None:
    write_workbook(path, [MAASTRICHT_HEADER[:-1], registration()[:-1]])


def _not_a_workbook(path: Path) -> None:
    path.write_text("Registratienummer;Datum RIHG\nHV-1;03-02-2011\n")


def _empty_file(path: Path) -> None:
    path.write_bytes(b"")


def _no_cells(path: Path) -> None:
    write_workbook(path, [])


def _no_gemeente_anywhere(path: Path) -> None:
    header = [h for h in MAASTRICHT_HEADER if h != "Gemeente"]
    write_workbook(
        path, [header, [v for h, v in zip(MAASTRICHT_HEADER, registration(), strict=True) if h != "Gemeente"]]
    )


def _two_data_sheets(path: Path) -> None:
    write_workbook(path, [MAASTRICHT_HEADER, registration()], before={"Kopie": [MAASTRICHT_HEADER, registration()]})


def _heading_twice(path: Path) -> None:
    write_workbook(path, [[*MAASTRICHT_HEADER, "Opgelegd (J/N)"], [*registration(), "J"]])


@pytest.mark.parametrize(
    ("write_broken", "problem"),
    [
        (_no_header_within_ten_rows, "no sheet has a recognisable header"),
        (_unknown_headings, "no sheet has a recognisable header"),
        (_missing_column, "header lacks ['Einddatum']"),
        (_not_a_workbook, "cannot be read as an Excel workbook"),
        (_empty_file, "the file is empty"),
        (_no_cells, "the workbook is empty"),
        (_no_gemeente_anywhere, "the file name names no gemeente"),
        (_two_data_sheets, "more than one sheet holds registrations ('Kopie', 'Huisverboden')"),
        (_heading_twice, "header names ['Huisverbod opgelegd'] twice"),
    ],
)
def test_a_broken_workbook_raises_naming_it_and_lands_nothing(tmp_path, con, write_broken, problem):
    write_workbook(tmp_path / "A_goed.xlsx", [MAASTRICHT_HEADER, registration()])
    connector.extract(con, tmp_path, PSEUDONYMISER)
    write_workbook(tmp_path / "B_goed.xlsx", [MAASTRICHT_HEADER, registration(Registratienummer="HV-2011-9002")])
    write_broken(tmp_path / "C_kapot.xlsx")
    with pytest.raises(DeliveryError, match=r"C_kapot\.xlsx") as raised:
        connector.extract(con, tmp_path, PSEUDONYMISER)
    assert problem in str(raised.value)
    assert raised.value.source == "gemeenten"
    assert sorted(landed(con)["registratienummer"]) == ["HV-2011-9001", "HV-2011-9002"]
    names = {r[0] for r in con.execute("select delivery_name from raw._deliveries").fetchall()}
    assert names == {"A_goed.xlsx", "B_goed.xlsx"}
    assert quarantine(con) == {}


# --- connector: rows that break the contract -------------------------------------------------


def test_corrupt_rows_are_quarantined_with_a_reason_and_their_excel_row(tmp_path, con):
    rows = [
        MAASTRICHT_HEADER,
        registration(),
        registration(Registratienummer="HV-2011-9003", Datum_RIHG="31-02-2011"),
        registration(Registratienummer="HV-2011-9004", Huisverbod_opgelegd="Misschien"),
        registration(Registratienummer="HV-2011-9005", BSN="123456789"),
        registration(Registratienummer=None),
        registration(Registratienummer="HV-2011-9007", Datum_opgelegd=None),
        registration(Registratienummer="HV-2011-9008", Verlengd="ja", Ingetrokken="Nee"),
        registration(Registratienummer="HV-2011-9009", Geboortedatum="31-13-1975"),
    ]
    write_workbook(tmp_path / "Maastricht_huisverboden_2011_Q1.xlsx", rows)
    (outcome,) = connector.extract(con, tmp_path, PSEUDONYMISER)
    assert (outcome.received, outcome.accepted, outcome.quarantined, outcome.duplicates) == (8, 2, 6, 0)
    assert quarantine(con) == {
        3: "datum_rihg '31-02-2011' is not a date (an Excel date or dd-mm-jjjj text)",
        4: "opgelegd 'Misschien' is not Ja/Nee (or J/N)",
        5: "bsn fails the 11-proef",
        6: "registratienummer is missing",
        7: "datum_opgelegd is missing while opgelegd is Ja",
        9: "geboortedatum is not a date (an Excel date or dd-mm-jjjj text)",
    }
    assert list(landed(con)["_row_number"]) == [2, 8]
    records = "".join(r[0] for r in con.execute("select record::varchar from raw._quarantine").fetchall())
    assert "123456789" not in records and "Vossen" not in records and "31-13-1975" not in records
    assert "NaN" not in records  # missing values are JSON null


def test_a_workbook_sent_again_under_another_name_gives_duplicates_only(tmp_path, con, clean_world):
    landing = tmp_path / "landing"
    written = publish(clean_world, landing, DefectRates.none())
    connector.extract(con, landing, PSEUDONYMISER)
    before = len(landed(con))
    original = next(p for p in written if p.name == "Maastricht_huisverboden_2011_Q1.xlsx")
    shutil.copy(original, landing / "Maastricht_huisverboden_2011_Q1_opnieuw.xlsx")
    (outcome,) = connector.extract(con, landing, PSEUDONYMISER)
    assert outcome.delivery.name == "Maastricht_huisverboden_2011_Q1_opnieuw.xlsx"
    assert outcome.received > 0
    assert (outcome.accepted, outcome.quarantined, outcome.duplicates) == (0, 0, outcome.received)
    assert len(landed(con)) == before


# --- privacy ---------------------------------------------------------------------------------


def test_no_bsn_name_or_birth_date_of_the_world_reaches_raw_or_quarantine(tmp_path, con):
    world = generate_world(YEAR, 1, 3, DefectRates())
    landing = tmp_path / "landing"
    publish(world, landing, replace(DefectRates(), test_records=0.1), seed=3)
    plegers = world.persons[world.persons["persoon_id"].isin(world.huisverboden["persoon_id"])]
    # some quarantined rows too, carrying persons of the world
    pleger = plegers.iloc[0]
    broken = registration(
        BSN=pleger["bsn"] if isinstance(pleger["bsn"], str) else None,
        Achternaam=pleger["achternaam"],
        Voornamen=pleger["voornamen"],
        Geboortedatum=f"{pleger['geboortedatum']:%d-%m-%Y}",
        Datum_RIHG="gisteren",
    )
    write_workbook(landing / "Maastricht_huisverboden_2011_extra.xlsx", [MAASTRICHT_HEADER, broken])
    connector.extract(con, landing, PSEUDONYMISER)
    assert quarantine(con), "the privacy check should also cover the quarantine"
    dump = "\n".join(
        con.execute(f"select * from raw.{table}").df().to_csv() for table in ["gemeenten_huisverboden", "_quarantine"]
    )
    born = pd.to_datetime(plegers["geboortedatum"])
    assert not [b for b in plegers["bsn"].dropna() if b in dump]
    assert not [n for n in plegers["achternaam"].unique() if n in dump]
    assert not [n for n in plegers["voornamen"].unique() if n in dump]
    assert not [d for d in born.dt.strftime("%Y-%m-%d").tolist() + born.dt.strftime("%d-%m-%Y").tolist() if d in dump]
    assert "Testpersoon" not in dump


def test_a_column_is_read_per_value_and_type_so_true_and_1_read_differently(tmp_path, con):
    """A column is read once per distinct cell (dates and codes repeat), keyed by the cell's type too:
    in Python True == 1 == 1.0, but an Excel TRUE is Ja and a 1 is not Ja/Nee."""
    rows = [
        MAASTRICHT_HEADER,
        registration(Registratienummer="HV-2011-9001", Huisverbod_opgelegd=True, Datum_RIHG=datetime(2011, 2, 3)),
        registration(Registratienummer="HV-2011-9002", Huisverbod_opgelegd=1, Datum_RIHG="03-02-2011"),
        registration(Registratienummer="HV-2011-9003", Huisverbod_opgelegd=True, Datum_RIHG=datetime(2011, 2, 3)),
        registration(Registratienummer=9004, Huisverbod_opgelegd=1.0),
    ]
    write_workbook(tmp_path / "Maastricht_huisverboden_2011_Q1.xlsx", rows)
    (outcome,) = connector.extract(con, tmp_path, PSEUDONYMISER)
    assert (outcome.accepted, outcome.quarantined) == (2, 2)
    assert quarantine(con) == {
        3: "opgelegd '1' is not Ja/Nee (or J/N)",
        5: "opgelegd '1' is not Ja/Nee (or J/N)",
    }
    assert landed(con)[["_row_number", "opgelegd", "datum_rihg"]].values.tolist() == [
        [2, "Ja", "2011-02-03"],
        [4, "Ja", "2011-02-03"],
    ]
    assert (
        con.execute("select record->>'registratienummer' from raw._quarantine where row_number = 5").fetchone()[0]
        == "9004"
    )


@pytest.mark.parametrize("reader", [connector.as_text, connector.as_ja_nee, connector.as_bsn, connector.as_iso_date])
def test_a_column_read_once_per_distinct_value_reads_every_cell_as_the_reader_does(reader):
    """Columns of one number type take the shortcut (a value stands for itself), mixed ones the keyed way."""
    mixed = [True, 1, 1.0, False, 0, 0.0, "1", None, "J", datetime(2011, 2, 3), date(2011, 2, 3), "03-02-2011"]
    one_number_type = [1, 2, 1, "1", None, "nee", datetime(2011, 2, 3), "03-02-2011", date(2011, 2, 3), 1]
    for cells in (mixed, one_number_type, [True, "Ja", True, None], [0.5, 1.0, 1.0], []):
        assert connector.read_column(tuple(cells), reader) == [reader(cell) for cell in cells]


def test_short_rows_read_as_empty_cells_at_their_end():
    columns = connector.sheet_columns([["a", "b", "c"], ["d"], [], ["e", "f"]])
    assert columns == [("a", "d", None, "e"), ("b", None, None, "f"), ("c", None, None, None)]
    assert connector.sheet_columns([]) == []
