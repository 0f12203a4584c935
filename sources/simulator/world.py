"""The record-level world of one year, generated vectorised from the calibration counts.

Every frame holds what the source systems know in clear (persons with BSN, names and birth
dates); the publishers render the frames through each system's interface, and `truth.py`
computes the report from the frames. Rows that exist only because of a defect carry the
defect's name in `defect` (null for real events), so the truth can leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sources.simulator import calibration
from sources.simulator.defects import DefectRates
from sources.simulator.numbering import parketnummer
from sources.simulator.politie import generate_mutaties
from sources.simulator.registry import PersonRegistry

PARTNERS = [
    "Bureau Jeugdzorg Limburg",
    "Reclassering Nederland",
    "Mondriaan",
    "Woonpunt Maastricht en Mergelland",
    "GGD Zuid-Limburg",
    "Leger des Heils",
    "Advies- en Meldpunt Kindermishandeling",
    "Kredietbank Limburg",
    "Raad voor de Kinderbescherming",
    "Steunpunt Huiselijk Geweld",
    "Centrum Jeugd en Gezin",
]
OGGZ_SHARE = 0.1  # multiproblematiek clients without an address (dak- en thuislozen), counted in Zuid-West en centrum


@dataclass
class World:
    year: int
    scale: int
    persons: pd.DataFrame
    politie_mutaties: pd.DataFrame
    meldingen: pd.DataFrame
    vervolgacties: pd.DataFrame
    casusoverleggen: pd.DataFrame
    trajecten: pd.DataFrame
    veelplegersplannen: pd.DataFrame
    huisverboden: pd.DataFrame
    strafzaken: pd.DataFrame


def _expand(table: pd.DataFrame, scale: int, count: str = "aantal") -> pd.DataFrame:
    """One row per unit of `count`, times `scale`."""
    repeats = table[count].to_numpy() * scale
    return table.loc[table.index.repeat(repeats)].drop(columns=count).reset_index(drop=True)


def _dates(rng: np.random.Generator, n: int, start: str, end: str) -> np.ndarray:
    """`n` dates uniformly between start and end (inclusive)."""
    first = np.datetime64(start)
    days = int((np.datetime64(end) - first).astype(int)) + 1
    return first + rng.integers(0, days, size=n).astype("timedelta64[D]")


def _buurten(rng: np.random.Generator, groups: np.ndarray, mapping: pd.DataFrame) -> np.ndarray:
    """A buurt in each stadsdeelgroep of the report; OGGZ clients in Zuid-West en centrum have none."""
    out = np.empty(len(groups), dtype=object)
    for group, names in mapping.groupby("stadsdeelgroep_jaarverslag")["buurt"]:
        mask = groups == group
        out[mask] = rng.choice(names.to_numpy(), size=int(mask.sum()))
    zw = np.flatnonzero(groups == "Zuid-West en centrum (inclusief OGGZ)")
    out[zw[rng.random(zw.size) < OGGZ_SHARE]] = None
    return out


def generate_world(year: int, scale: int, seed: int, defects: DefectRates, days: int | None = None) -> World:
    rng = np.random.default_rng([seed, year, scale])
    cal = calibration.load(year, rng)
    registry = PersonRegistry(rng, year)
    mapping = calibration.buurten()
    start, end = f"{year}-01-01", f"{year}-12-31"
    if days:
        end = str(np.datetime64(start) + np.timedelta64(days - 1, "D"))

    politie = generate_mutaties(rng, cal.meldingen, year, scale, days)
    meldingen = _meldingen(rng, cal, scale, registry, mapping, start, end, defects)
    vervolgacties, casusoverleggen = _vervolgacties(rng, cal, scale, registry, meldingen, start, end, defects)
    huisverboden, strafzaken = _huisverboden(rng, cal, scale, registry, year, start, end)
    trajecten, plannen = _trajecten(rng, cal, scale, registry, mapping, meldingen, vervolgacties, huisverboden, year)
    return World(
        year=year,
        scale=scale,
        persons=registry.frame(),
        politie_mutaties=politie,
        meldingen=meldingen,
        vervolgacties=vervolgacties,
        casusoverleggen=casusoverleggen,
        trajecten=trajecten,
        veelplegersplannen=plannen,
        huisverboden=huisverboden,
        strafzaken=strafzaken,
    )


def _meldingen(rng, cal, scale, registry, mapping, start, end, defects) -> pd.DataFrame:
    """VH register meldingen: gevangeniswezen (DPAN) and partners; police meldingen are the BVH drops."""
    own = cal.meldingen[cal.meldingen["herkomst"] != "politie"]
    multi = own["doelgroep"] == "Multiproblematiek"
    rows = _expand(own[~multi], scale)
    rows["stadsdeelgroep"] = None
    per_group = cal.stadsdelen.rename(columns={"meldingen": "aantal"})[["stadsdeelgroep", "aantal"]]
    multi_rows = _expand(per_group, scale).assign(
        herkomst="partners", doelgroep="Multiproblematiek", gemeente="Maastricht"
    )
    rows = pd.concat([rows, multi_rows], ignore_index=True)
    rows["buurt"] = None
    is_multi = rows["doelgroep"] == "Multiproblematiek"
    rows.loc[is_multi, "buurt"] = _buurten(rng, rows.loc[is_multi, "stadsdeelgroep"].to_numpy(), mapping)
    rows["persoon_id"] = None
    for doelgroep, idx in rows.groupby("doelgroep").groups.items():
        rows.loc[idx, "persoon_id"] = registry.new(len(idx), doelgroep)
    n = len(rows)
    rows["meldingsdatum"] = _dates(rng, n, start, end)
    rows["melder"] = np.where(
        rows["herkomst"] == "gevangeniswezen", "Penitentiaire Inrichtingen Zuid", rng.choice(PARTNERS, size=n)
    )
    rows["defect"] = None
    extra = _out_of_period(rng, rows, defects.out_of_period, "meldingsdatum", int(start[:4]), registry)
    tests = _extra_rows(rng, rows, defects.test_records, "test_record")
    rows = pd.concat([rows, extra, tests], ignore_index=True).sort_values("meldingsdatum", kind="stable")
    rows["melding_id"] = [f"VHM-{i + 1:07d}" for i in range(len(rows))]
    rows["geregistreerd_op"] = rows["meldingsdatum"] + rng.integers(0, 4, len(rows)).astype("timedelta64[D]")
    return rows.reset_index(drop=True)


def _extra_rows(rng, rows: pd.DataFrame, rate: float, defect: str) -> pd.DataFrame:
    """A `rate` share of the rows copied, each copy of another row, marked with the defect's name."""
    n = round(len(rows) * rate)
    if n == 0:
        return rows.iloc[0:0].copy()
    extra = rows.iloc[_distinct(rng.integers(0, len(rows), size=n), len(rows))].copy()
    extra["defect"] = defect
    return extra


