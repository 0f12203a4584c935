"""Small-cell suppression: small counts hidden, and no hidden count can be worked back from the totals.

The checks here are written independently of the suppression code: a table's sums are found again
from its labels, and two attackers try to recover hidden cells, one with linear algebra (exact
equations) and one reasoning with bounds ('<5' is 1..4, 'x' is 0 or at least 5) the way a reader with
a pencil would, row by row and column by column until nothing changes.
"""

import random

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.publishing.layout import TABLES
from orchestration.publishing.published_copy import publish_copy
from orchestration.publishing.report_tables import load_report_tables
from orchestration.publishing.suppression import SuppressionSettings, suppress

THRESHOLDS = (5, 10)


@pytest.fixture(scope="module")
def published(pipeline, tmp_path_factory):
    return publish_copy(pipeline.paths.warehouse, tmp_path_factory.mktemp("published") / "vh_marts.duckdb")


# --- an attacker's view of a shown table, independent of the suppression code --------------------------------


def sums_of(exact: pd.DataFrame) -> list[tuple[list[tuple[int, str]], tuple[int, str]]]:
    """(members, total) per row with a 'totaal' column and per column with a 'Totaal' row, per block of Bijlage 3."""
    if "rubriek" in exact.columns:
        blocks = [list(rows) for rows in exact.reset_index(drop=True).groupby("rubriek", sort=False).indices.values()]
        label = "omschrijving"
    else:
        blocks, label = [list(range(len(exact)))], exact.columns[0]
    counts = [c for c in exact.columns if c not in ("rubriek", label) and not c.startswith("percentage")]
    sums = []
    for rows in blocks:
        present = {(r, c) for r in rows for c in counts if not pd.isna(exact[c].iloc[r])}
        if "totaal" in counts:
            for r in rows:
                members = [(r, c) for c in counts if c != "totaal" and (r, c) in present]
                if members and (r, "totaal") in present:
                    sums.append((members, (r, "totaal")))
        total_rows = [r for r in rows if exact[label].iloc[r] == "Totaal"]
        if total_rows:
            for c in counts:
                members = [(r, c) for r in rows if r != total_rows[0] and (r, c) in present]
                if members and (total_rows[0], c) in present:
                    sums.append((members, (total_rows[0], c)))
    return sums


def hidden_cells(exact: pd.DataFrame, shown: pd.DataFrame) -> set[tuple[int, str]]:
    """Cells that hold a count in the exact table and a label ('<5', 'x') in the shown one."""
    counts = [c for c in exact.columns if pd.api.types.is_numeric_dtype(exact[c])]
    return {(r, c) for c in counts for r, v in enumerate(shown[c]) if isinstance(v, str)}


def linearly_recoverable(exact, shown) -> list:
    """Hidden cells whose value the sums fix exactly: their unit vector lies in the row space of the equations."""
    hidden = sorted(hidden_cells(exact, shown))
    index = {cell: i for i, cell in enumerate(hidden)}
    rows = []
    for members, total in sums_of(exact):
        row = np.zeros(len(hidden))
        for cell, sign in [*((m, 1) for m in members), (total, -1)]:
            if cell in index:
                row[index[cell]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return []
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    return [c for c in hidden if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(hidden))[index[c]]])) == rank]


