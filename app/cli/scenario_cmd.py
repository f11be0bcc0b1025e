"""`enclave scenario list | import FILE | export NAME... --out FILE`.

- `list [--format csv|json]`: the workspace's scenarios (id, name, model, accelerator, last
  change, description).
- `import FILE [--on-clash rename|replace|skip]`: a bundle (`.enclave.zip`, `.enclave.json`) or a
  plain scenario file; verified first, then all of it in one transaction, or nothing. A name
  already used is renamed `Name (2)` unless `--on-clash` says otherwise.
- `export NAME... --out FILE` (or `--all`): the container follows FILE's name: `.enclave.zip`,
  `.enclave.json`, or a plain scenario file for any other `.json` (one scenario only).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_workspace_option, workspace_from
from app.errors import UserError
from app.operations.bundles import ON_CLASH, export_scenarios, import_bundle, read_bundle_file
from app.storage import scenario_store

LIST_COLUMNS = ("id", "name", "model_id", "accelerator_id", "updated_at", "description")
NOT_IN_WORKSPACE = "scenario '{name}': is not in this workspace (enclave scenario list shows them)"
NAMES_OR_ALL = "export: name the scenarios to export, or give --all"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("scenario", help="list, import and export scenarios")
    actions = parser.add_subparsers(dest="scenario_action", required=True)
    listing = actions.add_parser("list", help="list the workspace's scenarios")
    listing.add_argument("--format", choices=("csv", "json"), default="csv")
    add_workspace_option(listing)
    listing.set_defaults(func=run_list)
    importing = actions.add_parser("import", help="import a scenario bundle or scenario file")
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument("--on-clash", choices=ON_CLASH, default="rename",
                           help="a scenario whose name is taken: rename it (default), replace "
                                "the existing one, or skip it")
    add_workspace_option(importing)
    importing.set_defaults(func=run_import)
    exporting = actions.add_parser("export", help="export scenarios as a bundle or a file")
    exporting.add_argument("names", nargs="*", metavar="NAME")
    exporting.add_argument("--all", action="store_true", help="every scenario in the workspace")
    exporting.add_argument("--out", type=Path, required=True, metavar="FILE",
                           help="FILE.enclave.zip or FILE.enclave.json (a bundle), or FILE.json "
                                "(one scenario)")
    add_workspace_option(exporting)
    exporting.set_defaults(func=run_export)


def run_list(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:
        rows = [{c: getattr(row, c) for c in LIST_COLUMNS}
                for row in scenario_store.list_rows(ws.db)]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return 0


def run_import(args: argparse.Namespace) -> int:
    bundle = read_bundle_file(args.file)  # verified before the workspace is even opened
    with workspace_from(args) as ws:
        outcome = import_bundle(ws, bundle, args.on_clash)
    plan = outcome.plan
    print(f"imported {plan.summary()} from {bundle.source_name}")
    for line in plan.details():
        print(f"  {line}")
    for warning in plan.warnings:
        print(f"  warning: {warning}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    if bool(args.names) == bool(args.all):
        raise UserError(NAMES_OR_ALL)
    with workspace_from(args) as ws:
        if args.all:
            ids = [row.id for row in scenario_store.list_rows(ws.db)]
        else:
            ids = []
            for name in args.names:
                found = scenario_store.find(ws.db, name.strip())
                if found is None:
                    raise UserError(NOT_IN_WORKSPACE.format(name=name))
                ids.append(found)
        result = export_scenarios(ws, ids, args.out)
    extra = f" with {result.catalog_entries} catalog entries" if result.catalog_entries else ""
    print(f"exported {len(result.scenarios)} scenario(s){extra} to {result.path} "
          f"({result.container})")
    return 0
