"""Publishing the marts: the published copy for analysts, exports (CSV, Parquet, XLSX), the annual
report as HTML, and small-cell suppression for everything that goes public.

One module per job; this package only re-exports the functions the Dagster assets call.
"""

from orchestration.publishing.annual_report import build_annual_report
from orchestration.publishing.exports import export_all
from orchestration.publishing.published_copy import PublicationError, publish_copy
from orchestration.publishing.suppression import SuppressionSettings, suppress

__all__ = [
    "PublicationError",
    "SuppressionSettings",
    "build_annual_report",
    "export_all",
    "publish_copy",
    "suppress",
]
