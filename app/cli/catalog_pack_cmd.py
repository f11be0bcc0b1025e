"""`enclave catalog import FILE [--kind KIND]` and `enclave catalog export KIND --out FILE`.

Packs are JSON (`resources/catalog/README.md` format, any kind) or CSV (flat kinds, one entry
per row). Imports are validated and all-or-nothing; exports are written atomically. Plugged into
the `catalog` command by `catalog_cmd.register`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.catalog.fields import CSV_KINDS as FLAT_KINDS
from app.catalog.validate import KINDS
from app.cli.common import add_workspace_option, workspace_from
from app.operations.catalog_import import CatalogChange, export_kind, import_pack


def register_actions(actions: Any) -> None:
    """Add `import` and `export` to the `catalog` subcommands."""
    importing = actions.add_parser("import", help="import a catalog pack (JSON or CSV)")
    importing.add_argument("file", type=Path)
    importing.add_argument("--kind", choices=FLAT_KINDS,
                           help="kind of a CSV pack's rows (required for CSV)")
    add_workspace_option(importing)
    importing.set_defaults(func=run_import)
    exporting = actions.add_parser("export", help="export one kind as a pack (JSON or CSV)")
    exporting.add_argument("kind", choices=KINDS)
    exporting.add_argument("--out", type=Path, required=True,
                           help="FILE.json, or FILE.csv for " + ", ".join(FLAT_KINDS))
    add_workspace_option(exporting)
    exporting.set_defaults(func=run_export)


def summary(change: CatalogChange, origin: str) -> str:
    lines = [f"imported {len(change.entries)} {change.kind} entries from {origin}: "
             f"{len(change.added)} added, {len(change.changed)} changed, "
             f"{len(change.unchanged)} unchanged"]
    lines += [f"added {i}" for i in change.added]
    lines += [f"changed {i}" for i in change.changed]
    return "\n".join(lines)


def run_import(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:
        change = import_pack(ws, args.file, args.kind)
    print(summary(change, args.file.name))
    return 0


def run_export(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:
        result = export_kind(ws, args.kind, args.out)
    print(f"exported {result.count} {result.kind} entries to {result.path} ({result.format})")
    return 0
