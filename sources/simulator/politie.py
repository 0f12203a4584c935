"""The police (BVH/BPS) side of the simulated world: mutaties and their daily CSV drops.

A drop holds one row per person involved in a mutatie, with Dutch headers, `;` as
separator, Windows-1252 encoding and dates as dd-mm-jjjj, as BVH exports deliver them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sources.simulator.defects import DefectRates
from sources.simulator.numbering import EXTRA_MUTATIES, extra_mutatienummer, mutatienummer
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
            "mutatienummer": [mutatienummer(year, i) for i in range(n)],
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


SPELLING_VARIANTS = {
    "Maastricht": ["MAASTRICHT", "Mestreech"],
    "Eijsden-Margraten": ["Eijsden Margraten"],
    "Meerssen": ["MEERSSEN"],
    "Valkenburg aan de Geul": ["Valkenburg a/d Geul", "Valkenburg"],
}
OLD_NAMES = ["Eijsden", "Margraten"]
OUTSIDE_DISTRICT = ["Heerlen", "Sittard-Geleen", "Kerkrade", "Gulpen-Wittem"]


def publish(rows: pd.DataFrame, folder: Path, defects: DefectRates, rng: np.random.Generator, year: int) -> list[Path]:
    """Render the police mutaties as BVH daily drops, with the defects real drops have.

    `rows` are the world's true mutaties (one row per person, latest and correct version).
    """
    drops = rows.assign(leverdatum=rows["mutatiedatum"])
    drops = _spell_places(drops, defects, rng)
    drops = pd.concat([drops, *_extra_mutaties(rows, defects, rng, year)], ignore_index=True)
    drops = _corrections(drops, defects, rng)
    drops = _late_arrivals(drops, defects, rng, year)
    paths = write_daily_drops(drops, folder)
    return paths + _repeat_deliveries(paths, defects, rng)


def _pick(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return rng.random(n) < rate


def _spell_places(drops: pd.DataFrame, defects: DefectRates, rng: np.random.Generator) -> pd.DataFrame:
    """Place names as the police wrote them: variants, and the pre-2011 names of Eijsden-Margraten."""
    place = drops["pleegplaats"].to_numpy(dtype=object).copy()
    per_mutatie = drops.groupby("mutatienummer")["pleegplaats"].transform("first").to_numpy()
    for canonical, variants in SPELLING_VARIANTS.items():
        mask = (per_mutatie == canonical) & _mutatie_mask(drops, rng, defects.spelling_variants)
        place[mask] = rng.choice(variants, int(mask.sum()))
    old = (per_mutatie == "Eijsden-Margraten") & _mutatie_mask(drops, rng, defects.old_municipality_names)
    place[old] = rng.choice(OLD_NAMES, int(old.sum()))
    # every person row of one mutatie carries the same spelling
    first = pd.Series(place).groupby(drops["mutatienummer"].to_numpy()).transform("first")
    return drops.assign(pleegplaats=first.to_numpy())


def _mutatie_mask(drops: pd.DataFrame, rng: np.random.Generator, rate: float) -> np.ndarray:
    numbers = drops["mutatienummer"].unique()
    chosen = set(numbers[_pick(rng, len(numbers), rate)])
    return drops["mutatienummer"].isin(chosen).to_numpy()


def _extra_mutaties(
    rows: pd.DataFrame, defects: DefectRates, rng: np.random.Generator, year: int
) -> list[pd.DataFrame]:
    """Rows that are not VH meldingen: outside the district, on a test person, or broken."""
    extras = []
    next_number = 0
    for defect, rate in (
        ("outside_district", defects.outside_district),
        ("test_record", defects.test_records),
        ("invalid_row", defects.invalid_rows),
    ):
        numbers = rows["mutatienummer"].unique()
        chosen = numbers[_pick(rng, len(numbers), rate)]
        extra = rows[rows["mutatienummer"].isin(set(chosen))].copy()
        if extra.empty:
            continue
        renumber = {
            old: extra_mutatienummer(year, next_number + i) for i, old in enumerate(extra["mutatienummer"].unique())
        }
        next_number += len(renumber)
        extra["mutatienummer"] = extra["mutatienummer"].map(renumber)
        extra["leverdatum"] = extra["mutatiedatum"]
        if defect == "outside_district":
            extra["pleegplaats"] = extra["mutatienummer"].map(
                dict(zip(renumber.values(), rng.choice(OUTSIDE_DISTRICT, len(renumber)), strict=True))
            )
        elif defect == "test_record":
            extra["achternaam"] = "Testpersoon"
        else:
            extra = _break_rows(extra, rng)
        extras.append(extra)
    return extras


def _break_rows(extra: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A bad date, a missing mandatory field or a BSN failing the 11-proef, one per row."""
    extra = extra.assign(mutatiedatum=extra["mutatiedatum"].astype(object))
    kind = rng.integers(0, 3, len(extra))
    extra.loc[kind == 0, "mutatiedatum"] = "31-02-" + extra.loc[kind == 0, "leverdatum"].dt.strftime("%Y")
    extra.loc[kind == 1, "pleegplaats"] = None
    bsn = extra.loc[kind == 2, "bsn"].astype(str)
    extra.loc[kind == 2, "bsn"] = bsn.str[:8] + ((bsn.str[8].astype(int) + 1) % 10).astype(str)
    return extra


