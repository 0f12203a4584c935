"""The counts a simulated year is generated from (see calibration/README.md for the choices)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CALIBRATION_DIR = Path(__file__).parent / "calibration"


def meldingen(year: int) -> pd.DataFrame:
    """Meldingen per herkomst × doelgroep × gemeente for `year`."""
    path = CALIBRATION_DIR / str(year) / "meldingen.csv"
    if not path.exists():
        available = sorted(p.name for p in CALIBRATION_DIR.iterdir() if p.is_dir())
        raise ValueError(f"no calibration for year {year}; available: {', '.join(available)}")
    return pd.read_csv(path, sep=";", dtype={"aantal": "int64"})
