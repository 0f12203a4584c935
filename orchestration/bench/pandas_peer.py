"""The pandas peer: the report cells as an analyst would compute them by hand in pandas.

The raw tables are read with DuckDB into data frames (only the columns needed), the seeds with
pandas; everything after that is pandas: latest versions, code lists, the district, the four
harmonised sets (meldingen, vervolgacties, trajecten, huisverboden) and the cells of each table.
It follows the definitions in dbt_project/models (intermediate/ and intermediate/cellen/).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.bench.reference import SEEDS, TYPED_COLUMNS, seed_path

ZUID_WEST = "Zuid-West en centrum (inclusief OGGZ)"  # where multiproblematiek without an address counts
STADSDEELGROEPEN = ["Noord-West", "Noord-Oost", "Zuid-Oost", ZUID_WEST]
GEMEENTE_KOLOMMEN = {
    "Maastricht": "Maastricht",
    "Eijsden-Margraten": "Eijsden-Margraten",
    "Meerssen": "Meerssen",
    "Valkenburg aan de Geul": "Valkenburg",
}
RAW_COLUMNS = {
    "politie_mutaties": "mutatienummer, versie, mutatiedatum, selectiecode, pleegplaats, rol, is_testpersoon, "
    "_row_number",
    "vh_meldingen": "melding_id, meldingsdatum, herkomst, doelgroep_code, gemeente, buurt, is_testpersoon, "
    "gewijzigd_op, _loaded_at",
    "vh_vervolgacties": "vervolgactie_id, melding_id, datum, soort_code, doelgroep_code, gemeente, persoon_sleutel, "
    "naam_sleutel, is_testpersoon, gewijzigd_op, _loaded_at",
    "vh_trajecten": "traject_id, categorie, soort_code, doelgroep_code, gemeente, buurt, startdatum, einddatum, "
    "persoon_sleutel, naam_sleutel, is_testpersoon, gewijzigd_op, _loaded_at",
    "om_casusoverleggen": "casusoverleg_id, soort_overleg, datum_overleg, pleeggemeente, persoon_sleutel, "
    "naam_sleutel, leeftijdsklasse, is_testpersoon, gewijzigd_op, _loaded_at",
    "om_veelplegersplannen": "plan_id, doelgroep, gemeente, startdatum, einddatum, persoon_sleutel, naam_sleutel, "
    "is_testpersoon, gewijzigd_op, _loaded_at",
    "om_strafzaken": "parketnummer, feitdatum, persoon_sleutel, naam_sleutel, is_testpersoon, gewijzigd_op, _loaded_at",
    "gemeenten_huisverboden": "registratienummer, gemeente, datum_rihg, opgelegd, ingetrokken, verlengd, "
    "persoon_sleutel, naam_sleutel, is_testpersoon, _loaded_at, _delivery_id, _row_number",
}


def read_raw(warehouse: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {table: con.execute(f"select {columns} from raw.{table}").df() for table, columns in RAW_COLUMNS.items()}
    finally:
        con.close()


def read_seeds() -> dict[str, pd.DataFrame]:
    seeds = {}
    for seed in SEEDS:
        frame = pd.read_csv(seed_path(seed), dtype=str, keep_default_na=False, na_values=[""])
        for column, kind in TYPED_COLUMNS.get(seed, {}).items():
            if kind == "boolean":
                frame[column] = frame[column] == "true"
            elif kind == "date":
                frame[column] = pd.to_datetime(frame[column])
            else:
                frame[column] = frame[column].astype(int)
        seeds[seed] = frame
    return seeds


# -- helpers ---------------------------------------------------------------------------------------


def latest(frame: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    """The latest version of each record: the last by `order`."""
    return frame.sort_values(order, ascending=False).drop_duplicates(key)


def iso_date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.str[:10], format="%Y-%m-%d", errors="coerce")


def person_key(frame: pd.DataFrame) -> pd.Series:
    return ("bsn:" + frame["persoon_sleutel"]).fillna("naam:" + frame["naam_sleutel"])


def code_list(seeds: dict[str, pd.DataFrame], name: str) -> dict[str, str]:
    codes = seeds["vh_codes"]
    codes = codes[codes["codelijst"] == name]
    return dict(zip(codes["code"], codes["omschrijving"], strict=True))


def in_district(frame: pd.DataFrame, place: str, seeds: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The record's gemeente by its place name, and only records in the district and not on a test person."""
    gemeenten = seeds["gemeenten"].set_index("naam_in_bron")
    district = frame[place].map(gemeenten["in_district"]).fillna(False).astype(bool)
    test = frame["is_testpersoon"].fillna(False).astype(bool)
    return frame.assign(gemeente=frame[place].map(gemeenten["gemeente"]))[district & ~test]


