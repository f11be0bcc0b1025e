"""Size each workload of a resolved scenario with the capacity engine.

For every generative workload the candidate replica layouts (tensor-parallel degree 1, 2, 4, 8
up to the server's slots, or the scenario's `tp`) are sized in one vectorised call of
`app.engine.capacity.size_candidates` at the workload's month-1 peak request rate and SLOs.
The layout that meets the SLOs with the fewest GPUs wins (ties: the smaller replica). The cost
engine then needs only `WorkloadCapacity`: GPUs per replica, replicas, and the output tokens/s
one replica sustains within the SLOs (sustainable requests/s × output tokens).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.catalog.efficiency import load_efficiency
from app.engine.capacity import CapacityResult, Demand, size_candidates
from app.engine.configs import Deployment
from app.engine.cost_inputs import Redundancy, parse_redundancy
from app.engine.demand import SECONDS_PER_HOUR, WorkloadCapacity
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import ScenarioError, Workload
from app.operations.resolve import ResolvedScenario

GENERATIVE_TEMPLATES = ("chat", "rag", "code", "batch", "guard")
TENSOR_PARALLEL_CHOICES = (1, 2, 4, 8, 16)
SIZING_METHOD = "app.engine.capacity.size_candidates (SLO-constrained replicas)"


@dataclass(frozen=True)
class WorkloadSizing:
    """One workload's sized replicas and its latency at the sized operating point."""

    name: str
    capacity: WorkloadCapacity
    fits: bool
    meets_slo: bool
    ttft_ms: float
    tpot_ms: float
    output_tokens_per_s: float
    peak_demand_tokens_per_s: float
    bound: str
    basis: dict[str, Any] = field(default_factory=dict)


def peak_requests_per_s(w: Workload) -> float:
    """users × requests/user/day / (active hours × 3,600 s) × peak factor (requests/s)."""
    per_day = w.users * w.requests_per_user_per_day
    return per_day / (w.active_hours_per_day * SECONDS_PER_HOUR) * w.peak_factor


def _choose(result: CapacityResult) -> int:
    """Candidate meeting the SLOs with the fewest GPUs; else the first that fits; else the last."""
    meets = np.flatnonzero(result.meets_slo)
    if meets.size:
        return int(meets[np.argmin(result.gpus[meets])])
    fits = np.flatnonzero(result.fits)
    return int(fits[0]) if fits.size else len(result.fits) - 1


def _check_workload(i: int, w: Workload, resolved: ResolvedScenario) -> None:
    if w.template not in GENERATIVE_TEMPLATES:
        raise ScenarioError(
            f"workloads[{i}].template: '{w.template}' workloads cannot be sized yet; "
            f"evaluate supports {', '.join(GENERATIVE_TEMPLATES)}"
        )
    model = resolved.models[i]
    if model.kind != "llm":
        raise ScenarioError(
            f"workloads[{i}].model: '{model.id}' is a {model.kind} model; "
            f"a {w.template} workload needs an llm"
        )


