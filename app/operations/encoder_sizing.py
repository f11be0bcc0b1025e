"""Size embedding, reranker and guard workloads by throughput and memory, as pool demands.

Each request is one forward pass (or `k` for a reranker) of compute-bound prefill through
`app.engine.embeddings` on one GPU, at batch 64. For a per-GPU rate r (texts, queries or checks
per second) and the workload's peak rate R (`sizing.peak_requests_per_s`, × checks for a guard):

    share     = R × (1 + headroom) / (r × target_utilisation)       (GPU compute at peak)
    serving   = max(1, ceil(share));  instances = serving + spare    (deployment.redundancy)
    per-instance compute share = max(share / serving, latency / target, 1 %)
                                     (a whole GPU with sharing none)
    capacity  = instances × per-instance share × r                   (rate the instances hold)
    busy      = mean rate / r / (instances × per-instance share)     (idle time for periodic jobs)

Latency is one request alone on an idle whole GPU (batch 1, no queueing); a MIG partition with
c of C compute slices runs it C/c times slower, so an instance asks for at least
latency / ttft_target_ms of a GPU and the partition it gets keeps the target. After pooling,
`stack` recomputes capacity and latency from the partitions actually given.

The 0.7 target utilisation leaves queueing headroom (`embeddings.gpus_for_rate`). Memory per
instance = weights + the batch's working set + runtime context (`EncoderThroughput`). An
embedding workload also has a corpus: chunks of at most `chunk_tokens`, embedded once before
go-live and `reembeds_per_month` times a month as a periodic job on one GPU, stored in a vector
index in host memory (`vector_index`), not on the GPUs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.engine.catalog_types import ModelSpec
from app.engine.cost_inputs import Redundancy
from app.engine.demand import HOURS_PER_MONTH, WorkloadCapacity
from app.engine.embeddings import (
    ENCODER_EFFICIENCY,
    EncoderThroughput,
    encoder_throughput,
    reranker_load,
)
from app.engine.gpu_pool import WorkloadDemand
from app.engine.scenario import EmbeddingSpec, GuardSpec, RerankerSpec, ScenarioError, Workload
from app.engine.transformer_dims import PlanningInputError, dense_peak_flops_per_s
from app.engine.vector_index import vector_index_size
from app.operations.resolve import ResolvedScenario
from app.operations.sizing import (
    WorkloadSizing,
    article,
    demand_numbers,
    mean_requests_per_s,
    peak_requests_per_s,
)

TARGET_UTILISATION = 0.7
BATCH = 64
MIN_COMPUTE_SHARE = 0.01
USABLE_MEMORY_FRACTION = 0.95  # as `gpu_pool.plan_pool`
RERANK_SPECIAL_TOKENS = 4
EXPECTED_MODEL_KIND = {"embedding": "embedding", "reranker": "reranker", "guard": "llm"}
METHOD = "app.engine.embeddings (compute-bound encoder passes) + gpu_pool.encoder_demand rule"


@dataclass(frozen=True)
class EncoderSizing:
    """One encoder workload: its result, its pool demand and its GPU use at peak and on average."""

    sizing: WorkloadSizing
    demand: WorkloadDemand
    peak_gpu_equivalents: float
    mean_gpu_equivalents: float


@dataclass(frozen=True)
class _Rate:
    """Per-GPU rate, demand and memory of one encoder workload (units per second)."""

    unit: str
    per_gpu: float
    peak: float
    mean: float
    memory_bytes: float
    latency_s: float
    bound: str


def _precision(resolved: ResolvedScenario, i: int) -> tuple[float, float, str]:
    """(weight bytes/param, dense peak FLOP/s, precision) from the workload's weights format."""
    fmt = resolved.weights[i]
    acc = resolved.accelerator
    precision = fmt.compute_precision if fmt.compute_precision in acc.native_precisions else "bf16"
    return fmt.bits_per_weight / 8.0, dense_peak_flops_per_s(acc, precision), precision


def _check_context(where: str, tokens: float, model: ModelSpec, what: str) -> None:
    limit = model.max_context_tokens
    if limit and tokens > limit:
        raise ScenarioError(
            f"{where}: {what} ({tokens:,.0f} tokens) exceed the context of '{model.id}' "
            f"({limit:,} tokens)"
        )


