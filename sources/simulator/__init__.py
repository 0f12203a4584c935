"""The source-system simulator: a record-level world of a year, published through each system's interface."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sources.paths import DataPaths
from sources.simulator import calibration, politie, truth


@dataclass(frozen=True)
class SimulationResult:
    year: int
    scale: int
    seed: int
    police_drops: list[Path]
    police_rows: int
    truth_file: Path


def simulate(
    paths: DataPaths, year: int = 2011, scale: int = 1, seed: int = 0, days: int | None = None
) -> SimulationResult:
    """Generate the world of `year` and publish it into the landing zone of `paths`.

    The landing zone and truth of an earlier simulation are replaced: a world is published whole.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    rng = np.random.default_rng([seed, year, scale])
    counts = calibration.meldingen(year)
    mutaties = politie.generate_mutaties(rng, counts, year, scale, days)

    for folder in (paths.landing_for("politie"), paths.truth):
        shutil.rmtree(folder, ignore_errors=True)
    drops = politie.write_daily_drops(mutaties, paths.landing_for("politie"))
    truth_file = truth.write_truth(truth.politie_cells(mutaties), paths.truth)
    return SimulationResult(year, scale, seed, drops, len(mutaties), truth_file)
