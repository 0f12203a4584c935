"""The expected value of every report cell for a simulated world, written beside its deliveries.

Computed from the world's own frames (persons in clear, canonical names, no defects), in
pandas, independently of the pipeline, with the definitions documented in
`calibration/README.md`. The file has the long shape of the warehouse's `report_cells`
(tabel, rij, kolom, waarde), so the pipeline can be checked cell for cell on any year, scale
and seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sources.simulator.calibration import buurten
from sources.simulator.politie import SELECTIECODE
from sources.simulator.world import World

TRUTH_FILE = "report_cells.csv"
GEMEENTEN = ["Maastricht", "Eijsden-Margraten", "Meerssen", "Valkenburg aan de Geul"]
GEMEENTE_KOLOM = {"Valkenburg aan de Geul": "Valkenburg"}  # the tables' column heading
STADSDEELGROEPEN = ["Noord-West", "Noord-Oost", "Zuid-Oost", "Zuid-West en centrum (inclusief OGGZ)"]
OGGZ_GROEP = "Zuid-West en centrum (inclusief OGGZ)"
MAASTRICHT_ONLY = {"Volwassen ex-gedetineerden", "Multiproblematiek", "Centrum Jeugd en Gezin"}
T2_RIJEN = [
    "Jeugd",
    "Huiselijk geweld",
    "Volwassen veelplegers",
    "Geprioriteerden",
    "Volwassen ex-gedetineerden",
    "Multiproblematiek",
    "Centrum Jeugd en Gezin",
]
T4_RIJEN = [
    "Ter opvolging door partnerorganisatie(s)",
    "Zorgcasusoverleg",
    "Justitieel casusoverleg",
    "Justitieel casusoverleg volwassen veelplegers",
    "Integrale aanpak",
]
T4_KOLOMMEN = {
    "Jeugd": "Jeugd",
    "Volwassen veelplegers": "Veelplegers",
    "Huiselijk geweld": "Huiselijk geweld",
    "Volwassen ex-gedetineerden": "Volwassen ex-gedetineerden",
    "Multiproblematiek": "Multiproblematiek",
}
T67_RIJEN = {
    "Volwassen veelplegers": "Volwassen veelplegers",
    "Jeugd": "Jeugd",
    "Huiselijk geweld": "Huiselijk geweld",
    "Volwassen ex-gedetineerden": "Ex-gedetineerden",
    "Multiproblematiek": "Multiproblematiek",
}
T9_RIJEN = {
    "ingevuld": "Ingevulde RIHG’s",
    "opgelegd": "Opgelegde huisverboden",
    "ingetrokken": "Ingetrokken huisverbod",
    "verlengd": "Verlengd huisverbod",
    "samenloop": "Samenloop met strafrecht",
}
SAMENLOOP_DAGEN = 30  # a strafzaak against the pleger within this many days of the RIHG


def _cells(tabel: str, frame: pd.DataFrame, rij: str, kolom: str, waarde: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tabel": tabel,
            "rij": frame[rij].to_numpy(),
            "kolom": frame[kolom].to_numpy(),
            "waarde": frame[waarde].astype("int64").to_numpy(),
        }
    )


def _percent(part: pd.Series, total: int) -> pd.Series:
    """Whole percentages, halves rounded up, as the report prints them."""
    return np.floor(part * 100 / total + 0.5).astype("int64") if total else part * 0


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    return pd.to_datetime(dates).dt.year == year


def _active(start: pd.Series, end: pd.Series, first: str, last: str) -> pd.Series:
    start, end = pd.to_datetime(start), pd.to_datetime(end)
    return (start <= pd.Timestamp(last)) & (end.isna() | (end >= pd.Timestamp(first)))


def _grid(counts: pd.DataFrame, tabel: str, rijen: list[str], maastricht_only: set[str]) -> pd.DataFrame:
    """A doelgroep × gemeente table with row totals and a Totaal row, zero where nothing happened."""
    full = counts.set_index(["rij", "gemeente"])["waarde"]
    rows = []
    for rij in rijen:
        gemeenten = ["Maastricht"] if rij in maastricht_only else GEMEENTEN
        values = [int(full.get((rij, g), 0)) for g in gemeenten]
        rows += [(rij, GEMEENTE_KOLOM.get(g, g), v) for g, v in zip(gemeenten, values, strict=True)]
        rows.append((rij, "Totaal", sum(values)))
    table = pd.DataFrame(rows, columns=["rij", "kolom", "waarde"])
    totals = table[table["kolom"] != "Totaal"].groupby("kolom", sort=False)["waarde"].sum()
    columns = [GEMEENTE_KOLOM.get(g, g) for g in GEMEENTEN]
    total_rows = [("Totaal", k, int(totals.get(k, 0))) for k in columns] + [("Totaal", "Totaal", int(totals.sum()))]
    table = pd.concat([table, pd.DataFrame(total_rows, columns=["rij", "kolom", "waarde"])], ignore_index=True)
    return table.assign(tabel=tabel)[["tabel", "rij", "kolom", "waarde"]]


def _column_table(tabel: str, counts: pd.Series, rijen: list[str], kolom: str) -> pd.DataFrame:
    rows = [(r, kolom, int(counts.get(r, 0))) for r in rijen]
    rows.append(("Totaal", kolom, sum(v for _, _, v in rows)))
    return pd.DataFrame(rows, columns=["rij", "kolom", "waarde"]).assign(tabel=tabel)[
        ["tabel", "rij", "kolom", "waarde"]
    ]


def stadsdeelgroep(buurt: pd.Series, on: str) -> pd.Series:
    """The report's stadsdeel group of a Maastricht buurt on a date; no buurt (OGGZ) → Zuid-West en centrum."""
    mapping = buurten(on).set_index("buurt")["stadsdeelgroep_jaarverslag"]
    return buurt.map(mapping).fillna(OGGZ_GROEP)