def stadsdeelgroep(frame: pd.DataFrame, on: pd.Series, seeds: dict[str, pd.DataFrame]) -> pd.Series:
    """The report's stadsdeelgroep of each record's buurt as it was on the date `on`."""
    joined = (
        pd.DataFrame({"buurt": frame["buurt"], "op": on}).reset_index().merge(seeds["stadsdelen_buurten"], on="buurt")
    )
    valid = joined[(joined["op"] >= joined["geldig_van"]) & (joined["op"] <= joined["geldig_tot"])]
    return valid.drop_duplicates("index").set_index("index")["stadsdeelgroep_jaarverslag"].reindex(frame.index)


def within_days(left: pd.DataFrame, right: pd.DataFrame, on: list[str], dates: tuple[str, str], days: int):
    """Pairs of rows agreeing on `on` (no nulls) whose dates lie at most `days` apart."""
    pairs = left.dropna(subset=on).merge(right.dropna(subset=on), on=on)
    return pairs[(pairs[dates[0]] - pairs[dates[1]]).abs() <= pd.Timedelta(days=days)]


# -- the harmonised sets ---------------------------------------------------------------------------


def meldingen(raw: dict[str, pd.DataFrame], seeds: dict[str, pd.DataFrame]) -> pd.DataFrame:
    mutaties = raw["politie_mutaties"].assign(versie=lambda f: f["versie"].astype(int))
    mutaties = mutaties[mutaties["versie"] == mutaties.groupby("mutatienummer")["versie"].transform("max")]
    on_test_person = mutaties["is_testpersoon"].fillna(False).astype(bool).groupby(mutaties["mutatienummer"])
    mutaties = mutaties[~on_test_person.transform("any")]
    mutaties = in_district(mutaties, "pleegplaats", seeds)
    # the melding's person is its first suspect
    mutaties = mutaties.assign(verdachte=mutaties["rol"] == "Verdachte").sort_values(
        ["verdachte", "_row_number"], ascending=[False, True]
    )
    selectiecodes = seeds["politie_selectiecodes"].set_index("selectiecode")["doelgroep"]
    politie = mutaties.drop_duplicates("mutatienummer").pipe(
        lambda f: pd.DataFrame(
            {
                "melding_id": f["mutatienummer"],
                "herkomst": "politie",
                "meldingsdatum": pd.to_datetime(f["mutatiedatum"], format="%d-%m-%Y", errors="coerce"),
                "doelgroep": f["selectiecode"].map(selectiecodes),
                "gemeente": f["gemeente"],
                "buurt": None,
            }
        )
    )
    register = latest(raw["vh_meldingen"], "melding_id", ["gewijzigd_op", "_loaded_at"])
    register = in_district(register, "gemeente", seeds)
    register = pd.DataFrame(
        {
            "melding_id": register["melding_id"],
            "herkomst": register["herkomst"].replace("partner", "partners"),
            "meldingsdatum": iso_date(register["meldingsdatum"]),
            "doelgroep": register["doelgroep_code"].map(code_list(seeds, "doelgroep")),
            "gemeente": register["gemeente"],
            "buurt": register["buurt"].replace("", None),
        }
    )
    alle = pd.concat([politie, register], ignore_index=True)
    groep = stadsdeelgroep(alle, alle["meldingsdatum"], seeds)
    groep = groep.fillna(pd.Series(np.where(alle["doelgroep"] == "Multiproblematiek", ZUID_WEST, None), alle.index))
    return alle.assign(jaar=alle["meldingsdatum"].dt.year, stadsdeelgroep=groep)