def _corrections(drops: pd.DataFrame, defects: DefectRates, rng: np.random.Generator) -> pd.DataFrame:
    """Some mutaties were first delivered wrong (another selectiecode or place) and corrected later.

    The first version goes out on the day; the correction, with versie 2 and the true values,
    arrives one to twenty days later.
    """
    real = drops["mutatienummer"].str[-6:].astype(int) < EXTRA_MUTATIES
    chosen = _mutatie_mask(drops, rng, defects.corrected_records) & real.to_numpy()
    if not chosen.any():
        return drops
    corrected = drops[chosen].copy()
    first = corrected.copy()
    wrong_code = {"JGD": "HG", "HG": "JGD", "VP": "JGD", "PGA": "VP"}
    first["selectiecode"] = first["selectiecode"].map(wrong_code)
    lag = pd.Series(
        rng.integers(1, 21, corrected["mutatienummer"].nunique()), index=corrected["mutatienummer"].unique()
    )
    corrected["versie"] = 2
    corrected["leverdatum"] = pd.to_datetime(corrected["mutatiedatum"]) + pd.to_timedelta(
        corrected["mutatienummer"].map(lag).astype("int64"), unit="D"
    )
    return pd.concat([drops[~chosen], first, corrected], ignore_index=True)


def _late_arrivals(drops: pd.DataFrame, defects: DefectRates, rng: np.random.Generator, year: int) -> pd.DataFrame:
    """A share of December's mutaties reaches the VH only in the first January drops."""
    december = pd.to_datetime(drops["leverdatum"]).dt.month.eq(12) & (drops["versie"] == 1)
    chosen = _mutatie_mask(drops, rng, defects.late_arrivals) & december.to_numpy()
    numbers = drops.loc[chosen, "mutatienummer"].unique()
    day = pd.Series(rng.integers(2, 8, len(numbers)), index=numbers)
    late = drops.loc[chosen, "mutatienummer"].map(day)
    drops.loc[chosen, "leverdatum"] = pd.Timestamp(f"{year + 1}-01-01") + pd.to_timedelta(
        late.astype("int64"), unit="D"
    )
    return drops


def _repeat_deliveries(paths: list[Path], defects: DefectRates, rng: np.random.Generator) -> list[Path]:
    """Some drops are sent twice, the second time under another name."""
    repeated = []
    for path in np.array(paths, dtype=object)[_pick(rng, len(paths), defects.repeated_delivery)]:
        copy = path.with_name(path.stem + "_herlevering.csv")
        copy.write_bytes(path.read_bytes())
        repeated.append(copy)
    return repeated


def write_daily_drops(rows: pd.DataFrame, folder: Path) -> list[Path]:
    """One CSV per delivery day, named after that day, as the BVH export does."""
    folder.mkdir(parents=True, exist_ok=True)
    out = rows.copy()
    if "leverdatum" not in out:
        out["leverdatum"] = out["mutatiedatum"]
    out["leverdatum"] = pd.to_datetime(out["leverdatum"])
    dates = out["mutatiedatum"]
    as_date = pd.to_datetime(dates, errors="coerce")
    out["mutatiedatum"] = as_date.dt.strftime("%d-%m-%Y").where(as_date.notna(), dates.astype(object))
    out["geboortedatum"] = pd.to_datetime(out["geboortedatum"]).dt.strftime("%d-%m-%Y")
    out = out.sort_values(["leverdatum", "mutatienummer", "versie", "rol"], kind="stable")
    written = []
    for day, drop in out.groupby("leverdatum", sort=True):
        path = folder / f"BVH_VH_mutaties_{day:%Y%m%d}.csv"
        drop[list(CSV_COLUMNS)].rename(columns=CSV_COLUMNS).to_csv(
            path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n"
        )
        written.append(path)
    return written
