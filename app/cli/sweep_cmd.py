"""`enclave sweep (--model ID | --scenario NAME|FILE) [--input-tokens N --output-tokens N]
[--workload N] [--engine E|all] [--max-gpus N] [--priced-only] [--out FILE]`.

Sweeps every accelerator × GPU count × weight format × KV-cache format × parallel layout ×
batch (`app.operations.explore`) and writes the Pareto front (cost per 1M output tokens, TPOT,
TTFT) of the configurations that fit, meet the latency targets and pass the site's
requirements. With `--scenario` the workload (model, token lengths, SLOs, peak demand), the
requirements and the cost inputs come from the scenario (a file, a scenario saved in the
workspace, or a shipped demo); with `--model` there are no targets and no requirements.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_workspace_option, workspace_from
from app.errors import UserError
from app.operations.explore import (
    FRONT_COLUMNS,
    ExploreFilters,
    front_rows,
    select,
    stage_text,
    sweep_space,
    write_front,
)
from app.operations.explore_request import (
    ALL_ENGINES,
    request_for_model,
    request_from_scenario,
    resolve_engines,
)
from app.operations.scenario_files import find_scenario_anywhere
from app.operations.site_efficiency import efficiency_note, workspace_efficiency


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="evaluate every accelerator x count x format x KV x layout x batch; write the "
        "Pareto front",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--model", metavar="ID", help="catalog model id")
    what.add_argument("--scenario", metavar="NAME|FILE",
                      help="scenario file, scenario name in the workspace, or demo name: its "
                      "workload, requirements and cost inputs")
    parser.add_argument("--workload", type=int, metavar="N",
                        help="with --scenario: which workload (0-based; default the first "
                        "chat, RAG, code, batch or guard workload)")
    parser.add_argument("--input-tokens", type=int, metavar="N",
                        help="tokens in per request (default 1000, or the workload's)")
    parser.add_argument("--output-tokens", type=int, metavar="N",
                        help="tokens out per request (default 200, or the workload's)")
    parser.add_argument("--engine", default=None,
                        help=f"serving engine family, or '{ALL_ENGINES}' (default vllm, or "
                        "the scenario's)")
    parser.add_argument("--max-gpus", type=int, metavar="N",
                        help="keep configurations needing at most N GPUs for the peak demand")
    parser.add_argument("--priced-only", action="store_true",
                        help="keep only accelerators with a sourced price (no estimated "
                        "GPU-hour rates)")
    parser.add_argument("--out", metavar="FILE", help="Pareto front as CSV (or JSON for .json)")
    add_workspace_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workload is not None and not args.scenario:
        raise UserError("--workload: only with --scenario")
    origin = ""
    with workspace_from(args) as ws:
        catalog = ws.catalog
        table, _ = workspace_efficiency(ws.db)  # shipped factors + site refits
        known = tuple(table.engines)
        if args.scenario:
            scenario, origin = find_scenario_anywhere(ws.db, args.scenario)
    if args.scenario:
        request = request_from_scenario(scenario, catalog, args.workload)
        request = dataclasses.replace(
            request, engines=resolve_engines(args.engine, request.engines[0], known))
        if args.input_tokens is not None:
            request = dataclasses.replace(request, input_tokens=args.input_tokens)
        if args.output_tokens is not None:
            request = dataclasses.replace(request, output_tokens=args.output_tokens)
        if request.input_tokens < 0 or request.output_tokens < 1:
            raise UserError("--input-tokens must be at least 0 and --output-tokens at least 1")
    else:
        if args.model not in catalog.models:
            raise UserError(f"--model '{args.model}' is not in the catalog")
        request = request_for_model(
            args.model,
            1000 if args.input_tokens is None else args.input_tokens,
            200 if args.output_tokens is None else args.output_tokens,
            resolve_engines(args.engine, "vllm", known))
    space = sweep_space(request, catalog, table)
    selection = select(space, ExploreFilters(max_gpus=args.max_gpus,
                                                priced_only=args.priced_only))
    rows = front_rows(space, selection)
    if args.scenario:
        print(f"scenario: {scenario.name} ({origin}), workload {request.workload_name}: "
              f"{request.describe()}")
    print(
        f"evaluated {space.size:,} configurations in {space.seconds:.3f} s "
        f"({space.configs_per_s:,.0f} configurations/s); {int(space.fits.sum()):,} fit; "
        f"Pareto front: {len(rows)}"
    )
    failing = space.rule_failures()
    by_rule = "; ".join(f"{rule} {n:,}" for rule, n in failing.items())
    print(f"excluded by the site's requirements: {space.constraint_failing:,} of {space.size:,}"
          + (f" (failing {by_rule})" if by_rule else ""))
    for stage, removed in selection.removed:
        print(f"  {removed:,} {stage_text(stage, selection.filters)}")
    print(f"  {selection.dominated:,} dominated by a configuration no worse on cost, TPOT and "
          "TTFT")
    print(f"efficiency: {efficiency_note(table)}")
    if args.out:
        write_front(Path(args.out), rows)
        print(f"wrote {args.out}")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(FRONT_COLUMNS), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0