def casusoverleggen(raw: dict[str, pd.DataFrame], seeds: dict[str, pd.DataFrame]) -> pd.DataFrame:
    overleggen = latest(raw["om_casusoverleggen"], "casusoverleg_id", ["gewijzigd_op", "_loaded_at"])
    overleggen = in_district(overleggen, "pleeggemeente", seeds)
    soorten = seeds["om_overlegsoorten"].set_index("soort_overleg")
    by_age = np.where(overleggen["leeftijdsklasse"].isin(["12-17", "18-23"]), "Jeugd", "Volwassen veelplegers")
    return pd.DataFrame(
        {
            "casusoverleg_id": overleggen["casusoverleg_id"],
            "soort_overleg": overleggen["soort_overleg"],
            "soort": overleggen["soort_overleg"].map(soorten["vervolgactie_soort"]),
            "kort_traject": overleggen["soort_overleg"].map(soorten["kort_traject"]).fillna(False).astype(bool),
            "doelgroep": overleggen["soort_overleg"]
            .map(soorten["doelgroep"])
            .fillna(pd.Series(by_age, overleggen.index)),
            "datum": iso_date(overleggen["datum_overleg"]),
            "gemeente": overleggen["gemeente"],
            "persoon_key": person_key(overleggen),
        }
    )


def vervolgacties(raw: dict[str, pd.DataFrame], seeds: dict[str, pd.DataFrame], om: pd.DataFrame) -> pd.DataFrame:
    register = latest(raw["vh_vervolgacties"], "vervolgactie_id", ["gewijzigd_op", "_loaded_at"])
    register = in_district(register, "gemeente", seeds)
    register = pd.DataFrame(
        {
            "vervolgactie_id": register["vervolgactie_id"],
            "melding_id": register["melding_id"].replace("", None),
            "datum": iso_date(register["datum"]),
            "soort": register["soort_code"].map(code_list(seeds, "vervolgactie_soort")),
            "doelgroep": register["doelgroep_code"].map(code_list(seeds, "doelgroep")),
            "persoon_key": person_key(register),
        }
    )
    # a JCO the register also recorded (same person and kind, at most 14 days apart) counts once, as the OM's
    same_jco = within_days(register, om, ["persoon_key", "soort"], ("datum_x", "datum_y"), 14)
    register = register[~register["vervolgactie_id"].isin(same_jco["vervolgactie_id"])]
    from_om = om[["soort", "doelgroep", "datum"]].assign(melding_id=None)
    alle = pd.concat([from_om, register[["soort", "doelgroep", "datum", "melding_id"]]], ignore_index=True)
    return alle.assign(jaar=alle["datum"].dt.year)


def trajecten(raw: dict[str, pd.DataFrame], seeds: dict[str, pd.DataFrame], om: pd.DataFrame) -> pd.DataFrame:
    register = latest(raw["vh_trajecten"], "traject_id", ["gewijzigd_op", "_loaded_at"])
    register = in_district(register, "gemeente", seeds)
    register = pd.DataFrame(
        {
            "categorie": register["categorie"],
            "soort": register["soort_code"].map(code_list(seeds, "traject_soort")),
            "doelgroep": register["doelgroep_code"].map(code_list(seeds, "doelgroep")),
            "gemeente": register["gemeente"],
            "buurt": register["buurt"].replace("", None),
            "startdatum": iso_date(register["startdatum"]),
            "einddatum": iso_date(register["einddatum"]),
            "persoon_key": person_key(register),
        }
    )
    jco = om[om["kort_traject"]]
    jco = pd.DataFrame(
        {
            "categorie": "kort",
            "soort": jco["soort_overleg"],
            "doelgroep": jco["doelgroep"],
            "gemeente": jco["gemeente"],
            "startdatum": jco["datum"],
            "einddatum": jco["datum"],
            "persoon_key": jco["persoon_key"],
        }
    )
    plannen = latest(raw["om_veelplegersplannen"], "plan_id", ["gewijzigd_op", "_loaded_at"])
    plannen = in_district(plannen, "gemeente", seeds)
    plannen = pd.DataFrame(
        {
            "categorie": "lang",
            "soort": "Justitieel veelplegersplan",
            "doelgroep": plannen["doelgroep"],
            "gemeente": plannen["gemeente"],
            "startdatum": iso_date(plannen["startdatum"]),
            "einddatum": iso_date(plannen["einddatum"]),
            "persoon_key": person_key(plannen),
        }
    )
    return pd.concat([register, jco, plannen], ignore_index=True)


