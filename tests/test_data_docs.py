"""Data Docs kept between runs: a result kept on unchanged rows keeps its page, a new one is rendered,
one no longer shown loses its page; the index lists exactly the results of the last build."""

import json
import re

import pandas as pd
import pytest

from expectations.report import offline_assets
from expectations.report.data_docs import SHOWN, build_data_docs
from expectations.reuse import OutcomeStore
from expectations.runner import run_suite
from expectations.seeds import code_sets

SUITE = "int_trajecten"


@pytest.fixture(scope="module", autouse=True)
def front_end_libraries():
    if not offline_assets.installed():
        offline_assets.install()  # npm ci of the pinned front-end packages


def traject(traject_id: str, days: int) -> dict:
    start = pd.Timestamp("2011-05-01")
    return {"traject_id": traject_id, "categorie": "kort", "doelgroep": "Jeugd", "gemeente": "Meerssen",
            "stadsdeelgroep": None, "startdatum": start, "einddatum": start + pd.Timedelta(days=days),
            "earliest_allowed": pd.Timestamp("2000-01-01")}  # fmt: skip


def validate(store: OutcomeStore, subject: str, days: int):
    """A real GX validation of a one-row frame, kept in `store` as the audit keeps its outcomes."""
    frame = pd.DataFrame([traject("T1", days)])
    return run_suite(SUITE, frame, "traject_id", parameters=code_sets(), subject=subject, store=store)


def pages(folder) -> dict[str, bytes]:
    site = folder / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "validations").rglob("*.html")}


def indexed(folder) -> set[str]:
    index = (folder / "site" / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r"validations/[^\"'#?]+\.html", index))


def test_a_kept_result_keeps_its_page_and_only_new_results_are_rendered(tmp_path):
    store, folder = OutcomeStore(tmp_path / "store"), tmp_path / "data_docs"
    first = [validate(store, "test.a", 10), validate(store, "test.b", 10)]
    build_data_docs(first, folder, "run-1")
    before = pages(folder)
    assert sorted(before) == [f"validations/{SUITE}/run-1/{p.split('/')[3]}/test.{s}.html" for p, s in
                              zip(sorted(before), "ab", strict=True)]  # fmt: skip
    assert indexed(folder) == set(before)

    kept, changed = validate(store, "test.a", 10), validate(store, "test.b", 20)
    assert kept.reused and not changed.reused
    build_data_docs([kept, changed], folder, "run-2")
    after = pages(folder)
    page_a = next(p for p in before if p.endswith("test.a.html"))
    assert after[page_a] == before[page_a]  # not rendered again: the page of the run that validated it
    (page_b,) = [p for p in after if p.endswith("test.b.html")]
    assert "/run-2/" in page_b and page_b not in before  # the old page of test.b is gone
    assert set(after) == {page_a, page_b} == indexed(folder)

    build_data_docs([kept], folder, "run-3")
    assert set(pages(folder)) == {page_a} == indexed(folder)
    assert [p.name for p in (folder / "site" / "validations" / SUITE).iterdir()] == ["run-1"]  # no empty folders


def test_the_site_is_built_again_when_the_code_that_renders_it_changed(tmp_path):
    store, folder = OutcomeStore(tmp_path / "store"), tmp_path / "data_docs"
    build_data_docs([validate(store, "test.a", 10)], folder, "run-1")
    shown = json.loads((folder / SHOWN).read_text())
    (folder / SHOWN).write_text(json.dumps({**shown, "renderer": "an older renderer"}))
    build_data_docs([validate(store, "test.a", 10)], folder, "run-2")
    assert [p.split("/")[2] for p in pages(folder)] == ["run-2"]
