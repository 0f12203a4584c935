"""Reference data the suites check against, read from the dbt seeds (the files, not the warehouse
copy: a check must not trust the thing it checks).

The published figures of the 2011 report (`gepubliceerde_cijfers.csv`) and the code sets the
delivery contracts name live there.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from sources.paths import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"
CALIBRATION_YEAR = 2011  # the year of the published report the seed transcribes
LEEFTIJDSKLASSEN = ["0-11", "12-17", "18-23", "24-29", "30-44", "45-64", "65+"]


@cache
def read_seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])


def published_cells() -> pd.DataFrame:
    """The published figures: tabel, rij, kolom, waarde (int), label_gedrukt (null when the label is the rij)."""
    frame = read_seed("gepubliceerde_cijfers").copy()
    frame["waarde"] = frame["waarde"].astype(int)
    return frame


def vh_codes(codelijst: str) -> list[str]:
    codes = read_seed("vh_codes")
    return sorted(codes.loc[codes["codelijst"] == codelijst, "code"])


def code_sets() -> dict[str, list[str]]:
    """The values of every `{"$PARAMETER": ...}` in the suites: code sets from the seeds."""
    gemeenten = read_seed("gemeenten")
    return {
        "politie_selectiecodes": sorted(read_seed("politie_selectiecodes")["selectiecode"]),
        "om_soorten_overleg": sorted(read_seed("om_overlegsoorten")["soort_overleg"]),
        "vh_doelgroep_codes": vh_codes("doelgroep"),
        "vh_vervolgactie_soorten": vh_codes("vervolgactie_soort"),
        "vh_traject_soorten": vh_codes("traject_soort"),
        "plaatsnamen": sorted(gemeenten["naam_in_bron"]),
        "district_gemeenten": sorted(set(gemeenten.loc[gemeenten["in_district"] == "true", "gemeente"])),
        "doelgroepen": sorted(read_seed("doelgroepen")["doelgroep"]),
        "vervolgactie_soorten": sorted(read_seed("vervolgactie_soorten")["soort"]),
        "leeftijdsklassen": LEEFTIJDSKLASSEN,
    }
