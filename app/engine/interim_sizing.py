"""Interim capacity sizing for the cost engine, until `app.engine.capacity.size_deployment` lands.

A deliberately small roofline, with fixed efficiency factors (stated in `InterimFactors` and in
every result's basis), so that `enclave evaluate` works end to end. It is replaced by the
capacity engine (issue: engine branch); the cost engine only needs `WorkloadCapacity`.

Per replica of g GPUs (tensor parallel t, pipeline p, g = t × p):
    weights_bytes      = params_total × bits_per_weight / 8
    kv_bytes_per_token (per GPU) = 2 × (layers / p) × max(1, kv_heads / t) × head_dim × kv_bytes
                         (MLA: (layers / p) × (kv_lora_rank + qk_rope_head_dim) × kv_bytes)
    kv_tokens          = (memory × memory_fraction − overhead − weights_bytes / g) / kv_per_token
    step(B)            = max(bytes(B) / (bandwidth × mbu), 2 × active × B / g / (peak × mfu))
                         + step_overhead,   bytes(B) = read(B) / g + B × context × kv_per_token
    read(B)            = weights for a dense model; for a mixture of experts (E experts, k per
                         token) the shared part plus the experts a batch touches,
                         E × (1 − (1 − k/E)^B) of them (DESIGN.md), with expert size
                         (params_total − params_active) / (E − k)
    prefill            = 2 × active × input_tokens / (g × peak × mfu) + step_overhead
    tpot(B)            = step(B) + B × prefill / output_tokens   (prompt work interleaved)
    throughput(B)      = B / tpot(B)   output tokens/s per replica
The batch B is the largest that fits the KV cache and the engine's batch limit and keeps
tpot(B) within the TPOT target (and prefill within the TTFT target). TTFT and TPOT are reported
at that batch: the worst case the replica is allowed to reach at peak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.finance import FloatArray

GENERATIVE_TEMPLATES = ("chat", "rag", "code", "batch", "guard")


@dataclass(frozen=True)
class InterimFactors:
    """Fixed efficiency factors of the interim sizing (not calibrated)."""

    mbu: float = 0.65  # achieved / peak memory bandwidth in decode
    mfu: float = 0.35  # achieved / peak tensor throughput
    step_overhead_s: float = 0.004  # scheduler, sampling, launch per step
    memory_fraction: float = 0.90  # share of GPU memory the engine takes
    runtime_overhead_bytes: float = 2.0e9  # activations, CUDA graphs, context per GPU
    max_batch: int = 256  # engine's max sequences per replica (vLLM default max_num_seqs)


@dataclass(frozen=True)
class ReplicaSizing:
    """One replica's layout and what it sustains within the SLOs."""

    fits: bool
    tp: int
    pp: int
    gpus_per_replica: int
    batch: int
    replica_output_tokens_per_s: float
    ttft_ms: float
    tpot_ms: float
    kv_capacity_tokens: float
    weights_gb_per_gpu: float
    bound: str
    meets_slo: bool
    compute_precision: str


def _peak_tflops(gpu: AcceleratorSpec, weights: QuantFormat) -> tuple[float, str]:
    """Dense peak for the format's compute path, falling back to 16-bit when not native."""
    wanted = weights.compute_precision
    if wanted in gpu.native_precisions and gpu.peak_tflops.get(wanted):
        return gpu.peak_tflops[wanted], wanted
    for fallback in ("bf16", "fp16"):
        if gpu.peak_tflops.get(fallback):
            return gpu.peak_tflops[fallback], fallback
    raise ValueError(f"accelerator '{gpu.id}' has no 16-bit peak in the catalog")


def weights_read_bytes(model: ModelSpec, bytes_per_param: float, batches: FloatArray) -> FloatArray:
    """Weight bytes one decode step reads at each batch size (all of them for a dense model)."""
    total = model.params_total * bytes_per_param
    moe = model.moe
    if moe is None or moe.num_experts <= moe.experts_per_token:
        return np.full_like(batches, total)
    experts, active = moe.num_experts, moe.experts_per_token
    expert_params = (model.params_total - model.params_active) / (experts - active)
    shared_params = model.params_total - experts * expert_params
    touched = experts * (1.0 - (1.0 - active / experts) ** batches)
    return np.asarray((shared_params + touched * expert_params) * bytes_per_param)


