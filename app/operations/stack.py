"""Every workload of a scenario on one fleet: size each kind, then co-locate them.

Generative LLMs are sized by the capacity engine (`sizing`), embedding/reranker/guard encoders
by throughput and memory (`encoder_sizing`), fine-tuning runs by `finetune_sizing`. Then
`app.engine.gpu_pool.plan_pool` places them on GPUs of the scenario's accelerator: LLM replicas
on whole GPUs, encoders on MIG partitions (or time-sliced shares) of shared GPUs, periodic jobs
(fine-tuning, corpus re-embedding) off-peak on the serving GPUs when their idle GPU-hours cover
the jobs, else on dedicated GPUs. The pooled GPU count is the fleet the cost model prices:
the LLM GPUs grow with demand month by month, the rest (`pooled_gpus`) is kept throughout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.engine.capacity import ServingGrids, serving_grid
from app.engine.cost_inputs import parse_redundancy
from app.engine.efficiency import EfficiencyTable
from app.engine.gpu_pool import (
    PartitionScheme,
    PoolPlan,
    WorkloadDemand,
    mig_scheme,
    plan_pool,
)
from app.engine.scenario import ScenarioError
from app.operations.encoder_sizing import USABLE_MEMORY_FRACTION, size_encoder
from app.operations.finetune_sizing import size_finetune
from app.operations.resolve import ResolvedScenario
from app.operations.sizing import (
    WorkloadSizing,
    demand_numbers,
    mean_requests_per_s,
    size_workloads,
)


@dataclass(frozen=True)
class FleetPlan:
    """The pooled fleet: GPUs for all workloads and how they are shared.

    sharing: `mig`, `time-slicing` or `none` (resolved from `deployment.gpu_sharing`).
    llm_gpus: GPUs of the generative replicas (month 1). pooled_gpus = pool.gpus − llm_gpus:
    what encoders and periodic jobs add. pooled_peak/mean_gpu_equivalents: GPU compute those
    workloads use at peak and on average (periodic jobs averaged over the month).
    """

    pool: PoolPlan
    sharing: str
    partition_profiles: tuple[str, ...]
    llm_gpus: int
    pooled_gpus: int
    pooled_peak_gpu_equivalents: float
    pooled_mean_gpu_equivalents: float

    def to_json(self) -> dict[str, Any]:
        p = self.pool
        return {
            "gpus": p.gpus,
            "gpus_whole": p.gpus_whole,
            "gpus_shared": p.gpus_shared,
            "gpus_periodic": p.gpus_periodic,
            "llm_gpus": self.llm_gpus,
            "pooled_gpus": self.pooled_gpus,
            "sharing": self.sharing,
            "partition_profiles": list(self.partition_profiles),
            "memory_utilisation": p.memory_utilisation,
            "compute_utilisation": p.compute_utilisation,
            "periodic_gpu_hours_per_month": p.periodic_gpu_hours_per_month,
            "idle_gpu_hours_per_month": p.idle_gpu_hours_per_month,
            "periodic_in_idle": p.periodic_in_idle,
            "gpu_share_by_workload": dict(p.gpu_share_by_workload),
            "placements": [
                {
                    "workload": x.workload,
                    "instance": x.instance,
                    "gpu": x.gpu,
                    "slot": x.slot,
                    "memory_bytes": x.memory_bytes,
                    "compute_share": x.compute_share,
                }
                for x in p.placements
            ],
            "basis": list(p.basis),
        }


@dataclass(frozen=True)
class StackSizing:
    """Per-workload results in scenario order, and the pooled fleet (None when one does not fit)."""

    workloads: tuple[WorkloadSizing, ...]
    fleet: FleetPlan | None

    @property
    def generative(self) -> tuple[WorkloadSizing, ...]:
        return tuple(s for s in self.workloads if s.kind == "llm")

    @property
    def fits(self) -> bool:
        return all(s.fits for s in self.workloads)


def resolve_sharing(resolved: ResolvedScenario) -> tuple[str, PartitionScheme | None]:
    """`deployment.gpu_sharing` for this accelerator: (mig | time-slicing | none, MIG scheme)."""
    wanted = resolved.scenario.deployment.gpu_sharing
    scheme = mig_scheme(resolved.accelerator)
    if wanted == "mig" and scheme is None:
        raise ScenarioError(
            f"deployment.gpu_sharing: 'mig' needs an accelerator with MIG profiles; "
            f"{resolved.accelerator.name} has none listed (use time-slicing or none)"
        )
    if wanted in ("mig", "auto") and scheme is not None:
        return "mig", scheme
    if wanted == "none":
        return "none", None
    return "time-slicing", None


def size_stack(resolved: ResolvedScenario, table: EfficiencyTable | None = None,
               aliases: Mapping[str, str] | None = None,
               grids: ServingGrids = serving_grid) -> StackSizing:
    """Size every workload and pool them on one fleet (see the module docstring); `grids` as
    in `size_workloads`."""
    scenario = resolved.scenario
    redundancy = parse_redundancy(scenario.deployment.redundancy)
    sharing, scheme = resolve_sharing(resolved)
    generative = {s.index: s for s in size_workloads(resolved, table, aliases, grids)}
    results: list[WorkloadSizing] = []
    demands: list[WorkloadDemand] = []
    peak_equivalents = mean_equivalents = 0.0
    for i, w in enumerate(scenario.workloads):
        if i in generative:
            results.append(generative[i])
            demands.append(_llm_demand(generative[i], resolved))
        elif w.template == "finetune":
            tuned = size_finetune(i, w, resolved)
            results.append(tuned.sizing)
            if tuned.demand is not None:
                demands.append(tuned.demand)
            mean_equivalents += tuned.mean_gpu_equivalents
            peak_equivalents += tuned.mean_gpu_equivalents
        else:
            encoded = size_encoder(i, w, resolved, redundancy, whole_gpus=sharing == "none")
            results.append(encoded.sizing)
            demands.append(encoded.demand)
            peak_equivalents += encoded.peak_gpu_equivalents
            mean_equivalents += encoded.mean_gpu_equivalents
    if not all(s.fits for s in results):
        return StackSizing(tuple(results), None)
    pool = plan_pool(tuple(demands), resolved.accelerator, partitions=scheme,
                     usable_memory_fraction=USABLE_MEMORY_FRACTION)
    if pool.gpus == 0:
        raise ScenarioError(
            "workloads: no workload needs a GPU (every fine-tune has runs_per_month 0)")
    llm_gpus = sum(s.capacity.replicas * s.capacity.gpus_per_replica for s in generative.values())
    fleet = FleetPlan(
        pool=pool,
        sharing=sharing,
        partition_profiles=tuple(p.name for p in scheme.profiles) if scheme else (),
        llm_gpus=llm_gpus,
        pooled_gpus=pool.gpus - llm_gpus,
        pooled_peak_gpu_equivalents=peak_equivalents,
        pooled_mean_gpu_equivalents=mean_equivalents,
    )
    return StackSizing(tuple(_with_pool(s, pool, scheme) for s in results), fleet)


def _llm_demand(s: WorkloadSizing, resolved: ResolvedScenario) -> WorkloadDemand:
    """A generative workload's replicas on whole GPUs; busy = mean / installed output tokens/s."""
    w = resolved.scenario.workloads[s.index]
    installed = s.capacity.replicas * s.capacity.replica_tokens_per_s
    mean_tokens = mean_requests_per_s(w) * demand_numbers(w)[3]
    busy = min(1.0, max(mean_tokens / installed, 1e-6)) if installed > 0 else 1.0
    usable = resolved.accelerator.memory_bytes * USABLE_MEMORY_FRACTION
    return WorkloadDemand(
        name=s.name,
        kind="llm",
        instances=s.capacity.replicas,
        memory_bytes_per_instance=min(s.memory_per_instance_bytes, usable),
        gpus_per_instance=s.capacity.gpus_per_replica,
        compute_share=1.0,
        busy_fraction=busy,
    )


