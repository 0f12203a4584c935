"""The simulator: calibrated to the 2011 report, deterministic, and able to play 2010 and larger districts."""

from __future__ import annotations

import hashlib
from pathlib import Path

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


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data(tmp_path):
    first, again, other = (DataPaths(tmp_path / name) for name in ("first", "again", "other"))
    for paths, seed in ((first, 0), (again, 0), (other, 1)):
        simulate(paths, year=2011, scale=1, seed=seed)

    assert landed_files(first) == landed_files(again)

    def police_and_truth(paths: DataPaths) -> dict[str, str]:
        return {name: digest for name, digest in landed_files(paths).items() if name.startswith(("landing/politie", "truth"))}

    seed_0, seed_1 = police_and_truth(first), police_and_truth(other)
    assert seed_0["truth/report_cells.csv"] != seed_1["truth/report_cells.csv"]
    shared_drops = (set(seed_0) & set(seed_1)) - {"truth/report_cells.csv"}
    assert shared_drops
    assert all(seed_0[name] != seed_1[name] for name in shared_drops)


def test_2010_has_the_meldingen_the_footnotes_give():
    in_2011, in_2010 = truth_of(2011), truth_of(2010)

    for doelgroep, more in {"Jeugd": 211, "Volwassen veelplegers": 234, "Volwassen ex-gedetineerden": 119}.items():
        assert in_2010["2", doelgroep, "Totaal"] - in_2011["2", doelgroep, "Totaal"] == more
    assert more == MELDINGEN_2010_MORE[doelgroep]  # the footnotes and the calibration agree


def test_scale_multiplies_every_count(tmp_path):
    single, triple = truth_of(scale=1), truth_of(scale=3)
    counts = single.index.get_level_values("tabel").isin(SCALED_TABLES)

    assert (triple[counts] == 3 * single[counts]).all()
    assert single[counts].sum() > 0
