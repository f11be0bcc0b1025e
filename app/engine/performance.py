"""Time of one forward step and of a prefill, by roofline with calibrated efficiencies.

One forward step on one replica processes `decode_tokens` (one per running sequence, at mean
context `decode_context`) and `prefill_tokens` prompt tokens (chunked prefill). Per GPU and
pipeline stage (tp ranks, pp stages):

* bytes = streamed weights (dense part + for MoE the expected distinct experts touched,
  `E x (1 - (1 - k/E)^T)` per MoE layer for T tokens) + KV reads (`B x context x kv_bytes`)
  + KV writes + attention-score traffic when attention is not fused;
* FLOPs = `2 x active_params x tokens` (+ the output head for the rows that need logits)
  + attention `4 x layers x attn_dim x (B x context + prefill pairs)`, where a causal prompt
  of n tokens has n(n+1)/2 query-key pairs (so prefill attention is `2 x layers x n^2 x d`);
* matrix products on GGUF / weight-only weights take `matmul_slowdown` times longer from 16
  tokens per step on (the weights are expanded on the fly);
* stage time = a roofline per kernel family, summed: dense matrix products and routed-expert
  matrix products (each expert sees only its share of tokens) each
  R(FLOPs / (peak x mfu), weight bytes / (bandwidth x mbu)) + attention
  R(FLOPs / (peak x mfu), KV bytes / (bandwidth x mbu)), where R(c, m) = (c^p + m^p)^(1/p)
  is a roofline with partial overlap near the ridge (p = ROOFLINE_P = 2; p -> inf is max) + separate-kernel traffic (unfused
  score matrices, de-quantised weight copies) / (bandwidth x mbu) + tensor-parallel
  all-reduce (2 per layer, ring: `2 (tp-1)/tp x tokens x hidden x 2 B / link + latency`)
  + expert-parallel all-to-all + (per-layer overhead x layers + per-sequence overhead x
  sequences in the step) / pp + pipeline hop; a step that carries prompt tokens adds the
  prompt-step overhead per layer (eager or piecewise-graph execution, admission; twice that
  with tensor parallelism, whose eager all-reduces add as much host time again), in steady
  batching weighted by the share of steps that carry a prompt;
* a step is pp stage times: micro-batches keep every stage busy in serving engines (each
  handles B / pp sequences), while llama.cpp's layer split runs the stages one after another.

The compute peak is the weight format's path (FP8 W8A8 at FP8 peak, weight-only and GGUF at
16 bit; emulated formats at 16 bit). Every result names its dominant term (`bound`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.configs import Array, BoolArray, ConfigArrays, IntArray
from app.engine.memory import (
    ACTIVATION_BYTES,
    expert_weights_bytes,
    kv_bytes_per_sequence_per_gpu,
    kv_bytes_per_token_per_gpu,
    weights_bytes,
)

BOUND_NAMES = (
    "compute",
    "memory",
    "communication",
    "overhead",
    "kv-capacity",
    "queueing",
    "does-not-fit",
    "invalid",
)
COMPUTE, MEMORY, COMMUNICATION, OVERHEAD, KV_CAPACITY, QUEUEING, NO_FIT, INVALID = range(8)
DEQUANT_MIN_TOKENS = 16.0  # from here on quantised weights are expanded for matrix-matrix maths
FAST_LINK_BYTES_PER_S = 150e9  # NVLink / Infinity Fabric class links, one direction
PCIE_LATENCY_FACTOR = 3.0  # all-reduce latency over PCIe versus over NVLink
PCIE_BANDWIDTH_FACTOR = 0.7  # rings through host bridges reach less of a PCIe link than NVLink
# overlap of math and memory traffic inside a kernel family (see `smooth_roofline`): measured
# decode step times grow about linearly with the batch well before the ideal ridge point
# (vLLM 405B FP8 on 8 x MI300X: 28 ms at batch 1, 54 ms at 64, 139 ms at 256)
ROOFLINE_P = 2.0


def smooth_roofline(compute_s: Array, memory_s: Array, p: float | None = None) -> Array:
    """Time of a kernel family from its math time and its memory time (seconds).

    `(compute^p + memory^p)^(1/p)`: p = infinity is the ideal roofline max(compute, memory);
    real kernels overlap the two only partly where they are of the same size (small-M matrix
    products, attention at moderate batch), which a finite p expresses. Far from the ridge
    point the larger term dominates either way. p = ROOFLINE_P.
    """
    power = ROOFLINE_P if p is None else p
    c = np.asarray(compute_s, dtype=np.float64)
    m = np.asarray(memory_s, dtype=np.float64)
    if power == 2.0:  # the common case: plain squares (np.hypot is several times slower)
        return np.asarray(np.sqrt(c * c + m * m))
    top = np.maximum(np.maximum(c, m), 1e-30)
    return np.asarray(top * ((c / top) ** power + (m / top) ** power) ** (1.0 / power))


@dataclass(frozen=True)
class StepTime:
    """Time of one step (seconds) and its parts; `bound` indexes `BOUND_NAMES`."""

    time_s: Array
    compute_s: Array
    memory_s: Array
    communication_s: Array
    overhead_s: Array
    bound: IntArray


def experts_touched(c: ConfigArrays, tokens: Array) -> Array:
    """Expected distinct routed experts per MoE layer for `tokens` tokens: E(1 - (1 - k/E)^T)."""
    experts = np.maximum(c.moe_experts, 1.0)
    miss = np.clip(1.0 - c.moe_topk / experts, 0.0, 1.0)
    return np.where(c.moe_experts > 0, experts * (1.0 - miss ** np.maximum(tokens, 0.0)), 0.0)


def streamed_weight_bytes(c: ConfigArrays, tokens: Array) -> Array:
    """Weight bytes one GPU reads per stage for a step of `tokens` tokens.

    Everything but the token-embedding table (looked up, not streamed) and the routed experts
    nobody was sent to.
    """
    dense, experts = _streamed_parts(c, tokens)
    return dense + experts


def _streamed_parts(c: ConfigArrays, tokens: Array) -> tuple[Array, Array]:
    """(dense, routed-expert) weight bytes one GPU reads per stage."""
    experts = expert_weights_bytes(c)
    embed_in = c.embed_in_params * c.embed_bits / 8.0
    dense = np.maximum(weights_bytes(c) - experts - embed_in, 0.0) / c.tp
    touched = c.moe_layers * experts_touched(c, tokens) * c.expert_params * c.weight_bits / 8.0
    return dense / c.pp, touched / np.maximum(c.tp, c.ep) / c.pp


def _linear_params(c: ConfigArrays) -> Array:
    """Active parameters in matrix products per token, excluding embeddings and output head."""
    return np.maximum(c.params_active - c.embed_in_params - c.embed_out_params, 0.0)


def _head_params(c: ConfigArrays) -> Array:
    return np.where(c.embed_out_params > 0, c.embed_out_params, c.embed_in_params)


def forward_step(
    c: ConfigArrays,
    decode_tokens: Array | float,
    decode_context: Array | float,
    prefill_tokens: Array | float = 0.0,
    prefill_pairs: Array | float = 0.0,
    prefill_sequences: Array | float = 0.0,
    prefill_kv_read_tokens: Array | float = 0.0,
    microbatches: Array | None = None,
    prompt_step: Array | float = 0.0,
) -> StepTime:
    """Time of one forward step of a replica (see module docstring for the formula).

    decode_tokens: sequences decoding one token each; decode_context: their mean context.
    prefill_tokens: prompt tokens processed in the step; prefill_pairs: their causal
    query-key pairs; prefill_sequences: prompts finishing in the step (need logits);
    prefill_kv_read_tokens: earlier tokens of those prompts whose KV the step reads.
    microbatches: pipeline micro-batches (default: up to pp when the engine pipelines).
    prompt_step: share of the step that runs as a prompt step (1 for a request's own prompt
    chunk or a chunk it waits behind; in steady batching the share of steps that carry a
    prompt), which pays the prompt-step overhead per layer; pure decode steps replay graphs.
    """
    b_all = np.asarray(decode_tokens, dtype=np.float64)
    p_all = np.asarray(prefill_tokens, dtype=np.float64)
    ctx = np.asarray(decode_context, dtype=np.float64)
    if microbatches is None:
        microbatches = np.where(c.pipelined_pp, np.clip(b_all, 1.0, c.pp), 1.0)
    m = microbatches
    b, p = b_all / m, p_all / m
    pairs = np.asarray(prefill_pairs, dtype=np.float64) / m
    tokens = b + p
    layers_stage = c.layers / c.pp

    dense_bytes, expert_bytes = _streamed_parts(c, tokens)
    kv_read = b * kv_bytes_per_sequence_per_gpu(c, ctx)
    kv_read = kv_read + np.asarray(prefill_kv_read_tokens) / m * kv_bytes_per_token_per_gpu(c)
    kv_write = tokens * kv_bytes_per_token_per_gpu(c)
    scores = np.where(
        c.flash_attention,
        0.0,
        (b * ctx + pairs) * c.heads / c.tp * layers_stage * c.score_bytes,
    )
    bandwidth = c.bandwidth_bytes_per_s * c.mbu
    # unfused score matrices are written and read by separate kernels: their traffic adds up
    serial_s = scores / bandwidth

    logits_rows = b + np.asarray(prefill_sequences) / m
    expert_params = c.moe_layers * c.moe_topk * c.expert_params
    dense_params = np.maximum(_linear_params(c) - expert_params, 0.0)
    linear = 2.0 * (dense_params * tokens + _head_params(c) * logits_rows) / (c.tp * c.pp)
    expert_linear = 2.0 * expert_params * tokens / (c.tp * c.pp)
    attention = (
        4.0 * layers_stage * (c.attn_dim_decode * b * ctx + c.attn_dim_prefill * pairs) / c.tp
    )
    # a roofline per kernel family: matrix products stream weights, attention streams KV
    # dense layers see every token, each expert only its share: separate rooflines
    slowdown = np.where(tokens >= DEQUANT_MIN_TOKENS, c.matmul_slowdown, 1.0)
    gemm_compute_s = linear * slowdown / (c.peak_flops * c.mfu)
    gemm_memory_s = dense_bytes / bandwidth
    expert_compute_s = expert_linear * slowdown / (c.peak_flops * c.mfu)
    expert_memory_s = expert_bytes / bandwidth
    attn_compute_s = attention / (c.attention_peak_flops * c.mfu)
    attn_memory_s = (kv_read + kv_write) / bandwidth
    compute_s = np.zeros(np.shape(serial_s))
    memory_s = serial_s
    for flops_s, bytes_s in (
        (gemm_compute_s, gemm_memory_s),
        (expert_compute_s, expert_memory_s),
        (attn_compute_s, attn_memory_s),
    ):
        # kernels overlap math and memory traffic only partly near the ridge point: the
        # family's time is the p-norm of its two times (p = ROOFLINE_P), credited to the larger
        both = smooth_roofline(flops_s, bytes_s)
        compute_s = compute_s + np.where(flops_s >= bytes_s, both, 0.0)
        memory_s = memory_s + np.where(flops_s >= bytes_s, 0.0, both)

    # without a fast GPU link (PCIe) the engines fall back to NCCL rings through the host
    pcie = c.link_bytes_per_s < FAST_LINK_BYTES_PER_S
    link = c.link_bytes_per_s * c.comm_efficiency * np.where(pcie, PCIE_BANDWIDTH_FACTOR, 1.0)
    message = tokens * c.hidden_size * ACTIVATION_BYTES
    latency = c.allreduce_latency_s * np.where(pcie, PCIE_LATENCY_FACTOR, 1.0)
    ring = 2.0 * (c.tp - 1.0) / c.tp * message / link + latency
    allreduce = np.where(c.tp > 1, 2.0 * layers_stage * ring, 0.0)
    moe_stage = c.moe_layers / c.pp
    a2a_each = (c.ep - 1.0) / c.ep * message * np.maximum(c.moe_topk, 1.0) / link
    all_to_all = np.where(c.ep > 1, 2.0 * moe_stage * (a2a_each + latency), 0.0)
    hop = np.where(c.pp > 1, (c.pp_hop_s + message / link) * (c.pp - 1.0) / c.pp, 0.0)
    communication_s = allreduce + all_to_all + hop
    sequences = b_all + np.asarray(prefill_sequences, dtype=np.float64)
    # a step on a request's path to its first token runs without whole-step CUDA graphs and
    # admits the request: it pays the prompt-step overhead per layer; with tensor parallelism
    # the eager step also launches and waits on two all-reduces per layer, about as much
    # host time again
    prompt_overhead = (
        c.prefill_overhead_s
        * np.asarray(prompt_step, dtype=np.float64)
        * np.where(c.tp > 1, 2.0, 1.0)
    )
    # MoE layers launch about twice the kernels (router, dispatch, grouped GEMMs, combine)
    overhead_s = (
        (c.layer_overhead_s + prompt_overhead) * (c.layers + c.moe_layers)
        + c.sequence_overhead_s * sequences
    ) / c.pp

    stage = compute_s + memory_s + communication_s + overhead_s
    scale = c.pp
    terms = np.stack(np.broadcast_arrays(compute_s, memory_s, communication_s, overhead_s), axis=0)
    return StepTime(
        time_s=stage * scale,
        compute_s=compute_s * scale,
        memory_s=memory_s * scale,
        communication_s=communication_s * scale,
        overhead_s=overhead_s * scale,
        bound=np.argmax(terms, axis=0).astype(np.intp),
    )


@dataclass(frozen=True)
class PrefillTime:
    """Time to prefill prompts (seconds), its chunks and the bound of a chunk."""

    time_s: Array
    chunks: Array
    chunk: StepTime


def causal_pairs(
    prompt_tokens: Array | float, chunk_tokens: Array | float, flash: BoolArray | bool
) -> Array:
    """Query-key pairs a causal prompt of n tokens computes: n(n+1)/2 when attention is fused;
    unfused kernels compute whole chunk x context blocks, n(n + chunk)/2."""
    n = np.asarray(prompt_tokens, dtype=np.float64)
    block = np.minimum(chunk_tokens, n)
    return np.where(flash, n * (n + 1.0) / 2.0, n * (n + block) / 2.0)


def prefill(
    c: ConfigArrays,
    sequences: Array | float,
    prompt_tokens: Array | float,
    decode_tokens: Array | float = 0.0,
    decode_context: Array | float = 0.0,
) -> PrefillTime:
    """Time to prefill `sequences` prompts of `prompt_tokens` tokens on one replica.

    The prompts are processed in chunks of at most `prefill_chunk_tokens` (minus the decode
    tokens sharing the step); each chunk reads the weights once. Chunks flow through pipeline
    stages back to back: `(chunks + pp - 1)` stage times.
    """
    n = np.asarray(prompt_tokens, dtype=np.float64)
    seqs = np.asarray(sequences, dtype=np.float64)
    decode = np.asarray(decode_tokens, dtype=np.float64)
    total = seqs * n
    room = np.maximum(np.minimum(c.prefill_chunk_tokens, c.max_batched_tokens) - decode, 1.0)
    chunks = np.where(total > 0, np.ceil(total / room), 0.0)
    per_chunk = np.where(chunks > 0, total / np.maximum(chunks, 1.0), 0.0)
    pairs = seqs * causal_pairs(n, np.minimum(room, n), c.flash_attention)
    safe_chunks = np.maximum(chunks, 1.0)
    earlier = np.maximum(n - per_chunk, 0.0) / 2.0 * np.minimum(seqs, 1.0)
    step = forward_step(
        c,
        decode,
        decode_context,
        prefill_tokens=per_chunk,
        prefill_pairs=pairs / safe_chunks,
        prefill_sequences=seqs / safe_chunks,
        prefill_kv_read_tokens=earlier,
        microbatches=np.ones_like(per_chunk),
        prompt_step=1.0,
    )
    stages = (chunks + c.pp - 1.0) / c.pp
    time_s = np.where(total > 0, stages * step.time_s, 0.0)
    return PrefillTime(time_s=time_s, chunks=chunks, chunk=step)
