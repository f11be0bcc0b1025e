"""Fine-tuning time, GPUs for a deadline and cost per run. Vectorized over tokens and GPUs.

FLOPs per trained token (N = active parameters in matrix products, see
`transformer_dims.compute_params`; Kaplan et al. 2020 arXiv:2001.08361 §2.1 and Hoffmann et al.
2022 "Chinchilla" arXiv:2203.15556 use C ≈ 6·N per token):

* full:        6·N + 3·A    (forward 2N; backward 4N: input gradients 2N + weight gradients 2N)
* LoRA/QLoRA:  4·N + 6·N_lora + 3·A   (frozen weights need no weight gradient, Hu et al. 2021
               §4.2; the adapters cost 6 per adapter parameter like any trained weight)
* recomputation adds one more forward: full checkpointing +2·N (+2·N_lora) + A, selective +A
  (Korthikanti et al. 2022: full recompute of every layer takes training from 6N to 8N).

A is the attention-score work per token in the forward pass: causal decoders
`2·layers·s·q_dim` (DESIGN.md prefill term, per token), bidirectional encoders twice that; the
backward pass costs twice the forward.

time_s = tokens × executed FLOPs per token / (GPUs × dense peak × efficiency). The efficiency is
applied to the FLOPs actually executed (recomputation included) and is assumed to hold across
data-parallel GPU counts. `model_flops_utilisation` reports the usual MFU (model FLOPs, no
recomputation) implied by the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.engine.finetune import FinetuneSetup, finetune_memory
from app.engine.training_memory import ArrayLike, FloatArray
from app.engine.transformer_dims import (
    EfficiencyDefault,
    PlanningInputError,
    attention_dims,
    compute_params,
    dense_peak_flops_per_s,
    linear_shapes,
    mlp_is_gated,
    normalise_targets,
)

IntArray = npt.NDArray[np.int64]


TRAINING_EFFICIENCY: dict[str, EfficiencyDefault] = {
    "nvidia-hopper": EfficiencyDefault(
        0.40, "Dubey et al. 2024, The Llama 3 Herd of Models (arXiv:2407.21783) §3.3.2 "
        "Table 4: 38-43 % BF16 MFU on H100"),
    "nvidia-ampere": EfficiencyDefault(
        0.45, "Korthikanti et al. 2022 (arXiv:2205.05198): 42.1 % MFU with full recompute, "
        "54.2 % with selective recompute, 530B on A100; Chowdhery et al. 2022 PaLM: 46.2 %"),
    "nvidia-blackwell": EfficiencyDefault(
        0.40, "assumption: Hopper value (Llama 3 38-43 % MFU); no published Blackwell "
        "fine-tuning MFU in our sources"),
}
FALLBACK_EFFICIENCY = EfficiencyDefault(
    0.35, "assumption: below the published Hopper/Ampere cluster values (38-54 % MFU) for "
    "classes without a published training MFU; calibrate with a site benchmark")
SMALL_SYSTEM_EFFICIENCY = EfficiencyDefault(
    0.35, "assumption: workstation/consumer cards (PCIe, small micro-batches) run below the "
    "38-54 % MFU published for NVLink clusters; calibrate with a site benchmark")
QLORA_SPEED_FACTOR = EfficiencyDefault(
    0.75, "assumption: bitsandbytes de-quantizes every NF4 weight to bf16 before each matmul "
    "(forward, backward and recompute), so QLoRA runs below LoRA's efficiency; no primary "
    "measurement in our sources, calibrate")


def default_training_efficiency(accelerator: AcceleratorSpec) -> EfficiencyDefault:
    """The default efficiency for an accelerator: by hardware class, capped for small systems."""
    found = TRAINING_EFFICIENCY.get(accelerator.hardware_class, FALLBACK_EFFICIENCY)
    if accelerator.segment in ("workstation", "consumer") and found.value > 0.35:
        return SMALL_SYSTEM_EFFICIENCY
    return found


@dataclass(frozen=True)
class TrainingFlops:
    """FLOPs per trained token: `model` (6N convention, no recompute) and `executed`."""

    model_per_token: FloatArray
    executed_per_token: FloatArray
    compute_params: float
    adapter_params_per_token: FloatArray
    note: str


def training_flops_per_token(model: ModelSpec, setup: FinetuneSetup) -> TrainingFlops:
    """FLOPs per trained token for the setup's method, sequence length and checkpointing."""
    n, note = compute_params(model)
    q_dim, _ = attention_dims(model)
    s = np.asarray(setup.seq_len_tokens, dtype=np.float64)
    if np.any(s <= 0):
        raise PlanningInputError("seq_len_tokens: must be a positive number")
    causal = model.kind == "llm" or mlp_is_gated(model)
    attn = (2.0 if causal else 4.0) * model.layers * s * q_dim
    if setup.method == "full":
        lora = np.zeros_like(s)
        trained = 6.0 * n + 3.0 * attn
        forward = 2.0 * n + attn
    else:
        r = np.asarray(setup.lora_rank, dtype=np.float64)
        shapes = linear_shapes(model)
        lora = np.zeros_like(r)
        for name in normalise_targets(setup.lora_targets):
            for shape in shapes.get(name, []):
                lora = lora + shape.layers * shape.active_copies * r * (shape.d_in + shape.d_out)
        trained = 4.0 * n + 6.0 * lora + 3.0 * attn
        forward = 2.0 * n + 2.0 * lora + attn
    if setup.checkpointing == "full":
        executed = trained + forward
    elif setup.checkpointing == "selective":
        executed = trained + attn
    else:
        executed = trained
    return TrainingFlops(
        model_per_token=np.asarray(trained, dtype=np.float64),
        executed_per_token=np.asarray(executed, dtype=np.float64),
        compute_params=n,
        adapter_params_per_token=np.asarray(lora, dtype=np.float64),
        note=note,
    )


