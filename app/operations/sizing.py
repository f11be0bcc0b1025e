"""Size each generative (LLM) workload of a resolved scenario with the capacity engine.

Encoder workloads (embedding, reranker, guard) are sized in `encoder_sizing`, fine-tuning in
`finetune_sizing`, and `stack` puts them all on one fleet. `WorkloadSizing` is the per-workload
result of every kind.

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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from app.catalog.efficiency import load_efficiency
from app.engine.capacity import (
    CapacityResult,
    Demand,
    ServingGrids,
    serving_grid,
    size_candidates,
)
from app.engine.configs import GIB, Deployment
from app.engine.cost_inputs import Redundancy, parse_redundancy
from app.engine.demand import SECONDS_PER_HOUR, WorkloadCapacity
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import ScenarioError, Workload
from app.operations.resolve import ResolvedScenario

TENSOR_PARALLEL_CHOICES = (1, 2, 4, 8, 16)
SIZING_METHOD = "app.engine.capacity.size_candidates (SLO-constrained replicas)"
KINDS = {"embedding": "embedding", "reranker": "reranker", "guard": "guard",
         "finetune": "finetune"}  # template -> kind; every other template is an `llm`
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class WorkloadSizing:
    """One workload's sized instances and how it performs at the sized operating point.

    `capacity`: what the cost model needs (GPUs per replica, replicas, tokens/s per replica);
    for a fine-tune, replicas is 0 and gpus_per_replica the GPUs of one run. Latency fields are
    NaN where they do not apply (`tpot_ms` for encoders, both for fine-tuning).
    `kind` is `llm`, `embedding`, `reranker`, `guard` or `finetune`. `capacity_per_s` and
    `peak_demand_per_s` are in `rate_unit` (output tokens/s for an LLM, texts/s for an embedder,
    queries/s for a reranker, checks/s for a guard, training tokens/s for a fine-tune run).
    `latency_ms`: one request on an idle instance (encoders), the TTFT (LLMs).
    `memory_per_instance_bytes`: per GPU of one instance. The pool fills `gpu_share` (GPUs
    attributed to the workload), `slots` (slot name → instances: `whole`, a MIG profile,
    `shared`, `off-peak`, `dedicated`) and the cost model `cost_share_usd` (its share of the
    TCO, by GPU share). `details` holds the kind's own figures (see `workload_results`).
    """

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
    # the chosen replica under the rates the sizing tried (per replica, at the SLO
    # percentile): requests_per_s, concurrency, output_tokens_per_s, ttft_ms, tpot_ms
    load_grid: dict[str, tuple[float, ...]] = field(default_factory=dict)
    index: int = 0
    template: str = "chat"
    kind: str = "llm"
    model: str = ""
    rate_unit: str = "output tokens/s"
    capacity_per_s: float = math.nan
    peak_demand_per_s: float = math.nan
    latency_ms: float = math.nan
    memory_per_instance_bytes: float = math.nan
    gpu_share: float | None = None
    slots: dict[str, int] = field(default_factory=dict)
    cost_share_usd: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


def article(word: str) -> str:
    """`an embedding`, `a reranker`: the word with its indefinite article."""
    spoken_vowel = word[:1] in ("a", "e", "i", "o", "u") or word == "llm"  # "an el-el-em"
    return f"{'an' if spoken_vowel else 'a'} {word}"


def demand_numbers(w: Workload) -> tuple[float, float, float, float]:
    """(users, requests/user/day, input tokens, output tokens) of a request-serving workload.

    The parser guarantees them for every template but `finetune`; output tokens default to 0.
    """
    if w.users is None or w.requests_per_user_per_day is None or w.input_tokens is None:
        raise ScenarioError(f"workload '{w.name}': users, requests and tokens are required")
    return (float(w.users), float(w.requests_per_user_per_day), float(w.input_tokens),
            float(w.output_tokens or 0))


def peak_requests_per_s(w: Workload) -> float:
    """users × requests/user/day / (active hours × 3,600 s) × peak factor (requests/s)."""
    users, per_user, _, _ = demand_numbers(w)
    return users * per_user / (w.active_hours_per_day * SECONDS_PER_HOUR) * w.peak_factor


def mean_requests_per_s(w: Workload) -> float:
    """Requests/s averaged over every hour of the year: requests/day × active days / 365 / 86,400."""
    users, per_user, _, _ = demand_numbers(w)
    return users * per_user * w.active_days_per_year / DAYS_PER_YEAR / (24 * SECONDS_PER_HOUR)


def _choose(result: CapacityResult) -> int:
    """Candidate meeting the SLOs with the fewest GPUs; else the first that fits; else the last."""
    meets = np.flatnonzero(result.meets_slo)
    if meets.size:
        return int(meets[np.argmin(result.gpus[meets])])
    fits = np.flatnonzero(result.fits)
    return int(fits[0]) if fits.size else len(result.fits) - 1


def _check_workload(i: int, w: Workload, resolved: ResolvedScenario) -> None:
    model = resolved.models[i]
    if model.kind != "llm":
        raise ScenarioError(
            f"workloads[{i}].model: '{model.id}' is {article(model.kind)} model; "
            f"a {w.template} workload needs an llm"
        )


def size_workloads(
    resolved: ResolvedScenario,
    table: EfficiencyTable | None = None,
    aliases: Mapping[str, str] | None = None,
    grids: ServingGrids = serving_grid,
) -> tuple[WorkloadSizing, ...]:
    """Replicas per generative workload for its month-1 peak demand, redundancy included.

    Only the `chat`, `rag`, `code` and `batch` workloads are sized here, in scenario order;
    each result's `index` is its position in the scenario. `grids` measures the candidates'
    serving (the live dashboard passes a cache of it).
    """
    aliases = dict(aliases or {})
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
        if not w.is_generative:
            continue
        _check_workload(i, w, resolved)
        _, _, input_tokens, output_tokens = demand_numbers(w)
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
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            ttft_target_ms=w.ttft_target_ms if w.ttft_target_ms is not None else math.inf,
            tpot_target_ms=w.tpot_target_ms if w.tpot_target_ms is not None else math.inf,
            percentile=w.slo_percentile / 100.0,
            redundancy_replicas=redundancy.spare_replicas,
            redundancy_fraction=redundancy.headroom_fraction,
            gpus_per_server=resolved.gpus_per_server,
        )
        result = size_candidates(candidates, demand, table, grids)
        k = _choose(result)
        sized = _sizing(w, result, k, peak, redundancy, layouts[k], d.pp)
        out.append(_with_identity(sized, i, w, resolved))
    return tuple(out)


def _with_identity(s: WorkloadSizing, i: int, w: Workload,
                   resolved: ResolvedScenario) -> WorkloadSizing:
    """The scenario position, kind, model and common rate fields of an LLM sizing."""
    reserved = dict(s.basis["memory_waterfall"]).get("reserved", 0.0)
    engine_bytes = resolved.accelerator.memory_bytes + reserved * GIB  # reserved is < 0
    return replace(
        s,
        capacity=replace(s.capacity, workload_index=i),
        index=i,
        template=w.template,
        kind="llm",
        model=resolved.models[i].id,
        capacity_per_s=s.output_tokens_per_s,
        peak_demand_per_s=s.peak_demand_tokens_per_s,
        latency_ms=s.ttft_ms,
        memory_per_instance_bytes=engine_bytes,
        details={
            "tp": s.basis["tp"],
            "pp": s.basis["pp"],
            "peak_requests_per_s": s.basis["peak_requests_per_s"],
            "sustainable_requests_per_s_per_replica":
                s.basis["sustainable_requests_per_s_per_replica"],
            "concurrency_per_replica": s.basis["concurrency_per_replica"],
            "replica_output_tokens_per_s": s.basis["replica_output_tokens_per_s"],
        },
    )


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
    output_tokens = demand_numbers(w)[3]
    tokens = max(output_tokens, 1.0)
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
    grid = result.grid
    load_grid = {} if grid is None else {
        name: tuple(float(v) for v in np.ravel(getattr(grid, name)[k]))
        for name in ("requests_per_s", "concurrency", "output_tokens_per_s", "ttft_ms", "tpot_ms")
    }
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
        peak_demand_tokens_per_s=peak_requests * output_tokens,
        bound=str(row["bound"]),
        load_grid=load_grid,
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