def _kv_bytes_per_token_per_gpu(model: ModelSpec, kv: QuantFormat, tp: int, pp: int) -> float:
    layers = model.layers / pp
    kv_bytes = kv.bits_per_weight / 8.0
    if model.mla is not None:
        return layers * (model.mla.kv_lora_rank + model.mla.qk_rope_head_dim) * kv_bytes
    heads = max(1.0, model.kv_heads / tp)
    return 2.0 * layers * heads * model.head_dim * kv_bytes


def size_replica(
    model: ModelSpec,
    gpu: AcceleratorSpec,
    weights: QuantFormat,
    kv: QuantFormat,
    *,
    input_tokens: int,
    output_tokens: int,
    ttft_target_ms: float | None,
    tpot_target_ms: float | None,
    tp: int | None,
    pp: int,
    max_gpus_per_replica: int,
    factors: InterimFactors = InterimFactors(),
) -> ReplicaSizing:
    """The smallest replica that holds the model, and its best batch within the SLOs."""
    peak_tflops, precision = _peak_tflops(gpu, weights)
    peak = peak_tflops * 1e12 * factors.mfu
    bandwidth = gpu.bandwidth_bytes_per_s * factors.mbu
    weights_bytes = model.params_total * weights.bits_per_weight / 8.0
    usable_per_gpu = gpu.memory_bytes * factors.memory_fraction - factors.runtime_overhead_bytes
    sizes = (1, 2, 4, 8, 16)
    candidates = [tp] if tp else [t for t in sizes if t * pp <= max(max_gpus_per_replica, pp)]
    context = input_tokens + output_tokens / 2.0
    out_tokens = max(output_tokens, 1)
    last: ReplicaSizing | None = None
    for t in candidates:
        g = t * pp
        kv_per_token = _kv_bytes_per_token_per_gpu(model, kv, t, pp)
        kv_tokens = (usable_per_gpu - weights_bytes / g) / kv_per_token
        fits = kv_tokens >= input_tokens + output_tokens
        per_sequence = input_tokens + output_tokens
        batch_limit = int(min(factors.max_batch, max(kv_tokens, 0.0) // per_sequence))
        batches = np.arange(1, max(batch_limit, 1) + 1, dtype=np.float64)
        read_bytes = weights_read_bytes(model, weights.bits_per_weight / 8.0, batches)
        memory_s = (read_bytes / g + batches * context * kv_per_token) / bandwidth
        compute_s = 2.0 * model.params_active * batches / g / peak
        step_s = np.maximum(memory_s, compute_s) + factors.step_overhead_s
        prefill_s = 2.0 * model.params_active * input_tokens / (g * peak) + factors.step_overhead_s
        tpot_s = step_s + batches * prefill_s / out_tokens
        ok = np.ones_like(batches, dtype=bool)
        if tpot_target_ms is not None:
            ok &= tpot_s * 1e3 <= tpot_target_ms
        meets = bool(ok.any()) and (ttft_target_ms is None or prefill_s * 1e3 <= ttft_target_ms)
        index = int(np.nonzero(ok)[0][-1]) if ok.any() else 0
        batch = int(batches[index])
        if not ok.any():
            bound = "slo"
        elif index == len(batches) - 1 and batch_limit < factors.max_batch:
            bound = "kv-capacity"
        elif index < len(batches) - 1:
            bound = "slo"
        else:
            bound = "memory-bandwidth" if memory_s[index] >= compute_s[index] else "compute"
        last = ReplicaSizing(
            fits=fits,
            tp=t,
            pp=pp,
            gpus_per_replica=g,
            batch=batch,
            replica_output_tokens_per_s=float(batch / tpot_s[index]),
            ttft_ms=float((prefill_s + step_s[0]) * 1e3),
            tpot_ms=float(tpot_s[index] * 1e3),
            kv_capacity_tokens=float(max(kv_tokens, 0.0)),
            weights_gb_per_gpu=weights_bytes / g / 1e9,
            bound=bound if fits else "memory",
            meets_slo=meets,
            compute_precision=precision,
        )
        if fits:
            return last
    assert last is not None
    return last
