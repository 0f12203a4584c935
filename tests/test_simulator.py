"""The simulator: calibrated to the 2011 report, deterministic, and able to play 2010 and larger districts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.cli import main
from sources.paths import PROJECT_ROOT, SOURCE_SYSTEMS, DataPaths
from sources.simulator import SIMULATION_STEPS, simulate
from sources.simulator.calibration import MELDINGEN_2010_MORE
from sources.simulator.defects import DefectRates
from sources.simulator.persons import NAME_AND_BIRTH, rename_namesakes
from sources.simulator.registry import AGES, PersonRegistry
from sources.simulator.truth import report_cells
from sources.simulator.vh_register import API_SETTINGS_FILE
from sources.simulator.world import generate_world

PUBLISHED = PROJECT_ROOT / "dbt_project" / "seeds" / "gepubliceerde_cijfers.csv"
CELL = ["tabel", "rij", "kolom"]
# Printed cells that contradict their own table; the world keeps the consistent value
# (sources/simulator/calibration/README.md). (tabel, rij, kolom) -> (printed, in the world)
CONTRADICTIONS = {
    ("4", "Ter opvolging door partnerorganisatie(s)", "Huiselijk geweld"): (306, 610),
    ("4", "Ter opvolging door partnerorganisatie(s)", "Volwassen ex-gedetineerden"): (30, 65),
    ("5", "Noord-West", "Afgehandeld door partners"): (38, 22),
    ("5", "Noord-Oost", "Afgehandeld door partners"): (21, 8),
    ("5", "Zuid-Oost", "Afgehandeld door partners"): (14, 6),
    ("5", "Zuid-West en centrum (inclusief OGGZ)", "Afgehandeld door partners"): (18, 17),
    ("9", "Opgelegde huisverboden", "Totaal"): (39, 40),
}
SCALED_TABLES = ["2", "3", "6", "7", "8", "9"]  # counts of meldingen, clients and huisverboden, no percentages


def truth_of(year: int = 2011, scale: int = 1, seed: int = 0) -> pd.Series:
    """Every report cell of the world (default defects), indexed by (tabel, rij, kolom)."""
    cells = report_cells(generate_world(year, scale, seed, DefectRates()))
    return cells.set_index(CELL)["waarde"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_2011_world_reproduces_the_report_except_its_contradictions(seed):
    published = pd.read_csv(PUBLISHED, dtype={"tabel": str}).set_index(CELL)["waarde"]
    world = truth_of(seed=seed)

    assert published.index.isin(world.index).all(), "every printed cell has a value in the world"
    world = world.reindex(published.index)
    differs = published != world
    mismatches = {cell: (int(published[cell]), int(world[cell])) for cell in published.index[differs]}
    assert mismatches == CONTRADICTIONS


def landed_files(paths: DataPaths) -> dict[str, str]:
    """sha256 of every file under landing/ and truth/, by path relative to the data folder."""
    files = [f for folder in (paths.landing, paths.truth) for f in sorted(folder.rglob("*")) if f.is_file()]
    return {str(f.relative_to(paths.root)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="module")
def seed_0(tmp_path_factory) -> dict[str, str]:
    """The files of the 2011 world of seed 0."""
    paths = DataPaths(tmp_path_factory.mktemp("seed_0"))
    simulate(paths, year=2011, scale=1, seed=0)
    return landed_files(paths)


def test_the_same_seed_gives_the_same_bytes(seed_0, tmp_path):
    again = DataPaths(tmp_path)
    simulate(again, year=2011, scale=1, seed=0)

    assert any(name.startswith(f"landing/{system}/") for name in seed_0 for system in SOURCE_SYSTEMS)
    assert landed_files(again) == seed_0


def test_another_seed_gives_other_records_with_the_same_counts(seed_0, tmp_path):
    other = DataPaths(tmp_path)
    simulate(other, year=2011, scale=1, seed=1)
    seed_1 = landed_files(other)

    drops = {name for name in seed_0.keys() & seed_1.keys() if name.startswith("landing/politie/")}
    assert len(drops) > 300
    assert all(seed_0[name] != seed_1[name] for name in drops)
    # every count is calibrated, so the seed moves persons and dates but no report cell
    assert seed_0["truth/report_cells.csv"] == seed_1["truth/report_cells.csv"]


def test_2010_has_the_meldingen_the_footnotes_give():
    in_2011, in_2010 = truth_of(2011), truth_of(2010)
    footnotes = {"Jeugd": 211, "Volwassen veelplegers": 234, "Volwassen ex-gedetineerden": 119}

    more = {d: int(in_2010["2", d, "Totaal"] - in_2011["2", d, "Totaal"]) for d in footnotes}
    assert more == footnotes == MELDINGEN_2010_MORE


def test_scale_multiplies_every_count():
    single, triple = truth_of(scale=1), truth_of(scale=3)
    counts = single.index.get_level_values("tabel").isin(SCALED_TABLES)

    assert (triple[counts] == 3 * single[counts]).all()
    assert single[counts].sum() > 0


def api_settings(data: Path) -> dict:
    return json.loads((DataPaths(data).landing_for("vh") / API_SETTINGS_FILE).read_text())


def test_vhpipe_simulate_takes_its_defect_rates_from_a_file_or_switches_them_off(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VH_DATA_DIR", str(tmp_path / "data"))
    rates = tmp_path / "rates.json"
    rates.write_text('{"api_http_500": 0.5}')

    assert main(["simulate", "--days", "7", "--defects", str(rates)]) == 0
    assert f"Defects: rates from {rates}" in capsys.readouterr().out
    settings = api_settings(tmp_path / "data")
    assert (settings["api_http_500"], settings["api_timeout"]) == (0.5, DefectRates().api_timeout)

    assert main(["simulate", "--days", "7", "--no-defects"]) == 0
    settings = api_settings(tmp_path / "data")
    assert (settings["api_http_500"], settings["api_timeout"]) == (0, 0)

    rates.write_text('{"late_arival": 0.3}')
    with pytest.raises(SystemExit, match="unknown defects"):
        main(["simulate", "--days", "7", "--defects", str(rates)])


def test_vhpipe_simulate_shows_a_step_per_source_system_only_when_asked_off_a_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VH_DATA_DIR", str(tmp_path))
    main(["simulate", "--days", "7"])
    assert capsys.readouterr().err == ""  # pytest's stderr is no terminal

    main(["simulate", "--days", "7", "--progress"])
    bar = capsys.readouterr().err
    assert f"{len(SIMULATION_STEPS)}/{len(SIMULATION_STEPS)}" in bar
    assert all(f"now: {system}" in bar for system in SOURCE_SYSTEMS)


def _contract_regex(suite: str, column: str) -> str:
    from expectations.runner import load_suite_definition

    (regex,) = [
        e["kwargs"]["regex"]
        for e in load_suite_definition(suite)["expectations"]
        if e["type"] == "expect_column_values_to_match_regex" and e["kwargs"]["column"] == column
    ]
    return regex


def test_registration_numbers_keep_the_contracts_format_beyond_one_districts_range():
    """At scale 1000 one unit's six digits run out: the numbers go on under the next unit's or parket's
    code (as another district's would) instead of growing a digit the contracts reject."""
    import re

    from sources.simulator.numbering import EXTRA_MUTATIES, extra_mutatienummer, mutatienummer, parketnummer

    true = [mutatienummer(2011, i) for i in (0, 1, EXTRA_MUTATIES - 2, EXTRA_MUTATIES - 1, 3_000_000)]
    extra = [extra_mutatienummer(2011, i) for i in (0, 99_999, 100_000, 250_000)]
    assert true[:2] == ["PL2300-2011000001", "PL2300-2011000002"]  # the district's own numbers, as before
    assert true[2:4] == ["PL2300-2011899999", "PL2301-2011000001"]
    assert all(int(number[-6:]) < EXTRA_MUTATIES for number in true)
    assert all(int(number[-6:]) >= EXTRA_MUTATIES for number in extra)
    assert len(set(true + extra)) == len(true + extra)
    assert all(re.fullmatch(_contract_regex("raw_politie_mutaties", "mutatienummer"), n) for n in true + extra)

    strafzaken = [parketnummer(100_000, 600_000, i, 11) for i in (0, 599_999, 600_000, 2_000_000)]
    overleggen = [parketnummer(700_000, 200_000, i, 11) for i in (0, 199_999, 200_000, 900_000)]
    assert strafzaken[:3] == ["03/100000-11", "03/699999-11", "04/100000-11"]
    assert len(set(strafzaken + overleggen)) == len(strafzaken + overleggen)
    assert all(re.fullmatch(_contract_regex("raw_om_strafzaken", "parketnummer"), n) for n in strafzaken + overleggen)


# --- a scaled world stays a realistic one ---------------------------------------------------------


@pytest.fixture(scope="module")
def world_2010_scale_10():
    return generate_world(2010, 10, 0, DefectRates())


def age_on(geboortedatum: pd.Series, day: pd.Series) -> pd.Series:
    """Whole years of age on `day`."""
    born, day = pd.to_datetime(geboortedatum.to_numpy()), pd.to_datetime(day.to_numpy())
    before_birthday = (day.month < born.month) | ((day.month == born.month) & (day.day < born.day))
    return pd.Series(day.year - born.year - before_birthday.astype(int))


def test_a_record_of_the_year_before_finds_its_person_old_enough_for_the_doelgroep(world_2010_scale_10):
    """Ages are drawn for 1 January; the register's records of the year before copy this year's,
    persons included, so they must fall on a day the person was that old already (at scale 10 an
    ex-gedetineerde's melding used to fall before their 18th birthday, age band 12-17)."""
    world = world_2010_scale_10
    born = world.persons.set_index("persoon_id")["geboortedatum"]
    for records, date_column in ((world.meldingen, "meldingsdatum"), (world.vervolgacties, "datum")):
        earlier = records[records["defect"] == "out_of_period"]
        age = age_on(born.reindex(earlier["persoon_id"]), earlier[date_column]).to_numpy()
        youngest = earlier["doelgroep"].map(lambda doelgroep: AGES[doelgroep][0]).to_numpy()
        too_young = earlier.loc[age < youngest, ["doelgroep", date_column, "persoon_id"]].assign(
            age=age[age < youngest]
        )

        assert (pd.to_datetime(earlier[date_column]).dt.year == 2009).all()
        assert len(earlier) > 300
        assert too_young.empty, too_young.to_string()


def test_no_vervolgactie_is_registered_twice_on_one_person_and_day(world_2010_scale_10):
    """The records of the year before are copies of distinct records of this year: two copies of one
    record are one event twice, and at scale 100 two of them fell on the same day."""
    acties = world_2010_scale_10.vervolgacties
    earlier = acties[acties["defect"] == "out_of_period"]
    registered = acties[acties["defect"] != "test_record"]  # a test record is registered on the test person

    assert len(earlier) > 1000
    assert earlier["persoon_id"].is_unique
    assert not registered.duplicated(["persoon_id", "soort", "datum"]).any()


def test_persons_without_a_bsn_are_told_apart_by_name_and_birth_date():
    """Without a BSN the systems (and the pipeline) know a person by name and birth date. Drawn from
    the simulator's few names, a jeugd pool of a scale-1000 world held namesakes born on one day:
    two clients that any pipeline counts as one (Table 6, Jeugd × Maastricht, 3 short)."""
    registry = PersonRegistry(np.random.default_rng(0), 2010)
    registry.new(300_000, "Jeugd")  # about the Jeugd clients of Table 6 at scale 1000
    without_bsn = registry.frame().query("bsn.isna()")

    assert len(without_bsn) > 2500
    assert not without_bsn.duplicated(NAME_AND_BIRTH).any()


def test_only_a_later_namesake_without_a_bsn_is_renamed():
    persons = pd.DataFrame(
        {
            "bsn": [None, None, "111222333", None],
            "achternaam": ["Jansen"] * 4,
            "voornamen": ["Bram"] * 4,
            "geboortedatum": pd.to_datetime(["1995-03-01", "1995-03-01", "1995-03-01", "1995-03-02"]),
        }
    )
    renamed = rename_namesakes(np.random.default_rng(0), persons.copy())

    changed = (renamed[["achternaam", "voornamen"]] != persons[["achternaam", "voornamen"]]).any(axis=1)
    assert changed.tolist() == [False, True, False, False]
    assert not renamed.loc[renamed["bsn"].isna()].duplicated(NAME_AND_BIRTH).any()