def huisverboden(raw: dict[str, pd.DataFrame], seeds: dict[str, pd.DataFrame]) -> pd.DataFrame:
    registraties = latest(
        raw["gemeenten_huisverboden"], "registratienummer", ["_loaded_at", "_delivery_id", "_row_number"]
    )
    registraties = in_district(registraties, "gemeente", seeds)
    registraties = registraties.assign(
        datum_rihg=iso_date(registraties["datum_rihg"]),
        is_opgelegd=registraties["opgelegd"] == "Ja",
        is_ingetrokken=registraties["ingetrokken"] == "Ja",
        is_verlengd=registraties["verlengd"] == "Ja",
        persoon_key=person_key(registraties),
    )
    strafzaken = latest(raw["om_strafzaken"], "parketnummer", ["gewijzigd_op", "_loaded_at"])
    strafzaken = strafzaken[~strafzaken["is_testpersoon"].fillna(False).astype(bool)]
    strafzaken = pd.DataFrame({"persoon_key": person_key(strafzaken), "feitdatum": iso_date(strafzaken["feitdatum"])})
    # samenloop met strafrecht: a strafzaak against the pleger within 30 days of the RIHG
    samen = within_days(registraties, strafzaken, ["persoon_key"], ("datum_rihg", "feitdatum"), 30)
    met_strafzaak = registraties["registratienummer"].isin(samen["registratienummer"])
    return registraties.assign(
        jaar=registraties["datum_rihg"].dt.year, is_samenloop_strafrecht=registraties["is_opgelegd"] & met_strafzaak
    )


# -- the cells -------------------------------------------------------------------------------------


def count_on_grid(grid: pd.DataFrame, rows: pd.DataFrame, on: list[str], distinct: str | None = None) -> pd.DataFrame:
    """Per grid row (with its rij and kolom): how many `rows` match it on `on` (distinct values of `distinct`)."""
    grouped = rows.dropna(subset=on).groupby(on)
    counts = (grouped[distinct].nunique() if distinct else grouped.size()).rename("waarde").reset_index()
    cells = grid.merge(counts, on=on, how="left").fillna({"waarde": 0})
    return cells[["rij", "kolom", "waarde"]].astype({"waarde": int})


def with_totals(cells: pd.DataFrame, row_totals: bool = True, column_totals: bool = True) -> pd.DataFrame:
    parts = [cells]
    if row_totals:
        parts.append(cells.groupby("rij", as_index=False)["waarde"].sum().assign(kolom="Totaal"))
    if column_totals:
        parts.append(cells.groupby("kolom", as_index=False)["waarde"].sum().assign(rij="Totaal"))
        if row_totals:
            parts.append(pd.DataFrame({"rij": ["Totaal"], "kolom": ["Totaal"], "waarde": [cells["waarde"].sum()]}))
    return pd.concat(parts, ignore_index=True)


def percentage(part: pd.Series, whole: int) -> pd.Series:
    """Whole percentages, halves rounded up, as the report prints them."""
    return np.floor(part * 100.0 / whole + 0.5).astype(int) if whole else part * 0


def gemeente_grid(seeds: dict[str, pd.DataFrame], label: str) -> pd.DataFrame:
    """Doelgroep × gemeente, the doelgroepen the VH serves for Maastricht only without other gemeenten."""
    kolommen = pd.DataFrame({"gemeente": list(GEMEENTE_KOLOMMEN), "kolom": list(GEMEENTE_KOLOMMEN.values())})
    grid = seeds["doelgroepen"].merge(kolommen, how="cross")
    grid = grid[~grid["alleen_maastricht"] | (grid["gemeente"] == "Maastricht")]
    return grid.assign(rij=grid[label])


def tabel_1(jaar_meldingen: pd.DataFrame) -> pd.DataFrame:
    rijen = {
        "politie": "Mutaties politie",
        "gevangeniswezen": "Meldingen gevangeniswezen (nazorg ex-gedetineerden)",
        "partners": "Meldingen partners",
    }
    counts = jaar_meldingen["herkomst"].value_counts()
    aantal = pd.DataFrame({"rij": list(rijen.values()), "kolom": "aantal", "waarde": [counts.get(h, 0) for h in rijen]})
    aantal = with_totals(aantal, row_totals=False)
    totaal = int(aantal["waarde"].iloc[-1])
    return pd.concat([aantal, aantal.assign(kolom="% van totaal", waarde=percentage(aantal["waarde"], totaal))])


