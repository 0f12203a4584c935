"""The persons of the Veiligheidshuis world: drawn per doelgroep, kept in one frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sources.simulator.persons import day_of_age, generate_persons, rename_namesakes, valid_bsns

# age ranges (youngest, oldest) on 1 January per doelgroep
AGES = {
    "Jeugd": (12, 17),
    "Jeugd 18-23": (18, 22),  # young adult veelplegers: at most 23 on any day of the year
    "Volwassen veelplegers 24+": (24, 45),  # adults in the OM's veelplegers JCO: the OM tells them apart by age
    "Huiselijk geweld": (18, 70),
    "Volwassen veelplegers": (18, 45),
    "Geprioriteerden": (18, 50),
    "Volwassen ex-gedetineerden": (18, 60),
    "Multiproblematiek": (18, 65),
    "Centrum Jeugd en Gezin": (4, 17),
}
NO_BSN_SHARE = 0.01


class PersonRegistry:
    """Hands out persons by doelgroep and keeps them all in one frame."""

    def __init__(self, rng: np.random.Generator, year: int) -> None:
        self.rng = rng
        self.reference = np.datetime64(f"{year}-01-01")
        self.parts: list[pd.DataFrame] = []
        self.old_enough: list[pd.Series] = []  # per part: the day each person reached their doelgroep's youngest age
        self.count = 0

    def new(self, n: int, doelgroep: str) -> np.ndarray:
        young, old = AGES[doelgroep]
        persons = generate_persons(self.rng, n, young, old, self.reference, "P")
        persons["persoon_id"] = [f"P{self.count + i:08d}" for i in range(n)]
        self.count += n
        self.parts.append(persons)
        reached = day_of_age(persons["geboortedatum"].to_numpy(), young)
        self.old_enough.append(pd.Series(reached, index=persons["persoon_id"].to_numpy()))
        return persons["persoon_id"].to_numpy()

    def old_enough_from(self, persoon_ids: pd.Series) -> np.ndarray:
        """The day each person reached the youngest age of the doelgroep they were drawn for.

        Ages hold on 1 January of the year; a record dated earlier needs its person old enough then.
        """
        return pd.concat(self.old_enough).reindex(persoon_ids.to_numpy()).to_numpy().astype("datetime64[D]")

    def frame(self) -> pd.DataFrame:
        persons = pd.concat(self.parts, ignore_index=True)
        repeated = persons["bsn"].duplicated()
        while repeated.any():  # pools are drawn separately: a BSN drawn twice gets a fresh one
            fresh = valid_bsns(self.rng, int(repeated.sum()) * 2)
            fresh = fresh[~pd.Index(fresh).isin(persons["bsn"])][: int(repeated.sum())]
            persons.loc[repeated[repeated].index[: len(fresh)], "bsn"] = fresh
            repeated = persons["bsn"].duplicated()
        # some people are registered without a BSN; the pipeline links them by name and birth date
        persons.loc[self.rng.random(len(persons)) < NO_BSN_SHARE, "bsn"] = None
        return rename_namesakes(self.rng, persons)
