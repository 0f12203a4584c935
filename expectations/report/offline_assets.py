"""Make a built GX Data Docs site render offline: its pages load jQuery, Bootstrap, bootstrap-table,
Font Awesome and more from public CDNs, which an auditor's closed network (and this pipeline's)
cannot reach.

The same libraries, at the versions GX names, are npm packages: `web_assets/package-lock.json`
pins them and `npm ci` installs them (`install()`, at install time, never at view time). After
GX has built the site, `make_offline(site)` copies the files the pages use into
`static/vendor/<package>/…` and rewrites every page to load them from there. A page that needs
a library we do not ship fails the build instead of rendering broken.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

WEB_ASSETS = Path(__file__).parent / "web_assets"
NODE_MODULES = WEB_ASSETS / "node_modules"
VENDOR = Path("static") / "vendor"

# CDN files that are not `<cdn>/<npm package>@<version>/<path>`: their place in the npm package
NAMED_FILES = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
}
# unpkg and jsDelivr serve npm packages as they are: the path after the version is the file
NPM_CDN = re.compile(r"^https://(?:unpkg\.com|cdn\.jsdelivr\.net/npm)/((?:@[^/@]+/)?[^/@]+)@[^/]+(/[^?#]*)?$")
# GX's own logo, which its pages fetch from a bucket; the site carries a copy
GX_LOGO = re.compile(r"^https://great-expectations-web-assets\.s3\.[^/]+\.amazonaws\.com/")
# charts, only on profiling pages: dropped from pages that draw none
CHART_LIBRARIES = ("vega", "vega-lite", "vega-embed")

TAG_URL = re.compile(r"<(script|link|img)\b[^>]*?\b(?:src|href)=\"(https?://[^\"]+)\"[^>]*>(\s*</script>)?", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?(https?://[^'\")]+)['\"]?\s*\)")
SRI_ATTRIBUTES = re.compile(r"\s+(?:integrity|crossorigin)=\"[^\"]*\"")
# a site-relative asset a tag loads (GX miscounts the depth of validation pages for the favicon)
TAG_STATIC_PATH = re.compile(r"(<(?:script|link|img)\b[^>]*?\b(?:src|href)=\")((?:\.\./|\./)*static/[^\"]+)(\")", re.I)
LOCAL_CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:|https?:|#)([^'\")?#]+)[^'\")]*['\"]?\s*\)")


class OfflineAssetError(RuntimeError):
    """A page needs a file the site cannot carry: an unknown CDN, or the npm packages are not installed."""


def installed() -> bool:
    return (NODE_MODULES / ".package-lock.json").exists()


def install() -> None:
    """`npm ci` of web_assets/ (needs the npm registry: run at install time, not when building a report)."""
    npm = shutil.which("npm")
    if npm is None:
        raise OfflineAssetError("npm is needed to install the Data Docs' front-end libraries (Debian package npm)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=WEB_ASSETS,
        check=True,
        capture_output=True,
        text=True,
    )


def make_offline(site: Path) -> list[Path]:
    """Rewrite every page of the site to load its libraries from `static/vendor`; returns the pages rewritten."""
    if not installed():
        raise OfflineAssetError(
            f"the Data Docs' front-end libraries are not installed: run `npm ci` in {WEB_ASSETS} "
            "(or `python -m expectations.report.offline_assets`)"
        )
    rewritten = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        offline = _rewrite_page(text, page, site)
        if offline != text:
            page.write_text(offline, encoding="utf-8")
            rewritten.append(page)
    return rewritten


def _rewrite_page(text: str, page: Path, site: Path) -> str:
    draws_charts = "vegaEmbed" in text

    def replace_tag(match: re.Match) -> str:
        tag, url = match.group(0), match.group(2)
        if _is_chart_library(url) and not draws_charts:
            return ""
        local = _local_copy(url, site)
        return SRI_ATTRIBUTES.sub("", tag.replace(url, _relative(local, page)))

    def replace_css_url(match: re.Match) -> str:
        return f"url('{_relative(_local_copy(match.group(1), site), page)}')"

    def repair_static_path(match: re.Match) -> str:
        path = match.group(2)
        if (page.parent / path).exists():
            return match.group(0)
        in_site = site / path[path.index("static/") :]
        return match.group(1) + (_relative(in_site, page) if in_site.exists() else path) + match.group(3)

    offline = CSS_URL.sub(replace_css_url, TAG_URL.sub(replace_tag, text))
    return TAG_STATIC_PATH.sub(repair_static_path, offline)


def _is_chart_library(url: str) -> bool:
    match = NPM_CDN.match(url)
    return bool(match) and match.group(1) in CHART_LIBRARIES


def _local_copy(url: str, site: Path) -> Path:
    """The file in the site that stands in for `url`, copied there (with what a stylesheet loads) if new."""
    if GX_LOGO.match(url):
        return site / "static" / "images" / "logo-long.png"
    npm_path = NAMED_FILES.get(url)
    if npm_path is None and (match := NPM_CDN.match(url)) and match.group(2):
        npm_path = match.group(1) + match.group(2)
    if npm_path is None:
        raise OfflineAssetError(f"no local copy for {url}: add its npm package to {WEB_ASSETS / 'package.json'}")
    return _copy_into_site(npm_path, site)


def _copy_into_site(npm_path: str, site: Path) -> Path:
    source, target = NODE_MODULES / npm_path, site / VENDOR / npm_path
    if not source.is_file():
        raise OfflineAssetError(f"{npm_path} is not in the installed npm packages ({NODE_MODULES})")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if target.suffix == ".css":  # fonts and images the stylesheet loads, relative to it
            for reference in set(LOCAL_CSS_URL.findall(source.read_text(encoding="utf-8", errors="replace"))):
                relative = os.path.normpath(f"{PurePosixPath(npm_path).parent}/{reference}").replace(os.sep, "/")
                if (NODE_MODULES / relative).is_file():
                    _copy_into_site(relative, site)
    return target


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


if __name__ == "__main__":
    install()
    print(f"installed the Data Docs' front-end libraries in {NODE_MODULES}")
