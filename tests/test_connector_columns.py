"""The column-at-a-time work at the door gives what the value-at-a-time definitions give.

Connectors check, parse and pseudonymise each distinct value once (sources/connectors/distinct.py),
check nine-digit BSNs all at once (bsn.elfproef_passes) and hash each distinct value once
(Pseudonymiser.many): every shortcut is compared here with the plain definition it replaces.
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
from sources.connectors import distinct, rules
from sources.pseudonymise import Pseudonymiser

KEY = b"test-key-columns"
# BSN-like text: mostly nine digits (ASCII or not), some of other lengths or with other characters
bsn_like = st.one_of(
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩ x-", min_size=0, max_size=11),
)


@given(st.lists(bsn_like, max_size=50))
def test_the_column_11_proef_agrees_with_the_one_for_a_value(values):
    assert elfproef_passes(values).tolist() == [passes_elfproef(v) for v in values]


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
        assert pseudonymiser.many(domain, values) == expected
        assert pseudonymiser.many(domain, pd.Series(values, dtype="str")) == expected


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