@dataclass(frozen=True)
class FinetuneTime:
    """Time and cost of training on `tokens` tokens (dataset tokens × epochs).

    wall_time_s/h: elapsed time on `gpus`. gpu_hours: GPUs × hours. cost_usd: gpu_hours ×
    price (NaN when no price is given). efficiency: the fraction of dense peak applied to the
    executed FLOPs (method factor included); model_flops_utilisation: the MFU this implies.
    """

    tokens: FloatArray
    gpus: FloatArray
    model_flops: FloatArray
    executed_flops: FloatArray
    peak_flops_per_s: float
    efficiency: float
    wall_time_s: FloatArray
    wall_time_h: FloatArray
    gpu_hours: FloatArray
    cost_usd: FloatArray
    model_flops_utilisation: FloatArray
    basis: tuple[str, ...]


def _efficiency(setup: FinetuneSetup, accelerator: AcceleratorSpec | None,
                efficiency: float | None) -> tuple[float, tuple[str, ...]]:
    basis: tuple[str, ...]
    if efficiency is not None:
        if not 0.0 < efficiency <= 1.0:
            raise PlanningInputError("efficiency: must be in (0, 1]")
        base, basis = efficiency, (f"efficiency {efficiency:.2f} (user)",)
    elif accelerator is not None:
        found = default_training_efficiency(accelerator)
        base, basis = found.value, (f"efficiency {found.value:.2f}: {found.source}",)
    else:
        raise PlanningInputError("efficiency: needed when no accelerator is given")
    if setup.method == "qlora" and efficiency is None:
        base *= QLORA_SPEED_FACTOR.value
        basis += (f"QLoRA factor {QLORA_SPEED_FACTOR.value:.2f}: {QLORA_SPEED_FACTOR.source}",)
    return base, basis


def finetune_time(
    model: ModelSpec, setup: FinetuneSetup, tokens: ArrayLike,
    accelerator: AcceleratorSpec | None = None, *, peak_flops_per_s: float | None = None,
    efficiency: float | None = None, usd_per_gpu_hour: float | None = None,
) -> FinetuneTime:
    """Wall time, GPU-hours and cost of training `tokens` tokens on `setup.gpus` GPUs.

    peak_flops_per_s: dense BF16 peak per GPU (default: the accelerator's catalog peak).
    efficiency: overrides the default per hardware class (and then no QLoRA factor is applied).
    """
    tok = np.asarray(tokens, dtype=np.float64)
    if np.any(~np.isfinite(tok)) or np.any(tok < 0):
        raise PlanningInputError("tokens: must be a number >= 0")
    if peak_flops_per_s is None:
        if accelerator is None:
            raise PlanningInputError("accelerator: needed when peak_flops_per_s is not given")
        peak_flops_per_s = dense_peak_flops_per_s(accelerator, "bf16")
    if peak_flops_per_s <= 0:
        raise PlanningInputError("peak_flops_per_s: must be positive")
    if usd_per_gpu_hour is not None and usd_per_gpu_hour < 0:
        raise PlanningInputError("usd_per_gpu_hour: must not be negative")
    eff, eff_basis = _efficiency(setup, accelerator, efficiency)
    gpus = np.asarray(setup.gpus, dtype=np.float64)
    if np.any(gpus < 1):
        raise PlanningInputError("gpus: must be a whole number >= 1")
    flops = training_flops_per_token(model, setup)
    model_flops = tok * flops.model_per_token
    executed = tok * flops.executed_per_token
    seconds = executed / (gpus * peak_flops_per_s * eff)
    hours = seconds / 3600.0
    gpu_hours = hours * gpus
    price = np.nan if usd_per_gpu_hour is None else usd_per_gpu_hour
    with np.errstate(invalid="ignore", divide="ignore"):
        mfu = np.where(seconds > 0, model_flops / (seconds * gpus * peak_flops_per_s), eff)
    basis = (
        f"FLOPs/token {float(np.mean(flops.executed_per_token)):.3g} executed "
        f"({setup.method}, checkpointing {setup.checkpointing}); N = {flops.compute_params:.4g}",
        f"peak {peak_flops_per_s / 1e12:.1f} TFLOPS dense BF16 per GPU",
    ) + eff_basis + ((flops.note,) if flops.note else ())
    shape = np.broadcast_shapes(seconds.shape, tok.shape)
    return FinetuneTime(
        tokens=np.broadcast_to(tok, shape).astype(np.float64),
        gpus=np.broadcast_to(gpus, shape).astype(np.float64),
        model_flops=np.broadcast_to(model_flops, shape).astype(np.float64),
        executed_flops=np.broadcast_to(executed, shape).astype(np.float64),
        peak_flops_per_s=float(peak_flops_per_s),
        efficiency=eff,
        wall_time_s=np.broadcast_to(seconds, shape).astype(np.float64),
        wall_time_h=np.broadcast_to(hours, shape).astype(np.float64),
        gpu_hours=np.broadcast_to(gpu_hours, shape).astype(np.float64),
        cost_usd=np.broadcast_to(gpu_hours * price, shape).astype(np.float64),
        model_flops_utilisation=np.broadcast_to(mfu, shape).astype(np.float64),
        basis=basis,
    )