def size_encoder(
    i: int, w: Workload, resolved: ResolvedScenario, redundancy: Redundancy, whole_gpus: bool
) -> EncoderSizing:
    """Size workload `i` (template embedding, reranker or guard); see the module docstring."""
    model = resolved.models[i]
    expected = EXPECTED_MODEL_KIND[w.template]
    if model.kind != expected:
        raise ScenarioError(
            f"workloads[{i}].model: '{model.id}' is {article(model.kind)} model; "
            f"{article(w.template)} workload needs {article(expected)} model"
        )
    try:
        if w.template == "embedding":
            rate, details, periodic_hours = _embedding(i, w, resolved, w.embedding or EmbeddingSpec())
        elif w.template == "reranker":
            rate, details = _reranker(i, w, resolved, w.reranker or RerankerSpec())
            periodic_hours = 0.0
        else:
            rate, details = _guard(i, w, resolved, w.guard or GuardSpec())
            periodic_hours = 0.0
    except PlanningInputError as error:
        raise ScenarioError(f"workloads[{i}]: {error}") from None
    return _place(i, w, resolved, rate, details, periodic_hours, redundancy, whole_gpus)


def _place(
    i: int, w: Workload, resolved: ResolvedScenario, rate: _Rate, details: dict[str, Any],
    periodic_hours: float, redundancy: Redundancy, whole_gpus: bool,
) -> EncoderSizing:
    share = rate.peak * (1.0 + redundancy.headroom_fraction) / (rate.per_gpu * TARGET_UTILISATION)
    serving = max(1, math.ceil(share - 1e-9))
    instances = serving + redundancy.spare_replicas
    target = w.ttft_target_ms
    latency_ms = rate.latency_s * 1000.0
    for_latency = latency_ms / target if target is not None else 0.0
    per_instance = 1.0 if whole_gpus else min(
        1.0, max(share / serving, for_latency, MIN_COMPUTE_SHARE))
    capacity = instances * per_instance * rate.per_gpu
    mean_equivalents = rate.mean / rate.per_gpu
    busy = min(1.0, max(mean_equivalents / (instances * per_instance), 1e-6))
    usable = resolved.accelerator.memory_bytes * USABLE_MEMORY_FRACTION
    fits = rate.memory_bytes <= usable
    meets = fits and (target is None or latency_ms <= target)
    _, _, input_tokens, _ = demand_numbers(w)
    basis: dict[str, Any] = {
        "method": METHOD,
        "efficiency": ENCODER_EFFICIENCY.value,
        "efficiency_source": ENCODER_EFFICIENCY.source,
        "batch": BATCH,
        "target_utilisation": TARGET_UTILISATION,
        "compute_share_needed": share,
        "serving_instances": serving,
        "spare_instances": redundancy.spare_replicas,
        "headroom_fraction": redundancy.headroom_fraction,
        "busy_fraction": busy,
        "per_instance_compute_share": per_instance,
        "per_gpu_rate": rate.per_gpu,
        "latency_whole_gpu_ms": latency_ms,
        "latency_target_ms": target,
        "bound": rate.bound,
        "latency": "one request alone on an idle instance (no queueing)",
        "reason": "" if fits else (
            f"needs {rate.memory_bytes / 1e9:.1f} GB per GPU; {usable / 1e9:.1f} GB usable"),
    }
    sizing = WorkloadSizing(
        name=w.name,
        capacity=WorkloadCapacity(
            gpus_per_replica=1,
            replica_tokens_per_s=per_instance * rate.per_gpu * input_tokens,
            replicas=instances,
            tokens_kind="input",
            workload_index=i,
        ),
        fits=fits,
        meets_slo=meets,
        ttft_ms=latency_ms,
        tpot_ms=math.nan,
        output_tokens_per_s=0.0,
        peak_demand_tokens_per_s=rate.peak * input_tokens,
        bound=rate.bound,
        basis=basis,
        index=i,
        template=w.template,
        kind=w.template,
        model=resolved.models[i].id,
        rate_unit=rate.unit,
        capacity_per_s=capacity,
        peak_demand_per_s=rate.peak,
        latency_ms=latency_ms,
        memory_per_instance_bytes=rate.memory_bytes,
        details=details,
    )
    demand = WorkloadDemand(
        name=w.name,
        kind=w.template,
        instances=instances,
        memory_bytes_per_instance=rate.memory_bytes,
        compute_share=per_instance,
        gpu_hours_per_month=periodic_hours,
        job_gpus=1 if periodic_hours > 0 else 0,
        busy_fraction=busy,
    )
    return EncoderSizing(
        sizing=sizing,
        demand=demand,
        peak_gpu_equivalents=rate.peak / rate.per_gpu,
        mean_gpu_equivalents=mean_equivalents + periodic_hours / HOURS_PER_MONTH,
    )


