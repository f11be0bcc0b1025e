"""Embedding and reranker models: encoder throughput, corpus embedding, reranking load. Vectorized.

An encoder pass over a document of t tokens is compute-bound prefill (DESIGN.md, "Time"):

    FLOPs/document = 2·N·t + c·layers·t²·q_dim

with N the parameters in matrix products (`transformer_dims.compute_params`: the embedding table
is a lookup) and c = 4 for bidirectional encoders (XLM-R: bge-m3, e5), 2 for causal
decoder-based embedders (Qwen3-Embedding). A batch of B documents takes

    time = max(B·FLOPs/document / (peak × efficiency), weights_bytes / (bandwidth × mbu))

and the result names the bound that dominated. Memory: weights (16-bit by default) + the working
set of one layer for the batch, 2 bytes × B·t·(2h + 2·I) (fused attention, no s² scores), +
runtime context. A cross-encoder reranker scores one (query, document) pair per forward pass,
so a query with k candidates costs k passes over `query + document + special` tokens.

Vector-index sizes are in `vector_index` (FAISS layouts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.engine.training_memory import ArrayLike, FloatArray
from app.engine.transformer_dims import (
    EfficiencyDefault,
    PlanningInputError,
    attention_dims,
    compute_params,
    dense_peak_flops_per_s,
    mlp_is_gated,
    mlp_width_per_token,
)

IntArray = npt.NDArray[np.int64]

ENCODER_EFFICIENCY = EfficiencyDefault(
    0.35, "assumption: batched encoder inference is compute-bound prefill; 0.35 of dense "
    "16-bit peak sits below the 38-54 % MFU published for large-model training (Llama 3, "
    "Korthikanti et al.) because encoders are small and sequences short; pass the engine's "
    "fitted prefill mfu or a site benchmark when available")
ENCODER_MBU = EfficiencyDefault(
    0.75, "the engine's default memory-bandwidth utilisation (app/engine/efficiency.py)")
RUNTIME_CONTEXT_BYTES = 1.0e9


@dataclass(frozen=True)
class EncoderThroughput:
    """Throughput of one GPU running an encoder at batch `batch_documents`.

    bound: `compute` or `memory-bandwidth` (weights streamed once per batch).
    memory_bytes = weights + working set + context; fits compares it with capacity.
    """

    tokens_per_document: FloatArray
    batch_documents: FloatArray
    flops_per_document: FloatArray
    batch_time_s: FloatArray
    tokens_per_s: FloatArray
    documents_per_s: FloatArray
    weights_bytes: float
    working_set_bytes: FloatArray
    memory_bytes: FloatArray
    capacity_bytes: float
    fits: npt.NDArray[np.bool_]
    bound: npt.NDArray[np.str_]
    efficiency: float
    basis: tuple[str, ...]


def _positive(value: ArrayLike, field: str) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(array)) or np.any(array <= 0):
        raise PlanningInputError(f"{field}: must be a positive number")
    return array


def _is_causal(model: ModelSpec, causal: bool | None) -> bool:
    """Decoder-derived embedders (gated MLP, e.g. Qwen3-Embedding) use causal attention."""
    if causal is not None:
        return causal
    return model.kind == "llm" or mlp_is_gated(model)


def encoder_throughput(
    model: ModelSpec, accelerator: AcceleratorSpec, tokens_per_document: ArrayLike,
    batch_documents: ArrayLike = 64, *, efficiency: float | None = None,
    mbu: float | None = None, weight_bytes_per_param: float = 2.0,
    peak_flops_per_s: float | None = None, causal: bool | None = None,
) -> EncoderThroughput:
    """Tokens/s and documents/s of one GPU encoding documents of `tokens_per_document` tokens.

    Arrays broadcast (e.g. a sweep of document lengths against batch sizes).
    """
    t = _positive(tokens_per_document, "tokens_per_document")
    b = _positive(batch_documents, "batch_documents")
    eff = ENCODER_EFFICIENCY.value if efficiency is None else efficiency
    bw_eff = ENCODER_MBU.value if mbu is None else mbu
    if not (0 < eff <= 1 and 0 < bw_eff <= 1):
        raise PlanningInputError("efficiency and mbu: must be in (0, 1]")
    if weight_bytes_per_param <= 0:
        raise PlanningInputError("weight_bytes_per_param: must be positive")
    peak = peak_flops_per_s or dense_peak_flops_per_s(accelerator, "bf16")
    n, note = compute_params(model)
    q_dim, _ = attention_dims(model)
    c = 2.0 if _is_causal(model, causal) else 4.0
    flops_doc = 2.0 * n * t + c * model.layers * t * t * q_dim
    weights = float(model.params_total) * weight_bytes_per_param
    compute_s = b * flops_doc / (peak * eff)
    memory_s = weights / (accelerator.bandwidth_bytes_per_s * bw_eff)
    batch_s = np.maximum(compute_s, memory_s)
    bound = np.where(compute_s >= memory_s, "compute", "memory-bandwidth")
    working = 2.0 * b * t * (2.0 * model.hidden_size + 2.0 * mlp_width_per_token(model))
    memory = weights + working + RUNTIME_CONTEXT_BYTES
    shape = np.broadcast_shapes(batch_s.shape, working.shape)
    basis = (
        f"FLOPs/document = 2·N·t + {c:.0f}·L·t²·q_dim, N = {n:.4g}",
        f"peak {peak / 1e12:.1f} TFLOPS dense BF16; efficiency {eff:.2f}"
        + ("" if efficiency is not None else f" ({ENCODER_EFFICIENCY.source})"),
        f"weights {weight_bytes_per_param:g} bytes/param streamed once per batch at mbu "
        f"{bw_eff:.2f}",
    ) + ((note,) if note else ())

    def full(x: FloatArray) -> FloatArray:
        return np.broadcast_to(x, shape).astype(np.float64)

    return EncoderThroughput(
        tokens_per_document=full(t), batch_documents=full(b), flops_per_document=full(flops_doc),
        batch_time_s=full(batch_s), tokens_per_s=full(b * t / batch_s),
        documents_per_s=full(b / batch_s), weights_bytes=weights, working_set_bytes=full(working),
        memory_bytes=full(memory), capacity_bytes=accelerator.memory_bytes,
        fits=np.broadcast_to(memory <= accelerator.memory_bytes, shape).astype(np.bool_),
        bound=np.broadcast_to(bound, shape).astype(np.str_), efficiency=eff, basis=basis,
    )


@dataclass(frozen=True)
class CorpusEmbedding:
    """Time and cost to embed `documents` documents of `tokens_per_document` tokens."""

    total_tokens: FloatArray
    gpus: FloatArray
    wall_time_s: FloatArray
    wall_time_h: FloatArray
    gpu_hours: FloatArray
    cost_usd: FloatArray
    throughput: EncoderThroughput


def corpus_embedding(
    model: ModelSpec, accelerator: AcceleratorSpec, documents: ArrayLike,
    tokens_per_document: ArrayLike, *, gpus: ArrayLike = 1, batch_documents: ArrayLike = 64,
    usd_per_gpu_hour: float | None = None, efficiency: float | None = None,
) -> CorpusEmbedding:
    """wall time = documents / (GPUs × documents/s per GPU); cost = GPU-hours × price (NaN if none)."""
    docs = np.asarray(documents, dtype=np.float64)
    if np.any(~np.isfinite(docs)) or np.any(docs < 0):
        raise PlanningInputError("documents: must be a number >= 0")
    g = _positive(gpus, "gpus")
    rate = encoder_throughput(model, accelerator, tokens_per_document, batch_documents,
                              efficiency=efficiency)
    seconds = docs / (g * rate.documents_per_s)
    gpu_hours = seconds * g / 3600.0
    price = np.nan if usd_per_gpu_hour is None else usd_per_gpu_hour
    return CorpusEmbedding(
        total_tokens=np.asarray(docs * rate.tokens_per_document, dtype=np.float64),
        gpus=np.asarray(g * np.ones_like(seconds), dtype=np.float64),
        wall_time_s=np.asarray(seconds, dtype=np.float64),
        wall_time_h=np.asarray(seconds / 3600.0, dtype=np.float64),
        gpu_hours=np.asarray(gpu_hours, dtype=np.float64),
        cost_usd=np.asarray(gpu_hours * price, dtype=np.float64),
        throughput=rate,
    )


def gpus_for_rate(documents_per_s_needed: ArrayLike, per_gpu_documents_per_s: ArrayLike,
                  target_utilisation: float = 0.7) -> IntArray:
    """GPUs to serve a steady rate: ceil(rate / (per-GPU rate × target utilisation)), ≥ 1.

    The utilisation target leaves queueing headroom (an M/M/c queue at 70 % load keeps
    waiting short); 0 demand still needs one GPU to host the model.
    """
    if not 0 < target_utilisation <= 1:
        raise PlanningInputError("target_utilisation: must be in (0, 1]")
    need = np.asarray(documents_per_s_needed, dtype=np.float64)
    if np.any(need < 0):
        raise PlanningInputError("documents_per_s_needed: must be >= 0")
    per = _positive(per_gpu_documents_per_s, "per_gpu_documents_per_s")
    return np.maximum(np.ceil(need / (per * target_utilisation) - 1e-9), 1).astype(np.int64)


@dataclass(frozen=True)
class RerankerLoad:
    """Cross-encoder cost of reranking `candidates_per_query` documents per query on one GPU.

    latency_s: one query's candidates as one batch on an idle GPU.
    queries_per_s_per_gpu: sustained rate at full batches of `batch_pairs`.
    gpus_needed: for `queries_per_s` at `target_utilisation` (1 when no rate is given).
    cost_per_1k_queries_usd: GPU-seconds per query × price (NaN when no price is given).
    """

    tokens_per_pair: FloatArray
    tokens_per_query: FloatArray
    flops_per_query: FloatArray
    gpu_seconds_per_query: FloatArray
    latency_s: FloatArray
    queries_per_s_per_gpu: FloatArray
    gpus_needed: IntArray
    cost_per_1k_queries_usd: FloatArray
    throughput: EncoderThroughput


def reranker_load(
    model: ModelSpec, accelerator: AcceleratorSpec, candidates_per_query: ArrayLike,
    query_tokens: ArrayLike, document_tokens: ArrayLike, *, queries_per_s: ArrayLike = 0.0,
    special_tokens_per_pair: int = 4, batch_pairs: ArrayLike = 64,
    target_utilisation: float = 0.7, usd_per_gpu_hour: float | None = None,
    efficiency: float | None = None, weight_bytes_per_param: float = 2.0,
    peak_flops_per_s: float | None = None,
) -> RerankerLoad:
    """Reranking cost: k pairs of `query + document + special` tokens per query.

    special_tokens_per_pair: 4 for XLM-R pairs (`<s> q </s></s> d </s>`, bge-reranker).
    weight_bytes_per_param, peak_flops_per_s: as for `encoder_throughput`.
    """
    k = _positive(candidates_per_query, "candidates_per_query")
    pair = (_positive(query_tokens, "query_tokens") + _positive(document_tokens, "document_tokens")
            + float(special_tokens_per_pair))
    sustained = encoder_throughput(model, accelerator, pair, batch_pairs, efficiency=efficiency,
                                   weight_bytes_per_param=weight_bytes_per_param,
                                   peak_flops_per_s=peak_flops_per_s)
    single = encoder_throughput(model, accelerator, pair, k, efficiency=efficiency,
                                weight_bytes_per_param=weight_bytes_per_param,
                                peak_flops_per_s=peak_flops_per_s)
    seconds_per_query = k / sustained.documents_per_s
    qps_gpu = 1.0 / seconds_per_query
    gpus = gpus_for_rate(queries_per_s, qps_gpu, target_utilisation)
    price = np.nan if usd_per_gpu_hour is None else usd_per_gpu_hour
    return RerankerLoad(
        tokens_per_pair=np.asarray(pair, dtype=np.float64),
        tokens_per_query=np.asarray(k * pair, dtype=np.float64),
        flops_per_query=np.asarray(k * sustained.flops_per_document, dtype=np.float64),
        gpu_seconds_per_query=np.asarray(seconds_per_query, dtype=np.float64),
        latency_s=np.asarray(single.batch_time_s, dtype=np.float64),
        queries_per_s_per_gpu=np.asarray(qps_gpu, dtype=np.float64),
        gpus_needed=gpus,
        cost_per_1k_queries_usd=np.asarray(1000.0 * seconds_per_query / 3600.0 * price,
                                           dtype=np.float64),
        throughput=sustained,
    )