@dataclass(frozen=True)
class DeadlinePlan:
    """GPUs needed to train `tokens` within a deadline, on GPUs of one kind.

    gpus_needed = max(gpus_for_compute, gpus_for_memory); 0 when the run fits on no count.
    bound: `compute` (the deadline sets the count), `memory` (fitting the model does) or
    `does-not-fit`. wall_time_h, gpu_hours and cost_usd are for `gpus_needed` GPUs.
    """

    gpus_needed: IntArray
    gpus_for_compute: IntArray
    gpus_for_memory: IntArray
    wall_time_h: FloatArray
    gpu_hours: FloatArray
    cost_usd: FloatArray
    bound: npt.NDArray[np.str_]
    basis: tuple[str, ...]


def gpus_for_deadline(
    model: ModelSpec, setup: FinetuneSetup, tokens: ArrayLike, deadline_hours: ArrayLike,
    accelerator: AcceleratorSpec, *, peak_flops_per_s: float | None = None,
    efficiency: float | None = None, usd_per_gpu_hour: float | None = None,
    capacity_bytes: float | None = None,
) -> DeadlinePlan:
    """Smallest data-parallel GPU count that meets the deadline and fits in memory.

    gpus_for_compute = ceil(executed FLOPs / (deadline_s × peak × efficiency));
    gpus_for_memory = the smallest count at `setup.zero_stage` whose per-GPU peak fits.
    """
    deadline = np.asarray(deadline_hours, dtype=np.float64)
    if np.any(~(deadline > 0)):
        raise PlanningInputError("deadline_hours: must be a positive number")
    one_gpu = replace(setup, gpus=1)
    single = finetune_time(model, one_gpu, tokens, accelerator, peak_flops_per_s=peak_flops_per_s,
                           efficiency=efficiency, usd_per_gpu_hour=usd_per_gpu_hour)
    compute = np.maximum(np.ceil(single.wall_time_h / deadline - 1e-9), 1).astype(np.int64)
    memory = finetune_memory(model, one_gpu, accelerator, capacity_bytes).min_gpus_to_fit
    shape = np.broadcast_shapes(compute.shape, memory.shape)
    compute = np.broadcast_to(compute, shape)
    memory = np.broadcast_to(memory, shape)
    needed = np.where(memory == 0, 0, np.maximum(compute, memory)).astype(np.int64)
    bound = np.where(memory == 0, "does-not-fit", np.where(compute >= memory, "compute", "memory"))
    safe = np.maximum(needed, 1)
    hours = single.wall_time_h / safe
    gpu_hours = np.where(needed > 0, single.gpu_hours, np.nan)
    price = np.nan if usd_per_gpu_hour is None else usd_per_gpu_hour
    return DeadlinePlan(
        gpus_needed=needed,
        gpus_for_compute=compute.astype(np.int64),
        gpus_for_memory=memory.astype(np.int64),
        wall_time_h=np.where(needed > 0, hours, np.nan).astype(np.float64),
        gpu_hours=gpu_hours.astype(np.float64),
        cost_usd=(gpu_hours * price).astype(np.float64),
        bound=bound.astype(np.str_),
        basis=single.basis + ("GPU-hours independent of the count (linear data-parallel "
                              "scaling assumed)",),
    )
