"""`enclave evaluate NAME|FILE [--draws N] [--seed S] [--json] [--out FILE]`.

Evaluates one scenario (a file, a scenario saved in the workspace by name, or a shipped demo by
file stem or name) with the workspace's catalog and prints a short KPI table, or the full result as JSON with `--json`.
The result of a scenario saved in the workspace is kept in its results cache (and read from it
when nothing changed), so a report of it afterwards skips the evaluation.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from pathlib import Path
from typing import Any

from app.cli.common import add_draws_options, add_workspace_option, check_draws, workspace_from
from app.cli.workload_table import workload_lines
from app.operations.error_bands import short_number
from app.operations.evaluate import EvaluationResult, evaluate
from app.operations.results_cache import evaluate_cached
from app.operations.scenario_files import find_scenario_anywhere, write_text_atomic
from app.operations.site_efficiency import workspace_efficiency
from app.storage import scenario_store

TORNADO_KPIS = ("tco_usd", "npv_usd", "cost_per_million_tokens_usd", "pv_onprem_usd")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("evaluate", help="evaluate a scenario: fit, cost, uncertainty")
    parser.add_argument("scenario", metavar="NAME|FILE",
                        help="scenario file, scenario name in the workspace, or demo name")
    add_draws_options(parser)
    parser.add_argument(
        "--tornado-kpi",
        choices=TORNADO_KPIS,
        default="tco_usd",
        help="KPI the tornado ranks inputs by",
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    add_workspace_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_draws(args)
    with workspace_from(args) as ws:
        scenario, origin = find_scenario_anywhere(ws.db, args.scenario)
        catalog = ws.catalog
        table, aliases = workspace_efficiency(ws.db)  # shipped factors + site refits
        scenario_id = (scenario_store.find(ws.db, origin.split(":", 1)[1])
                       if origin.startswith("workspace:") else None)
        if scenario_id is not None:  # saved in the workspace: kept for the report's export
            result = evaluate_cached(ws.db, scenario_id, scenario, catalog, table, aliases,
                                     draws=args.draws, seed=args.seed,
                                     tornado_kpi=args.tornado_kpi).result
        else:
            result = evaluate(scenario, catalog, draws=args.draws, seed=args.seed,
                              tornado_kpi=args.tornado_kpi, efficiency=table, aliases=aliases)
    if args.json:
        text = json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n"
    else:
        text = kpi_table(result, origin)
    if args.out:
        write_text_atomic(Path(args.out), text)
    else:
        sys.stdout.write(text)
    return 0


def _bands(r: EvaluationResult, *metrics: str) -> str:
    """`  (bands 150–300 ms / 35–53 ms)` from the calibration residuals, when known."""
    bands = r.basis.get("error_bands", {})
    parts = [f"{short_number(b['low'])}–{short_number(b['high'])} ms"
             for m in metrics if (b := bands.get(m))]
    return f"  (bands {' / '.join(parts)})" if len(parts) == len(metrics) else ""


def _usd(x: float | None) -> str:
    return "n/a" if x is None else f"$ {x:,.0f}"


def _month(x: int | None, horizon: int) -> str:
    return f"never within {horizon} months" if x is None else f"month {x}"


def kpi_table(r: EvaluationResult, origin: str) -> str:
    """A short human-readable summary of the headline KPIs."""
    k = r.kpis
    horizon = r.scenario.costs.horizon_months
    rows: list[tuple[str, str]] = [
        ("fits", "yes" if k.fits else "NO (model does not fit in memory)"),
        ("meets latency targets", "yes" if k.meets_slo else "no"),
        (
            "GPUs / servers (month 1)",
            f"{k.gpus} / {k.servers}"
            + (
                f"  (month {horizon}: {k.gpus_final} GPUs)"
                if k.gpus_final not in (None, k.gpus)
                else ""
            ),
        ),
    ]
    if k.ttft_ms is not None and k.tpot_ms is not None:
        pct = max(w.slo_percentile for w in r.scenario.workloads)
        rows.append(
            (f"TTFT / TPOT (P{pct:g}, sized load)", f"{k.ttft_ms:,.0f} ms / {k.tpot_ms:,.1f} ms"
             + _bands(r, "ttft_ms", "tpot_ms"))
        )
    if k.output_tokens_per_s is not None:
        band = r.basis.get("error_bands", {}).get("output_tokens_per_s")
        rows.append(("output tokens/s (LLMs)", f"{k.output_tokens_per_s:,.0f}"
                     + (f"  (band {short_number(band['low'])}–{short_number(band['high'])})"
                        if band else "")))
    if k.tco_usd is not None:
        mc = r.uncertainty
        band = ""
        if mc and mc.inputs:
            p = mc.percentiles["tco_usd"]
            band = f"  (P10 {_usd(p.p10)}, P90 {_usd(p.p90)})"
        rows += [
            ("CapEx (month 1)", _usd(k.capex_usd)),
            ("OpEx per month (mean)", _usd(k.opex_usd_per_month)),
            (f"TCO over {horizon} months", _usd(k.tco_usd) + band),
            ("cloud API over the same months", _usd(k.api_tco_usd)),
            ("rented GPUs over the same months", _usd(k.rental_tco_usd)),
            (
                f"NPV of owning vs API ({r.scenario.costs.discount_rate_per_year:.0%}/yr)",
                _usd(k.npv_usd),
            ),
            (
                "cost per 1M tokens (own / API)",
                f"$ {k.cost_per_million_tokens_usd:,.2f} / "
                + (
                    "n/a"
                    if k.api_cost_per_million_tokens_usd is None
                    else f"$ {k.api_cost_per_million_tokens_usd:,.2f}"
                )
                if k.cost_per_million_tokens_usd is not None
                and math.isfinite(k.cost_per_million_tokens_usd)
                else "n/a (no generative workload)" if not any(
                    w.kind == "llm" for w in r.workloads) else "n/a",
            ),
            ("break-even vs API", _month(k.break_even_month_vs_api, horizon)),
            ("break-even vs rental", _month(k.break_even_month_vs_rental, horizon)),
            (
                "GPU utilisation (mean / peak)",
                f"{(k.utilisation_mean or 0):.0%} / {(k.utilisation_peak or 0):.0%}",
            ),
        ]
        if mc and mc.p_onprem_cheaper_than_api is not None:
            rows.append(
                (
                    "P(owning cheaper than API)",
                    f"{mc.p_onprem_cheaper_than_api:.0%}" + f"  ({mc.draws:,} draws)",
                )
            )
    if k.cost_per_gpu_hour_usd is not None:
        rows.append(("cost per GPU-hour (owned)", f"$ {k.cost_per_gpu_hour_usd:,.2f}"))
    width = max(len(label) for label, _ in rows)
    lines = [f"{r.scenario.name}  [{origin}]"]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    lines += workload_lines(r)
    if r.basis.get("efficiency_factors"):
        lines.append(f"  efficiency: {r.basis['efficiency_factors']}")
    notes = r.basis.get("notes", [])
    if notes:
        lines.append("  notes:")
        lines += [textwrap.fill(note, width=110, initial_indent="    - ",
                                subsequent_indent="      ", break_on_hyphens=False)
                  for note in notes]
    return "\n".join(lines) + "\n"
