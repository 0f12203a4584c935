"""`vhpipe purge` and `vhpipe requeue`: the warehouse's upkeep, each holding the writer lock.

    vhpipe purge [--older-than-years N] [--provision-log-years M] [--as-of DAY] [--dry-run] [--wait S]
    vhpipe requeue --delivery ID [--wait S]

`add_commands(subparsers)` adds both to the `vhpipe` parser; `python -m orchestration.maintenance`
runs them on their own. After either, run the nightly load: dbt rebuilds staging and the marts
from raw, so purged rows leave them and requeued rows enter them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date

import duckdb

from orchestration.locking import WarehouseBusyError, exclusive_writer
from sources import duckdb_memory
from sources.paths import data_paths

REFUSED = 2  # exit code: the command was refused, nothing changed
# sources.retention's setting, named here: importing the connectors (pandas, SQLAlchemy) to build the
# parser would hold up every `vhpipe` command, `vhpipe run` included, by most of a second
RETENTION_VARIABLE = "VH_RETENTION_YEARS"


def cmd_purge(args: argparse.Namespace) -> int:
    from sources.retention import RetentionError, purge

    def work(con: duckdb.DuckDBPyConnection) -> str:
        report = purge(
            con,
            args.older_than_years,
            provision_log_years=args.provision_log_years,
            today=args.as_of,
            dry_run=args.dry_run,
        )
        verb = "would remove" if report.dry_run else "removed"
        lines = [
            f"Retention {report.retention_years} years: {verb} {report.total} rows dated before {report.cutoff} "
            f"(OM provision log: {report.provision_log_years} years, before {report.provision_cutoff})",
            *(f"  {table:<24} {rows:>8}" for table, rows in report.rows.items()),
        ]
        if not report.dry_run:
            lines.append("Logged in raw._purges. Run `vhpipe run` next: staging and the marts are rebuilt from raw.")
        return "\n".join(lines)

    return _with_warehouse("purge", args.wait, work, RetentionError)


def cmd_requeue(args: argparse.Namespace) -> int:
    from sources.requeue import RequeueError, requeue

    def work(con: duckdb.DuckDBPyConnection) -> str:
        outcome = requeue(con, args.delivery)
        lines = [f"Requeue of {outcome.delivery_id}:"]
        if outcome.landed is None:
            lines.append("  no quarantined record passes the current rules; nothing landed")
        else:
            landed = outcome.landed
            lines.append(
                f"  landed as {landed.delivery.delivery_id}: {landed.accepted} rows, {landed.duplicates} duplicates"
            )
        lines += [f"  row {row} stays: {reason}" for row, reason in outcome.still_quarantined.items()]
        return "\n".join(lines)

    return _with_warehouse("requeue", args.wait, work, RequeueError)


def _with_warehouse(command: str, wait: float, work, refusal: type[Exception]) -> int:
    """Run `work` on the warehouse under the writer lock; a refusal (another writer, or the command's own
    `refusal`) is one line on stderr, not a traceback."""
    warehouse = data_paths().warehouse
    if not warehouse.exists():
        print(f"vhpipe {command}: no warehouse at {warehouse}", file=sys.stderr)
        return REFUSED
    try:
        with (
            exclusive_writer(warehouse, f"vhpipe {command} (pid {os.getpid()})", wait),
            duckdb_memory.connect(warehouse) as con,
        ):
            print(work(con))
    except (WarehouseBusyError, refusal) as refused:
        print(f"vhpipe {command}: refused: {refused}", file=sys.stderr)
        return REFUSED
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    purge_parser = commands.add_parser("purge", help="remove person-level rows older than the retention period")
    purge_parser.add_argument(
        "--older-than-years",
        type=int,
        default=None,
        metavar="N",
        help=f"retention period in years (default: ${RETENTION_VARIABLE}; refused when neither is set)",
    )
    purge_parser.add_argument(
        "--provision-log-years",
        type=int,
        default=None,
        metavar="M",
        help="keep the OM provision log M years (default: the retention period; at least 4, Wjsg art. 39j)",
    )
    purge_parser.add_argument(
        "--as-of", type=date.fromisoformat, default=None, metavar="DAY", help="count back from DAY (default: today)"
    )
    purge_parser.add_argument("--dry-run", action="store_true", help="report what would go, remove nothing")
    purge_parser.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another writer")
    purge_parser.set_defaults(func=cmd_purge)

    requeue_parser = commands.add_parser(
        "requeue", help="land a delivery's quarantined records that pass the connector's current rules"
    )
    requeue_parser.add_argument("--delivery", required=True, metavar="ID", help="the delivery_id in raw._deliveries")
    requeue_parser.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another writer")
    requeue_parser.set_defaults(func=cmd_requeue)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vhpipe", description="Veiligheidshuis warehouse upkeep")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
