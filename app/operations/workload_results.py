"""Per-workload results after the cost model, and their `enclave evaluate --json` form.

Costs follow the pooled fleet's one TCO:

    cost_per_gpu_hour_usd = TCO / (Σ_months installed GPUs × 730 h)       (owned, fully loaded)
    cost_share_usd        = TCO × gpu_share / Σ gpu_share                 (GPUs the pool attributes
                            to the workload; spare and rounding GPUs spread in proportion)
    fine-tune cost per run    = GPU-hours per run × cost_per_gpu_hour_usd (and × the rental rate)
    corpus embedding cost     = GPU-hours of one full pass × cost_per_gpu_hour_usd
    reranking cost per 1,000  = GPU-seconds per query × 1,000 / 3,600 × cost_per_gpu_hour_usd

Every workload's JSON object has the common keys listed in `COMMON_KEYS`, and its kind's own
figures under a key named after the kind (`llm`, `embedding`, `reranker`, `guard`, `finetune`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from app.operations.sizing import WorkloadSizing

COMMON_KEYS = (
    "name", "index", "template", "kind", "model", "fits", "meets_slo", "bound",
    "replicas", "gpus_per_replica", "gpu_share", "slots", "memory_per_instance_bytes",
    "rate_unit", "capacity_per_s", "peak_demand_per_s", "utilisation_at_peak", "latency_ms",
    "ttft_ms", "tpot_ms", "output_tokens_per_s", "peak_demand_output_tokens_per_s",
    "cost_share_usd",
)


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def with_costs(
    sizings: tuple[WorkloadSizing, ...],
    tco_usd: float | None,
    cost_per_gpu_hour_usd: float | None,
    rental_usd_per_gpu_hour: float | None,
) -> tuple[WorkloadSizing, ...]:
    """Each workload's share of the TCO and its kind's costs (formulas in the module docstring)."""
    shares = [s.gpu_share or 0.0 for s in sizings]
    total = sum(shares)
    rate = _finite(cost_per_gpu_hour_usd)
    out = []
    for s, share in zip(sizings, shares, strict=True):
        d = dict(s.details)
        if s.kind == "finetune" and rate is not None:
            hours = float(d["gpu_hours_per_run"])
            d["cost_per_run_usd"] = hours * rate
            if rental_usd_per_gpu_hour is not None:
                d["cost_per_run_rented_usd"] = hours * rental_usd_per_gpu_hour
        elif s.kind == "embedding" and rate is not None:
            d["corpus_embed_cost_usd"] = float(d["corpus_embed_gpu_hours"]) * rate
        elif s.kind == "reranker" and rate is not None:
            d["cost_per_1k_queries_usd"] = float(d["gpu_seconds_per_query"]) * 1000 / 3600 * rate
        cost_share = tco_usd * share / total if tco_usd is not None and total > 0 else None
        out.append(replace(s, details=d, cost_share_usd=cost_share))
    return tuple(out)


def workload_json(s: WorkloadSizing) -> dict[str, Any]:
    """One workload as in `enclave evaluate --json` (keys in `COMMON_KEYS`, then the kind's)."""
    capacity = _finite(s.capacity_per_s)
    peak = _finite(s.peak_demand_per_s)
    out: dict[str, Any] = {
        "name": s.name,
        "index": s.index,
        "template": s.template,
        "kind": s.kind,
        "model": s.model,
        "fits": s.fits,
        "meets_slo": s.meets_slo,
        "bound": s.bound,
        "replicas": s.capacity.replicas,
        "gpus_per_replica": s.capacity.gpus_per_replica,
        "gpu_share": s.gpu_share,
        "slots": dict(s.slots),
        "memory_per_instance_bytes": _finite(s.memory_per_instance_bytes),
        "rate_unit": s.rate_unit,
        "capacity_per_s": capacity,
        "peak_demand_per_s": peak,
        "utilisation_at_peak": peak / capacity if capacity and peak is not None else None,
        "latency_ms": _finite(s.latency_ms),
        "ttft_ms": _finite(s.ttft_ms) if s.kind == "llm" else None,
        "tpot_ms": _finite(s.tpot_ms) if s.kind == "llm" else None,
        "output_tokens_per_s": s.output_tokens_per_s,
        "peak_demand_output_tokens_per_s": s.peak_demand_tokens_per_s if s.kind == "llm" else 0.0,
        "cost_share_usd": s.cost_share_usd,
    }
    out[s.kind] = dict(s.details)
    return out
