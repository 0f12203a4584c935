"""The counts a simulated year is generated from (see calibration/README.md for the choices).

2011 is read from `calibration/2011/`. 2010 follows the footnotes of the 2011 report (more
jeugd, veelplegers and ex-gedetineerden meldingen; a larger share of follow-ups by partners).
Any other year is the 2011 world with each doelgroep's volume varied by a few percent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sources.paths import PROJECT_ROOT

CALIBRATION_DIR = Path(__file__).parent / "calibration"
BUURTEN_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "stadsdelen_buurten.csv"
BASE_YEAR = 2011

# Footnotes to Tables 2 and 4: meldingen in 2010 compared with 2011, per doelgroep
MELDINGEN_2010_MORE = {"Jeugd": 211, "Volwassen veelplegers": 234, "Volwassen ex-gedetineerden": 119}
# ... and the shares of the vervolgacties in 2010 (partners 11 points higher, ZCO 4 %, IA 3 %)
VERVOLGACTIES_2010_SHARE = {
    "Ter opvolging door partnerorganisatie(s)": 0.80,
    "Zorgcasusoverleg": 0.04,
    "Integrale aanpak": 0.03,
}


@dataclass(frozen=True)
class Calibration:
    year: int
    meldingen: pd.DataFrame  # herkomst, doelgroep, gemeente, aantal
    vervolgacties: pd.DataFrame  # soort, doelgroep, gemeente, aantal
    trajecten: pd.DataFrame  # categorie, soort, bron, doelgroep, gemeente, aantal, gestart_voor_jaar, beeindigd_in_jaar
    huisverboden: pd.DataFrame  # gemeente, rihg_ingevuld, opgelegd, ingetrokken, verlengd, samenloop_strafrecht
    stadsdelen: pd.DataFrame  # stadsdeelgroep, meldingen, pga_uit_meldingen, partners_uit_meldingen, plannen_...


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(CALIBRATION_DIR / str(BASE_YEAR) / f"{name}.csv", sep=";")


def load(year: int, rng: np.random.Generator) -> Calibration:
    base = Calibration(
        year=BASE_YEAR,
        meldingen=_read("meldingen"),
        vervolgacties=_read("vervolgacties"),
        trajecten=_read("trajecten"),
        huisverboden=_read("huisverboden"),
        stadsdelen=_read("multiproblematiek_stadsdelen"),
    )
    if year == BASE_YEAR:
        return base
    if year == BASE_YEAR - 1:
        return _year_2010(base)
    return _varied(base, year, rng)


def meldingen(year: int) -> pd.DataFrame:
    """Meldingen per herkomst × doelgroep × gemeente for `year` (2011 and derived years)."""
    return load(year, np.random.default_rng(year)).meldingen


def buurten(on: str | None = None) -> pd.DataFrame:
    """Maastricht's buurten with their stadsdeel, from the dbt seed (one source of reference data)."""
    mapping = pd.read_csv(BUURTEN_SEED)
    if on:
        mapping = mapping[(mapping["geldig_van"] <= on) & (mapping["geldig_tot"] >= on)]
    return mapping


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to `weights` that add up to `total` exactly."""
    if weights.sum() == 0:
        return np.zeros_like(weights, dtype=int)
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(int)
    short = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _year_2010(base: Calibration) -> Calibration:
    meld = base.meldingen.copy()
    for doelgroep, more in MELDINGEN_2010_MORE.items():
        mask = (meld["doelgroep"] == doelgroep) & (meld["herkomst"] != "partners")
        target = int(meld.loc[mask, "aantal"].sum()) + more
        meld.loc[mask, "aantal"] = _largest_remainder(meld.loc[mask, "aantal"].to_numpy(float), target)
    verv = base.vervolgacties.copy()
    multi = verv["doelgroep"] == "Multiproblematiek"
    total = round(verv["aantal"].sum() * meld["aantal"].sum() / base.meldingen["aantal"].sum())
    free_total = total - int(verv.loc[multi, "aantal"].sum())  # multiproblematiek is tied to Tables 5 and 8
    shares = dict(VERVOLGACTIES_2010_SHARE)
    rest = [s for s in verv["soort"].unique() if s not in shares]
    rest_share = 1 - sum(shares.values())
    rest_2011 = verv[verv["soort"].isin(rest) & ~multi].groupby("soort")["aantal"].sum()
    shares |= {s: rest_share * rest_2011[s] / rest_2011.sum() for s in rest}
    per_soort = dict(zip(shares, _largest_remainder(np.array(list(shares.values())), free_total), strict=True))
    for soort, n in per_soort.items():
        mask = (verv["soort"] == soort) & ~multi
        verv.loc[mask, "aantal"] = _largest_remainder(verv.loc[mask, "aantal"].to_numpy(float), n)
    return replace(base, year=2010, meldingen=meld, vervolgacties=verv)


def _varied(base: Calibration, year: int, rng: np.random.Generator) -> Calibration:
    year_rng = np.random.default_rng([year, 2011])
    meld = base.meldingen.copy()
    verv = base.vervolgacties.copy()
    for doelgroep in ["Jeugd", "Huiselijk geweld", "Volwassen veelplegers", "Geprioriteerden"]:
        factor = 1 + year_rng.normal(0, 0.05)
        for frame in (meld, verv):
            mask = frame["doelgroep"] == doelgroep
            frame.loc[mask, "aantal"] = np.round(frame.loc[mask, "aantal"] * factor).astype(int)
    return replace(base, year=year, meldingen=meld, vervolgacties=verv)
