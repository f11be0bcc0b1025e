"""Memory per GPU: weights, KV cache, runtime overhead, the engine's budget and the waterfall.

All functions take `ConfigArrays` (see `configs.py`) and return arrays broadcast over the
configurations; bytes are bytes, tokens are tokens.

Formulas (per GPU of one replica; tp = tensor-parallel ranks, pp = pipeline stages):

* weights: `sum(params x bits / 8)` with embeddings at `embed_bits` (16 bit except for GGUF);
  tied embeddings count once; MoE keeps every expert resident. Dense parts are split over tp,
  experts over max(tp, ep), layers over pp. llama.cpp keeps the token-embedding table in host
  memory.
* KV per token and layer: GQA/MHA `2 x max(1, kv_heads / tp) x head_dim x kv_bytes` (heads are
  replicated when tp > kv_heads); MLA `(kv_lora_rank + qk_rope_head_dim) x kv_bytes`, not split
  by tp. Sliding-window layers hold at most the window (when the engine supports it).
* budget: usable = capacity - reserved - runtime overhead - activations - weights, where
  reserved = (1 - fraction) x capacity (vLLM gpu_memory_utilization) or
  (1 - fraction) x free memory (TensorRT-LLM kv_cache_free_gpu_mem_fraction); llama.cpp may use
  everything but allocates KV only for its context.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.configs import GIB, Array, BoolArray, ConfigArrays

ACTIVATION_BYTES = 2.0  # FP16/BF16 activations
LOGIT_BYTES = 4.0  # FP32 logits


def weights_bytes(c: ConfigArrays) -> Array:
    """Bytes of one full copy of the weights in its storage format.

    `(params_total - embeddings) x weight_bits / 8 + embeddings x embed_bits / 8`, where
    embeddings = input table + output head (one matrix when tied).
    """
    embed = c.embed_in_params + c.embed_out_params
    body = np.maximum(c.params_total - embed, 0.0)
    return body * c.weight_bits / 8.0 + embed * c.embed_bits / 8.0


def expert_weights_bytes(c: ConfigArrays) -> Array:
    """Bytes of all routed experts (zero for dense models)."""
    return c.moe_layers * c.moe_experts * c.expert_params * c.weight_bits / 8.0


def host_embedding_bytes(c: ConfigArrays) -> Array:
    """Bytes of the token-embedding table kept in host memory (llama.cpp), else zero."""
    return np.where(c.host_input_embeddings, c.embed_in_params * c.embed_bits / 8.0, 0.0)


def weights_bytes_per_gpu(c: ConfigArrays) -> Array:
    """Weights resident on each GPU: dense / tp + experts / max(tp, ep), over pp stages."""
    experts = expert_weights_bytes(c)
    dense = weights_bytes(c) - experts - host_embedding_bytes(c)
    return (dense / c.tp + experts / np.maximum(c.tp, c.ep)) / c.pp


def kv_heads_per_gpu(c: ConfigArrays) -> Array:
    """KV heads each tensor-parallel rank holds: `max(1, kv_heads / tp)` (replicated beyond)."""
    return np.maximum(1.0, c.kv_heads / c.tp)


def kv_bytes_per_token_layer(c: ConfigArrays) -> Array:
    """KV bytes one token adds in one layer on one GPU.

    GQA/MHA: `2 x kv_heads_per_gpu x head_dim x kv_bytes`; MLA: `latent_dim x kv_bytes`.
    """
    gqa = 2.0 * kv_heads_per_gpu(c) * c.head_dim
    return np.where(c.is_mla, c.mla_latent_dim, gqa) * c.kv_bytes_per_element


def _window_layers(c: ConfigArrays) -> Array:
    return np.where(c.sliding_window_kv & (c.window_tokens > 0), c.sliding_layers, 0.0)


def kv_bytes_per_token_per_gpu(c: ConfigArrays) -> Array:
    """KV bytes per token per GPU with every layer holding the token (no window cap).

    Llama 3.1 70B, BF16, tp=1: 2 x 80 x 8 x 128 x 2 = 327,680 bytes.
    """
    return kv_bytes_per_token_layer(c) * c.layers / c.pp


def kv_bytes_per_sequence_per_gpu(c: ConfigArrays, tokens: Array | float) -> Array:
    """KV bytes per GPU of one sequence of `tokens` tokens (sliding layers hold the window)."""
    tokens = np.asarray(tokens, dtype=np.float64)
    window = _window_layers(c)
    full = c.layers - window
    held = full * tokens + window * np.minimum(tokens, c.window_tokens)
    return kv_bytes_per_token_layer(c) * held / c.pp


def activation_bytes_per_gpu(c: ConfigArrays, context_tokens: Array | float) -> Array:
    """Activation workspace per GPU for the largest step, in bytes.

    `tokens x (4 x hidden + 2 x ffn / tp) x 2` for hidden states and FFN intermediates, plus
    the larger of FP32 logits (`logits_rows x vocab x 4`) and, without fused attention, the
    FP32 score matrix of one chunk (`chunk x context x heads / tp x 4`). Checked against
    published logs: vLLM 0.7 Llama-3.1-8B 0.85 GiB; llama.cpp 8B n_ctx 8192 560 MiB.
    """
    tokens = np.minimum(c.max_batched_tokens, c.prefill_chunk_tokens)
    hidden = tokens * (4.0 * c.hidden_size + 2.0 * c.ffn_width / c.tp) * ACTIVATION_BYTES
    logits = c.logits_rows * c.vocab_size * LOGIT_BYTES / c.tp
    scores = np.where(
        c.flash_attention, 0.0, tokens * np.asarray(context_tokens) * c.heads / c.tp * LOGIT_BYTES
    )
    return hidden + np.maximum(logits, scores)


@dataclass(frozen=True)
class MemoryBudget:
    """Per-GPU memory budget (bytes), as a waterfall the GUI and report can draw.

    capacity -> reserved (engine's unused share) -> runtime overhead -> activations -> weights
    -> KV cache budget. `kv_used_bytes` is what the workload holds at its concurrency and
    `free_bytes` what is left after it. `fits` is False when weights and overheads exceed the
    capacity or the workload's KV does not fit.
    """

    capacity_bytes: Array
    reserved_bytes: Array
    overhead_bytes: Array
    activation_bytes: Array
    weights_bytes: Array
    kv_budget_bytes: Array
    kv_used_bytes: Array
    free_bytes: Array
    fits: BoolArray

    def waterfall(self, index: int = 0) -> list[tuple[str, float]]:
        """(label, GiB) steps for one configuration: capacity first, free last."""

        def at(a: Array) -> float:
            return float(np.ravel(a)[index] if np.ndim(a) else a) / GIB

        return [
            ("capacity", at(self.capacity_bytes)),
            ("reserved", -at(self.reserved_bytes)),
            ("runtime overhead", -at(self.overhead_bytes)),
            ("activations", -at(self.activation_bytes)),
            ("weights", -at(self.weights_bytes)),
            ("KV cache", -at(self.kv_used_bytes)),
            ("free", at(self.free_bytes)),
        ]


def kv_budget_bytes(
    c: ConfigArrays, context_tokens: Array | float
) -> tuple[Array, Array, Array, Array]:
    """(KV budget, reserved, overhead, activations) per GPU in bytes; the budget may be < 0."""
    weights = weights_bytes_per_gpu(c)
    activations = activation_bytes_per_gpu(c, context_tokens)
    overhead = c.runtime_overhead_bytes
    free = c.memory_bytes - weights - overhead - activations
    share_of = np.where(c.fraction_of_free, np.maximum(free, 0.0), c.memory_bytes)
    reserved = (1.0 - c.memory_fraction) * share_of
    return free - reserved, reserved, overhead, activations


def memory_budget(
    c: ConfigArrays, context_tokens: Array | float, sequences: Array | float
) -> MemoryBudget:
    """The per-GPU budget with `sequences` sequences of `context_tokens` tokens resident.

    Serving engines (paged KV) pre-allocate the whole budget for KV; llama.cpp allocates only
    `sequences x context` tokens. `kv_used_bytes` is the workload's KV either way.
    """
    budget, reserved, overhead, activations = kv_budget_bytes(c, context_tokens)
    used = kv_bytes_per_sequence_per_gpu(c, context_tokens) * np.asarray(sequences)
    weights = weights_bytes_per_gpu(c)
    fits = (budget > 0.0) & (used <= budget * (1.0 + 1e-9))
    return MemoryBudget(
        capacity_bytes=np.broadcast_to(c.memory_bytes, np.shape(budget)),
        reserved_bytes=reserved,
        overhead_bytes=np.broadcast_to(overhead, np.shape(budget)),
        activation_bytes=activations,
        weights_bytes=weights,
        kv_budget_bytes=budget,
        kv_used_bytes=used,
        free_bytes=budget - used,
        fits=fits,
    )


def kv_capacity_tokens(c: ConfigArrays, context_tokens: Array | float) -> Array:
    """Tokens of KV cache the budget holds per replica (full-attention view), >= 0."""
    budget, _, _, _ = kv_budget_bytes(c, context_tokens)
    return np.maximum(budget, 0.0) / kv_bytes_per_token_per_gpu(c)


def max_sequences(c: ConfigArrays, tokens_per_sequence: Array | float) -> Array:
    """Sequences of `tokens_per_sequence` whose KV fits the budget per replica (fractional)."""
    budget, _, _, _ = kv_budget_bytes(c, tokens_per_sequence)
    per_seq = kv_bytes_per_sequence_per_gpu(c, np.maximum(tokens_per_sequence, 1.0))
    return np.maximum(budget, 0.0) / per_seq


def max_concurrency(c: ConfigArrays, tokens_per_sequence: Array | float) -> Array:
    """Whole sequences the deployment runs at once: min(KV fit, engine max batch) x replicas."""
    per_replica = np.minimum(np.floor(max_sequences(c, tokens_per_sequence)), c.max_batch)
    return per_replica * c.replicas