def report_cells(world: World) -> pd.DataFrame:
    """Every cell of Tables 1-9 and Bijlage 3 for the world's year."""
    meldingen, year_multi = _meldingen_tables(world)
    vervolgacties = _vervolgactie_tables(world, year_multi)
    tables = pd.concat([meldingen, vervolgacties, _traject_tables(world), _huisverbod_table(world)], ignore_index=True)
    return pd.concat([tables, bijlage_3(tables)], ignore_index=True)[["tabel", "rij", "kolom", "waarde"]]


def _meldingen_tables(world: World) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables 1-3, and the year's multiproblematiek meldingen (Table 5 follows them)."""
    year = world.year
    first = f"{year}-01-01"
    doelgroep_of = {code: d for d, code in SELECTIECODE.items()}
    mutaties = world.politie_mutaties.drop_duplicates("mutatienummer")
    mutaties = mutaties[_in_year(mutaties["mutatiedatum"], year)]
    politie = pd.DataFrame(
        {
            "herkomst": "politie",
            "doelgroep": mutaties["selectiecode"].map(doelgroep_of),
            "gemeente": mutaties["pleegplaats"],
        }
    )
    vh = world.meldingen[world.meldingen["defect"].isna() & _in_year(world.meldingen["meldingsdatum"], year)]
    meldingen = pd.concat([politie, vh[["herkomst", "doelgroep", "gemeente"]]], ignore_index=True)

    herkomst = meldingen["herkomst"].value_counts()
    t1_rijen = {
        "politie": "Mutaties politie",
        "gevangeniswezen": "Meldingen gevangeniswezen (nazorg ex-gedetineerden)",
        "partners": "Meldingen partners",
    }
    t1 = pd.DataFrame({"rij": list(t1_rijen.values()), "aantal": [int(herkomst.get(k, 0)) for k in t1_rijen]})
    total = int(t1["aantal"].sum())
    t1 = pd.concat([t1, pd.DataFrame({"rij": ["Totaal"], "aantal": [total]})], ignore_index=True)
    t1["% van totaal"] = _percent(t1["aantal"], total)
    t1 = t1.melt(id_vars="rij", var_name="kolom", value_name="waarde").assign(tabel="1")

    t2 = _grid(
        meldingen.groupby(["doelgroep", "gemeente"])
        .size()
        .rename("waarde")
        .reset_index()
        .rename(columns={"doelgroep": "rij"}),
        "2",
        T2_RIJEN,
        MAASTRICHT_ONLY,
    )
    multi = vh[vh["doelgroep"] == "Multiproblematiek"]
    t3 = _column_table("3", stadsdeelgroep(multi["buurt"], first).value_counts(), STADSDEELGROEPEN, "Aantal meldingen")
    return pd.concat([t1, t2, t3], ignore_index=True), multi


def _year_overleggen(world: World) -> pd.DataFrame:
    return world.casusoverleggen[_in_year(world.casusoverleggen["datum"], world.year)]