def _distinct(picks: np.ndarray, size: int) -> np.ndarray:
    """The picks (of 0 … size - 1) with each repeat moved on to the next position not picked.

    Two copies of one record would be one event twice: the same person, kind and (often enough
    at scale) day. Moving the repeats, rather than drawing again, keeps the rng's later draws.
    """
    picks = picks.copy()
    while True:
        repeat = np.ones(len(picks), dtype=bool)
        repeat[np.unique(picks, return_index=True)[1]] = False  # the first of each value stays
        if not repeat.any():
            return picks
        free = np.setdiff1d(np.arange(size), picks)
        picks[repeat] = free[np.searchsorted(free, picks[repeat]) % len(free)]


def _out_of_period(
    rng, rows: pd.DataFrame, rate: float, date_column: str, year: int, registry: PersonRegistry
) -> pd.DataFrame:
    """Records of the previous year that the register still serves (the `out_of_period` defect).

    They copy records of this year, persons included, so each is dated on a day of the previous
    year on which its person was already as old as the doelgroep's youngest: the persons' ages
    were drawn for 1 January of this year.
    """
    extra = _extra_rows(rng, rows, rate, "out_of_period")
    if len(extra):
        first, last = np.datetime64(f"{year - 1}-01-01"), np.datetime64(f"{year - 1}-12-31")
        drawn = _dates(rng, len(extra), str(first), str(last))
        earliest = np.minimum(np.maximum(registry.old_enough_from(extra["persoon_id"]), first), last)
        extra[date_column] = _moved_into(drawn, first, last, earliest)
    return extra


