"""Several workloads on one GPU fleet: co-location, MIG partitions, periodic jobs.

Pure functions over per-workload demands (plain numbers: LLM replicas come from the capacity
engine, encoder instances from `embeddings`, fine-tune GPU-hours from `finetune_time`).

Co-location rule, in order:

1. An instance that needs more than one GPU (tensor/pipeline parallel), all of one GPU's
   compute, or more memory than a partition or a shared GPU offers gets whole GPUs.
2. With a MIG partition scheme, each remaining instance gets the smallest profile smaller than
   the whole GPU whose usable memory holds it and whose compute slices cover its compute share
   (an instance needing the full 7g profile gets a whole GPU); profiles are packed first-fit
   decreasing onto GPUs within the GPU's compute and memory slice counts and each profile's
   instance limit (NVIDIA MIG User Guide, "Supported MIG Profiles"). Slice counting ignores
   the guide's placement positions, which can rule out a few mixes.
3. Without MIG (time-slicing or MPS), instances are packed first-fit decreasing by memory onto
   shared GPUs with Σ memory ≤ usable memory and Σ compute share ≤ 1.
4. Periodic jobs (fine-tuning) run on the serving GPUs off-peak when the pool has at least
   the job's GPU count and its idle GPU-hours cover the job; otherwise they get dedicated GPUs:
   max(job GPUs, ceil(GPU-hours per month / hours per month)). Idle GPU-hours per month =
   (serving GPUs − Σ compute share × busy fraction) × hours per month, where a workload's
   busy fraction is its mean load over the month / its peak load (1 by default: idle hours
   counted at the peak compute shares, conservatively).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.engine.catalog_types import AcceleratorSpec
from app.engine.transformer_dims import PlanningInputError

HOURS_PER_MONTH = 730.0
MIG_SOURCE = ("NVIDIA Multi-Instance GPU User Guide, 'Supported MIG Profiles' "
              "(docs.nvidia.com/datacenter/tesla/mig-user-guide)")


@dataclass(frozen=True)
class PartitionProfile:
    """One MIG profile: compute and memory slices it takes, its memory, its instance limit."""

    name: str
    compute_slices: int
    memory_slices: int
    memory_bytes: float
    max_instances: int


@dataclass(frozen=True)
class PartitionScheme:
    """The MIG profiles of one accelerator family and its slice counts."""

    accelerator_ids: tuple[str, ...]
    compute_slices: int
    memory_slices: int
    profiles: tuple[PartitionProfile, ...]
    source: str = MIG_SOURCE
    as_of: str = "2025"


def _seven_way(ids: tuple[str, ...], sizes_gb: tuple[int, int, int, int]) -> PartitionScheme:
    """A100/H100/H200/B200 layout: 7 compute and 8 memory slices; sizes of 1, 2, 4, 8 slices."""
    one, two, four, eight = sizes_gb
    return PartitionScheme(ids, 7, 8, (
        PartitionProfile(f"1g.{one}gb", 1, 1, one * 1e9, 7),
        PartitionProfile(f"1g.{two}gb", 1, 2, two * 1e9, 4),
        PartitionProfile(f"2g.{two}gb", 2, 2, two * 1e9, 3),
        PartitionProfile(f"3g.{four}gb", 3, 4, four * 1e9, 2),
        PartitionProfile(f"4g.{four}gb", 4, 4, four * 1e9, 1),
        PartitionProfile(f"7g.{eight}gb", 7, 8, eight * 1e9, 1),
    ))


MIG_SCHEMES: tuple[PartitionScheme, ...] = (
    _seven_way(("nvidia-a100-pcie-40gb", "nvidia-a100-sxm4-40gb"), (5, 10, 20, 40)),
    _seven_way(("nvidia-a100-pcie-80gb", "nvidia-a100-sxm4-80gb", "nvidia-h100-sxm-80gb",
                "nvidia-h100-pcie-80gb"), (10, 20, 40, 80)),
    _seven_way(("nvidia-h200-sxm-141gb", "nvidia-h200-nvl-141gb"), (18, 35, 71, 141)),
    _seven_way(("nvidia-b200-180gb",), (23, 45, 90, 180)),
    PartitionScheme(("nvidia-rtx-pro-6000-blackwell-server-96gb",
                     "nvidia-rtx-pro-6000-blackwell-workstation-96gb"), 4, 4, (
        PartitionProfile("1g.24gb", 1, 1, 24e9, 4),
        PartitionProfile("2g.48gb", 2, 2, 48e9, 2),
        PartitionProfile("4g.96gb", 4, 4, 96e9, 1),
    )),
)


def mig_scheme(accelerator: AcceleratorSpec) -> PartitionScheme | None:
    """The MIG scheme for an accelerator, or None when it has no MIG (or none listed here)."""
    for scheme in MIG_SCHEMES:
        if accelerator.id in scheme.accelerator_ids:
            return scheme
    return None


@dataclass(frozen=True)
class WorkloadDemand:
    """What one workload asks of the pool.

    kind: `llm`, `embedding`, `reranker`, `guard`, `finetune` or `other`.
    instances: replicas to place. gpus_per_instance: GPUs one replica spans (TP × PP).
    memory_bytes_per_instance: per GPU of the replica (weights + KV or working set + context).
    compute_share: fraction of one GPU's compute one replica uses at peak (0, 1].
    gpu_hours_per_month, job_gpus: a periodic job (e.g. a weekly fine-tune): GPU-hours it
    needs per month and GPUs it needs at once.
    busy_fraction: mean load over the month / peak load, in (0, 1]; what is left of each
    instance's compute share is idle time periodic jobs may use (1 = never idle).
    """

    name: str
    kind: str
    instances: int = 0
    memory_bytes_per_instance: float = 0.0
    gpus_per_instance: int = 1
    compute_share: float = 1.0
    gpu_hours_per_month: float = 0.0
    job_gpus: int = 0
    busy_fraction: float = 1.0


@dataclass(frozen=True)
class Placement:
    """One replica (or one GPU of a multi-GPU replica) on one pool GPU."""

    workload: str
    instance: int
    gpu: int
    slot: str
    memory_bytes: float
    compute_share: float


@dataclass(frozen=True)
class PoolPlan:
    """GPUs for all workloads on one fleet, and how well they are used.

    gpus = gpus_whole + gpus_shared + gpus_periodic. memory_utilisation and
    compute_utilisation are at peak, over all pool GPUs (periodic jobs averaged over the
    month). gpu_share_by_workload attributes GPUs to workloads (whole GPUs, MIG slices, or the
    larger of memory and compute share on a shared GPU) for cost allocation.
    """

    gpus: int
    gpus_whole: int
    gpus_shared: int
    gpus_periodic: int
    placements: tuple[Placement, ...]
    memory_utilisation: float
    compute_utilisation: float
    periodic_gpu_hours_per_month: float
    idle_gpu_hours_per_month: float
    periodic_in_idle: bool
    gpu_share_by_workload: dict[str, float] = field(default_factory=dict)
    basis: tuple[str, ...] = ()


def _validate(demand: WorkloadDemand) -> None:
    where = f"workload '{demand.name}'"
    if demand.instances < 0 or demand.gpus_per_instance < 1 or demand.job_gpus < 0:
        raise PlanningInputError(f"{where}: instances, job_gpus >= 0 and gpus_per_instance >= 1")
    if demand.instances and not 0 < demand.compute_share <= 1:
        raise PlanningInputError(f"{where}: compute_share must be in (0, 1]")
    if demand.memory_bytes_per_instance < 0 or demand.gpu_hours_per_month < 0:
        raise PlanningInputError(f"{where}: memory and GPU-hours must not be negative")
    if not 0 < demand.busy_fraction <= 1:
        raise PlanningInputError(f"{where}: busy_fraction must be in (0, 1]")


def _smallest_profile(scheme: PartitionScheme, memory: float, share: float,
                      usable_fraction: float) -> PartitionProfile | None:
    """Smallest proper partition (not the whole GPU) holding `memory` with `share` compute."""
    fitting = [p for p in scheme.profiles if p.memory_bytes * usable_fraction >= memory
               and p.compute_slices / scheme.compute_slices >= share - 1e-9
               and p.compute_slices < scheme.compute_slices]
    return min(fitting, key=lambda p: (p.compute_slices, p.memory_slices), default=None)


def plan_pool(
    demands: tuple[WorkloadDemand, ...], accelerator: AcceleratorSpec, *,
    partitions: PartitionScheme | None = None, usable_memory_fraction: float = 0.95,
    hours_per_month: float = HOURS_PER_MONTH, periodic_on_idle: bool = True,
) -> PoolPlan:
    """Place every workload on GPUs of one kind; see the module docstring for the rule."""
    if not 0 < usable_memory_fraction <= 1 or hours_per_month <= 0:
        raise PlanningInputError("usable_memory_fraction in (0, 1] and hours_per_month > 0")
    usable = accelerator.memory_bytes * usable_memory_fraction
    placements: list[Placement] = []
    shares: dict[str, float] = {}
    gpu = 0
    small: list[tuple[WorkloadDemand, int, PartitionProfile | None]] = []
    for d in demands:
        _validate(d)
        for i in range(d.instances):
            profile = None
            if partitions is not None and d.gpus_per_instance == 1:
                profile = _smallest_profile(partitions, d.memory_bytes_per_instance,
                                            d.compute_share, usable_memory_fraction)
            shared_ok = d.gpus_per_instance == 1 and d.compute_share < 1 and (
                profile is not None if partitions is not None
                else d.memory_bytes_per_instance <= usable)
            if shared_ok:
                small.append((d, i, profile))
                continue
            if d.memory_bytes_per_instance > usable:
                raise PlanningInputError(
                    f"workload '{d.name}': {d.memory_bytes_per_instance / 1e9:.1f} GB per GPU "
                    f"exceeds {accelerator.name} ({usable / 1e9:.1f} GB usable)")
            for _ in range(d.gpus_per_instance):
                placements.append(Placement(d.name, i, gpu, "whole",
                                            d.memory_bytes_per_instance, d.compute_share))
                gpu += 1
            shares[d.name] = shares.get(d.name, 0.0) + d.gpus_per_instance
    whole = gpu

    # Shared GPUs: bins of [compute used, memory used, per-profile counts].
    bins: list[tuple[float, float, dict[str, int]]] = []
    if partitions is not None:
        order = sorted(small, key=lambda x: (-(x[2].compute_slices if x[2] else 0),
                                             -(x[2].memory_slices if x[2] else 0)))
    else:
        order = sorted(small, key=lambda x: (-x[0].memory_bytes_per_instance,
                                             -x[0].compute_share))
    for d, i, profile in order:
        if profile is not None and partitions is not None:
            need_c, need_m = float(profile.compute_slices), float(profile.memory_slices)
            cap_c, cap_m = float(partitions.compute_slices), float(partitions.memory_slices)
            slot, share = profile.name, profile.compute_slices / partitions.compute_slices
        else:
            need_c, need_m = d.compute_share, d.memory_bytes_per_instance
            cap_c, cap_m = 1.0, usable
            slot, share = "shared", max(d.compute_share, d.memory_bytes_per_instance / usable)
        for index, (used_c, used_m, counts) in enumerate(bins):
            limit = profile.max_instances if profile is not None else math.inf
            if (used_c + need_c <= cap_c + 1e-9 and used_m + need_m <= cap_m + 1e-9
                    and counts.get(slot, 0) < limit):
                counts[slot] = counts.get(slot, 0) + 1
                bins[index] = (used_c + need_c, used_m + need_m, counts)
                break
        else:
            index = len(bins)
            bins.append((need_c, need_m, {slot: 1}))
        placements.append(Placement(d.name, i, whole + index, slot,
                                    d.memory_bytes_per_instance, d.compute_share))
        shares[d.name] = shares.get(d.name, 0.0) + share
    shared = len(bins)

    periodic_hours = sum(d.gpu_hours_per_month for d in demands)
    job_gpus = max((d.job_gpus for d in demands if d.gpu_hours_per_month > 0), default=0)
    serving = whole + shared
    peak_compute = sum(p.compute_share for p in placements)
    busy = {d.name: d.busy_fraction for d in demands}
    mean_compute = sum(p.compute_share * busy[p.workload] for p in placements)
    idle_hours = max(serving - mean_compute, 0.0) * hours_per_month
    in_idle = periodic_on_idle and periodic_hours > 0 and serving >= max(job_gpus, 1) \
        and idle_hours >= periodic_hours
    periodic = 0
    if periodic_hours > 0 and not in_idle:
        periodic = max(job_gpus, math.ceil(periodic_hours / hours_per_month - 1e-9))
        for d in demands:
            if d.gpu_hours_per_month > 0:
                shares[d.name] = shares.get(d.name, 0.0) + periodic * (
                    d.gpu_hours_per_month / periodic_hours)
    elif in_idle:
        for d in demands:
            if d.gpu_hours_per_month > 0:
                shares[d.name] = shares.get(d.name, 0.0) + d.gpu_hours_per_month / hours_per_month
    total = serving + periodic
    memory_used = sum(p.memory_bytes for p in placements)
    compute_used = peak_compute + periodic_hours / hours_per_month
    basis = (
        "co-location: " + (f"MIG profiles of {accelerator.name} ({partitions.source})"
                           if partitions is not None else "time-sliced sharing by memory and "
                           "compute share, first-fit decreasing"),
        f"usable memory {usable_memory_fraction:.0%} of {accelerator.memory_gb:g} GB per GPU",
        "periodic jobs: " + ("off-peak on serving GPUs" if in_idle else "dedicated GPUs"
                             if periodic else "none"),
    )
    return PoolPlan(
        gpus=total, gpus_whole=whole, gpus_shared=shared, gpus_periodic=periodic,
        placements=tuple(sorted(placements, key=lambda p: (p.gpu, p.workload, p.instance))),
        memory_utilisation=memory_used / (total * accelerator.memory_bytes) if total else 0.0,
        compute_utilisation=min(compute_used / total, 1.0) if total else 0.0,
        periodic_gpu_hours_per_month=periodic_hours, idle_gpu_hours_per_month=idle_hours,
        periodic_in_idle=in_idle, gpu_share_by_workload=shares, basis=basis,
    )


def encoder_demand(name: str, kind: str, documents_per_s_per_gpu: float, memory_bytes: float,
                   documents_per_s: float, target_utilisation: float = 0.7) -> WorkloadDemand:
    """An encoder (embedder, reranker, guard) serving a steady rate, as a pool demand.

    share = rate / (per-GPU rate × target utilisation); instances = max(1, ceil(share)), each
    taking share / instances of a GPU's compute (at least 1 %, the model must be hosted).
    Pass `EncoderThroughput.documents_per_s` and `.memory_bytes` (or the reranker's queries/s).
    """
    if documents_per_s_per_gpu <= 0 or not 0 < target_utilisation <= 1 or documents_per_s < 0:
        raise PlanningInputError(
            f"workload '{name}': per-GPU rate > 0, rate >= 0, target_utilisation in (0, 1]")
    share = documents_per_s / (documents_per_s_per_gpu * target_utilisation)
    instances = max(1, math.ceil(share - 1e-9))
    return WorkloadDemand(name=name, kind=kind, instances=instances,
                          memory_bytes_per_instance=memory_bytes,
                          compute_share=min(1.0, max(share / instances, 0.01)))


def finetune_demand(name: str, gpu_hours_per_run: float, runs_per_month: float,
                    job_gpus: int) -> WorkloadDemand:
    """A periodic fine-tune (weekly: runs_per_month = 52 / 12) as a pool demand."""
    if gpu_hours_per_run < 0 or runs_per_month < 0 or job_gpus < 1:
        raise PlanningInputError(
            f"workload '{name}': GPU-hours and runs >= 0, job_gpus >= 1")
    return WorkloadDemand(name=name, kind="finetune",
                          gpu_hours_per_month=gpu_hours_per_run * runs_per_month,
                          job_gpus=job_gpus)