def _vervolgactie_tables(world: World, multi: pd.DataFrame) -> pd.DataFrame:
    """Tables 4 and 5."""
    year = world.year
    first = f"{year}-01-01"
    verv = world.vervolgacties
    own = verv[verv["defect"].isna() & _in_year(verv["datum"], year)]
    overleg = _year_overleggen(world)
    overleg_soort = np.where(
        overleg["soort_overleg"] == "JCO veelplegers",
        "Justitieel casusoverleg volwassen veelplegers",
        "Justitieel casusoverleg",
    )
    acties = pd.concat(
        [
            own[["soort", "doelgroep"]],
            pd.DataFrame({"soort": overleg_soort, "doelgroep": overleg["doelgroep"].to_numpy()}),
        ],
        ignore_index=True,
    )
    acties["kolom"] = acties["doelgroep"].map(T4_KOLOMMEN)
    counts = acties.groupby(["soort", "kolom"]).size()
    t4_rows = []
    for soort in T4_RIJEN:
        values = [int(counts.get((soort, k), 0)) for k in T4_KOLOMMEN.values()]
        t4_rows += [(soort, k, v) for k, v in zip(T4_KOLOMMEN.values(), values, strict=True)]
        t4_rows.append((soort, "Totaal", sum(values)))
    t4 = pd.DataFrame(t4_rows, columns=["rij", "kolom", "waarde"])
    col_totals = t4.groupby("kolom", sort=False)["waarde"].sum()
    t4 = pd.concat([t4, pd.DataFrame({"rij": "Totaal", "kolom": col_totals.index, "waarde": col_totals.to_numpy()})])
    grand = int(col_totals["Totaal"])
    row_totals = t4[t4["kolom"] == "Totaal"]
    t4 = pd.concat(
        [
            t4,
            pd.DataFrame(
                {"rij": row_totals["rij"], "kolom": "% van totaal", "waarde": _percent(row_totals["waarde"], grand)}
            ),
        ]
    ).assign(tabel="4")

    year_multi = multi.set_index("melding_id")
    t5_acties = own[own["melding_id"].isin(year_multi.index) & (own["doelgroep"] == "Multiproblematiek")]
    t5_acties = t5_acties.assign(
        groep=stadsdeelgroep(year_multi.loc[t5_acties["melding_id"], "buurt"], first).to_numpy()
    )
    t5 = pd.concat(
        [
            _column_table(
                "5",
                t5_acties[t5_acties["soort"] == "Integrale aanpak"]["groep"].value_counts(),
                STADSDEELGROEPEN,
                "Doorgestroomd naar PGA",
            ),
            _column_table(
                "5",
                t5_acties[t5_acties["soort"] == "Ter opvolging door partnerorganisatie(s)"]["groep"].value_counts(),
                STADSDEELGROEPEN,
                "Afgehandeld door partners",
            ),
        ]
    )
    return pd.concat([t4, t5], ignore_index=True)


def _traject_tables(world: World) -> pd.DataFrame:
    """Tables 6-8: clients with a short or long traject in the year, and the stock on 1 January after."""
    year = world.year
    first, last, stock_day = f"{year}-01-01", f"{year}-12-31", f"{year + 1}-01-01"
    overleg = _year_overleggen(world)
    traj = world.trajecten
    active = traj[_active(traj["startdatum"], traj["einddatum"], first, last)]
    persons_in = lambda frame: frame.groupby(["doelgroep", "gemeente"])["persoon_id"].nunique()  # noqa: E731
    kort = pd.concat(
        [
            active[active["categorie"] == "kort"][["doelgroep", "gemeente", "persoon_id"]],
            overleg[overleg["soort_overleg"] != "JCO veelplegers"][["doelgroep", "gemeente", "persoon_id"]],
        ]
    )
    plannen = world.veelplegersplannen
    lang = pd.concat(
        [
            active[active["categorie"] == "lang"][["doelgroep", "gemeente", "persoon_id"]],
            plannen[_active(plannen["startdatum"], plannen["einddatum"], first, last)][
                ["doelgroep", "gemeente", "persoon_id"]
            ],
        ]
    )
    t6, t7 = (
        _grid(
            persons_in(frame).rename("waarde").reset_index().assign(rij=lambda f: f["doelgroep"].map(T67_RIJEN)),
            tabel,
            list(T67_RIJEN.values()),
            {"Ex-gedetineerden", "Multiproblematiek"},
        )
        for tabel, frame in (("6", kort), ("7", lang))
    )
    stock = traj[
        (traj["soort"] == "Integrale aanpak")
        & (traj["doelgroep"] == "Multiproblematiek")
        & _active(traj["startdatum"], traj["einddatum"], stock_day, stock_day)
    ]
    t8 = _column_table(
        "8", stadsdeelgroep(stock["buurt"], stock_day).value_counts(), STADSDEELGROEPEN, "Aantal plannen"
    )
    return pd.concat([t6, t7, t8], ignore_index=True)


