"""Fine-tuning memory per GPU: full, LoRA and QLoRA, with ZeRO/FSDP sharding. Vectorized.

Per-parameter state bytes (Ψ all parameters, Ψ_t trainable, E embedding-table parameters):

* full, mixed-precision AdamW — Rajbhandari et al. 2020, "ZeRO", arXiv:1910.02054, §3.1:
  2Ψ (bf16 weights) + 2Ψ (bf16 gradients) + KΨ optimizer, K = 12 (fp32 master copy, fp32
  momentum, fp32 variance): 16 bytes/parameter.
* 8-bit AdamW — Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization",
  arXiv:2110.02861: each moment 1 byte plus one fp32 absmax per 2048-value block, so
  K = 4 (master) + 2 × (1 + 4/2048) ≈ 6.004 for full fine-tuning.
* LoRA — Hu et al. 2021, arXiv:2106.09685: frozen base in 16 bit (2Ψ); adapters of rank r on
  each targeted matrix W (d_out × d_in) add r·(d_in + d_out) trainable parameters, with their
  own gradients and optimizer states. PEFT keeps adapters in fp32 (4 + 4 bytes, no separate
  master), so AdamW adds 8: 16 bytes per adapter parameter.
* QLoRA — Dettmers et al. 2023, arXiv:2305.14314, §3: linear layers in NF4 with block size 64
  and fp32 absmax (4 + 32/64 = 4.5 bits/param); double quantization stores the absmax in 8 bit
  with a second fp32 level per 256 blocks: 4 + 8/64 + 32/(64·256) ≈ 4.127 bits/param.
  Embedding table and LM head stay 16 bit (bitsandbytes skips them). The reference code casts
  adapters to bf16 (2 + 2 bytes) and uses paged AdamW 32-bit (8): 12 bytes per adapter param.
  Paged optimizers keep their states in unified memory that is evicted to CPU RAM under
  pressure, so they need not be resident while activations peak:
  peak = weights + gradients + max(optimizer, activations) + overhead.
* ZeRO stages (Rajbhandari et al. §5; PyTorch FSDP `SHARD_GRAD_OP` = stage 2, `FULL_SHARD` =
  stage 3) over N data-parallel GPUs: stage 1 divides optimizer states (incl. the fp32 master)
  by N, stage 2 also gradients, stage 3 also weights (frozen base too, as FSDP+QLoRA does).
  Stage 3 gathers one layer at a time and prefetches the next: 2 layers of weights are added.
* Overhead: CUDA context, cuBLAS and NCCL workspaces (`cuda_context_bytes`) plus allocator
  fragmentation as a stated fraction of the allocated bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.engine.scenario import FINETUNE_METHODS, FINETUNE_OPTIMIZERS
from app.engine.training_memory import ArrayLike, FloatArray, activation_memory
from app.engine.transformer_dims import PlanningInputError, linear_shapes, normalise_targets

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_OPTIMIZER = {"full": "adamw", "lora": "adamw", "qlora": "paged_adamw"}
DEFAULT_ADAPTER_DTYPE = {"lora": "fp32", "qlora": "bf16"}
DTYPE_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp32": 4.0}
NF4_BITS = 4.0 + 32.0 / 64.0
NF4_DOUBLE_QUANT_BITS = 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0)
EIGHT_BIT_STATE_BYTES = 1.0 + 4.0 / 2048.0
MAX_GPUS_SEARCHED = 4096


@dataclass(frozen=True)
class FinetuneSetup:
    """How a fine-tuning run is configured.

    method: `full`, `lora` or `qlora`. optimizer: `adamw`, `adamw_8bit`, `paged_adamw`,
    `paged_adamw_8bit` (None: full/LoRA `adamw`, QLoRA `paged_adamw`, as the QLoRA code).
    zero_stage: 0 (plain data parallel) to 3 (FSDP full shard) over `gpus`.
    checkpointing: `none`, `selective` or `full` (Hugging Face gradient checkpointing).
    lora_targets: any of q, k, v, o, gate, up, down (or `q_proj`... / `all`).
    adapter_dtype: `fp32` or `bf16` (None: LoRA fp32 as PEFT, QLoRA bf16 as the QLoRA code).
    attention: `flash` (fused, no s² scores) or `eager`. dropout: base-model dropout (GPT);
    Llama-family models train without it. seq_len_tokens, micro_batch, gpus, lora_rank may be
    numpy arrays (they broadcast).
    """

    method: str = "lora"
    seq_len_tokens: ArrayLike = 2048
    micro_batch: ArrayLike = 1
    gpus: ArrayLike = 1
    zero_stage: int = 0
    checkpointing: str = "full"
    optimizer: str | None = None
    lora_rank: ArrayLike = 16
    lora_targets: tuple[str, ...] = ("q", "k", "v", "o")
    lora_dropout: bool = True
    adapter_dtype: str | None = None
    double_quant: bool = True
    attention: str = "flash"
    dropout: bool = False
    cuda_context_bytes: float = 1.0e9
    fragmentation_fraction: float = 0.05

    @property
    def resolved_optimizer(self) -> str:
        return self.optimizer or DEFAULT_OPTIMIZER.get(self.method, "adamw")

    @property
    def resolved_adapter_dtype(self) -> str:
        return self.adapter_dtype or DEFAULT_ADAPTER_DTYPE.get(self.method, "fp32")


@dataclass(frozen=True)
class FinetuneMemory:
    """Peak memory per GPU, in bytes, and whether it fits.

    weights/gradients/optimizer_bytes: after sharding. activations_bytes: one micro-batch.
    overhead_bytes: context + fragmentation + ZeRO-3 gather buffer. total_bytes: the peak
    (with a paged optimizer, optimizer and activations are not both counted: see module doc).
    fits: total <= capacity. min_gpus_to_fit: smallest data-parallel GPU count (same stage)
    that fits, 0 when none up to 4096 does (plain data parallel never shards). largest: the
    biggest component (`weights`, `gradients`, `optimizer`, `activations`, `overhead`).
    """

    weights_bytes: FloatArray
    gradients_bytes: FloatArray
    optimizer_bytes: FloatArray
    activations_bytes: FloatArray
    overhead_bytes: FloatArray
    total_bytes: FloatArray
    capacity_bytes: float
    fits: BoolArray
    min_gpus_to_fit: IntArray
    trainable_params: FloatArray
    frozen_params: float
    largest: npt.NDArray[np.str_]
    basis: tuple[str, ...]


def lora_adapter_params(model: ModelSpec, rank: ArrayLike, targets: tuple[str, ...]) -> FloatArray:
    """Trainable LoRA parameters: Σ over targeted matrices of r·(d_in + d_out) (Hu et al. §4.1).

    Llama-3.1-8B, r = 16 on q, k, v, o: 32 × 16 × [(4096+4096) + 2·(4096+1024) + (4096+4096)]
    = 13,631,488. MoE experts each get their own adapter.
    """
    r = np.asarray(rank, dtype=np.float64)
    shapes = linear_shapes(model)
    total = np.zeros_like(r)
    for name in normalise_targets(targets):
        for shape in shapes.get(name, []):
            total = total + shape.layers * shape.copies * r * (shape.d_in + shape.d_out)
    return total


def _validate(setup: FinetuneSetup) -> None:
    if setup.method not in FINETUNE_METHODS:
        raise PlanningInputError(f"method: must be one of {', '.join(FINETUNE_METHODS)}")
    if setup.resolved_optimizer not in FINETUNE_OPTIMIZERS:
        raise PlanningInputError(f"optimizer: must be one of {', '.join(FINETUNE_OPTIMIZERS)}")
    if setup.zero_stage not in (0, 1, 2, 3):
        raise PlanningInputError("zero_stage: must be 0, 1, 2 or 3")
    if setup.resolved_adapter_dtype not in DTYPE_BYTES:
        raise PlanningInputError("adapter_dtype: must be fp32, bf16 or fp16")
    if not 0.0 <= setup.fragmentation_fraction < 1.0:
        raise PlanningInputError("fragmentation_fraction: must be in [0, 1)")
    if setup.cuda_context_bytes < 0:
        raise PlanningInputError("cuda_context_bytes: must not be negative")
    for name in ("gpus", "lora_rank"):
        value = np.asarray(getattr(setup, name), dtype=np.float64)
        if np.any(value < 1) or np.any(value != np.floor(value)):
            raise PlanningInputError(f"{name}: must be a whole number >= 1")


def _optimizer_bytes_per_param(setup: FinetuneSetup) -> float:
    """Optimizer-state bytes per trainable parameter (moments, plus fp32 master for full)."""
    moments = 2.0 * (EIGHT_BIT_STATE_BYTES if "8bit" in setup.resolved_optimizer else 4.0)
    master = 4.0 if setup.method == "full" else 0.0
    return moments + master


def state_bytes(model: ModelSpec, setup: FinetuneSetup) -> tuple[FloatArray, FloatArray,
                                                                  FloatArray, FloatArray]:
    """Unsharded (weights, gradients, optimizer, trainable params) bytes/params for the model."""
    psi = float(model.params_total)
    if setup.method == "full":
        trainable = np.asarray(psi, dtype=np.float64)
        weights = 2.0 * trainable
        grads = 2.0 * trainable
    else:
        trainable = lora_adapter_params(model, setup.lora_rank, setup.lora_targets)
        adapter = DTYPE_BYTES[setup.resolved_adapter_dtype]
        weights = base_weight_bytes(model, setup) + adapter * trainable
        grads = adapter * trainable
    optimizer = _optimizer_bytes_per_param(setup) * trainable
    return weights, grads, optimizer, trainable


def base_weight_bytes(model: ModelSpec, setup: FinetuneSetup) -> float:
    """Frozen base weights in bytes: 16-bit for LoRA; NF4 linears + 16-bit embeddings for QLoRA."""
    psi = float(model.params_total)
    if setup.method != "qlora":
        return 2.0 * psi
    table = min(model.embedding_params, psi)
    bits = NF4_DOUBLE_QUANT_BITS if setup.double_quant else NF4_BITS
    return (psi - table) * bits / 8.0 + 2.0 * table


def _per_gpu_total(
    weights: FloatArray, grads: FloatArray, optimizer: FloatArray, activations: FloatArray,
    gather: FloatArray, gpus: FloatArray, setup: FinetuneSetup,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Sharded (weights, grads, optimizer, overhead, total) per GPU for `gpus` GPUs."""
    stage = setup.zero_stage
    w = weights / gpus if stage >= 3 else weights * np.ones_like(gpus)
    g = grads / gpus if stage >= 2 else grads * np.ones_like(gpus)
    o = optimizer / gpus if stage >= 1 else optimizer * np.ones_like(gpus)
    gathered = np.where(gpus > 1, gather, 0.0) if stage >= 3 else 0.0 * gpus
    if setup.resolved_optimizer.startswith("paged"):
        allocated = w + g + np.maximum(o, activations)
    else:
        allocated = w + g + o + activations
    overhead = setup.cuda_context_bytes + setup.fragmentation_fraction * allocated + gathered
    return w, g, o, overhead, allocated + overhead


