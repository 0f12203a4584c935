"""The source-system simulator: a record-level world of a year, published through each system's interface."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sources.paths import SOURCE_SYSTEMS, DataPaths
from sources.simulator import gemeenten, om, politie, truth, vh_register
from sources.simulator.defects import DefectRates
from sources.simulator.world import World, generate_world

SIMULATION_STEPS = ("world", *SOURCE_SYSTEMS, "truth")  # what `simulate` reports to `progress`, in order


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
    progress: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Generate the world of `year` and publish it into the landing zone of `paths`.

    The landing zone and truth of an earlier simulation are replaced: a world is published whole.
    `progress`, if given, is called with each of SIMULATION_STEPS as it is done.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    step_done = progress or (lambda step: None)
    defects = defects if defects is not None else DefectRates()
    world = generate_world(year, scale, seed, defects, days)
    step_done("world")
    for folder in [*(paths.landing_for(s) for s in SOURCE_SYSTEMS), paths.truth]:
        shutil.rmtree(folder, ignore_errors=True)
    rng = np.random.default_rng([seed, year, scale, 1])
    deliveries = {}
    for system, publish in _publishers(world, defects, rng).items():  # in this order: they share the rng
        deliveries[system] = publish(paths.landing_for(system))
        step_done(system)
    truth_file = truth.write_truth(truth.report_cells(world), paths.truth)
    step_done("truth")
    return SimulationResult(year, scale, seed, world, deliveries, truth_file)


def _publishers(
    world: World, defects: DefectRates, rng: np.random.Generator
) -> dict[str, Callable[[Path], list[Path]]]:
    """Per source system: publish the world into a landing folder, returning the files delivered."""
    return {
        "politie": lambda folder: politie.publish(world.politie_mutaties, folder, defects, rng, world.year),
        "om": lambda folder: [om.publish(world, folder, defects, rng)],
        "vh": lambda folder: [vh_register.publish(world, folder, defects, rng)],
        "gemeenten": lambda folder: gemeenten.publish(world, folder, defects, rng),
    }