def _slot_fraction(slot: str, compute_share: float, scheme: PartitionScheme | None) -> float:
    """Compute fraction of a GPU a placement gets: whole 1, MIG c/C slices, shared its share."""
    if slot == "whole":
        return 1.0
    if scheme is not None:
        for profile in scheme.profiles:
            if profile.name == slot:
                return profile.compute_slices / scheme.compute_slices
    return compute_share


def _with_pool(
    s: WorkloadSizing, pool: PoolPlan, scheme: PartitionScheme | None
) -> WorkloadSizing:
    """The workload's GPU share and slots in the pool, and the figures that need the fleet.

    Encoders: capacity = Σ placements' compute fraction × per-GPU rate; latency = whole-GPU
    latency / the smallest MIG fraction (time-sliced and whole GPUs run a lone request at
    full speed).
    """
    placed = [p for p in pool.placements if p.workload == s.name]
    slots = Counter(p.slot for p in placed)
    details = dict(s.details)
    extra: dict[str, Any] = {}
    if s.kind in ("embedding", "reranker", "guard") and placed:
        fractions = [_slot_fraction(p.slot, p.compute_share, scheme) for p in placed]
        latency = s.basis["latency_whole_gpu_ms"]
        if scheme is not None and all(p.slot != "whole" for p in placed):
            latency /= min(fractions)
        target = s.basis["latency_target_ms"]
        extra = {
            "capacity_per_s": sum(fractions) * s.basis["per_gpu_rate"],
            "latency_ms": latency,
            "ttft_ms": latency,
            "meets_slo": s.fits and (target is None or latency <= target),
        }
        if "latency_ms" in details:
            details["latency_ms"] = latency
    periodic = s.kind == "finetune" or bool(details.get("reembed_gpu_hours_per_month"))
    if periodic and pool.periodic_gpu_hours_per_month > 0:
        job_gpus = s.capacity.gpus_per_replica if s.kind == "finetune" else 1
        slots["off-peak" if pool.periodic_in_idle else "dedicated"] += job_gpus
    if s.kind == "finetune" and details["runs_per_month"] > 0:
        details["runs_off_peak"] = pool.periodic_in_idle
    if s.kind == "embedding":
        details["corpus_embed_hours_on_fleet"] = details["corpus_embed_gpu_hours"] / pool.gpus
    return replace(
        s,
        gpu_share=pool.gpu_share_by_workload.get(s.name, 0.0),
        slots=dict(slots),
        details=details,
        **extra,
    )
