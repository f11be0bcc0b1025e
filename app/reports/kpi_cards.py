"""The dashboard's KPI cards as plain data: value, a line of context, a tone, and a tooltip
giving the formula, the inputs and the sources (from the evaluation's `basis`). Qt-free, so
the report can print the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.operations.evaluate import FORMULAS, EvaluationResult
from app.reports.bands import band_ratios
from app.reports.formatting import (
    compact,
    milliseconds,
    month,
    number,
    percent,
    usd_per_mtok,
    usd_short,
)
from app.reports.workload_facts import slots_text

GOOD, BAD, WARN, NEUTRAL, UNKNOWN = "good", "bad", "warn", "neutral", "unknown"
ENTER_COSTS = "needs {fields}"
NOT_FITTING = "not evaluated: a model does not fit"


@dataclass(frozen=True)
class KpiCard:
    """One headline figure. tone: good | bad | warn | neutral | unknown (not evaluated).
    band: the calibration band of a prediction (`band 1,456–3,197`), shown with the value."""

    key: str
    label: str
    value: str
    detail: str
    tooltip: str
    tone: str = NEUTRAL
    band: str = ""


def _band(result: EvaluationResult, metric: str, value: float | None,
          printer: Callable[[float | None], str], unit: str) -> tuple[str, str]:
    """(`band 1,456–3,197`, a tooltip line) for a predicted TTFT, TPOT or throughput in `unit`;
    ('', '') without a band. The band is P10–P90 of measured / predicted on calibration data
    (`app.operations.error_bands`), as the evaluation recorded it."""
    ratios = band_ratios(result, metric)
    if ratios is None or value is None or not math.isfinite(value):
        return "", ""
    low, high = (printer(value * r).removesuffix(f" {unit}") for r in ratios)
    recorded = (result.basis.get("error_bands") or {}).get(metric) or {}
    basis = recorded.get("basis") or "P10–P90 of measured/predicted on calibration data"
    return f"band {low}–{high}", f"Calibration band {low}–{high} {unit}: {basis}"


def _tooltip(what: str, formula: str, inputs: list[str], sources: list[str]) -> str:
    lines = [what, "", f"Formula: {formula}"]
    if inputs:
        lines += ["", "Inputs:"] + [f"  • {i}" for i in inputs]
    if sources:
        lines += ["", "Sources:"] + [f"  • {s}" for s in sources]
    return "\n".join(lines)


def _source_lines(result: EvaluationResult, kinds: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for s in result.basis.get("catalog_sources", ()):
        if s.get("kind") in kinds:
            filled = f"; fills {', '.join(s['filled'])}" if s.get("filled") else ""
            line = (f"{s.get('name')} — {_short(str(s.get('source', '')))} "
                    f"(as of {s.get('as_of')}){filled}")
            if line not in out:  # two workloads of one model cite it once
                out.append(line)
    return out


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sizing(result: EvaluationResult) -> list[dict[str, Any]]:
    return [s.basis for s in result.workloads]


def kpi_cards(result: EvaluationResult, missing_costs: tuple[str, ...] = ()) -> tuple[KpiCard,
                                                                                     ...]:
    """The eleven cards of the dashboard (fits, GPUs, servers, TTFT, TPOT, throughput, TCO,
    cost per 1M tokens, break-even vs API and vs rental, P(on-prem cheaper))."""
    k = result.kpis
    sizings = _sizing(result)
    hw_sources = _source_lines(result, ("accelerator", "model", "server"))
    efficiency = [f"{w.name}: {b.get('efficiency', '')}" for w, b in zip(result.workloads,
                                                                          sizings, strict=False)
                  if w.kind == "llm"]
    workloads = result.scenario.workloads
    cards: list[KpiCard] = []

    w_detail = []
    for w, s in zip(result.workloads, result.scenario.workloads, strict=False):
        if w.kind != "llm":  # encoders and fine-tuning: their memory per GPU of an instance
            memory = w.memory_per_instance_bytes
            w_detail.append(f"{w.name}: {s.model}, {memory / 1e9:.1f} GB per GPU"
                            if math.isfinite(memory) else f"{w.name}: {s.model}")
            continue
        steps = dict((label, gib) for label, gib in w.basis.get("memory_waterfall", []))
        weights = -float(steps.get("weights", 0.0))
        capacity = float(steps.get("capacity", 0.0))
        w_detail.append(f"{w.name}: {s.model} {s.weights}, weights {weights:.1f} of "
                        f"{capacity:.1f} GiB per GPU")
    cards.append(KpiCard(
        "fits", "Fits in memory", "Yes" if k.fits else "No",
        "every workload fits" if k.fits else "a model does not fit",
        _tooltip("Whether each model, its runtime and one sequence's KV cache fit per GPU.",
                 "usable = capacity × engine memory fraction − runtime overhead − activations "
                 "− weights per GPU; fits when usable ≥ the KV cache of one sequence",
                 w_detail, hw_sources),
        GOOD if k.fits else BAD))

    replicas = [f"{w.name}: {b.get('replicas')} replicas × {b.get('gpus_per_replica')} GPU(s) "
                f"(TP {b.get('tp')} × PP {b.get('pp')}), peak "
                f"{float(b.get('peak_requests_per_s') or 0):.2f} req/s, "
                f"{float(b.get('sustainable_requests_per_s_per_replica') or 0):.2f} req/s per "
                f"replica within the SLOs" for w, b in zip(result.workloads, sizings,
                                                          strict=False) if w.kind == "llm"]
    placed = [f"{w.name}: {slots_text(w)}" for w in result.workloads if w.kind != "llm"]
    fixed = result.scenario.deployment.gpu_count
    gpus_detail = ("set by hand" if fixed is not None else
                   f"sized, {result.scenario.deployment.redundancy} redundancy")
    if k.gpus_final and k.gpus_final != k.gpus:
        gpus_detail += f" · {k.gpus_final} by the end"
    cards.append(KpiCard(
        "gpus", "GPUs", number(k.gpus), gpus_detail,
        _tooltip("Accelerators bought at the start (month 1).",
                 "replicas = ceil(peak requests/s ÷ sustainable requests/s per replica) + "
                 "redundancy; GPUs = replicas × TP × PP (whole servers when chosen)",
                 replicas + placed + efficiency, hw_sources)))
    per_server = result.basis.get("cost_model", {}).get("gpus_per_server")
    cards.append(KpiCard(
        "servers", "Servers", number(k.servers),
        f"{per_server} GPUs each · {k.power_kw:,.1f} kW nameplate" if k.power_kw is not None
        else f"{per_server} GPUs each",
        _tooltip("Servers holding the GPUs at the start.",
                 "servers = ceil(GPUs ÷ GPUs per server); power = GPUs × TDP + servers × "
                 "base power", [f"GPUs per server: {per_server}"], hw_sources)))

    for key, label, value, target_name in (("ttft_ms", "TTFT", k.ttft_ms, "ttft_target_ms"),
                                           ("tpot_ms", "TPOT", k.tpot_ms, "tpot_target_ms")):
        # LLM workloads only: encoders and fine-tuning have no tokens to stream
        pairs = [(getattr(s, key), getattr(w, target_name), w.slo_percentile)
                 for s, w in zip(result.workloads, workloads, strict=False)
                 if s.kind == "llm" and math.isfinite(getattr(s, key))]
        worst = max(pairs, key=lambda p: p[0]) if pairs else None
        target = worst[1] if worst else None
        pct = worst[2] if worst else 95.0
        meets = all(t is None or v <= t * 1.0001 for v, t, _ in pairs)
        detail = f"p{pct:g} at peak" + (f", target {milliseconds(target)}" if target else
                                        ", no target")
        long = "time to first token" if key == "ttft_ms" else "time per output token"
        band, band_line = _band(result, key, value, milliseconds, "ms")
        cards.append(KpiCard(
            key, label, milliseconds(value), detail,
            _tooltip(f"Worst LLM workload's {long} at its SLO percentile, at the sized load.",
                     "prefill (and queueing) time from the roofline model with calibrated "
                     "efficiency; the percentile from the M/G/c queueing tail"
                     if key == "ttft_ms" else
                     "decode step time = max(bytes ÷ (bandwidth × mbu), FLOPs ÷ (peak × mfu)) "
                     "+ overheads + tensor-parallel all-reduce; p95/p99 add other prompts' "
                     "prefill chunks", [band_line, *efficiency] if band_line else efficiency,
                     hw_sources),
            UNKNOWN if value is None else GOOD if meets else BAD, band))

    demand = sum(w.peak_demand_tokens_per_s for w in result.workloads)
    band, band_line = _band(result, "output_tokens_per_s", k.output_tokens_per_s, compact,
                            "tok/s")
    cards.append(KpiCard(
        "throughput", "Throughput",
        "—" if k.output_tokens_per_s is None else f"{compact(k.output_tokens_per_s)} tok/s",
        f"peak demand {compact(demand)} tok/s",
        _tooltip("Output tokens per second the installed fleet sustains within the SLOs.",
                 "Σ replicas × sustainable requests/s per replica × output tokens",
                 [band_line, *replicas] if band_line else replicas, hw_sources),
        UNKNOWN if k.output_tokens_per_s is None else
        GOOD if k.output_tokens_per_s >= demand * 0.999 else WARN, band))

    cost_sources = _source_lines(result, ("accelerator-price", "server", "cloud-api",
                                          "gpu-rental"))
    notes = list(result.basis.get("notes", ()))
    costs_known = not missing_costs and k.fits
    missing = (ENTER_COSTS.format(fields=", ".join(missing_costs)) if k.fits
               else NOT_FITTING)
    mc = result.uncertainty
    band = ""
    if mc is not None and "tco_usd" in mc.percentiles and mc.inputs:
        p = mc.percentiles["tco_usd"]
        band = f" · P10–P90 {usd_short(p.p10)}–{usd_short(p.p90)}"
    horizon = result.basis.get("cost_model", {}).get("horizon_months")
    cards.append(KpiCard(
        "tco_usd", "TCO (on-premise)", usd_short(k.tco_usd) if costs_known else "—",
        (f"{horizon} months{band}" if costs_known else missing),
        _tooltip("Total cost of owning and running the deployment over the horizon "
                 "(not discounted).",
                 "Σ months (capital charge + energy + hosting + support + software + staff + "
                 "other); " + FORMULAS["energy_usd_per_month"],
                 [f"CapEx {usd_short(k.capex_usd)}, OpEx {usd_short(k.opex_usd_per_month)}/month",
                  *notes], cost_sources),
        UNKNOWN if not costs_known or k.tco_usd is None else NEUTRAL))
    cards.append(KpiCard(
        "cost_per_million_tokens_usd", "Cost per 1M tokens",
        usd_per_mtok(k.cost_per_million_tokens_usd) if costs_known else "—",
        (f"API {usd_per_mtok(k.api_cost_per_million_tokens_usd)}"
         if k.api_cost_per_million_tokens_usd is not None else "no API compared")
        if costs_known else missing,
        _tooltip("On-premise cost of every token processed (input and output).",
                 FORMULAS["cost_per_million_tokens_usd"],
                 [f"tokens over the horizon: {compact(k.tokens)}"], cost_sources),
        UNKNOWN if not costs_known or k.cost_per_million_tokens_usd is None else
        NEUTRAL if k.api_cost_per_million_tokens_usd is None else
        GOOD if k.cost_per_million_tokens_usd <= k.api_cost_per_million_tokens_usd else WARN))
    for key, label, when, alt_tco, what in (
        ("break_even_month_vs_api", "Break-even: API", k.break_even_month_vs_api,
         k.api_tco_usd, "cloud API"),
        ("break_even_month_vs_rental", "Break-even: rental", k.break_even_month_vs_rental,
         k.rental_tco_usd, "rented GPUs"),
    ):
        compared = alt_tco is not None
        cards.append(KpiCard(
            key, label,
            (month(when) if compared else "—") if costs_known else "—",
            (f"{what} {usd_short(alt_tco)} over the horizon" if compared else
             f"no {what} compared") if costs_known else missing,
            _tooltip(f"When owning becomes cheaper than the {what} for good.",
                     FORMULAS["break_even_month"], [f"{what} TCO {usd_short(alt_tco)}"],
                     cost_sources),
            UNKNOWN if not costs_known or not compared else GOOD if when is not None else BAD))
    p_api = mc.p_onprem_cheaper_than_api if mc else None
    p_rental = mc.p_onprem_cheaper_than_rental if mc else None
    inputs = list(mc.inputs) if mc else []
    cards.append(KpiCard(
        "p_onprem_cheaper", "P(on-prem cheaper)",
        percent(p_api) if costs_known and p_api is not None else "—",
        (f"than the API · {percent(p_rental)} than rental" if p_api is not None else
         "no API compared") if costs_known else missing,
        _tooltip(f"Share of {mc.draws if mc else 0:,} Monte Carlo draws in which owning costs "
                 "less over the horizon (nominal TCO).",
                 "mean over draws of [TCO on-premise < TCO alternative]; inputs drawn from "
                 "their low/likely/high ranges (triangular or PERT)", inputs, []),
        UNKNOWN if not costs_known or p_api is None else
        GOOD if p_api >= 0.8 else BAD if p_api <= 0.2 else WARN))
    return tuple(cards)


def not_evaluated_cards(reason: str) -> tuple[KpiCard, ...]:
    """The cards when nothing could be evaluated (an invalid or incomplete scenario)."""
    keys = (("fits", "Fits in memory"), ("gpus", "GPUs"), ("servers", "Servers"),
            ("ttft_ms", "TTFT"), ("tpot_ms", "TPOT"), ("throughput", "Throughput"),
            ("tco_usd", "TCO (on-premise)"), ("cost_per_million_tokens_usd", "Cost per 1M tokens"),
            ("break_even_month_vs_api", "Break-even: API"),
            ("break_even_month_vs_rental", "Break-even: rental"),
            ("p_onprem_cheaper", "P(on-prem cheaper)"))
    return tuple(KpiCard(key, label, "—", "not evaluated", reason, UNKNOWN)
                 for key, label in keys)