def _throughput(
    resolved: ResolvedScenario, i: int, tokens: float, batch: float, causal: bool | None = None
) -> EncoderThroughput:
    weight_bytes, peak, _ = _precision(resolved, i)
    return encoder_throughput(
        resolved.models[i], resolved.accelerator, tokens, batch,
        weight_bytes_per_param=weight_bytes, peak_flops_per_s=peak, causal=causal,
    )


def _embedding(
    i: int, w: Workload, resolved: ResolvedScenario, spec: EmbeddingSpec
) -> tuple[_Rate, dict[str, Any], float]:
    """Query stream, corpus chunks, vector index; returns the re-embedding GPU-hours per month."""
    model = resolved.models[i]
    where = f"workloads[{i}]"
    users, per_user, query_tokens, _ = demand_numbers(w)
    _check_context(f"{where}.input_tokens", query_tokens, model, "texts")
    chunks_per_document = max(1, math.ceil(spec.tokens_per_document / spec.chunk_tokens - 1e-9))
    tokens_per_chunk = spec.tokens_per_document / chunks_per_document
    _check_context(f"{where}.embedding.chunk_tokens", tokens_per_chunk, model, "chunks")
    dimension = spec.dimension or model.embedding_dim
    if dimension is None:
        raise ScenarioError(
            f"{where}.embedding.dimension: is required because model '{model.id}' has no "
            "embedding dimension in the catalog"
        )
    if model.embedding_dim and dimension > model.embedding_dim:
        raise ScenarioError(
            f"{where}.embedding.dimension: must be at most the model's {model.embedding_dim}"
        )
    queries = _throughput(resolved, i, query_tokens, BATCH)
    single = _throughput(resolved, i, query_tokens, 1)
    chunks = _throughput(resolved, i, tokens_per_chunk, BATCH)
    vectors = float(spec.corpus_documents * chunks_per_document)
    chunk_rate = float(chunks.documents_per_s)
    corpus_gpu_hours = vectors / chunk_rate / 3600.0
    reembed_hours = corpus_gpu_hours * spec.reembeds_per_month
    index = vector_index_size(vectors, dimension, index=spec.index,
                              precision=spec.vector_precision, hnsw_m=spec.hnsw_m)
    rate = _Rate(
        unit="texts/s",
        per_gpu=float(queries.documents_per_s),
        peak=peak_requests_per_s(w),
        mean=mean_requests_per_s(w),
        memory_bytes=max(float(queries.memory_bytes),
                         float(chunks.memory_bytes) if vectors > 0 else 0.0),
        latency_s=float(single.batch_time_s),
        bound=str(queries.bound),
    )
    details: dict[str, Any] = {
        "texts_per_day": users * per_user,
        "query_tokens": query_tokens,
        "peak_texts_per_s": rate.peak,
        "texts_per_s_per_gpu": rate.per_gpu,
        "tokens_per_s_per_gpu": float(queries.tokens_per_s),
        "corpus_documents": spec.corpus_documents,
        "tokens_per_document": spec.tokens_per_document,
        "chunks_per_document": chunks_per_document,
        "tokens_per_chunk": tokens_per_chunk,
        "vectors": vectors,
        "corpus_tokens": vectors * tokens_per_chunk,
        "chunks_per_s_per_gpu": chunk_rate,
        "corpus_embed_gpu_hours": corpus_gpu_hours,
        "corpus_embed_hours_on_fleet": None,
        "corpus_embed_cost_usd": None,
        "reembeds_per_month": spec.reembeds_per_month,
        "reembed_gpu_hours_per_month": reembed_hours,
        "dimension": dimension,
        "vector_precision": spec.vector_precision,
        "index": spec.index,
        "index_memory_bytes": float(index.memory_bytes),
        "index_disk_bytes": float(index.disk_bytes),
        "index_bytes_per_vector": float(index.bytes_per_vector),
        "index_overhead_factor": float(index.overhead_factor),
        "index_basis": list(index.basis),
        "throughput_basis": list(queries.basis),
    }
    return rate, details, reembed_hours


