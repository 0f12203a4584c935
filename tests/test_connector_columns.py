"""The column-at-a-time work at the door gives what the value-at-a-time definitions give.

Connectors check, parse and pseudonymise each distinct value once (sources/connectors/distinct.py),
check nine-digit BSNs all at once (bsn.elfproef_passes) and hash each distinct value once
(persons, Pseudonymiser.each): every shortcut is compared here with the plain definition it replaces.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.bsn import elfproef_passes, passes_elfproef
from sources.connectors import distinct, persons, rules
from sources.pseudonymise import Pseudonymiser

KEY = b"test-key-columns"
# BSN-like text: mostly nine digits (ASCII or not), some of other lengths or with other characters
bsn_like = st.one_of(
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩ x-", min_size=0, max_size=11),
)


@given(
    st.lists(st.one_of(st.integers(0, 12), st.sampled_from([None, float("nan"), 7])), max_size=30),
    st.sampled_from([object, "string"]),
)
def test_the_length_rule_breaks_on_text_longer_than_the_limit_and_on_nothing_else(lengths, dtype):
    # a length stands for a text of that many characters; None, NaN and the number 7 for a missing or other value
    values = ["é" * n if type(n) is int and n != 7 else n for n in lengths]
    column = pd.Series(values, dtype=object).astype(dtype)
    broken = rules.at_most("veld", limit=10).check(column)
    expected = [isinstance(v, str) and len(v) > 10 for v in column.to_numpy(dtype=object)]
    assert np.asarray(broken, dtype=bool).tolist() == expected


@given(st.lists(bsn_like, max_size=50))
def test_the_column_11_proef_agrees_with_the_one_for_a_value(values):
    assert elfproef_passes(values).tolist() == [passes_elfproef(v) for v in values]


@given(st.lists(st.one_of(bsn_like, st.sampled_from([None, float("nan"), "", "   "])), max_size=50))
def test_the_11_proef_rule_breaks_on_a_filled_value_that_fails_and_on_nothing_else(values):
    broken = rules.elfproef("bsn").check(pd.Series(values, dtype=object))
    expected = [isinstance(v, str) and v.strip() != "" and not passes_elfproef(v) for v in values]
    assert np.asarray(broken, dtype=bool).tolist() == expected


# keys shorter than SHA-256's block, as long as it, and longer (which HMAC hashes first)
@pytest.mark.parametrize("key", [KEY, b"k" * 64, bytes(range(256)) * 2, b""])
def test_pseudonyms_are_the_keyed_hmac_of_domain_and_value_whether_one_or_many(key):
    values = ["123456782", None, "123456782", float("nan"), "", "Crützen|jan|1980-02-29", "123456782", "x" * 200]
    for domain in ("bsn", "naam"):
        expected = [
            hmac.new(key, f"{domain}:{v}".encode(), hashlib.sha256).hexdigest()[:32]
            if isinstance(v, str) and v
            else None
            for v in values
        ]
        pseudonymiser = Pseudonymiser(key)
        assert [pseudonymiser.pseudonym(domain, v) for v in values] == expected
        assert pseudonymiser.each(domain, values) == expected
        assert pseudonymiser.each(domain, pd.Series(values, dtype="str")) == expected


def test_a_column_of_keys_is_mostly_distinct_and_one_of_days_or_birth_dates_is_not():
    rng = np.random.default_rng(0)
    n = 200_000
    keys = pd.Series([f"PL0001-2011{i:06d}" for i in range(n)], dtype="str")
    birth_dates = pd.Series(rng.integers(0, 20_000, n).astype(str), dtype="str")
    days = pd.Series(rng.integers(0, 365, n).astype(str), dtype="str")
    assert distinct.mostly_distinct(keys)
    assert not distinct.mostly_distinct(birth_dates)
    assert not distinct.mostly_distinct(days)
    assert distinct.mostly_distinct(pd.Series(["a", "b", None], dtype="str"))  # small: counted, not estimated
    assert not distinct.mostly_distinct(pd.Series(["a", "a", None, None], dtype="str"))


def test_a_rule_run_per_distinct_value_gives_each_row_the_reason_a_row_by_row_run_gives():
    rng = np.random.default_rng(1)
    codes = rng.choice(["A", "B", "X", "", None], 5_000).tolist()
    numbers = [str(v) if v % 7 else "0" for v in rng.integers(1, 10**6, 5_000)]  # mostly distinct
    frame = pd.DataFrame({"code": codes, "nummer": numbers}, dtype="str", index=range(10, 5_010))
    per_value = [rules.required("code"), rules.one_of("code", ["A", "B"]), rules.positive_integer("nummer")]
    row_by_row = [rules.Rule(r.column, r.check, r.reason) for r in per_value]
    reasons = rules.first_violation(frame, per_value)
    pd.testing.assert_series_equal(reasons, rules.first_violation(frame, row_by_row))
    assert set(reasons.dropna()) == {
        "code is missing",
        "code 'X' is not one of A, B",
        "nummer '0' is not a positive whole number",
    }
    assert reasons.index.equals(frame.index)


def test_a_function_per_distinct_value_is_spread_over_the_rows_missing_values_included():
    values = pd.Series(["b", None, "a", "b", None, "c"] * 500, dtype="str", name="kolom")
    spread = distinct.map_distinct(values, lambda v: v.upper() if isinstance(v, str) else "?")
    assert spread.tolist() == [v.upper() if isinstance(v, str) else "?" for v in values.tolist()]
    assert spread.index.equals(values.index) and spread.name == "kolom"


def people(dtype: str | None, index: range) -> pd.DataFrame:
    """Persons as connectors receive them: recurring, spelt differently, some fields blank or broken."""
    rng = np.random.default_rng(2)

    def pick(options: list[str | None]) -> list[str | None]:
        return rng.choice(np.array(options, dtype=object), len(index)).tolist()

    frame = pd.DataFrame(
        {
            "bsn": pick(["111222333", " 111222333 ", "123456782", "", None, "12345678x"]),
            "achternaam": pick(["Crützen", "CRUTZEN ", "Jansen", "Test", " testpersoon", "", None]),
            "voornamen": pick(["Jan  Piet", "jan piet", "Ängela", "", None]),
            "geboortedatum": pick(["29-02-1980", "1980-02-29", "31-02-1980", "2001-12-31 00:00:00", "", None]),
            "datum": pick(["01-03-2011", "2011-02-28", "28-02-2011", "niet", None]),
        },
        index=index,
    )
    return frame.astype(dtype) if dtype else frame


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_the_person_columns_in_one_go_are_what_keys_age_band_and_test_flag_give(dtype):
    frame = people(dtype, range(7, 3_007))
    pseudonymiser = Pseudonymiser(KEY)
    together = persons.person_columns(
        pseudonymiser, distinct.DistinctValues(frame), "bsn", "achternaam", "voornamen", "geboortedatum", "datum"
    )
    keys = persons.person_keys(
        pseudonymiser, frame["bsn"], frame["achternaam"], frame["voornamen"], frame["geboortedatum"]
    )
    pd.testing.assert_frame_equal(together[["persoon_sleutel", "naam_sleutel"]], keys)
    pd.testing.assert_series_equal(
        together["leeftijdsklasse"], persons.age_band(frame["geboortedatum"], frame["datum"]), check_names=False
    )
    pd.testing.assert_series_equal(
        together["is_testpersoon"], persons.is_test_person(frame["achternaam"]), check_names=False
    )
    assert together["naam_sleutel"].notna().any() and together["is_testpersoon"].any()


def test_the_naam_pseudonym_is_the_hmac_of_the_normalised_name_and_birth_day():
    frame = pd.DataFrame(
        {"bsn": [None, None], "achternaam": ["Crützen ", "CRUTZEN"], "voornamen": ["Jan  Piet", "jan piet"]}
        | {"geboortedatum": ["29-02-1980", "1980-02-29"]},
        dtype="str",
    )
    keys = persons.person_keys(Pseudonymiser(KEY), *(frame[c] for c in frame.columns))
    expected = hmac.new(KEY, b"naam:crutzen|jan piet|1980-02-29", hashlib.sha256).hexdigest()[:32]
    assert keys["naam_sleutel"].tolist() == [expected, expected]
    assert keys["persoon_sleutel"].tolist() == [None, None]


def test_rules_and_person_columns_share_the_factorized_columns_of_their_frame():
    frame = people("str", range(2_000))
    shared = distinct.DistinctValues(frame)
    rules.first_violation(frame, [rules.dutch_date("geboortedatum", optional=True)], shared)
    codes, uniques = shared.factorized("geboortedatum")
    assert shared.factorized("geboortedatum")[0] is codes  # not factorized again
    assert uniques.tolist() == pd.unique(frame["geboortedatum"]).tolist()
    with pytest.raises(ValueError, match="another frame"):
        rules.first_violation(frame.copy(), [rules.required("bsn")], shared)
