"""`enclave catalog list KIND [--format csv|json]`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from app.catalog.validate import KINDS
from app.cli import catalog_pack_cmd, import_model_cmd
from app.cli.common import add_workspace_option, workspace_from

LIST_COLUMNS = ("id", "name", "source", "as_of")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("catalog", help="list, import and export catalog entries")
    actions = parser.add_subparsers(dest="catalog_action", required=True)
    listing = actions.add_parser("list", help="list the entries of one kind")
    listing.add_argument("kind", choices=KINDS)
    listing.add_argument("--format", choices=("csv", "json"), default="csv")
    add_workspace_option(listing)
    listing.set_defaults(func=run_list)
    catalog_pack_cmd.register_actions(actions)
    import_model_cmd.register_actions(actions)


def run_list(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:
        rows = ws.catalog.entries[args.kind]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(LIST_COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in LIST_COLUMNS])
    return 0
