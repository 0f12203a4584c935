"""The simulator: calibrated to the 2011 report, deterministic, and able to play 2010 and larger districts."""

from __future__ import annotations

import hashlib
import pandas as pd
import pytest

from sources.paths import PROJECT_ROOT, DataPaths
from sources.simulator import simulate
from sources.simulator.calibration import MELDINGEN_2010_MORE
from sources.simulator.defects import DefectRates
from sources.simulator.truth import report_cells
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


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    first, again = DataPaths(tmp_path / "first"), DataPaths(tmp_path / "again")
    for paths in (first, again):
        simulate(paths, year=2011, scale=1, seed=0)

    files = landed_files(first)
    assert any(name.startswith(f"landing/{system}/") for name in files for system in ("politie", "om", "vh"))
    assert files == landed_files(again)


def test_another_seed_gives_other_records_with_the_same_counts(tmp_path):
    seed_0, seed_1 = DataPaths(tmp_path / "seed_0"), DataPaths(tmp_path / "seed_1")
    for paths, seed in ((seed_0, 0), (seed_1, 1)):
        simulate(paths, year=2011, scale=1, seed=seed)
    files_0, files_1 = landed_files(seed_0), landed_files(seed_1)

    drops = {name for name in files_0.keys() & files_1.keys() if name.startswith("landing/politie/")}
    assert len(drops) > 300
    assert all(files_0[name] != files_1[name] for name in drops)
    # every count is calibrated, so the seed moves persons and dates but no report cell
    assert files_0["truth/report_cells.csv"] == files_1["truth/report_cells.csv"]


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