def tabel_4(jaar_vervolgacties: pd.DataFrame, seeds: dict[str, pd.DataFrame]) -> pd.DataFrame:
    kolommen = ["Jeugd", "Veelplegers", "Huiselijk geweld", "Volwassen ex-gedetineerden", "Multiproblematiek"]
    grid = seeds["vervolgactie_soorten"].merge(pd.DataFrame({"kolom": kolommen}), how="cross")
    grid = grid.assign(rij=grid["soort"])
    labelled = jaar_vervolgacties.merge(seeds["doelgroepen"][["doelgroep", "tabel_4"]], on="doelgroep")
    cells = with_totals(count_on_grid(grid, labelled.rename(columns={"tabel_4": "kolom"}), ["soort", "kolom"]))
    totalen = cells[cells["kolom"] == "Totaal"]
    grand = int(totalen.loc[totalen["rij"] == "Totaal", "waarde"].iloc[0])
    return pd.concat([cells, totalen.assign(kolom="% van totaal", waarde=percentage(totalen["waarde"], grand))])


def tabel_5(jaar_meldingen: pd.DataFrame, jaar_vervolgacties: pd.DataFrame, seeds: dict[str, pd.DataFrame]):
    multi = jaar_meldingen[jaar_meldingen["doelgroep"] == "Multiproblematiek"][["melding_id", "stadsdeelgroep"]]
    acties = jaar_vervolgacties.merge(multi, on="melding_id").merge(seeds["vervolgactie_soorten"], on="soort")
    grid = pd.DataFrame({"stadsdeelgroep": STADSDEELGROEPEN}).merge(
        pd.DataFrame({"tabel_5": ["Doorgestroomd naar PGA", "Afgehandeld door partners"]}), how="cross"
    )
    grid = grid.assign(rij=grid["stadsdeelgroep"], kolom=grid["tabel_5"])
    return with_totals(count_on_grid(grid, acties, ["stadsdeelgroep", "tabel_5"]), row_totals=False)


def traject_tabel(trajecten: pd.DataFrame, seeds: dict[str, pd.DataFrame], categorie: str, year: int):
    """Tables 6 and 7: clients with a traject of `categorie` running in the year, per doelgroep and gemeente."""
    running = trajecten[
        (trajecten["categorie"] == categorie)
        & (trajecten["startdatum"] <= pd.Timestamp(year, 12, 31))
        & (trajecten["einddatum"].isna() | (trajecten["einddatum"] >= pd.Timestamp(year, 1, 1)))
    ]
    rijen = ["Volwassen veelplegers", "Jeugd", "Huiselijk geweld", "Ex-gedetineerden", "Multiproblematiek"]
    grid = gemeente_grid(seeds, "tabel_6_7")
    grid = grid[grid["rij"].isin(rijen)]
    return with_totals(count_on_grid(grid, running, ["doelgroep", "gemeente"], distinct="persoon_key"))


