"""Size each workload of a resolved scenario: replicas, GPUs, latency, throughput.

This is the one place the evaluation asks "how much hardware does this need?". Until the
capacity engine (`app.engine.capacity.size_deployment`, engine branch) is merged it uses
`app.engine.interim_sizing`, and every result's basis says so.
TODO(engine merge): call `size_deployment` here and map its `CapacityResult` (fits, gpus,
replicas, gpus_per_replica, ttft_ms, tpot_ms, output_tokens_per_s, bound, basis) onto
`WorkloadSizing`; the cost engine only needs `WorkloadCapacity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.cost_inputs import parse_redundancy, scenario_params
from app.engine.demand import WorkloadCapacity, replicas_needed, workload_demand
from app.engine.interim_sizing import GENERATIVE_TEMPLATES, InterimFactors, size_replica
from app.engine.scenario import ScenarioError
from app.operations.resolve import ResolvedScenario

SIZING_METHOD = "interim roofline (app.engine.interim_sizing), until the capacity engine lands"


@dataclass(frozen=True)
class WorkloadSizing:
    """One workload's sized replicas and the performance at the sized concurrency."""

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


def size_workloads(resolved: ResolvedScenario) -> tuple[WorkloadSizing, ...]:
    """Replicas per workload for its month-1 peak demand, redundancy included."""
    scenario = resolved.scenario
    redundancy = parse_redundancy(scenario.deployment.redundancy)
    params = scenario_params(scenario)
    factors = InterimFactors()
    out = []
    for i, w in enumerate(scenario.workloads):
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
        d = scenario.deployment
        replica = size_replica(
            model,
            resolved.accelerator,
            resolved.weights[i],
            resolved.kv_caches[i],
            input_tokens=w.input_tokens,
            output_tokens=w.output_tokens,
            ttft_target_ms=w.ttft_target_ms,
            tpot_target_ms=w.tpot_target_ms,
            tp=d.tp,
            pp=d.pp,
            max_gpus_per_replica=resolved.gpus_per_server,
            factors=factors,
        )
        demand = workload_demand(params, i, "output", scenario.costs.horizon_months)
        peak = float(demand.peak_tokens_per_s[0, 0])
        replicas = int(
            replicas_needed(
                peak,
                replica.replica_output_tokens_per_s,
                redundancy.spare_replicas,
                redundancy.headroom_fraction,
            )
        )
        capacity = WorkloadCapacity(
            gpus_per_replica=replica.gpus_per_replica,
            replica_tokens_per_s=replica.replica_output_tokens_per_s,
            replicas=replicas,
        )
        out.append(
            WorkloadSizing(
                name=w.name,
                capacity=capacity,
                fits=replica.fits,
                meets_slo=replica.meets_slo,
                ttft_ms=replica.ttft_ms,
                tpot_ms=replica.tpot_ms,
                output_tokens_per_s=replica.replica_output_tokens_per_s * replicas,
                peak_demand_tokens_per_s=peak,
                bound=replica.bound,
                basis={
                    "method": SIZING_METHOD,
                    "tp": replica.tp,
                    "pp": replica.pp,
                    "gpus_per_replica": replica.gpus_per_replica,
                    "replicas": replicas,
                    "batch_per_replica": replica.batch,
                    "replica_output_tokens_per_s": replica.replica_output_tokens_per_s,
                    "kv_capacity_tokens_per_replica": replica.kv_capacity_tokens,
                    "weights_gb_per_gpu": replica.weights_gb_per_gpu,
                    "compute_precision": replica.compute_precision,
                    "efficiency_factors": {
                        "mbu": factors.mbu,
                        "mfu": factors.mfu,
                        "step_overhead_ms": factors.step_overhead_s * 1e3,
                        "memory_fraction": factors.memory_fraction,
                        "runtime_overhead_gb": factors.runtime_overhead_bytes / 1e9,
                        "max_batch": factors.max_batch,
                    },
                },
            )
        )
    return tuple(out)