def _huisverbod_table(world: World) -> pd.DataFrame:
    """Table 9: RIHG's by date, with samenloop: a strafzaak against the pleger near the RIHG."""
    hv = world.huisverboden[_in_year(world.huisverboden["datum_rihg"], world.year)].copy()
    zaken = world.strafzaken
    joined = hv.merge(zaken[["persoon_id", "feitdatum"]], on="persoon_id", how="left")
    near = (joined["feitdatum"] - joined["datum_rihg"]).abs() <= pd.Timedelta(days=SAMENLOOP_DAGEN)
    with_zaak = set(joined.loc[near, "huisverbod_id"])
    hv["ingevuld"] = True
    hv["samenloop"] = hv["opgelegd"] & hv["huisverbod_id"].isin(with_zaak)
    t9_rows = []
    for key, rij in T9_RIJEN.items():
        per = hv[hv[key].astype(bool)].groupby("gemeente").size()
        values = [int(per.get(g, 0)) for g in GEMEENTEN]
        t9_rows += [(rij, GEMEENTE_KOLOM.get(g, g), v) for g, v in zip(GEMEENTEN, values, strict=True)]
        t9_rows.append((rij, "Totaal", sum(values)))
    return pd.DataFrame(t9_rows, columns=["rij", "kolom", "waarde"]).assign(tabel="9")


B3_MELDINGEN_DOELGROEP = {
    "Jeugd": "Jeugd",
    "Huiselijk geweld": "Huiselijk geweld",
    "Volwassen veelplegers": "Veelplegers",
    "Geprioriteerden": "Geprioriteerden",
    "Volwassen ex-gedetineerden": "Ex-gedetineerden",
    "Multiproblematiek": "Maatschappelijke uitval",
    "Centrum Jeugd en Gezin": "Centrum Jeugd&Gezin",
}
B3_DOELGROEP = {
    "Veelplegers": "Veel- en overlastplegers",
    "Volwassen veelplegers": "Veel- en overlastplegers",
    "Jeugd": "Jeugd",
    "Huiselijk geweld": "Huiselijk geweld",
    "Volwassen ex-gedetineerden": "Ex-gedetineerden",
    "Ex-gedetineerden": "Ex-gedetineerden",
    "Multiproblematiek": "Multiproblematiek",
}


def bijlage_3(tables: pd.DataFrame) -> pd.DataFrame:
    """Bijlage 3, '2012 in één oogopslag': the totals of Tables 1, 2, 4, 6 and 7 under their own labels."""

    def pick(tabel: str, kolom: str, exclude_totaal: bool = True) -> pd.DataFrame:
        sel = tables[(tables["tabel"] == tabel) & (tables["kolom"] == kolom)]
        return sel[sel["rij"] != "Totaal"] if exclude_totaal else sel

    parts = []
    herkomst = pick("1", "aantal").assign(
        rij=lambda f: f["rij"].map(
            {
                "Mutaties politie": "Politiemeldingen doelgroepen",
                "Meldingen gevangeniswezen (nazorg ex-gedetineerden)": "Meldingen gevangeniswezen",
                "Meldingen partners": "Meldingen door individuele professionals",
            }
        )
    )
    parts.append(herkomst.assign(kolom="Meldingen per herkomst"))
    parts.append(
        pick("2", "Totaal").assign(rij=lambda f: f["rij"].map(B3_MELDINGEN_DOELGROEP), kolom="Meldingen per doelgroep")
    )
    vervolg = tables[
        (tables["tabel"] == "4") & (tables["rij"] == "Totaal") & tables["kolom"].isin(T4_KOLOMMEN.values())
    ]
    parts.append(vervolg.assign(rij=lambda f: f["kolom"].map(B3_DOELGROEP), kolom="Vervolgacties per doelgroep"))
    parts.append(
        pick("6", "Totaal").assign(rij=lambda f: f["rij"].map(B3_DOELGROEP), kolom="Korte trajecten per doelgroep")
    )
    parts.append(
        pick("7", "Totaal").assign(rij=lambda f: f["rij"].map(B3_DOELGROEP), kolom="Lange trajecten per doelgroep")
    )
    b3 = pd.concat(parts, ignore_index=True)
    totals = b3.groupby("kolom", sort=False)["waarde"].sum().reset_index().assign(rij="Totaal")
    return pd.concat([b3, totals], ignore_index=True).assign(tabel="B3")[["tabel", "rij", "kolom", "waarde"]]


def write_truth(cells: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TRUTH_FILE
    cells.sort_values(["tabel", "rij", "kolom"]).to_csv(path, index=False)
    return path


def read_truth(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / TRUTH_FILE, dtype={"tabel": str})
