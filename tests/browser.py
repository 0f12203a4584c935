"""Headless Chromium for the tests that look at a page as a person would (Debian's chromium,
driven by Playwright; .ci/run installs the browser). Network is closed to anything but the
page's own origin, so a page that needs a CDN shows it as a failed request."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# as root, on a closed network: no sandbox, no background connections to Google's services
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@dataclass
class PageVisit:
    url: str
    title: str
    text: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def visit(url: str, screenshot: Path | None = None, click: str | None = None) -> PageVisit:
    """Open `url`, optionally click the first element matching the CSS selector `click`, and
    report console errors, page errors and every request that left the page's own origin."""
    from playwright.sync_api import sync_playwright

    origin = "file:" if url.startswith("file:") else "/".join(url.split("/", 3)[:3])
    visit = PageVisit(url=url, title="", text="")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: visit.failed_requests.append(r.url))
        page.on(
            "request",
            lambda r: None if r.url.startswith((origin, "data:", "blob:")) else visit.outside_requests.append(r.url),
        )
        page.goto(url, wait_until="networkidle")
        if click:
            page.click(click)
            page.wait_for_timeout(300)
        visit.title = page.title()
        visit.text = page.inner_text("body")
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
            visit.screenshot = screenshot
        browser.close()
    return visit