def pinned_by_bounds(exact, shown, threshold) -> list:
    """Hidden cells a reader pins down from the sums and the labels by narrowing bounds until nothing changes."""
    hidden = hidden_cells(exact, shown)
    ceiling = sum(int(v) for c in exact.columns[1:] for v in exact[c] if not isinstance(v, str) and not pd.isna(v))
    bounds = {
        cell: (1, threshold - 1) if shown[cell[1]].iloc[cell[0]].startswith("<") else (0, ceiling) for cell in hidden
    }
    value = {(r, c): int(exact[c].iloc[r]) for r in range(len(exact)) for c in exact.columns if (r, c) not in hidden
             and not isinstance(exact[c].iloc[r], str) and not pd.isna(exact[c].iloc[r])}  # fmt: skip
    changed = True
    while changed:
        changed = False
        for members, total in sums_of(exact):
            terms = [(m, 1) for m in members] + [(total, -1)]  # sum of sign * cell = 0
            for cell, sign in terms:
                if cell not in hidden:
                    continue
                low = high = 0
                for other, other_sign in terms:
                    if other == cell:
                        continue
                    lo, hi = bounds[other] if other in hidden else (value[other], value[other])
                    low, high = (
                        low - other_sign * (hi if other_sign > 0 else lo),
                        high - other_sign * (lo if other_sign > 0 else hi),
                    )
                lo, hi = (low, high) if sign > 0 else (-high, -low)  # fmt: skip
                new_lo, new_hi = max(bounds[cell][0], lo), min(bounds[cell][1], hi)
                if shown[cell[1]].iloc[cell[0]] == "x" and new_lo > 0:
                    new_lo = max(new_lo, threshold)  # an 'x' is no small count: that would read '<t'
                if (new_lo, new_hi) != bounds[cell]:
                    bounds[cell], changed = (new_lo, new_hi), True
    return sorted(cell for cell, (lo, hi) in bounds.items() if lo == hi)


def assert_safely_suppressed(exact: pd.DataFrame, shown: pd.DataFrame, threshold: int) -> None:
    counts = [c for c in exact.columns if pd.api.types.is_numeric_dtype(exact[c])]
    for c in counts:
        for r, (original, value) in enumerate(zip(exact[c], shown[c], strict=True)):
            if pd.isna(original):
                assert value is None, f"{(r, c)}: a cell the report leaves empty stays empty"
            elif 0 < original < threshold and not c.startswith("percentage"):
                assert value == f"<{threshold}", f"{(r, c)}: small count {original} shown as {value!r}"
            elif not isinstance(value, str):
                assert value == original, f"{(r, c)}: published {value}, exact {original}"
            else:
                assert value == "x", f"{(r, c)}: hidden cell of {original} labelled {value!r}"
    for members, total in sums_of(exact):
        line = [*members, total]
        n_hidden = sum(isinstance(shown[c].iloc[r], str) for r, c in line)
        assert n_hidden != 1, f"exactly one hidden cell in the sum {line}: recoverable from the total"
    assert linearly_recoverable(exact, shown) == []
    assert pinned_by_bounds(exact, shown, threshold) == []


# --- the 2011 world -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_every_table_of_the_2011_world_hides_small_counts_recoverably_from_no_total(published, threshold):
    with duckdb.connect(str(published), read_only=True) as con:
        tables = load_report_tables(con, SuppressionSettings(threshold))
    assert [t.layout.key for t in tables] == [t.key for t in TABLES]
    hidden = 0
    for table in tables:
        assert_safely_suppressed(table.exact, table.shown, threshold)
        hidden += len(hidden_cells(table.exact, table.shown))
    assert hidden > 10, "the threshold must make cells go; else this test proves nothing"


def test_bijlage_3_hides_what_the_tables_it_repeats_hide(published):
    with duckdb.connect(str(published), read_only=True) as con:
        by_key = {t.layout.key: t.shown for t in load_report_tables(con, SuppressionSettings(10))}
    rubriek = by_key["B3"][by_key["B3"]["rubriek"] == "Lange trajecten per doelgroep"]
    assert list(rubriek["aantal"]) == list(by_key["7"]["totaal"])


def test_the_marts_stay_exact(published):
    with duckdb.connect(str(published), read_only=True) as con:
        before = con.execute("from marts.tabel_07_plannen_van_aanpak_per_doelgroep").fetchall()
        load_report_tables(con, SuppressionSettings(10))
        assert con.execute("from marts.tabel_07_plannen_van_aanpak_per_doelgroep").fetchall() == before


# --- worked examples ----------------------------------------------------------------------------------------


def table(rows: dict[str, list[int | None]], columns=("a", "b", "c", "totaal")) -> pd.DataFrame:
    return pd.DataFrame([[label, *values] for label, values in rows.items()], columns=["rij", *columns])


