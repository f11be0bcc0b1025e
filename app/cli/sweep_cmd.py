"""`enclave sweep --model ID [--input-tokens N --output-tokens N] [--engine E] [--out FILE]`."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_workspace_option, workspace_from
from app.operations.site_efficiency import efficiency_note, workspace_efficiency
from app.operations.sweep import FRONT_COLUMNS, run_sweep, write_front


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="evaluate every accelerator x count x format x KV x layout x batch; write the Pareto front",
    )
    parser.add_argument("--model", required=True, metavar="ID", help="catalog model id")
    parser.add_argument("--input-tokens", type=int, default=1000, metavar="N")
    parser.add_argument("--output-tokens", type=int, default=200, metavar="N")
    parser.add_argument("--engine", default="vllm", help="serving engine family (default vllm)")
    parser.add_argument("--out", metavar="FILE", help="Pareto front as CSV (or JSON for .json)")
    add_workspace_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with workspace_from(args) as ws:
        catalog = ws.catalog
        table, _ = workspace_efficiency(ws.db)  # shipped factors + site refits
    summary = run_sweep(args.model, args.input_tokens, args.output_tokens, args.engine,
                        catalog=catalog, table=table)
    print(
        f"evaluated {summary.evaluated:,} configurations in {summary.seconds:.3f} s "
        f"({summary.configs_per_s:,.0f} configurations/s); {summary.fitting:,} fit; "
        f"Pareto front: {len(summary.front)}"
    )
    print(f"efficiency: {efficiency_note(table)}")
    if args.out:
        write_front(Path(args.out), summary.front)
        print(f"wrote {args.out}")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(FRONT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(summary.front)
    return 0
