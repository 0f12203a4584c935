"""The expected value of every report cell for a simulated world, written beside its deliveries.

The file has the same long shape as the warehouse's `report_cells` (tabel, rij, kolom, waarde),
so the pipeline can be checked cell for cell on any year, scale and seed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TRUTH_FILE = "report_cells.csv"


def politie_cells(mutaties: pd.DataFrame) -> pd.DataFrame:
    """Table 1, police row: each police mutatie the VH receives is one melding."""
    return pd.DataFrame(
        [{"tabel": 1, "rij": "Mutaties politie", "kolom": "aantal", "waarde": mutaties["mutatienummer"].nunique()}]
    )


def write_truth(cells: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TRUTH_FILE
    cells.sort_values(["tabel", "rij", "kolom"]).to_csv(path, index=False)
    return path


def read_truth(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / TRUTH_FILE)