def _reranker(
    i: int, w: Workload, resolved: ResolvedScenario, spec: RerankerSpec
) -> tuple[_Rate, dict[str, Any]]:
    model = resolved.models[i]
    _, _, query_tokens, _ = demand_numbers(w)
    pair = query_tokens + spec.passage_tokens + RERANK_SPECIAL_TOKENS
    _check_context(f"workloads[{i}].reranker.passage_tokens", pair, model,
                   "query + passage + special tokens")
    weight_bytes, peak_flops, _ = _precision(resolved, i)
    peak = peak_requests_per_s(w)
    load = reranker_load(
        model, resolved.accelerator, spec.candidates_per_query, query_tokens, spec.passage_tokens,
        queries_per_s=peak, special_tokens_per_pair=RERANK_SPECIAL_TOKENS, batch_pairs=BATCH,
        target_utilisation=TARGET_UTILISATION, weight_bytes_per_param=weight_bytes,
        peak_flops_per_s=peak_flops,
    )
    single = encoder_throughput(model, resolved.accelerator, pair, spec.candidates_per_query,
                                weight_bytes_per_param=weight_bytes, peak_flops_per_s=peak_flops)
    rate = _Rate(
        unit="queries/s",
        per_gpu=float(load.queries_per_s_per_gpu),
        peak=peak,
        mean=mean_requests_per_s(w),
        memory_bytes=max(float(load.throughput.memory_bytes), float(single.memory_bytes)),
        latency_s=float(load.latency_s),
        bound=str(load.throughput.bound),
    )
    details: dict[str, Any] = {
        "candidates_per_query": spec.candidates_per_query,
        "query_tokens": query_tokens,
        "passage_tokens": spec.passage_tokens,
        "tokens_per_pair": float(load.tokens_per_pair),
        "tokens_per_query": float(load.tokens_per_query),
        "peak_queries_per_s": peak,
        "queries_per_s_per_gpu": rate.per_gpu,
        "pairs_per_s_per_gpu": float(load.throughput.documents_per_s),
        "gpu_seconds_per_query": float(load.gpu_seconds_per_query),
        "latency_ms": rate.latency_s * 1000.0,
        "cost_per_1k_queries_usd": None,
        "throughput_basis": list(load.throughput.basis),
    }
    return rate, details


def _guard(
    i: int, w: Workload, resolved: ResolvedScenario, spec: GuardSpec
) -> tuple[_Rate, dict[str, Any]]:
    model = resolved.models[i]
    _, _, input_tokens, output_tokens = demand_numbers(w)
    tokens = input_tokens + output_tokens
    _check_context(f"workloads[{i}].input_tokens", tokens, model, "screened and verdict tokens")
    checks = _throughput(resolved, i, tokens, BATCH, causal=True)
    single = _throughput(resolved, i, tokens, 1, causal=True)
    rate = _Rate(
        unit="checks/s",
        per_gpu=float(checks.documents_per_s),
        peak=peak_requests_per_s(w) * spec.checks_per_request,
        mean=mean_requests_per_s(w) * spec.checks_per_request,
        memory_bytes=float(checks.memory_bytes),
        latency_s=float(single.batch_time_s),
        bound=str(checks.bound),
    )
    details: dict[str, Any] = {
        "checks_per_request": spec.checks_per_request,
        "tokens_per_check": tokens,
        "peak_checks_per_s": rate.peak,
        "checks_per_s_per_gpu": rate.per_gpu,
        "tokens_per_s_per_gpu": float(checks.tokens_per_s),
        "latency_ms": rate.latency_s * 1000.0,
        "throughput_basis": list(checks.basis) + [
            "verdict tokens are counted as prompt tokens; their few decode steps are not "
            "modelled separately"],
    }
    return rate, details
