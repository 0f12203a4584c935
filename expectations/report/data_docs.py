"""GX Data Docs of the suites' validation results, as a static site that renders offline.

The suites ran with ephemeral contexts; their results (kept on each `SuiteOutcome`) are stored
in a file context made for the site, which GX then renders. The site is rebuilt from scratch
each time: it shows the run it was built for.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from expectations.report.offline_assets import make_offline
from expectations.runner import SuiteOutcome, load_suite_definition

SITE_NAME = "vhpipe"


def build_data_docs(outcomes: Sequence[SuiteOutcome], folder: Path, run_name: str) -> Path:
    """Render the validation results of `outcomes` into `folder/site`; returns the site's index.html.

    The GX project (config, stores) lives in `folder/gx`.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    site = folder / "site"
    context = gx.get_context(mode="file", project_root_dir=str(folder))
    for name in list(context.get_config().data_docs_sites or {}):
        context.delete_data_docs_site(name)
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    run_id = RunIdentifier(run_name=run_name)
    for name in sorted({o.suite for o in outcomes if o.validation is not None}):
        definition = load_suite_definition(name)
        context.suites.add(
            gx.ExpectationSuite(name=name, expectations=definition["expectations"], meta=definition.get("meta", {}))
        )
    for outcome in outcomes:
        if outcome.validation is None:
            continue
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.suite),
            run_id=run_id,
            batch_identifier=outcome.subject or outcome.suite,
        )
        context.validation_results_store.set(key, outcome.validation)
    context.build_data_docs(site_names=[SITE_NAME])
    make_offline(site)
    return site / "index.html"
