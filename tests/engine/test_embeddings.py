"""Embedding and reranker planning: encoder FLOPs, throughput bounds, corpus cost, index sizes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.loader import Catalog
from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.engine.embeddings import (
    ENCODER_EFFICIENCY,
    corpus_embedding,
    encoder_throughput,
    gpus_for_rate,
    reranker_load,
)
from app.engine.transformer_dims import PlanningInputError, mlp_is_gated
from app.engine.vector_index import vector_index_size

GB = 1e9


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="module")
def bge_m3(catalog: Catalog) -> ModelSpec:
    return catalog.model("bge-m3")


@pytest.fixture(scope="module")
def h100(catalog: Catalog) -> AcceleratorSpec:
    return catalog.accelerator("nvidia-h100-sxm-80gb")


# --- vector indexes -----------------------------------------------------------------------

@pytest.mark.parametrize("precision, gigabytes", [
    ("fp32", 40.96), ("fp16", 20.48), ("int8", 10.24), ("binary", 1.28)])
def test_flat_index_is_vectors_times_dimension_times_bytes(precision: str,
                                                          gigabytes: float) -> None:
    size = vector_index_size(10_000_000, 1024, index="flat", precision=precision)
    assert float(size.memory_bytes) == pytest.approx(gigabytes * GB)
    assert float(size.overhead_factor) == 1.0
    assert float(size.disk_bytes) == float(size.memory_bytes)


def test_hnsw_adds_two_m_links_per_vector() -> None:
    """FAISS wiki: (d * 4 + M * 2 * 4) bytes per vector for IndexHNSWFlat."""
    size = vector_index_size(10_000_000, 1024, index="hnsw", hnsw_m=32)
    assert float(size.bytes_per_vector) == 1024 * 4 + 32 * 2 * 4
    assert float(size.graph_bytes) == pytest.approx(10e6 * 256)
    assert float(size.overhead_factor) == pytest.approx(4352 / 4096)


def test_ivf_pq_codes_ids_and_centroids() -> None:
    n, d = 10_000_000, 1024
    size = vector_index_size(n, d, index="ivf_pq", ivf_lists=16384, pq_subquantizers=64)
    codes, ids = n * 64, n * 8
    centroids = 16384 * d * 4 + 256 * d * 4
    assert float(size.memory_bytes) == pytest.approx(codes + ids + centroids)
    default = vector_index_size(n, d, index="ivf_pq")  # nlist 4·√N, m = d/16
    assert float(default.vector_bytes) == pytest.approx(n * 64)
    assert float(default.centroid_bytes) == pytest.approx(round(4 * np.sqrt(n)) * d * 4
                                                          + 256 * d * 4)


def test_ivf_flat_and_raw_vectors_on_disk() -> None:
    size = vector_index_size(1_000_000, 768, index="ivf_flat", ivf_lists=4000,
                             raw_vectors_on_disk=True)
    memory = 1e6 * (768 * 4 + 8) + 4000 * 768 * 4
    assert float(size.memory_bytes) == pytest.approx(memory)
    assert float(size.disk_bytes) == pytest.approx(memory + 1e6 * 768 * 4)


def test_index_sizes_broadcast() -> None:
    size = vector_index_size(np.array([[1e6], [1e7]]), np.array([384, 768, 1024]))
    assert size.memory_bytes.shape == (2, 3)
    assert float(size.memory_bytes[1, 2]) == pytest.approx(40.96 * GB)


@pytest.mark.parametrize("kwargs, field", [
    ({"index": "annoy"}, "index"), ({"precision": "fp8"}, "precision"),
    ({"vectors": -1}, "vectors"), ({"dimension": 0}, "dimension")])
def test_bad_index_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"vectors": 1000, "dimension": 128, **kwargs}
    with pytest.raises(PlanningInputError, match=field):
        vector_index_size(**args)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 10**10), extra=st.integers(0, 10**9), d=st.integers(1, 8192),
       index=st.sampled_from(["flat", "hnsw", "ivf_flat", "ivf_pq"]))
def test_more_vectors_never_shrink_an_index(n: int, extra: int, d: int, index: str) -> None:
    size = vector_index_size(np.array([n, n + extra]), d, index=index, ivf_lists=1024)
    assert size.memory_bytes[1] >= size.memory_bytes[0]


# --- encoders -----------------------------------------------------------------------------

def test_encoder_architecture_is_read_from_the_catalog(catalog: Catalog, bge_m3: ModelSpec) -> None:
    assert not mlp_is_gated(bge_m3)  # XLM-R: GELU MLP
    assert not mlp_is_gated(catalog.model("multilingual-e5-large"))
    assert mlp_is_gated(catalog.model("qwen3-embedding-8b"))  # Qwen3: SwiGLU, causal


def test_encoder_flops_hand_computed(bge_m3: ModelSpec, h100: AcceleratorSpec) -> None:
    t = 512
    n = 568e6 - 250002 * 1024  # the embedding table is a lookup
    flops = 2 * n * t + 4 * 24 * t * t * 1024  # bidirectional attention: QKᵀ and AV, all pairs
    rate = encoder_throughput(bge_m3, h100, t, 256)
    assert float(rate.flops_per_document) == pytest.approx(flops)
    assert str(rate.bound) == "compute"
    expected = 989.4e12 * ENCODER_EFFICIENCY.value / flops
    assert float(rate.documents_per_s) == pytest.approx(expected)
    assert float(rate.tokens_per_s) == pytest.approx(expected * t)


def test_causal_embedder_halves_attention(catalog: Catalog, h100: AcceleratorSpec) -> None:
    qwen = catalog.model("qwen3-embedding-8b")
    t = 1024
    rate = encoder_throughput(qwen, h100, t, 32)
    attention = 2 * 36 * t * t * 32 * 128
    assert float(rate.flops_per_document) == pytest.approx(2 * 7.57e9 * t + attention)
    assert any("vocabulary unknown" in line for line in rate.basis)


def test_small_batches_are_bandwidth_bound(bge_m3: ModelSpec, h100: AcceleratorSpec) -> None:
    rate = encoder_throughput(bge_m3, h100, 16, 1)
    assert str(rate.bound) == "memory-bandwidth"
    assert float(rate.batch_time_s) == pytest.approx(568e6 * 2 / (3.35e12 * 0.75), rel=0.01)


def test_encoder_memory_for_a_batch(bge_m3: ModelSpec, h100: AcceleratorSpec) -> None:
    rate = encoder_throughput(bge_m3, h100, 512, 64)
    working = 2 * 64 * 512 * (2 * 1024 + 2 * 4096)
    assert float(rate.memory_bytes) == pytest.approx(568e6 * 2 + working + 1e9)
    assert bool(rate.fits)


def test_corpus_embedding_time_and_cost(bge_m3: ModelSpec, catalog: Catalog) -> None:
    l40s = catalog.accelerator("nvidia-l40s-48gb")
    run = corpus_embedding(bge_m3, l40s, 10_000_000, 512, gpus=4, usd_per_gpu_hour=1.2)
    per_gpu = float(run.throughput.documents_per_s)
    assert float(run.wall_time_s) == pytest.approx(1e7 / (4 * per_gpu))
    assert float(run.gpu_hours) == pytest.approx(1e7 / per_gpu / 3600)
    assert float(run.cost_usd) == pytest.approx(1.2 * 1e7 / per_gpu / 3600)
    assert float(run.total_tokens) == 5.12e9


@settings(max_examples=40, deadline=None)
@given(docs=st.floats(0, 1e10), extra=st.floats(0, 1e10), tokens=st.integers(1, 8192))
def test_more_documents_never_take_less_time(docs: float, extra: float, tokens: int) -> None:
    catalog = Catalog.shipped()
    run = corpus_embedding(catalog.model("bge-m3"), catalog.accelerator("nvidia-a100-sxm4-80gb"),
                           np.array([docs, docs + extra]), tokens)
    assert run.wall_time_s[1] >= run.wall_time_s[0]


def test_reranker_cost_per_query(catalog: Catalog, h100: AcceleratorSpec) -> None:
    model = catalog.model("bge-reranker-v2-m3")
    load = reranker_load(model, h100, 100, 32, 256, queries_per_s=50, usd_per_gpu_hour=3.0)
    pair = 32 + 256 + 4
    assert float(load.tokens_per_query) == 100 * pair
    per_pair = float(encoder_throughput(model, h100, pair, 64).documents_per_s)
    assert float(load.gpu_seconds_per_query) == pytest.approx(100 / per_pair)
    assert int(load.gpus_needed) == int(np.ceil(50 / (per_pair / 100 * 0.7)))
    assert float(load.cost_per_1k_queries_usd) == pytest.approx(1000 * 100 / per_pair / 3600 * 3)
    assert float(load.latency_s) > 0


def test_gpus_for_rate() -> None:
    assert list(gpus_for_rate(np.array([0.0, 69.0, 71.0, 700.0]), 100.0)) == [1, 1, 2, 10]
    with pytest.raises(PlanningInputError, match="target_utilisation"):
        gpus_for_rate(1.0, 1.0, 0.0)