def size_workloads(
    resolved: ResolvedScenario,
    table: EfficiencyTable | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[WorkloadSizing, ...]:
    """Replicas per workload for its month-1 peak demand, redundancy included."""
    aliases = aliases or {}
    if table is None:
        table, aliases = load_efficiency()
    scenario = resolved.scenario
    d = scenario.deployment
    engine = aliases.get(d.engine, d.engine)
    if engine not in table.engines:
        known = ", ".join(sorted(table.engines))
        raise ScenarioError(f"deployment.engine: '{d.engine}' has no efficiency profile ({known})")
    redundancy = parse_redundancy(d.redundancy)
    layouts = (
        [d.tp]
        if d.tp
        else [t for t in TENSOR_PARALLEL_CHOICES if t * d.pp <= max(resolved.gpus_per_server, d.pp)]
    )
    out = []
    for i, w in enumerate(scenario.workloads):
        _check_workload(i, w, resolved)
        candidates = [
            Deployment(
                model=resolved.models[i],
                accelerator=resolved.accelerator,
                weights=resolved.weights[i],
                kv_cache=resolved.kv_caches[i],
                engine=engine,
                gpu_count=t * d.pp,
                tp=t,
                pp=d.pp,
            )
            for t in layouts
        ]
        peak = peak_requests_per_s(w)
        demand = Demand(
            peak_requests_per_s=peak,
            input_tokens=float(w.input_tokens),
            output_tokens=float(w.output_tokens),
            ttft_target_ms=w.ttft_target_ms if w.ttft_target_ms is not None else math.inf,
            tpot_target_ms=w.tpot_target_ms if w.tpot_target_ms is not None else math.inf,
            percentile=w.slo_percentile / 100.0,
            redundancy_replicas=redundancy.spare_replicas,
            redundancy_fraction=redundancy.headroom_fraction,
            gpus_per_server=resolved.gpus_per_server,
        )
        result = size_candidates(candidates, demand, table)
        k = _choose(result)
        out.append(_sizing(w, result, k, peak, redundancy, layouts[k], d.pp))
    return tuple(out)


def _sizing(
    w: Workload,
    result: CapacityResult,
    k: int,
    peak_requests: float,
    redundancy: Redundancy,
    tp: int,
    pp: int,
) -> WorkloadSizing:
    row = result.index(k)
    per_replica = int(row["gpus_per_replica"])  # type: ignore[call-overload]
    tokens = max(float(w.output_tokens), 1.0)
    meets = bool(row["meets_slo"])
    if meets:
        rate = float(row["sustainable_requests_per_s"])  # type: ignore[arg-type]
        replicas = int(row["replicas"])  # type: ignore[call-overload]
    else:
        # Missing the SLO even when idle (or not fitting): cost the fleet at full offline
        # throughput, and say so; the latency targets cannot be met on this hardware.
        offline_replica = float(row["capacity_output_tokens_per_s"])  # type: ignore[arg-type]
        rate = max(offline_replica, 1e-9) / tokens
        serving = max(1, math.ceil(peak_requests / rate - 1e-9))
        replicas = math.ceil(serving * (1.0 + redundancy.headroom_fraction) - 1e-9)
        replicas += redundancy.spare_replicas
    replica_tokens_per_s = rate * tokens
    return WorkloadSizing(
        name=w.name,
        capacity=WorkloadCapacity(
            gpus_per_replica=per_replica,
            replica_tokens_per_s=replica_tokens_per_s,
            replicas=replicas,
        ),
        fits=bool(row["fits"]),
        meets_slo=meets,
        ttft_ms=float(row["ttft_ms"]),  # type: ignore[arg-type]
        tpot_ms=float(row["tpot_ms"]),  # type: ignore[arg-type]
        output_tokens_per_s=replica_tokens_per_s * replicas,
        peak_demand_tokens_per_s=peak_requests * w.output_tokens,
        bound=str(row["bound"]),
        basis={
            "method": SIZING_METHOD,
            "tp": tp,
            "pp": pp,
            "gpus_per_replica": per_replica,
            "replicas": replicas,
            "sustainable_requests_per_s_per_replica": rate,
            "concurrency_per_replica": row["concurrency_per_replica"],
            "replica_output_tokens_per_s": replica_tokens_per_s,
            "peak_requests_per_s": peak_requests,
            "efficiency": result.basis[k],
            "reason": row["reason"],
            "memory_waterfall": [list(step) for step in result.waterfall[k]],
            "candidates": [
                {
                    "gpus_per_replica": int(result.gpus_per_replica[j]),
                    "meets_slo": bool(result.meets_slo[j]),
                    "gpus": None if np.isnan(result.gpus[j]) else int(result.gpus[j]),
                }
                for j in range(len(result.fits))
            ],
        },
    )