def _moved_into(dates: np.ndarray, first: np.datetime64, last: np.datetime64, earliest: np.ndarray) -> np.ndarray:
    """Dates drawn over first … last, those before `earliest` moved in proportion into earliest … last."""
    too_early = dates < earliest
    days_too_early = np.maximum((earliest - first).astype(int), 1)
    days_left = (last - earliest).astype(int) + 1
    moved = earliest + ((dates - first).astype(int) * days_left // days_too_early).astype("timedelta64[D]")
    return np.where(too_early, moved, dates)


def _vervolgacties(rng, cal, scale, registry, meldingen, start, end, defects):
    """Vervolgacties: the VH register's own, and the casusoverleggen (JCO) held by the OM."""
    table = cal.vervolgacties
    jco = table["soort"].str.startswith("Justitieel casusoverleg")
    multi = table["doelgroep"] == "Multiproblematiek"

    # multiproblematiek: from the year's multi meldingen by stadsdeel (Table 5), the rest on older cases
    real_multi = meldingen[(meldingen["doelgroep"] == "Multiproblematiek") & meldingen["defect"].isna()]
    linked = []
    for _, group in cal.stadsdelen.iterrows():
        pool = real_multi[real_multi["stadsdeelgroep"] == group["stadsdeelgroep"]].sample(frac=1, random_state=rng)
        n_pga, n_partner = group["pga_uit_meldingen"] * scale, group["partners_uit_meldingen"] * scale
        chosen = pool.iloc[: n_pga + n_partner]
        linked.append(
            pd.DataFrame(
                {
                    "soort": ["Integrale aanpak"] * n_pga + ["Ter opvolging door partnerorganisatie(s)"] * n_partner,
                    "doelgroep": "Multiproblematiek",
                    "gemeente": "Maastricht",
                    "persoon_id": chosen["persoon_id"].to_numpy(),
                    "melding_id": chosen["melding_id"].to_numpy(),
                    "buurt": chosen["buurt"].to_numpy(),
                    "stadsdeelgroep": group["stadsdeelgroep"],
                    "datum": (chosen["meldingsdatum"] + rng.integers(1, 21, len(chosen)).astype("timedelta64[D]")).clip(
                        upper=np.datetime64(end)
                    ),
                }
            )
        )
    linked = pd.concat(linked, ignore_index=True)
    multi_totals = _expand(table[multi], scale)
    from_linked = linked.groupby("soort").size()
    older = multi_totals.groupby("soort").size().sub(from_linked, fill_value=0).astype(int)
    older_rows = pd.DataFrame({"soort": np.repeat(older.index, older.to_numpy())}).assign(
        doelgroep="Multiproblematiek", gemeente="Maastricht"
    )

    own = _expand(table[~jco & ~multi], scale)
    own = pd.concat([own, older_rows], ignore_index=True)
    own["persoon_id"] = None
    for doelgroep, idx in own.groupby("doelgroep").groups.items():
        own.loc[idx, "persoon_id"] = registry.new(len(idx), doelgroep)
    own["datum"] = _dates(rng, len(own), start, end)
    own = pd.concat([own, linked], ignore_index=True)
    own["bron"] = "vh"
    own["defect"] = None

    # casusoverleggen at the OM: JCO jeugd and HG (also the short trajecten), JCO veelplegers
    overleg = _expand(table[jco], scale)
    overleg["soort_overleg"] = np.select(
        [overleg["soort"].str.contains("veelplegers"), overleg["doelgroep"] == "Jeugd"],
        ["JCO veelplegers", "JCO jeugd"],
        "JCO huiselijk geweld",
    )
    overleg["persoon_id"] = None
    for (doelgroep, soort), idx in overleg.groupby(["doelgroep", "soort_overleg"]).groups.items():
        age_group = {
            ("Jeugd", "JCO veelplegers"): "Jeugd 18-23",
            ("Volwassen veelplegers", "JCO veelplegers"): "Volwassen veelplegers 24+",
        }.get((doelgroep, soort), doelgroep)
        overleg.loc[idx, "persoon_id"] = registry.new(len(idx), age_group)
    overleg["datum"] = _dates(rng, len(overleg), start, end)
    overleg = overleg.sort_values("datum", kind="stable").reset_index(drop=True)
    yy = int(start[2:4])
    overleg["parketnummer"] = [parketnummer(700_000, 200_000, i, yy) for i in range(len(overleg))]
    overleg["casusoverleg_id"] = np.arange(1, len(overleg) + 1)
    overleg["defect"] = None

    # the same JCO also registered in the VH register, a few days off (counts once)
    copies = (
        overleg.sample(frac=defects.cross_system_jco, random_state=rng) if defects.cross_system_jco else overleg[:0]
    )
    copies = copies.assign(
        bron="vh",
        defect="cross_system_jco",
        datum=copies["datum"] + rng.integers(-5, 6, len(copies)).astype("timedelta64[D]"),
    )[["soort", "doelgroep", "gemeente", "persoon_id", "datum", "bron", "defect"]]
    extra = _out_of_period(rng, own, defects.out_of_period, "datum", int(start[:4]), registry)
    tests = _extra_rows(rng, own, defects.test_records, "test_record")
    vervolgacties = pd.concat([own, copies, extra, tests], ignore_index=True).sort_values("datum", kind="stable")
    vervolgacties["vervolgactie_id"] = [f"VHV-{i + 1:07d}" for i in range(len(vervolgacties))]
    vervolgacties["geregistreerd_op"] = vervolgacties["datum"] + rng.integers(0, 4, len(vervolgacties)).astype(
        "timedelta64[D]"
    )
    return vervolgacties.reset_index(drop=True), overleg.drop(columns="soort")


def _huisverboden(rng, cal, scale, registry, year, start, end):
    """RIHG's at the gemeenten, the huisverboden imposed on them, and the OM strafzaken alongside."""
    rows = []
    for _, g in cal.huisverboden.iterrows():
        n = g["rihg_ingevuld"] * scale
        opgelegd = np.arange(n) < g["opgelegd"] * scale
        ingetrokken = np.arange(n) < g["ingetrokken"] * scale
        verlengd = (np.arange(n) >= g["ingetrokken"] * scale) & (
            np.arange(n) < (g["ingetrokken"] + g["verlengd"]) * scale
        )
        samenloop = np.arange(n) < g["samenloop_strafrecht"] * scale
        rows.append(
            pd.DataFrame(
                {
                    "gemeente": g["gemeente"],
                    "opgelegd": opgelegd,
                    "ingetrokken": ingetrokken & opgelegd,
                    "verlengd": verlengd & opgelegd,
                    "samenloop": samenloop & opgelegd,
                }
            )
        )
    hv = pd.concat(rows, ignore_index=True)
    hv["persoon_id"] = registry.new(len(hv), "Huiselijk geweld")
    hv["datum_rihg"] = _dates(rng, len(hv), start, end)
    hv = hv.sort_values("datum_rihg", kind="stable").reset_index(drop=True)
    hv["datum_opgelegd"] = hv["datum_rihg"].where(hv["opgelegd"])
    days = np.where(hv["verlengd"], 28, np.where(hv["ingetrokken"], rng.integers(2, 8, len(hv)), 10))
    hv["einddatum"] = (hv["datum_opgelegd"] + days.astype("timedelta64[D]")).where(hv["opgelegd"])
    hv["huisverbod_id"] = [f"HV-{year}-{i + 1:04d}" for i in range(len(hv))]

    strafzaken = hv[hv["samenloop"]][["persoon_id", "gemeente", "datum_rihg"]].copy()
    strafzaken["feitdatum"] = strafzaken["datum_rihg"] - rng.integers(0, 2, len(strafzaken)).astype("timedelta64[D]")
    strafzaken["grond"] = rng.choice(["aangifte slachtoffer", "ambtshalve vervolging"], len(strafzaken), p=[0.7, 0.3])
    # unrelated strafzaken of other HG suspects: no samenloop with any huisverbod
    n_other = 60 * scale
    other = pd.DataFrame(
        {
            "persoon_id": registry.new(n_other, "Huiselijk geweld"),
            "gemeente": rng.choice(cal.huisverboden["gemeente"].to_numpy(), n_other),
            "feitdatum": _dates(rng, n_other, start, end),
            "grond": "aangifte slachtoffer",
        }
    )
    strafzaken = pd.concat([strafzaken.drop(columns="datum_rihg"), other], ignore_index=True)
    strafzaken["feitcode"] = rng.choice(["F550", "F551", "F530", "F95"], len(strafzaken))
    strafzaken = strafzaken.sort_values("feitdatum", kind="stable").reset_index(drop=True)
    yy = year % 100
    strafzaken["parketnummer"] = [parketnummer(100_000, 600_000, i, yy) for i in range(len(strafzaken))]
    return hv, strafzaken


def _trajecten(rng, cal, scale, registry, mapping, meldingen, vervolgacties, huisverboden, year):
    """Trajecten and plannen van aanpak: the VH register's, and the OM's veelplegersplannen.

    The short JCO trajecten are the OM casusoverleggen themselves and are not generated again.
    """
    table = cal.trajecten
    vh = table[table["bron"] == "vh"]
    start, end = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31")
    parts = []
    for _, cell in vh.iterrows():
        n = cell["aantal"] * scale
        earlier = cell["gestart_voor_jaar"] * scale
        ended = cell["beeindigd_in_jaar"] * scale
        frame = pd.DataFrame(
            {
                "categorie": cell["categorie"],
                "soort": cell["soort"],
                "doelgroep": cell["doelgroep"],
                "gemeente": cell["gemeente"],
            },
            index=range(n),
        )
        starts = np.where(
            np.arange(n) < earlier,
            _dates(rng, n, f"{year - 2}-01-01", f"{year - 1}-12-31"),
            _dates(rng, n, f"{year}-01-01", f"{year}-11-30"),
        )
        frame["startdatum"] = starts
        duration = rng.integers(30, 200, n).astype("timedelta64[D]")
        ends = np.maximum(starts + duration, start + rng.integers(0, 300, n).astype("timedelta64[D]"))
        ends = np.minimum(ends, end)
        frame["einddatum"] = pd.Series(ends).where(np.arange(n) >= n - ended)
        parts.append(frame)
    trajecten = pd.concat(parts, ignore_index=True)
    trajecten["persoon_id"] = None
    trajecten["buurt"] = None
    trajecten["stadsdeelgroep"] = None

    _plans_after_huisverbod(rng, trajecten, huisverboden, end)
    _multiproblematiek_plans(rng, cal, scale, registry, mapping, trajecten, vervolgacties, year)

    rest = trajecten["persoon_id"].isna()
    for doelgroep, idx in trajecten[rest].groupby("doelgroep").groups.items():
        trajecten.loc[idx, "persoon_id"] = registry.new(len(idx), doelgroep)
    netwerk = trajecten["soort"] == "Netwerkoverleg stadsdelen"
    groups = rng.choice(cal.stadsdelen["stadsdeelgroep"].to_numpy(), int(netwerk.sum()))
    trajecten.loc[netwerk, "stadsdeelgroep"] = groups
    trajecten.loc[netwerk, "buurt"] = _buurten(rng, groups, mapping)

    # history: plans that ended before the year began (they count in no table of this year)
    ended = trajecten[trajecten["categorie"] == "lang"].sample(frac=0.15, random_state=rng).copy()
    ended["startdatum"] = _dates(rng, len(ended), f"{year - 3}-01-01", f"{year - 2}-06-30")
    ended["einddatum"] = _dates(rng, len(ended), f"{year - 2}-07-01", f"{year - 1}-12-31")
    ended["persoon_id"] = None
    for doelgroep, idx in ended.groupby("doelgroep").groups.items():
        ended.loc[idx, "persoon_id"] = registry.new(len(idx), doelgroep)
    trajecten = pd.concat([trajecten, ended], ignore_index=True)
    trajecten["startdatum"] = pd.to_datetime(trajecten["startdatum"])
    trajecten["einddatum"] = pd.to_datetime(trajecten["einddatum"])
    trajecten = trajecten.sort_values("startdatum", kind="stable").reset_index(drop=True)
    trajecten["traject_id"] = [f"VHT-{i + 1:07d}" for i in range(len(trajecten))]
    trajecten["geregistreerd_op"] = trajecten["startdatum"] + rng.integers(0, 4, len(trajecten)).astype(
        "timedelta64[D]"
    )

    plannen = _veelplegersplannen(rng, table[table["bron"] == "om"], scale, registry, year)
    return trajecten, plannen


def _veelplegersplannen(rng, table, scale, registry, year) -> pd.DataFrame:
    cells = table[table["soort"] == "Justitieel veelplegersplan"]
    parts = []
    for _, cell in cells.iterrows():
        n = cell["aantal"] * scale
        earlier, ended = cell["gestart_voor_jaar"] * scale, cell["beeindigd_in_jaar"] * scale
        starts = np.where(
            np.arange(n) < earlier,
            _dates(rng, n, f"{year - 2}-01-01", f"{year - 1}-12-31"),
            _dates(rng, n, f"{year}-01-01", f"{year}-11-30"),
        )
        ends = np.minimum(starts + rng.integers(90, 720, n).astype("timedelta64[D]"), np.datetime64(f"{year}-12-31"))
        age_group = "Jeugd 18-23" if cell["doelgroep"] == "Jeugd" else cell["doelgroep"]
        parts.append(
            pd.DataFrame(
                {
                    "doelgroep": cell["doelgroep"],
                    "gemeente": cell["gemeente"],
                    "persoon_id": registry.new(n, age_group),
                    "startdatum": starts,
                    "einddatum": pd.Series(ends).where(np.arange(n) >= n - ended),
                }
            )
        )
    plannen = pd.concat(parts, ignore_index=True)
    history = plannen.sample(frac=0.15, random_state=rng).copy()
    history["startdatum"] = _dates(rng, len(history), f"{year - 3}-01-01", f"{year - 2}-06-30")
    history["einddatum"] = _dates(rng, len(history), f"{year - 2}-07-01", f"{year - 1}-12-31")
    history["persoon_id"] = registry.new(len(history), "Volwassen veelplegers")
    plannen = pd.concat([plannen, history], ignore_index=True).sort_values("startdatum", kind="stable")
    plannen = plannen.reset_index(drop=True)
    plannen["plan_id"] = np.arange(1, len(plannen) + 1)
    plannen["startdatum"] = pd.to_datetime(plannen["startdatum"])
    plannen["einddatum"] = pd.to_datetime(plannen["einddatum"])
    return plannen


def _plans_after_huisverbod(rng, trajecten, huisverboden, end) -> None:
    """Plan na huisverbod: one per imposed huisverbod, for its pleger, from the day it was imposed."""
    plan_hv = trajecten["soort"] == "Plan na huisverbod"
    imposed = huisverboden[huisverboden["opgelegd"]].sort_values("gemeente", kind="stable")
    for gemeente, idx in trajecten[plan_hv].groupby("gemeente").groups.items():
        own = imposed[imposed["gemeente"] == gemeente]
        trajecten.loc[idx, "persoon_id"] = own["persoon_id"].to_numpy()
        trajecten.loc[idx, "startdatum"] = own["datum_opgelegd"].to_numpy()
        ends = own["datum_opgelegd"].to_numpy() + rng.integers(60, 240, len(own)).astype("timedelta64[D]")
        keep_end = trajecten.loc[idx, "einddatum"].notna().to_numpy()
        trajecten.loc[idx, "einddatum"] = np.where(keep_end & (ends <= end), ends, np.datetime64("NaT"))


def _multiproblematiek_plans(rng, cal, scale, registry, mapping, trajecten, vervolgacties, year) -> None:
    """Multiproblematiek plans: those started this year are the PGA vervolgacties of Table 5."""
    multi = (trajecten["doelgroep"] == "Multiproblematiek") & (trajecten["soort"] == "Integrale aanpak")
    multi_idx = trajecten.index[multi]
    pga = vervolgacties[
        (vervolgacties["doelgroep"] == "Multiproblematiek")
        & (vervolgacties["soort"] == "Integrale aanpak")
        & vervolgacties["melding_id"].notna()
        & vervolgacties["defect"].isna()
    ]
    groups = []
    for _, g in cal.stadsdelen.iterrows():
        new = pga[pga["stadsdeelgroep"] == g["stadsdeelgroep"]]
        old_n = (g["plannen_per_1_januari"] - g["pga_uit_meldingen"]) * scale
        old_people = registry.new(old_n, "Multiproblematiek") if old_n else np.array([], dtype=object)
        groups.append(
            pd.DataFrame(
                {
                    "persoon_id": np.concatenate([new["persoon_id"].to_numpy(), old_people]),
                    "stadsdeelgroep": g["stadsdeelgroep"],
                    "buurt": np.concatenate(
                        [
                            new["buurt"].to_numpy(),
                            _buurten(rng, np.full(old_n, g["stadsdeelgroep"], dtype=object), mapping),
                        ]
                    ),
                    "startdatum": np.concatenate(
                        [
                            new["datum"].to_numpy(),
                            _dates(rng, old_n, f"{year - 2}-01-01", f"{year - 1}-12-31"),
                        ]
                    ),
                }
            )
        )
    multi_people = pd.concat(groups, ignore_index=True)
    trajecten.loc[multi_idx, ["persoon_id", "stadsdeelgroep", "buurt", "startdatum"]] = multi_people[
        ["persoon_id", "stadsdeelgroep", "buurt", "startdatum"]
    ].to_numpy()
    trajecten.loc[multi_idx, "einddatum"] = pd.NaT
