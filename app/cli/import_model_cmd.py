"""`enclave catalog import-model PATH [--id ID]`: a local model folder or GGUF file.

Reads only headers (config.json, safetensors headers, the GGUF header and tensor table), adds
or replaces one `models` entry, and prints what it read. Plugged into the `catalog` command by
`catalog_cmd.register`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import add_workspace_option, workspace_from
from app.operations.catalog_import import CatalogChange, import_model


def register_actions(actions: Any) -> None:
    """Add `import-model` to the `catalog` subcommands."""
    parser = actions.add_parser(
        "import-model", help="add a model from a local folder (config.json + *.safetensors) "
                             "or a GGUF file, reading only headers")
    parser.add_argument("path", type=Path, help="model folder, its config.json, or a .gguf file")
    parser.add_argument("--id", dest="entry_id", metavar="ID",
                        help="catalog id (default: from the folder or file name)")
    add_workspace_option(parser)
    parser.set_defaults(func=run_import_model)


def describe(entry: dict[str, Any]) -> str:
    """One line saying what was read, with units."""
    arch = entry["arch"]
    parts = [f"{entry['params_total']:,} params ({entry['params_total'] / 1e9:.2f} B)"]
    if arch.get("moe"):
        moe = arch["moe"]
        parts.append(f"{entry['params_active']:,} active ({entry['params_active'] / 1e9:.2f} B, "
                     f"top-{moe['experts_per_token']} of {moe['num_experts']} experts)")
    parts.append(f"{arch['layers']} layers, {arch['heads']} heads / {arch['kv_heads']} KV heads "
                 f"x {arch['head_dim']}")
    if arch.get("mla"):
        parts.append(f"MLA kv_lora_rank {arch['mla']['kv_lora_rank']}")
    if arch.get("sliding_window"):
        window = arch["sliding_window"]
        parts.append(f"sliding window {window['window_tokens']} on "
                     f"{window['sliding_layers']} layers")
    if arch.get("max_context_tokens"):
        parts.append(f"context {arch['max_context_tokens']}")
    types = "+".join(entry.get("params_by_type") or {})
    size = entry["weights_bytes"]
    shown = f"{size / 1e9:.2f} GB" if size >= 1e8 else f"{size / 1e6:.2f} MB"
    parts.append(f"{shown} of {types} weights ({entry['measured_bits_per_weight']:.2f} "
                 "bits/weight)")
    return "; ".join(parts)


def report(change: CatalogChange) -> str:
    lines = []
    for entry in change.entries:
        verb = ("added" if entry["id"] in change.added
                else "changed" if entry["id"] in change.changed else "unchanged")
        lines.append(f"{verb} {change.kind} entry '{entry['id']}' ({entry['name']}): "
                     f"{describe(entry)}")
    return "\n".join(lines)


def run_import_model(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:
        change = import_model(ws, args.path, args.entry_id)
    print(report(change))
    return 0
