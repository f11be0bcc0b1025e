"""Size a fine-tuning workload: memory per GPU, GPUs per run, time per run, GPU-hours per month.

`app.engine.finetune_plan.plan_finetune` does the work. GPUs per run: the scenario's
`finetune.gpus`; else, with a deadline, the fewest that fit in memory and finish within it
(`gpus_for_deadline`); else the fewest that fit (`min_gpus_to_fit` at the ZeRO stage). The run
then becomes a periodic job of `gpu_hours_per_run × runs_per_month` GPU-hours on `gpus` GPUs
at once for `gpu_pool.plan_pool`. Cost per run is filled in after the cost model, at the owned
fleet's cost per GPU-hour (and at the rental rate when one is given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.engine.demand import HOURS_PER_MONTH, WorkloadCapacity
from app.engine.finetune import FinetuneSetup, finetune_memory
from app.engine.finetune_plan import FinetunePlan, plan_finetune
from app.engine.gpu_pool import WorkloadDemand
from app.engine.scenario import FinetuneSpec, ScenarioError, Workload
from app.engine.transformer_dims import PlanningInputError
from app.operations.resolve import ResolvedScenario
from app.operations.sizing import WorkloadSizing, article

METHOD = "app.engine.finetune_plan.plan_finetune (memory: ZeRO/QLoRA states + activations; " \
    "time: executed FLOPs / (GPUs × dense BF16 peak × efficiency))"


@dataclass(frozen=True)
class FinetuneSizing:
    """One fine-tuning workload: its result, its plan and its pool demand (None if it cannot run)."""

    sizing: WorkloadSizing
    plan: FinetunePlan
    demand: WorkloadDemand | None
    mean_gpu_equivalents: float


def size_finetune(i: int, w: Workload, resolved: ResolvedScenario) -> FinetuneSizing:
    """Plan workload `i` (template finetune) on the scenario's accelerator."""
    spec = w.finetune
    where = f"workloads[{i}]"
    if spec is None:  # the parser requires it; a hand-built scenario may not
        raise ScenarioError(f"{where}.finetune: is required for a finetune workload")
    model = resolved.models[i]
    if model.kind != "llm":
        raise ScenarioError(
            f"{where}.model: '{model.id}' is {article(model.kind)} model; a finetune workload needs an "
            "llm (fine-tuning of encoders is not modelled)"
        )
    limit = model.max_context_tokens
    if limit and spec.seq_len_tokens > limit:
        raise ScenarioError(
            f"{where}.finetune.seq_len_tokens: must be at most the context of '{model.id}' "
            f"({limit:,} tokens)"
        )
    try:
        plan = _plan(spec, resolved, i)
    except PlanningInputError as error:
        raise ScenarioError(f"{where}.finetune: {error}") from None
    return _result(i, w, resolved, spec, plan)


def _setup(spec: FinetuneSpec, gpus: int) -> FinetuneSetup:
    return FinetuneSetup(
        method=spec.method,
        seq_len_tokens=spec.seq_len_tokens,
        micro_batch=spec.micro_batch,
        gpus=gpus,
        zero_stage=spec.zero_stage,
        checkpointing=spec.checkpointing,
        optimizer=spec.optimizer,
        lora_rank=spec.lora_rank,
        lora_targets=spec.lora_targets,
    )


def _plan(spec: FinetuneSpec, resolved: ResolvedScenario, i: int) -> FinetunePlan:
    model = resolved.models[i]
    acc = resolved.accelerator
    tokens = spec.dataset_tokens * spec.epochs
    if spec.gpus is not None:
        return plan_finetune(model, _setup(spec, spec.gpus), tokens, acc,
                             runs_per_month=spec.runs_per_month)
    if spec.deadline_hours is not None:
        # Fitting on no GPU count leaves one GPU in the plan, reported as not fitting.
        return plan_finetune(model, _setup(spec, 1), tokens, acc,
                             deadline_hours=spec.deadline_hours,
                             runs_per_month=spec.runs_per_month)
    fewest = int(finetune_memory(model, _setup(spec, 1), acc).min_gpus_to_fit)
    return plan_finetune(model, _setup(spec, max(fewest, 1)), tokens, acc,
                         runs_per_month=spec.runs_per_month)


def _result(
    i: int, w: Workload, resolved: ResolvedScenario, spec: FinetuneSpec, plan: FinetunePlan
) -> FinetuneSizing:
    kpis = plan.kpis()
    fits = bool(kpis["fits"])
    wall_h = float(plan.time.wall_time_h)
    deadline = spec.deadline_hours
    meets = fits and (deadline is None or wall_h <= deadline * (1 + 1e-9))
    tokens = spec.dataset_tokens * spec.epochs
    rate = tokens / (wall_h * 3600.0) if wall_h > 0 else math.nan
    gpu_hours_month = float(plan.time.gpu_hours) * spec.runs_per_month
    details: dict[str, Any] = {
        **kpis,
        "method": spec.method,
        "optimizer": _optimizer(spec),
        "dataset_tokens": spec.dataset_tokens,
        "epochs": spec.epochs,
        "tokens_per_run": tokens,
        "runs_per_month": spec.runs_per_month,
        "seq_len_tokens": spec.seq_len_tokens,
        "micro_batch": spec.micro_batch,
        "zero_stage": spec.zero_stage,
        "checkpointing": spec.checkpointing,
        "lora_rank": spec.lora_rank if spec.method != "full" else None,
        "lora_targets": list(spec.lora_targets) if spec.method != "full" else None,
        "deadline_hours": deadline,
        "meets_deadline": meets if deadline is not None else None,
        "job_gpus": plan.gpus,
        "gpu_hours_per_month": gpu_hours_month,
        "runs_off_peak": None,
        "cost_per_run_usd": None,
        "cost_per_run_rented_usd": None,
    }
    reason = ""
    if not fits:
        reason = (f"needs {float(plan.memory.total_bytes) / 1e9:.1f} GB per GPU on {plan.gpus} "
                  f"GPU(s); {resolved.accelerator.memory_gb:g} GB available")
    elif not meets:
        reason = f"a run takes {wall_h:,.1f} h on {plan.gpus} GPU(s), over the {deadline:g} h deadline"
    sizing = WorkloadSizing(
        name=w.name,
        capacity=WorkloadCapacity(gpus_per_replica=plan.gpus, replica_tokens_per_s=rate,
                                  replicas=0, tokens_kind="training", workload_index=i),
        fits=fits,
        meets_slo=meets,
        ttft_ms=math.nan,
        tpot_ms=math.nan,
        output_tokens_per_s=0.0,
        peak_demand_tokens_per_s=0.0,
        bound=str(kpis["bound"]),
        basis={"method": METHOD, "engine_basis": list(plan.basis), "reason": reason},
        index=i,
        template=w.template,
        kind="finetune",
        model=resolved.models[i].id,
        rate_unit="training tokens/s",
        capacity_per_s=rate,
        peak_demand_per_s=tokens / (deadline * 3600.0) if deadline else math.nan,
        memory_per_instance_bytes=float(plan.memory.total_bytes),
        details=details,
    )
    demand = plan.pool_demand(w.name) if fits and spec.runs_per_month > 0 else None
    return FinetuneSizing(sizing=sizing, plan=plan, demand=demand,
                          mean_gpu_equivalents=gpu_hours_month / HOURS_PER_MONTH)


def _optimizer(spec: FinetuneSpec) -> str:
    return _setup(spec, 1).resolved_optimizer
