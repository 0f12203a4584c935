"""The auditor's reports: GX Data Docs (offline) and the reconciliation page, built by one function."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from expectations.report.data_docs import build_data_docs
from expectations.report.member_pages import write_member_pages
from expectations.report.page_data import gather
from expectations.report.reconciliation_page import render
from expectations.runner import SuiteOutcome
from expectations.seeds import CALIBRATION_YEAR
from sources import duckdb_memory

DATA_DOCS_FOLDER = "data_docs"
RECONCILIATION_PAGE = "reconciliation.html"


@dataclass(frozen=True)
class ReportPaths:
    data_docs_index: Path  # <reports>/data_docs/site/index.html
    reconciliation: Path  # <reports>/reconciliation.html


def build_reports(
    warehouse_path: str | Path,
    reports_dir: str | Path,
    check_results: Sequence[SuiteOutcome] | None = None,
    *,
    year: int = CALIBRATION_YEAR,
    run_name: str | None = None,
    member_links: Future[dict] | None = None,
) -> ReportPaths:
    """Build the Data Docs of `check_results` and reconciliation.html in `reports_dir`.

    `check_results` are the outcomes of `suites_api.run_all` (or any subset); when None the suites
    are run here. The warehouse is only read. Needs the npm packages of report/web_assets installed.
    `member_links` are the member pages' links when they are being written already
    (`member_pages.written_alongside`); else they are written here.
    """
    if check_results is None:
        from expectations.suites_api import run_all

        check_results = run_all(warehouse_path, year)
    reports = Path(reports_dir)
    reports.mkdir(parents=True, exist_ok=True)
    generated_at = datetime.now()
    index = build_data_docs(
        check_results, reports / DATA_DOCS_FOLDER, run_name or f"jaar-{year}-{generated_at:%Y%m%dT%H%M%S}"
    )
    page = reports / RECONCILIATION_PAGE
    with duckdb_memory.connect(warehouse_path, read_only=True) as con:
        data = gather(con, year)
        links = member_links.result() if member_links is not None else write_member_pages(con, reports)
    html = render(
        data,
        check_results,
        data_docs_index=_relative(index, page),
        validation_pages=_validation_pages(index.parent, page),
        generated_at=generated_at,
        member_links=links,
    )
    page.write_text(html, encoding="utf-8")
    return ReportPaths(data_docs_index=index, reconciliation=page)


def _validation_pages(site: Path, page: Path) -> dict[tuple[str, str], str]:
    """(suite, subject) → link from the page to that validation's Data Docs page."""
    return {
        (found.parts[-4], found.stem): _relative(found, page)
        for found in site.glob("validations/*/*/*/*.html")
        if len(found.relative_to(site).parts) == 5
    }


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


__all__ = ["ReportPaths", "build_reports"]
