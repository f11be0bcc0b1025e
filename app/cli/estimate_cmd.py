"""`enclave estimate --cases CASES.csv --out PRED.csv`: estimate a batch of configurations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_workspace_option, workspace_from
from app.operations.estimate import estimate_file
from app.operations.site_efficiency import efficiency_note, workspace_efficiency


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "estimate", help="estimate throughput, latency and memory for a CSV of configurations"
    )
    parser.add_argument(
        "--cases", required=True, metavar="CASES.csv", help="one configuration per row"
    )
    parser.add_argument(
        "--out", required=True, metavar="PRED.csv", help="where to write predictions"
    )
    add_workspace_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:  # its catalog: shipped entries plus the user's edits
        catalog = ws.catalog
        table, aliases = workspace_efficiency(ws.db)  # shipped factors + site refits
    summary = estimate_file(Path(args.cases), Path(args.out), catalog=catalog, table=table,
                            aliases=aliases)
    print(
        f"estimated {summary.ok} of {summary.rows} rows ({summary.errors} with errors) -> {summary.out_path}",
        file=sys.stderr,
    )
    print(f"efficiency: {efficiency_note(table)}", file=sys.stderr)
    return 0