def test_a_lone_small_cell_takes_the_smallest_other_cell_of_its_row_with_it():
    exact = table({"p": [50, 3, 20, 73], "q": [40, 30, 25, 95], "Totaal": [90, 33, 45, 168]})
    shown = suppress(exact, 5)
    assert list(shown.iloc[0]) == ["p", 50, "<5", "x", 73]
    assert_safely_suppressed(exact, shown, 5)


def test_small_cells_that_sum_to_a_known_remainder_are_protected_too():
    # 37 + <5 + <5 + <5 = 40 gives three ones away, though the row holds three hidden cells
    exact = table(
        {"g": [37, 1, 1, 1, 40], "v": [128, 7, 3, 25, 163], "j": [1557, 263, 158, 123, 2101],
         "Totaal": [1722, 271, 162, 149, 2304]},
        columns=("m", "e", "me", "va", "totaal"),
    )  # fmt: skip
    shown = suppress(exact, 5)
    assert shown["m"].iloc[0] == "x" or shown["totaal"].iloc[0] == "x"
    assert_safely_suppressed(exact, shown, 5)


def test_a_small_total_is_hidden_and_cannot_be_recovered():
    exact = table({"p": [2, 0, 1, 3], "q": [40, 30, 25, 95], "Totaal": [42, 30, 26, 98]})
    shown = suppress(exact, 5)
    assert shown["totaal"].iloc[0] == "<5"
    assert_safely_suppressed(exact, shown, 5)


def test_totals_stay_published_when_other_cells_can_protect():
    exact = table({"p": [50, 3, 20, 73], "q": [40, 30, 25, 95], "Totaal": [90, 33, 45, 168]})
    shown = suppress(exact, 5)
    assert list(shown["totaal"]) == [73, 95, 168]
    assert list(shown[shown["rij"] == "Totaal"].iloc[0])[1:] == [90, 33, 45, 168]


def test_a_percentage_is_hidden_with_the_count_it_is_a_share_of():
    exact = pd.DataFrame(
        {"herkomst": ["a", "b", "c", "Totaal"], "aantal": [96, 2, 2, 100], "percentage_van_totaal": [96, 2, 2, 100]}
    )
    shown = suppress(exact, 5)
    assert list(shown["aantal"]) == [96, "<5", "<5", 100]
    assert list(shown["percentage_van_totaal"]) == [96, "x", "x", 100]


def test_the_threshold_is_a_setting_and_appears_in_the_label(monkeypatch):
    monkeypatch.setenv("VH_SUPPRESSION_THRESHOLD", "10")
    settings = SuppressionSettings.from_env()
    assert settings.threshold == 10 and settings.primary_label == "<10"
    assert suppress(table({"p": [50, 7, 20, 77], "Totaal": [50, 7, 20, 77]}), 10)["b"].iloc[0] == "<10"
    with pytest.raises(ValueError, match="at least 3"):
        SuppressionSettings(2)


# --- property: random tables ----------------------------------------------------------------------------------


def random_table(rng: random.Random) -> pd.DataFrame:
    """A table like the report's: counts per row and column, some rows with one column only (null elsewhere),
    many small counts and zeros, a total column and a total row."""
    n_rows, n_cols = rng.randint(2, 5), rng.randint(2, 4)
    columns = [f"k{i}" for i in range(n_cols)]
    rows = {}
    for i in range(n_rows):
        only_first = rng.random() < 0.2
        values = [
            None if only_first and j > 0 else rng.choice([0, rng.randint(1, 9), rng.randint(1, 9), rng.randint(10, 80)])
            for j in range(n_cols)
        ]
        rows[f"r{i}"] = [*values, sum(v or 0 for v in values)]
    frame = pd.DataFrame([[k, *v] for k, v in rows.items()], columns=["rij", *columns, "totaal"])
    for column in [*columns, "totaal"]:
        frame[column] = frame[column].astype("Int64")
    total = ["Totaal", *(int(frame[c].fillna(0).sum()) for c in [*columns, "totaal"])]
    return pd.concat(
        [frame, pd.DataFrame([total], columns=frame.columns).astype(frame.dtypes.to_dict())], ignore_index=True
    )


