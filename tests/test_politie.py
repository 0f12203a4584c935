"""The police connector: clean drops land completely, corrupt ones are quarantined or refused by name."""

import duckdb
import pandas as pd
import pytest

from sources.connectors import politie
from sources.connectors.errors import DeliveryError
from sources.paths import DataPaths
from sources.pseudonymise import Pseudonymiser
from sources.simulator import simulate
from sources.simulator.defects import DefectRates

KEY = Pseudonymiser(b"test-key")


@pytest.fixture
def clean(tmp_path):
    """Two weeks of clean police drops and an empty warehouse."""
    paths = DataPaths(tmp_path)
    simulate(paths, year=2011, seed=3, days=14, defects=DefectRates.none())
    con = duckdb.connect(str(tmp_path / "vh.duckdb"))
    yield paths.landing_for("politie"), con
    con.close()


def read(folder) -> pd.DataFrame:
    return pd.concat(pd.read_csv(p, sep=";", encoding="cp1252", dtype=str) for p in sorted(folder.glob("*.csv")))


def landed(con, sql="select count(*) from raw.politie_mutaties") -> int:
    return con.execute(sql).fetchall()[0][0]


def test_a_clean_delivery_lands_completely_and_only_once(clean):
    folder, con = clean
    outcomes = politie.extract(con, folder, KEY)
    rows = read(folder)
    assert len(outcomes) == len(list(folder.glob("*.csv")))
    assert sum(o.received for o in outcomes) == sum(o.accepted for o in outcomes) == len(rows)
    assert landed(con) == len(rows)
    assert (
        landed(con, "select count(distinct mutatienummer) from raw.politie_mutaties") == rows["Mutatienummer"].nunique()
    )
    assert politie.extract(con, folder, KEY) == []  # the watermark: nothing new


def test_corrupt_rows_are_quarantined_with_their_row_and_reason(clean):
    folder, con = clean
    drop = sorted(folder.glob("*.csv"))[0]
    frame = pd.read_csv(drop, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    frame.loc[0, "Mutatiedatum"] = "31-02-2011"
    frame.loc[1, "Pleegplaats"] = ""
    frame.loc[2, "BSN"] = frame.loc[2, "BSN"][:8] + str((int(frame.loc[2, "BSN"][8]) + 1) % 10)
    bad_bsn = frame.loc[2, "BSN"]
    frame.to_csv(drop, sep=";", index=False, encoding="cp1252")
    outcome = politie.extract(con, folder, KEY)[0]
    assert (outcome.received, outcome.quarantined, outcome.accepted) == (len(frame), 3, len(frame) - 3)
    quarantine = con.execute("select row_number, reason, record from raw._quarantine order by row_number").df()
    assert quarantine["row_number"].tolist() == [1, 2, 3]
    assert "Mutatiedatum '31-02-2011' is not a date" in quarantine["reason"][0]
    assert quarantine["reason"][1] == "Pleegplaats is missing"
    assert quarantine["reason"][2] == "BSN fails the 11-proef"
    assert bad_bsn not in " ".join(quarantine["reason"]) + " ".join(quarantine["record"])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text.replace("Pleegplaats", "Plaats"), "missing ['Pleegplaats'] unexpected ['Plaats']"),
        (lambda text: text.replace(";", ","), "header does not match the contract"),
        (lambda text: "", "the file is empty"),
    ],
    ids=["renamed-column", "wrong-delimiter", "empty"],
)
def test_a_drop_that_breaks_the_contract_is_refused_by_name_and_nothing_changes(clean, damage, message):
    folder, con = clean
    second = sorted(folder.glob("*.csv"))[1]
    politie.extract(con, folder, KEY)
    before = landed(con)
    broken = folder / "BVH_VH_mutaties_20110301.csv"
    broken.write_text(damage(second.read_text(encoding="cp1252")), encoding="cp1252")
    with pytest.raises(DeliveryError, match=r"politie delivery BVH_VH_mutaties_20110301\.csv") as error:
        politie.extract(con, folder, KEY)
    assert message in str(error.value)
    assert landed(con) == before


def test_a_file_in_another_encoding_is_refused_naming_it(clean):
    folder, con = clean
    broken = folder / "BVH_VH_mutaties_20110301.csv"
    text = sorted(folder.glob("*.csv"))[0].read_text(encoding="cp1252")
    broken.write_text(text.replace("Jansen", "Crützen"), encoding="utf-8")
    with pytest.raises(DeliveryError, match=r"BVH_VH_mutaties_20110301\.csv: is UTF-8 text"):
        politie.extract(con, folder, KEY)


def test_bytes_windows_1252_does_not_define_are_refused_naming_the_row(clean):
    folder, con = clean
    broken = folder / "BVH_VH_mutaties_20110301.csv"
    lines = sorted(folder.glob("*.csv"))[0].read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b";", b"\x81;", 1)  # 0x81 has no character in Windows-1252
    broken.write_bytes(b"\r\n".join(lines))
    with pytest.raises(DeliveryError, match=r"row 2: not Windows-1252 text"):
        politie.extract(con, folder, KEY)


def test_a_repeated_delivery_counts_as_duplicates_not_as_new_rows(clean):
    folder, con = clean
    politie.extract(con, folder, KEY)
    before = landed(con)
    first = sorted(folder.glob("*.csv"))[0]
    (folder / (first.stem + "_herlevering.csv")).write_bytes(first.read_bytes())
    (outcome,) = politie.extract(con, folder, KEY)
    assert outcome.duplicates == outcome.received > 0
    assert landed(con) == before


def test_no_bsn_name_or_birth_date_lands(clean):
    folder, con = clean
    politie.extract(con, folder, KEY)
    rows = read(folder)
    dump = con.execute("select * from raw.politie_mutaties").df().to_csv()
    for column in ("BSN", "Achternaam", "Geboortedatum"):
        assert not [v for v in rows[column].dropna().unique() if len(v) > 3 and v in dump], column
