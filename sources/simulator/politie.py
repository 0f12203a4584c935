"""The police (BVH/BPS) side of the simulated world: mutaties and their daily CSV drops.

A drop holds one row per person involved in a mutatie, with Dutch headers, `;` as
separator, Windows-1252 encoding and dates as dd-mm-jjjj, as BVH exports deliver them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sources.simulator.persons import generate_persons

# The police's own selection codes for the VH doelgroepen (mapped in dbt through a seed).
SELECTIECODE = {
    "Jeugd": "JGD",
    "Huiselijk geweld": "HG",
    "Volwassen veelplegers": "VP",
    "Geprioriteerden": "PGA",
}
INCIDENTCODES = {
    "JGD": ["F47", "F16", "A50", "C20", "F10", "B62", "F11", "F550"],
    "HG": ["F550", "F551", "F530", "F95", "F16", "C20"],
    "VP": ["A50", "A20", "B62", "A10", "F40", "F550", "C20"],
    "PGA": ["F47", "A50", "F16", "F530", "F550", "C30"],
}
# (youngest, oldest, persons per mutatie on average ÷ 1): suspects are drawn from a pool so
# that the same person returns, as veelplegers do.
POOL = {
    "JGD": (12, 17, 0.55),
    "HG": (18, 70, 0.85),
    "VP": (18, 45, 0.25),
    "PGA": (18, 50, 0.30),
}
CSV_COLUMNS = {
    "mutatienummer": "Mutatienummer",
    "versie": "Versie",
    "mutatiedatum": "Mutatiedatum",
    "incidentcode": "Incidentcode",
    "projectcode": "Projectcode",
    "selectiecode": "Selectiecode",
    "pleegplaats": "Pleegplaats",
    "rol": "Rol",
    "bsn": "BSN",
    "achternaam": "Achternaam",
    "voornamen": "Voornamen",
    "geboortedatum": "Geboortedatum",
}


def generate_mutaties(
    rng: np.random.Generator, counts: pd.DataFrame, year: int, scale: int, days: int | None
) -> pd.DataFrame:
    """One row per person per mutatie for the police meldingen in `counts` (doelgroep × gemeente).

    With `days`, only the first `days` days of the year are played (and the counts scaled).
    """
    year_start = np.datetime64(f"{year}-01-01")
    days_in_year = int((np.datetime64(f"{year + 1}-01-01") - year_start).astype(int))
    n_days = min(days, days_in_year) if days else days_in_year
    politie = counts[counts["herkomst"] == "politie"].reset_index(drop=True)
    per_cell = politie["aantal"].to_numpy() * scale
    if days:
        per_cell = np.round(per_cell * n_days / days_in_year).astype(int)
    cell = np.repeat(np.arange(len(politie)), per_cell)
    n = cell.size

    dag = np.sort(rng.integers(0, n_days, size=n))
    order = rng.permutation(n)  # cells spread over the days, numbered in date order
    cell = cell[order]
    selectie = politie["doelgroep"].map(SELECTIECODE).to_numpy()[cell]
    mutaties = pd.DataFrame(
        {
            "mutatienummer": [f"PL2300-{year}{i + 1:06d}" for i in range(n)],
            "versie": 1,
            "mutatiedatum": year_start + dag.astype("timedelta64[D]"),
            "selectiecode": selectie,
            "pleegplaats": politie["gemeente"].to_numpy()[cell],
        }
    )
    mutaties["projectcode"] = np.where(selectie == "HG", "HG", "")
    mutaties["incidentcode"] = ""
    for code, choices in INCIDENTCODES.items():
        mask = selectie == code
        mutaties.loc[mask, "incidentcode"] = rng.choice(choices, size=int(mask.sum()))
    return _with_persons(rng, mutaties, year_start)


def _with_persons(rng: np.random.Generator, mutaties: pd.DataFrame, year_start: np.datetime64) -> pd.DataFrame:
    """Attach a suspect to every mutatie, and a victim to the huiselijk geweld ones."""
    parts = []
    for code, (young, old, pool_share) in POOL.items():
        own = mutaties[mutaties["selectiecode"] == code]
        if own.empty:
            continue
        pool = generate_persons(rng, max(1, int(len(own) * pool_share)), young, old, year_start, f"P{code}")
        parts.append(_join(own, pool.iloc[rng.integers(0, len(pool), size=len(own))], "Verdachte"))
        if code == "HG":
            victims = generate_persons(rng, len(own), 18, 70, year_start, "PHGS")
            parts.append(_join(own, victims, "Slachtoffer"))
    rows = pd.concat(parts, ignore_index=True)
    return rows.sort_values(["mutatiedatum", "mutatienummer", "rol"], ignore_index=True)


def _join(mutaties: pd.DataFrame, persons: pd.DataFrame, rol: str) -> pd.DataFrame:
    persons = persons.drop(columns="persoon_id").reset_index(drop=True)
    joined = pd.concat([mutaties.reset_index(drop=True), persons], axis=1)
    joined["rol"] = rol
    return joined


def write_daily_drops(rows: pd.DataFrame, folder: Path) -> list[Path]:
    """One CSV per day, named after the day of the mutaties it holds, as the BVH export does."""
    folder.mkdir(parents=True, exist_ok=True)
    out = rows.copy()
    out["mutatiedatum_iso"] = out["mutatiedatum"]
    out["mutatiedatum"] = out["mutatiedatum"].dt.strftime("%d-%m-%Y")
    out["geboortedatum"] = pd.to_datetime(out["geboortedatum"]).dt.strftime("%d-%m-%Y")
    written = []
    for day, drop in out.groupby("mutatiedatum_iso", sort=True):
        path = folder / f"BVH_VH_mutaties_{day:%Y%m%d}.csv"
        drop[list(CSV_COLUMNS)].rename(columns=CSV_COLUMNS).to_csv(
            path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n"
        )
        written.append(path)
    return written