@pytest.mark.parametrize("seed", range(4))
def test_random_tables_never_give_a_hidden_count_away(seed):
    rng = random.Random(seed)
    for _ in range(15):
        exact = random_table(rng)
        threshold = rng.choice(THRESHOLDS)
        assert_safely_suppressed(exact, suppress(exact, threshold), threshold)


# --- across tables ------------------------------------------------------------------------------------------------


def shown_identities(tables) -> list[tuple[object, object, str]]:
    """Each identity of the report between two of Tables 1-9, with the figure each side shows."""
    from expectations.identities import IDENTITIES

    shown = {}
    for table in tables:
        frame, label = table.shown, table.shown.columns[0]
        for _, row in frame.iterrows():
            for column in frame.columns[1:]:
                shown[table.layout.key, row[label], table.layout.heading(column)] = row[column]
    return [
        (shown[tuple(i.target)], shown[tuple(i.parts[0])], i.target.label())
        for i in IDENTITIES
        if "B3" not in {i.target.tabel, i.parts[0].tabel}
    ]


def test_a_figure_two_tables_share_is_hidden_in_both_or_in_neither(published, tmp_path):
    """Six huisverboden imposed in Valkenburg: Table 7 hides its 6 to protect the small counts of its
    Valkenburg column; Table 9 alone would print the 6, and the reader would work Table 7's cells out."""
    copy = tmp_path / "vh_marts.duckdb"
    copy.write_bytes(published.read_bytes())
    with duckdb.connect(str(copy)) as con:
        t7, t9 = "marts.tabel_07_plannen_van_aanpak_per_doelgroep", "marts.tabel_09_tijdelijk_huisverbod"
        (was,) = con.execute(f"select valkenburg from {t7} where doelgroep = 'Huiselijk geweld'").fetchone()
        assert was == con.execute(f"select valkenburg from {t9} where omschrijving like 'Opgelegde%'").fetchone()[0]
        step = 6 - was
        con.execute(f"update {t7} set valkenburg = 6, totaal = totaal + {step} where doelgroep = 'Huiselijk geweld'")
        con.execute(
            f"update {t7} set valkenburg = valkenburg + {step}, totaal = totaal + {step} where doelgroep = 'Totaal'"
        )
        con.execute(f"update {t9} set valkenburg = 6, totaal = totaal + {step} where omschrijving like 'Opgelegde%'")
        con.execute(
            """update marts.bijlage_3_in_een_oogopslag set aantal = aantal + ?
               where rubriek = 'Lange trajecten per doelgroep' and omschrijving in ('Huiselijk geweld', 'Totaal')""",
            [step],
        )
        exact = {t.layout.key: t.exact for t in load_report_tables(con, None)}
        tables = load_report_tables(con, SuppressionSettings(5))
    alone = {key: suppress(exact[key], 5) for key in ("7", "9")}
    assert (alone["7"].loc[2, "valkenburg"], alone["9"].loc[1, "valkenburg"]) == ("x", 6)  # the leak, uncoordinated
    by_key = {t.layout.key: t.shown for t in tables}
    assert (by_key["7"].loc[2, "valkenburg"], by_key["9"].loc[1, "valkenburg"]) == ("x", "x")
    assert [label for left, right, label in shown_identities(tables) if left != right] == []
    for table in tables:
        assert_safely_suppressed(table.exact, table.shown, 5)


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_every_identity_between_the_2011_tables_shows_the_same_figure_on_both_sides(published, threshold):
    with duckdb.connect(str(published), read_only=True) as con:
        identities = shown_identities(load_report_tables(con, SuppressionSettings(threshold)))
    assert len(identities) == 10 and any(isinstance(left, str) for left, _, _ in identities)
    assert [label for left, right, label in identities if left != right] == []