def tabel_8(trajecten: pd.DataFrame, seeds: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """Integrale aanpak plans for multiproblematiek running on 1 January after the year, by stadsdeel then."""
    stock = pd.Timestamp(year + 1, 1, 1)
    plannen = trajecten[
        (trajecten["doelgroep"] == "Multiproblematiek")
        & (trajecten["soort"] == "Integrale aanpak")
        & (trajecten["startdatum"] <= stock)
        & (trajecten["einddatum"].isna() | (trajecten["einddatum"] >= stock))
    ]
    groep = stadsdeelgroep(plannen, pd.Series(stock, plannen.index), seeds).fillna(ZUID_WEST)
    counts = groep.value_counts()
    cells = pd.DataFrame(
        {"rij": STADSDEELGROEPEN, "kolom": "Aantal plannen", "waarde": [counts.get(g, 0) for g in STADSDEELGROEPEN]}
    )
    return with_totals(cells, row_totals=False)


def tabel_9(huisverboden: pd.DataFrame, year: int) -> pd.DataFrame:
    jaar = huisverboden[huisverboden["jaar"] == year]
    measures = {
        "Ingevulde RIHG’s": pd.Series(True, jaar.index),
        "Opgelegde huisverboden": jaar["is_opgelegd"],
        "Ingetrokken huisverbod": jaar["is_ingetrokken"],
        "Verlengd huisverbod": jaar["is_verlengd"],
        "Samenloop met strafrecht": jaar["is_samenloop_strafrecht"],
    }
    cells = pd.DataFrame(
        [
            (rij, kolom, int((geldt & (jaar["gemeente"] == gemeente)).sum()))
            for rij, geldt in measures.items()
            for gemeente, kolom in GEMEENTE_KOLOMMEN.items()
        ],
        columns=["rij", "kolom", "waarde"],
    )
    return with_totals(cells, column_totals=False)


def stadsdeel_tabel(jaar_meldingen: pd.DataFrame) -> pd.DataFrame:
    """Table 3: multiproblematiek meldingen per stadsdeelgroep."""
    counts = jaar_meldingen.loc[jaar_meldingen["doelgroep"] == "Multiproblematiek", "stadsdeelgroep"].value_counts()
    cells = pd.DataFrame(
        {"rij": STADSDEELGROEPEN, "kolom": "Aantal meldingen", "waarde": [counts.get(g, 0) for g in STADSDEELGROEPEN]}
    )
    return with_totals(cells, row_totals=False)


def bijlage_3(tabellen: dict[str, pd.DataFrame], seeds: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The appendix: the totals of Tables 1, 2, 4, 6 and 7 under its own labels, each rubriek totalled."""
    doelgroepen = seeds["doelgroepen"]
    overig = (
        pd.concat(
            [
                doelgroepen[["tabel_4", "bijlage_3_overig"]].set_axis(["label", "rij"], axis=1),
                doelgroepen[["tabel_6_7", "bijlage_3_overig"]].set_axis(["label", "rij"], axis=1),
            ]
        )
        .dropna()
        .drop_duplicates()
    )
    herkomst = {
        "Mutaties politie": "Politiemeldingen doelgroepen",
        "Meldingen gevangeniswezen (nazorg ex-gedetineerden)": "Meldingen gevangeniswezen",
        "Meldingen partners": "Meldingen door individuele professionals",
    }
    t1, t2, t4 = tabellen["1"], tabellen["2"], tabellen["4"]
    parts = [
        t1[(t1["kolom"] == "aantal") & t1["rij"].isin(herkomst)].assign(
            rij=lambda f: f["rij"].map(herkomst), kolom="Meldingen per herkomst"
        ),
        t2[t2["kolom"] == "Totaal"]
        .merge(doelgroepen[["tabel_2", "bijlage_3_meldingen"]], left_on="rij", right_on="tabel_2")
        .assign(rij=lambda f: f["bijlage_3_meldingen"], kolom="Meldingen per doelgroep"),
        t4[t4["rij"] == "Totaal"]
        .merge(overig, left_on="kolom", right_on="label", suffixes=("_tabel", ""))
        .assign(kolom="Vervolgacties per doelgroep"),
    ]
    for tabel, rubriek in (("6", "Korte trajecten per doelgroep"), ("7", "Lange trajecten per doelgroep")):
        t = tabellen[tabel]
        parts.append(
            t[t["kolom"] == "Totaal"]
            .merge(overig, left_on="rij", right_on="label", suffixes=("_tabel", ""))
            .assign(kolom=rubriek)
        )
    cells = pd.concat([p[["rij", "kolom", "waarde"]] for p in parts], ignore_index=True)
    return with_totals(cells, row_totals=False)


def peer_cells(warehouse: Path, year: int) -> pd.DataFrame:
    """Every report cell (tabel, rij, kolom, waarde) of `year`, computed in pandas from the raw layer."""
    raw = read_raw(warehouse)
    seeds = read_seeds()
    alle_meldingen = meldingen(raw, seeds)
    om = casusoverleggen(raw, seeds)
    alle_trajecten = trajecten(raw, seeds, om)
    jaar_meldingen = alle_meldingen[alle_meldingen["jaar"] == year]
    alle_vervolgacties = vervolgacties(raw, seeds, om)
    jaar_vervolgacties = alle_vervolgacties[alle_vervolgacties["jaar"] == year]
    meldingen_per_doelgroep = count_on_grid(gemeente_grid(seeds, "tabel_2"), jaar_meldingen, ["doelgroep", "gemeente"])
    tabellen = {
        "1": tabel_1(jaar_meldingen),
        "2": with_totals(meldingen_per_doelgroep),
        "3": stadsdeel_tabel(jaar_meldingen),
        "4": tabel_4(jaar_vervolgacties, seeds),
        "5": tabel_5(jaar_meldingen, jaar_vervolgacties, seeds),
        "6": traject_tabel(alle_trajecten, seeds, "kort", year),
        "7": traject_tabel(alle_trajecten, seeds, "lang", year),
        "8": tabel_8(alle_trajecten, seeds, year),
        "9": tabel_9(huisverboden(raw, seeds), year),
    }
    tabellen["B3"] = bijlage_3(tabellen, seeds)
    cells = pd.concat([t.assign(tabel=name) for name, t in tabellen.items()], ignore_index=True)
    return cells[["tabel", "rij", "kolom", "waarde"]].astype({"waarde": int}).reset_index(drop=True)
