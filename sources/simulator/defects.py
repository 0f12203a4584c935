"""The defects real deliveries have, each at a rate that can be set (all on by default).

A rate is a fraction of the records (or deliveries) concerned. `DefectRates.none()` gives a
clean world; `DefectRates.only(name)` switches on one defect, for tests that show what it does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path


@dataclass(frozen=True)
class DefectRates:
    # politie
    repeated_delivery: float = 0.02  # share of police drops delivered a second time under another name
    corrected_records: float = 0.03  # share of mutaties delivered again later with a higher versie
    spelling_variants: float = 0.04  # share of place names written differently (MAASTRICHT, Valkenburg a/d Geul)
    old_municipality_names: float = 0.25  # share of Eijsden-Margraten records still named Eijsden or Margraten
    outside_district: float = 0.01  # extra police mutaties with a pleegplaats outside the district
    test_records: float = 0.004  # extra test records (all systems)
    late_arrivals: float = 0.15  # share of December mutaties delivered in a January drop
    invalid_rows: float = 0.004  # extra rows with a bad date, a missing mandatory field or a BSN failing the 11-proef
    # OM and VH register
    cross_system_jco: float = 0.2  # share of OM casusoverleggen also registered in the VH register, dates shifted
    out_of_period: float = 0.05  # extra VH records dated in the previous year
    # VH register API
    api_http_500: float = 0.05  # share of API requests answered with HTTP 500
    api_timeout: float = 0.02  # share of API requests that stall past the client's timeout

    def __post_init__(self) -> None:
        outside = {f.name: getattr(self, f.name) for f in fields(self) if not 0 <= getattr(self, f.name) <= 1}
        if outside:
            raise ValueError(f"defect rates are fractions between 0 and 1, got {outside}")

    @classmethod
    def none(cls) -> DefectRates:
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @classmethod
    def only(cls, *names: str) -> DefectRates:
        unknown = set(names) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown defects {sorted(unknown)}")
        return replace(cls.none(), **{n: getattr(cls(), n) for n in names})

    @classmethod
    def from_file(cls, path: Path) -> DefectRates:
        """Rates from a JSON object; names left out keep their default. A ValueError names the file."""
        try:
            return cls.from_mapping(json.loads(path.read_text()))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    @classmethod
    def from_mapping(cls, values: object) -> DefectRates:
        """Rates by name (a parsed JSON object); names left out keep their default."""
        if not isinstance(values, dict):
            raise ValueError(f"expected a JSON object of defect rates, got {type(values).__name__}")
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown defects {sorted(unknown)}")
        not_numbers = {k: v for k, v in values.items() if isinstance(v, bool) or not isinstance(v, int | float)}
        if not_numbers:
            raise ValueError(f"defect rates must be numbers, got {not_numbers}")
        return replace(cls(), **{k: float(v) for k, v in values.items()})

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
