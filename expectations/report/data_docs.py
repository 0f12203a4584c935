"""GX Data Docs of the suites' validation results, as a static site that renders offline.

The suites ran with ephemeral contexts; their results (kept on each `SuiteOutcome`) are stored in a
file context made for the site, which GX then renders. The site is kept between runs: a result the
audit kept because its rows were unchanged (expectations/reuse.py) keeps the page it got when GX
validated it, under the run that validated it; GX renders only the results validated since, and the
index of every result. A result no longer shown loses its page. When GX, the suites' page code or
the offline rewrite changed, the site is built again from scratch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from expectations.report import offline_assets
from expectations.report.offline_assets import make_offline
from expectations.runner import SuiteOutcome, load_suite_definition

SITE_NAME = "vhpipe"
# what the site shows, beside GX's stores: each result's page by the validation it shows, each suite's definition
SHOWN = "shown.json"


def build_data_docs(outcomes: Sequence[SuiteOutcome], folder: Path, run_name: str) -> Path:
    """Render the validation results of `outcomes` into `folder/site`; returns the site's index.html.

    The GX project (config, stores) lives in `folder/gx`; results validated in this run are shown
    under `run_name`.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from great_expectations.core.run_identifier import RunIdentifier

    shown = _shown(folder)
    if shown is None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shown = {"renderer": _renderer(), "pages": {}, "suites": {}}
    context = _site_context(folder)
    changed_suites = _put_suites(context, outcomes, shown["suites"])
    run_id, keys, validated, pages = RunIdentifier(run_name=run_name), [], [], {}
    for outcome in outcomes:
        if outcome.validation is None:
            continue
        validation = _validation_of(outcome)
        key = _kept_key(context, shown["pages"].get(validation))
        if key is None:
            key = _key(outcome, run_id)
            context.validation_results_store.set(key, outcome.validation)
            validated.append(key)
        keys.append(key)
        if validation is not None:
            pages[validation] = list(key.to_tuple())
    dropped = _drop_results_not_shown(context, set(keys))
    site = folder / "site"
    # a build renders the pages asked for, removes those of results no longer in the store and writes
    # the index; asked for none (None or an empty list) it renders every page
    rendered = [*changed_suites, *validated] or (keys[:1] if dropped else [])
    if rendered or not (site / "index.html").is_file():
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=rendered or None)
    _remove_empty_folders(site / "validations")
    make_offline(site)
    _write_shown(folder, {**shown, "pages": pages})
    return site / "index.html"


def _shown(folder: Path) -> dict | None:
    """What the site in `folder` shows, if it can be built on: rendered by this GX and this code."""
    try:
        shown = json.loads((folder / SHOWN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return shown if shown.get("renderer") == _renderer() and (folder / "gx").is_dir() else None


def _write_shown(folder: Path, shown: dict) -> None:
    temporary = folder / f"{SHOWN}.tmp"
    temporary.write_text(json.dumps(shown, sort_keys=True), encoding="utf-8")
    temporary.replace(folder / SHOWN)


@functools.cache
def _renderer() -> str:
    """GX's version and the code that writes the pages: a change of either renders every page again."""
    digest = hashlib.sha256(f"great_expectations={version('great_expectations')}".encode())
    for path in (Path(__file__), Path(offline_assets.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _site_context(folder: Path):
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(folder))
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder / "site")},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    sites = context.get_config().data_docs_sites or {}
    if sites.get(SITE_NAME) != site or len(sites) != 1:
        for name in list(sites):
            context.delete_data_docs_site(name)
        context.add_data_docs_site(SITE_NAME, site)
    return context


def _put_suites(context, outcomes: Sequence[SuiteOutcome], shown: dict[str, str]) -> list:
    """Put the definition of each suite with a result in the context; returns the suites whose page is
    new or out of date. `shown` (suite → digest of the definition its page shows) is updated."""
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    changed = []
    for name in sorted({o.suite for o in outcomes if o.validation is not None}):
        definition = load_suite_definition(name)
        digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
        if shown.get(name) == digest:
            continue
        meta = definition.get("meta", {})
        context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=definition["expectations"], meta=meta))
        shown[name] = digest
        changed.append(ExpectationSuiteIdentifier(name=name))
    return changed


def _validation_of(outcome: SuiteOutcome) -> str | None:
    """The validation a result is of: its suite, subject and the moment GX loaded the rows (a kept
    result carries the moment it was validated); None when GX recorded no moment."""
    markers = (outcome.validation.meta or {}).get("batch_markers") or {}
    loaded = markers.get("ge_load_time")
    return f"{outcome.suite}|{outcome.subject}|{loaded}" if loaded else None


def _key(outcome: SuiteOutcome, run_id):
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.suite),
        run_id=run_id,
        batch_identifier=outcome.subject or outcome.suite,
    )


def _kept_key(context, key: list | None):
    """The store key of a result shown before, if the store still holds it."""
    from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

    if key is None:
        return None
    kept = ValidationResultIdentifier.from_tuple(tuple(key))
    return kept if context.validation_results_store.has_key(kept) else None


def _drop_results_not_shown(context, keys: set) -> bool:
    """Remove from GX's store the results not in `keys`; returns whether there were any."""
    store = context.validation_results_store
    dropped = [key for key in store.list_keys() if key not in keys]
    for key in dropped:
        store.remove_key(key)
    return bool(dropped)


def _remove_empty_folders(folder: Path) -> None:
    """GX removes the page of a result no longer shown, not the folders of its run: they would pile up."""
    for directory in sorted(folder.rglob("*"), key=lambda path: len(path.parts), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
