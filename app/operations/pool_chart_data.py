"""What the pool placement chart shows: each GPU of the fleet, stacked by workload and slot.

Plain frozen data built from an `EvaluationResult` (Qt-free); `app.reports.charts.pool_chart.
PoolPlacementChart` draws it, in the PDF and on any screen that wants it.

One bar per GPU installed in month 1, height = share of that GPU (0–1):

- a whole GPU of an LLM replica (or of an encoder on a GPU of its own) fills it: 1;
- a MIG partition takes its compute slices / the GPU's slices (`2g.20gb` on a 7-slice H100:
  2/7), the same attribution the pool uses for cost shares;
- a time-sliced instance takes the larger of its compute share and its memory / usable memory;
- a GPU dedicated to periodic jobs (fine-tuning, re-embedding) is split between them by
  GPU-hours;
- GPUs beyond the pool (bought with whole servers, or a hand-set count) are `extra`.

Periodic jobs run in the serving GPUs' idle hours have no GPU of their own: they are listed in
`off_peak` with their GPU-hours per month against the idle GPU-hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.operations.chart_data import accelerator_name
from app.operations.encoder_sizing import USABLE_MEMORY_FRACTION
from app.operations.evaluate import EvaluationResult

NO_POOL = "Nothing was placed: a workload does not fit, so the fleet was not planned."
_PROFILE = re.compile(r"^(\d+)g\.(\d+(?:\.\d+)?)gb$")


@dataclass(frozen=True)
class PoolSegment:
    """One workload's slot on one GPU: `share` of the GPU, from `bottom` to `bottom + share`.

    slot: `whole`, a MIG profile (`1g.10gb`), `shared` (time-sliced), `dedicated` (a periodic
    job's GPU) or `extra`. memory_gb: what the instance holds on this GPU (the profile's
    memory for a MIG slot); None for a dedicated or extra GPU.
    """

    workload: str
    slot: str
    instance: int
    share: float
    bottom: float
    memory_gb: float | None


@dataclass(frozen=True)
class PoolGpu:
    """One GPU of the fleet (index from 0) and what it holds."""

    index: int
    role: str  # whole | shared | periodic | extra
    segments: tuple[PoolSegment, ...]

    @property
    def used_share(self) -> float:
        return sum(s.share for s in self.segments if s.slot != "extra")


@dataclass(frozen=True)
class OffPeakJob:
    workload: str
    gpu_hours_per_month: float


@dataclass(frozen=True)
class PoolPlacementData:
    """The fleet GPU by GPU (see the module docstring); `workloads` in scenario order."""

    accelerator: str
    gpu_memory_gb: float
    sharing: str  # mig | time-slicing | none
    gpus: tuple[PoolGpu, ...]
    workloads: tuple[str, ...]
    pool_gpus: int
    off_peak: tuple[OffPeakJob, ...] = ()
    idle_gpu_hours_per_month: float = 0.0
    note: str = ""


def _mig_fraction(slot: str, slices: int) -> float | None:
    m = _PROFILE.match(slot)
    return int(m.group(1)) / slices if m and slices > 0 else None


def _profile_gb(slot: str) -> float | None:
    m = _PROFILE.match(slot)
    return float(m.group(2)) if m else None


def _gpu_slices(profiles: tuple[str, ...]) -> int:
    """Compute slices of a whole GPU: the largest profile's (`7g.80gb` → 7)."""
    counts = [int(m.group(1)) for m in map(_PROFILE.match, profiles) if m]
    return max(counts, default=0)


def pool_placement(result: EvaluationResult, gpu_memory_bytes: float) -> PoolPlacementData:
    """The month-1 fleet of `result`, GPU by GPU (cheap: reshapes the pool plan);
    `gpu_memory_bytes` is the accelerator's memory (`ResolvedScenario.accelerator`)."""
    fleet = result.pool
    accelerator = accelerator_name(result)
    names = tuple(w.name for w in result.workloads)
    if fleet is None:
        return PoolPlacementData(accelerator, 0.0, "none", (), names, 0, note=NO_POOL)
    plan = fleet.pool
    memory_gb = gpu_memory_bytes / 1e9
    slices = _gpu_slices(fleet.partition_profiles)
    by_gpu: dict[int, list[PoolSegment]] = {}
    for p in sorted(plan.placements, key=lambda p: (p.gpu, names.index(p.workload)
                                                    if p.workload in names else 0, p.instance)):
        if p.slot == "whole":
            share = 1.0
        elif (fraction := _mig_fraction(p.slot, slices)) is not None:
            share = fraction
        else:
            usable = gpu_memory_bytes * USABLE_MEMORY_FRACTION
            share = max(p.compute_share, p.memory_bytes / usable if usable > 0 else 0.0)
        bottom = sum(s.share for s in by_gpu.get(p.gpu, []))
        held = _profile_gb(p.slot) if p.slot not in ("whole", "shared") else p.memory_bytes / 1e9
        by_gpu.setdefault(p.gpu, []).append(
            PoolSegment(p.workload, p.slot, p.instance, min(share, 1.0 - bottom), bottom, held))
    gpus: list[PoolGpu] = []
    serving = plan.gpus_whole + plan.gpus_shared
    for index in range(serving):
        segments = tuple(by_gpu.get(index, ()))
        role = "whole" if index < plan.gpus_whole else "shared"
        gpus.append(PoolGpu(index, role, segments))
    periodic = [w for w in result.workloads if w.slots.get("dedicated")]
    hours = {w.name: _periodic_hours(w.details, w.kind) for w in periodic}
    total_hours = sum(hours.values())
    for index in range(serving, serving + plan.gpus_periodic):
        bottom = 0.0
        segments_: list[PoolSegment] = []
        for w in periodic:
            share = hours[w.name] / total_hours if total_hours > 0 else 1.0 / len(periodic)
            segments_.append(PoolSegment(w.name, "dedicated", 0, share, bottom, None))
            bottom += share
        gpus.append(PoolGpu(index, "periodic", tuple(segments_)))
    installed = max(result.kpis.gpus, plan.gpus)
    for index in range(plan.gpus, installed):
        gpus.append(PoolGpu(index, "extra", (PoolSegment("", "extra", 0, 1.0, 0.0, None),)))
    off_peak: tuple[OffPeakJob, ...] = ()
    if plan.periodic_in_idle:
        off_peak = tuple(OffPeakJob(w.name, _periodic_hours(w.details, w.kind))
                         for w in result.workloads if w.slots.get("off-peak"))
    return PoolPlacementData(
        accelerator=accelerator,
        gpu_memory_gb=memory_gb,
        sharing=fleet.sharing,
        gpus=tuple(gpus),
        workloads=names,
        pool_gpus=plan.gpus,
        off_peak=off_peak,
        idle_gpu_hours_per_month=plan.idle_gpu_hours_per_month,
    )


def _periodic_hours(details: dict[str, object], kind: str) -> float:
    key = "gpu_hours_per_month" if kind == "finetune" else "reembed_gpu_hours_per_month"
    value = details.get(key)
    return float(value) if isinstance(value, int | float) else 0.0