def finetune_memory(
    model: ModelSpec, setup: FinetuneSetup, accelerator: AcceleratorSpec | None = None,
    capacity_bytes: float | None = None,
) -> FinetuneMemory:
    """Peak memory per GPU of a fine-tuning run and the smallest GPU count that fits.

    Capacity is `capacity_bytes` if given, else the accelerator's `memory_bytes` (decimal GB).
    """
    _validate(setup)
    if capacity_bytes is None:
        if accelerator is None:
            raise PlanningInputError("accelerator: needed when capacity_bytes is not given")
        capacity_bytes = accelerator.memory_bytes
    targets = normalise_targets(setup.lora_targets) if setup.method != "full" else ()
    act = activation_memory(
        model, setup.seq_len_tokens, setup.micro_batch, checkpointing=setup.checkpointing,
        attention=setup.attention, dropout=setup.dropout, lora_rank=setup.lora_rank,
        lora_targets=targets, lora_dropout=setup.lora_dropout and bool(targets),
    ).total_bytes
    weights, grads, optimizer, trainable = state_bytes(model, setup)
    frozen = 0.0 if setup.method == "full" else float(model.params_total)
    layer_weights = (weights - (DTYPE_BYTES[setup.resolved_adapter_dtype] * trainable
                                if setup.method != "full" else 0.0)) / model.layers
    gather = 2.0 * layer_weights
    gpus = np.asarray(setup.gpus, dtype=np.float64)
    w, g, o, overhead, total = _per_gpu_total(weights, grads, optimizer, act, gather, gpus, setup)
    shape = np.broadcast_shapes(total.shape, act.shape, np.shape(weights))
    fits = np.broadcast_to(total <= capacity_bytes, shape)

    counts = np.arange(1, MAX_GPUS_SEARCHED + 1, dtype=np.float64)
    expand = (..., np.newaxis)
    *_, totals = _per_gpu_total(
        np.asarray(weights)[expand], np.asarray(grads)[expand], np.asarray(optimizer)[expand],
        np.asarray(act)[expand], np.asarray(gather)[expand], counts, setup)
    ok = totals <= capacity_bytes
    if setup.zero_stage == 0:
        ok = ok[..., :1]
    first = np.where(ok.any(axis=-1), ok.argmax(axis=-1) + 1, 0).astype(np.int64)

    parts = np.stack(np.broadcast_arrays(w, g, o, act, overhead), axis=0)
    names = np.array(["weights", "gradients", "optimizer", "activations", "overhead"])
    largest = names[parts.argmax(axis=0)]
    basis: tuple[str, ...] = (
        f"method {setup.method}, optimizer {setup.resolved_optimizer}, ZeRO stage "
        f"{setup.zero_stage}, checkpointing {setup.checkpointing}, attention {setup.attention}",
        "states: ZeRO (Rajbhandari et al. 2020) 2Ψ+2Ψ+12Ψ bytes for mixed-precision AdamW",
        "activations: Korthikanti et al. 2022 term-by-term, 16-bit, fp32 logits",
        f"overhead: {setup.cuda_context_bytes / 1e9:.2f} GB context + "
        f"{setup.fragmentation_fraction:.0%} fragmentation",
    )
    if setup.method == "qlora":
        bits = NF4_DOUBLE_QUANT_BITS if setup.double_quant else NF4_BITS
        basis += (f"QLoRA base: NF4 {bits:.3f} bits/param (Dettmers et al. 2023), "
                  "embeddings 16-bit",)
    if setup.resolved_optimizer.startswith("paged"):
        basis += ("paged optimizer: states evicted to CPU RAM while activations peak",)
    return FinetuneMemory(
        weights_bytes=np.broadcast_to(w, shape).astype(np.float64),
        gradients_bytes=np.broadcast_to(g, shape).astype(np.float64),
        optimizer_bytes=np.broadcast_to(o, shape).astype(np.float64),
        activations_bytes=np.broadcast_to(act, shape).astype(np.float64),
        overhead_bytes=np.broadcast_to(overhead, shape).astype(np.float64),
        total_bytes=np.broadcast_to(total, shape).astype(np.float64),
        capacity_bytes=float(capacity_bytes),
        fits=np.asarray(fits, dtype=np.bool_),
        min_gpus_to_fit=np.broadcast_to(first, shape).astype(np.int64),
        trainable_params=np.asarray(trainable, dtype=np.float64),
        frozen_params=frozen,
        largest=np.broadcast_to(largest, shape).astype(np.str_),
        basis=basis,
    )
