"""The source-system simulator: a record-level world of a year, published through each system's interface."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sources.paths import SOURCE_SYSTEMS, DataPaths
from sources.simulator import gemeenten, om, politie, truth, vh_register
from sources.simulator.defects import DefectRates
from sources.simulator.world import World, generate_world


@dataclass(frozen=True)
class SimulationResult:
    year: int
    scale: int
    seed: int
    world: World
    deliveries: dict[str, list[Path]]
    truth_file: Path

    @property
    def police_rows(self) -> int:
        return len(self.world.politie_mutaties)


def simulate(
    paths: DataPaths,
    year: int = 2011,
    scale: int = 1,
    seed: int = 0,
    days: int | None = None,
    defects: DefectRates | None = None,
) -> SimulationResult:
    """Generate the world of `year` and publish it into the landing zone of `paths`.

    The landing zone and truth of an earlier simulation are replaced: a world is published whole.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    defects = defects if defects is not None else DefectRates()
    world = generate_world(year, scale, seed, defects, days)
    for folder in [*(paths.landing_for(s) for s in SOURCE_SYSTEMS), paths.truth]:
        shutil.rmtree(folder, ignore_errors=True)
    rng = np.random.default_rng([seed, year, scale, 1])
    deliveries = {
        "politie": politie.publish(world.politie_mutaties, paths.landing_for("politie"), defects, rng, year),
        "om": [om.publish(world, paths.landing_for("om"), defects, rng)],
        "vh": [vh_register.publish(world, paths.landing_for("vh"), defects, rng)],
        "gemeenten": gemeenten.publish(world, paths.landing_for("gemeenten"), defects, rng),
    }
    truth_file = truth.write_truth(truth.report_cells(world), paths.truth)
    return SimulationResult(year, scale, seed, world, deliveries, truth_file)
