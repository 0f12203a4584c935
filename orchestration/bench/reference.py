"""The dbt seeds both baselines read, typed as dbt types them (dbt_project/seeds/_seeds.yml)."""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.environment import DBT_PROJECT_DIR

SEED_DIR = DBT_PROJECT_DIR / "seeds"
# the seeds the report cells depend on; the rest (incidentcodes, published figures) feed other marts
SEEDS = (
    "doelgroepen",
    "gemeenten",
    "stadsdelen_buurten",
    "vervolgactie_soorten",
    "om_overlegsoorten",
    "vh_codes",
    "politie_selectiecodes",
)
# every other column is text
TYPED_COLUMNS = {
    "doelgroepen": {"volgorde": "integer", "alleen_maastricht": "boolean"},
    "gemeenten": {"in_district": "boolean"},
    "stadsdelen_buurten": {"geldig_van": "date", "geldig_tot": "date"},
    "vervolgactie_soorten": {"volgorde": "integer"},
    "om_overlegsoorten": {"kort_traject": "boolean"},
}


def seed_path(seed: str) -> Path:
    return SEED_DIR / f"{seed}.csv"


def column_types(seed: str) -> dict[str, str]:
    """Column → DuckDB type for the seed's CSV, in the file's order."""
    with seed_path(seed).open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    typed = TYPED_COLUMNS.get(seed, {})
    return {column: typed.get(column, "varchar") for column in header}
