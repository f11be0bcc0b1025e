"""One call for a fine-tuning workload: memory fit, time, cost, GPUs for a deadline, pool demand.

`plan_finetune` combines `finetune.finetune_memory`, `finetune_time.finetune_time` and
`finetune_time.gpus_for_deadline` for one configuration; `FinetunePlan.kpis()` flattens it to
plain numbers (for `enclave evaluate --json`, dashboard cards and the PDF), with `None` for a
value that does not exist (no price, no deadline, nothing fits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.engine.finetune import FinetuneMemory, FinetuneSetup, finetune_memory
from app.engine.finetune_time import DeadlinePlan, FinetuneTime, finetune_time, gpus_for_deadline
from app.engine.gpu_pool import WorkloadDemand, finetune_demand
from app.engine.transformer_dims import PlanningInputError

Kpi = float | int | bool | str | None


@dataclass(frozen=True)
class FinetunePlan:
    """Memory, time and (optionally) deadline sizing of one fine-tuning configuration.

    gpus: the count used for `time` (the setup's, or the deadline's when one is given and it
    fits). runs_per_month: how often the run repeats (weekly = 52 / 12).
    """

    memory: FinetuneMemory
    time: FinetuneTime
    deadline: DeadlinePlan | None
    gpus: int
    runs_per_month: float
    basis: tuple[str, ...]

    def kpis(self) -> dict[str, Kpi]:
        """Scalar KPIs in SI units (bytes, hours, USD)."""
        def num(value: float) -> float | None:
            return None if math.isnan(value) else value

        out: dict[str, Kpi] = {
            "fits": bool(self.memory.fits),
            "gpus": self.gpus,
            "min_gpus_to_fit": int(self.memory.min_gpus_to_fit) or None,
            "weights_bytes": float(self.memory.weights_bytes),
            "gradients_bytes": float(self.memory.gradients_bytes),
            "optimizer_bytes": float(self.memory.optimizer_bytes),
            "activations_bytes": float(self.memory.activations_bytes),
            "overhead_bytes": float(self.memory.overhead_bytes),
            "memory_per_gpu_bytes": float(self.memory.total_bytes),
            "capacity_per_gpu_bytes": self.memory.capacity_bytes,
            "largest_memory_component": str(self.memory.largest),
            "trainable_params": float(self.memory.trainable_params),
            "tokens": float(self.time.tokens),
            "wall_time_h": float(self.time.wall_time_h),
            "gpu_hours_per_run": float(self.time.gpu_hours),
            "cost_per_run_usd": num(float(self.time.cost_usd)),
            "gpu_hours_per_month": float(self.time.gpu_hours) * self.runs_per_month,
            "efficiency": self.time.efficiency,
            "model_flops_utilisation": float(self.time.model_flops_utilisation),
            "bound": str(self.deadline.bound) if self.deadline is not None else (
                "compute" if bool(self.memory.fits) else "does-not-fit"),
        }
        if self.deadline is not None:
            out["gpus_for_deadline"] = int(self.deadline.gpus_needed) or None
        return out

    def pool_demand(self, name: str) -> WorkloadDemand:
        """This run as a periodic job for `gpu_pool.plan_pool`."""
        return finetune_demand(name, float(self.time.gpu_hours), self.runs_per_month,
                               max(self.gpus, 1))


def plan_finetune(
    model: ModelSpec, setup: FinetuneSetup, tokens: float, accelerator: AcceleratorSpec, *,
    usd_per_gpu_hour: float | None = None, deadline_hours: float | None = None,
    runs_per_month: float = 0.0, efficiency: float | None = None,
    peak_flops_per_s: float | None = None,
) -> FinetunePlan:
    """Plan one scalar configuration; with a deadline, the GPU count is the deadline's."""
    for name, value in (("tokens", tokens), ("runs_per_month", runs_per_month)):
        if not math.isfinite(value) or value < 0:
            raise PlanningInputError(f"{name}: must be a number >= 0")
    if any(np.ndim(v) for v in (setup.gpus, setup.seq_len_tokens, setup.micro_batch,
                                 setup.lora_rank)):
        raise PlanningInputError("plan_finetune: gpus, seq_len_tokens, micro_batch and "
                                 "lora_rank must be single numbers (sweep the engine functions)")
    deadline = None
    gpus = int(setup.gpus)
    if deadline_hours is not None:
        deadline = gpus_for_deadline(model, setup, tokens, deadline_hours, accelerator,
                                     peak_flops_per_s=peak_flops_per_s, efficiency=efficiency,
                                     usd_per_gpu_hour=usd_per_gpu_hour)
        gpus = int(deadline.gpus_needed) or gpus
    sized = replace(setup, gpus=gpus)
    memory = finetune_memory(model, sized, accelerator)
    time = finetune_time(model, sized, tokens, accelerator, peak_flops_per_s=peak_flops_per_s,
                         efficiency=efficiency, usd_per_gpu_hour=usd_per_gpu_hour)
    return FinetunePlan(memory=memory, time=time, deadline=deadline, gpus=gpus,
                        runs_per_month=runs_per_month, basis=memory.basis + time.basis)
