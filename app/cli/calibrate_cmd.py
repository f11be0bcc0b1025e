"""`enclave calibrate FILE [--model ID --gpu NAME --gpu-count N --tp N --pp N --engine E
--weights F --kv F] [--format F] [--workspace FILE]`.

Imports a site's benchmark log into the workspace (one transaction with its audit row), refits
the efficiency factors of the engine x hardware class it measured (no other group changes),
and prints the error on the imported points before and after. Every later `estimate`,
`evaluate` and `sweep` in the workspace uses the refit factors, and their basis says so.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.catalog.benchmark_logs import FORMATS, BenchmarkLogError, SiteFacts, fact_flag
from app.cli.common import add_workspace_option, workspace_from
from app.errors import UserError
from app.operations.site_calibration import calibrate_file, plan_report


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="import site benchmark results, refit efficiency factors, print errors before/after",
        description="Reads vLLM `bench serve` JSON, llama-bench JSON/JSONL/CSV/markdown, or a "
        "CSV in the estimate column format with metric and value columns. Give what the log "
        "does not record with the options below.")
    parser.add_argument("file", metavar="FILE", help="the benchmark log")
    parser.add_argument("--format", default="auto", choices=list(FORMATS),
                        help="log format (default: detect)")
    facts = parser.add_argument_group("what the log does not say")
    facts.add_argument("--model", metavar="ID", help="catalog model id")
    facts.add_argument("--gpu", metavar="NAME", help="catalog accelerator id or name")
    facts.add_argument("--gpu-count", metavar="N", help="GPUs in the configuration (default 1)")
    facts.add_argument("--tp", metavar="N", help="tensor-parallel degree (default: all GPUs)")
    facts.add_argument("--pp", metavar="N", help="pipeline-parallel degree (default 1)")
    facts.add_argument("--engine", metavar="E", help="serving engine family: vllm, sglang, "
                       "tensorrt-llm, llama.cpp (default: from the log, when it says)")
    facts.add_argument("--weights", metavar="F", help="weight format, e.g. bf16, fp8, q4_k_m")
    facts.add_argument("--kv", metavar="F", help="KV-cache format (default: from the log, or "
                       "fp8 for fp8/fp4 weights and fp16 otherwise)")
    add_workspace_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    facts = SiteFacts(model=args.model, gpu=args.gpu, gpu_count=args.gpu_count, tp=args.tp,
                      pp=args.pp, engine=args.engine, weights=args.weights, kv_cache=args.kv)
    with workspace_from(args) as ws:
        try:
            plan = calibrate_file(ws, Path(args.file), facts, args.format)
        except BenchmarkLogError as exc:
            raise UserError(cli_message(exc)) from None
    print(plan_report(plan))
    return 0


def cli_message(exc: BenchmarkLogError) -> str:
    """The error with the fact named by its flag (`--gpu-count: ...`, `... (--weights)`)."""
    text, flag = str(exc), fact_flag(exc.field)
    if not flag:
        return text
    if exc.field and text.startswith(f"{exc.field}: "):
        return flag + text[len(exc.field):]
    return f"{text} ({flag})"
