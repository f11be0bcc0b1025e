"""Vector index memory and disk for an embedded corpus (FAISS layouts). Vectorized.

Bytes per stored vector component: fp32 4, fp16 2, int8 1 (scalar quantizer), binary 1/8
(FAISS `IndexBinaryFlat` stores d bits). Layouts, from the FAISS wiki "Guidelines to choose an
index" and "Faiss indexes" (github.com/facebookresearch/faiss/wiki, as of 2024):

* flat:     N·d·bytes. "It does not compress the vectors, but does not add overhead on top of
            them": overhead factor 1.0.
* hnsw:     N·(d·bytes + 2·M·4). The wiki gives "(d * 4 + M * 2 * 4) bytes per vector" for
            `IndexHNSWFlat`: 2·M neighbour ids of 4 bytes on the base layer (upper layers
            are a small extra, ignored).
* ivf_flat: N·(d·bytes + 8) + nlist·d·4: inverted lists keep an 8-byte id per vector; the
            coarse quantizer keeps nlist fp32 centroids. nlist defaults to 4·√N (the wiki
            suggests 4·√N to 16·√N).
* ivf_pq:   N·(m·nbits/8 + 8) + nlist·d·4 + 2^nbits·d·4: PQ codes of m sub-quantizers of
            nbits bits, ids, coarse centroids, and the PQ codebooks (m × 2^nbits centroids of
            d/m floats). m defaults to d/16 (e.g. 64 bytes for d = 1024), nbits to 8.

Disk: FAISS `write_index` serialises the same arrays, so disk = memory, plus the raw fp32
vectors when they are kept for re-scoring (`raw_vectors_on_disk`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.training_memory import ArrayLike, FloatArray
from app.engine.transformer_dims import PlanningInputError

COMPONENT_BYTES = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "int8": 1.0, "binary": 1.0 / 8.0}
INDEX_KINDS = ("flat", "hnsw", "ivf_flat", "ivf_pq")
ID_BYTES = 8.0
LINK_BYTES = 4.0


@dataclass(frozen=True)
class VectorIndexSize:
    """Memory and disk of a vector index, in bytes.

    vector_bytes: stored codes (vectors or PQ codes). graph_bytes: HNSW links. id_bytes:
    inverted-list ids. centroid_bytes: coarse centroids and PQ codebooks. memory_bytes: their
    sum. overhead_factor: memory / vector_bytes (flat 1.0).
    """

    vectors: FloatArray
    dimension: FloatArray
    index: str
    precision: str
    vector_bytes: FloatArray
    graph_bytes: FloatArray
    id_bytes: FloatArray
    centroid_bytes: FloatArray
    memory_bytes: FloatArray
    disk_bytes: FloatArray
    bytes_per_vector: FloatArray
    overhead_factor: FloatArray
    basis: tuple[str, ...]


def vector_index_size(
    vectors: ArrayLike, dimension: ArrayLike, *, index: str = "flat", precision: str = "fp32",
    hnsw_m: int = 32, ivf_lists: ArrayLike | None = None, pq_subquantizers: ArrayLike | None = None,
    pq_bits: int = 8, raw_vectors_on_disk: bool = False,
) -> VectorIndexSize:
    """Index size for `vectors` vectors of `dimension` components (see the module docstring).

    10 M vectors × 1024 dims × fp32, flat: 10e6 × 1024 × 4 = 40.96 GB.
    """
    if index not in INDEX_KINDS:
        raise PlanningInputError(f"index: must be one of {', '.join(INDEX_KINDS)}")
    if precision not in COMPONENT_BYTES:
        raise PlanningInputError(f"precision: must be one of {', '.join(COMPONENT_BYTES)}")
    n = np.asarray(vectors, dtype=np.float64)
    d = np.asarray(dimension, dtype=np.float64)
    if np.any(~np.isfinite(n)) or np.any(n < 0):
        raise PlanningInputError("vectors: must be a number >= 0")
    if np.any(~(d >= 1)) or np.any(d != np.floor(d)):
        raise PlanningInputError("dimension: must be a whole number >= 1")
    if hnsw_m < 1 or not 1 <= pq_bits <= 16:
        raise PlanningInputError("hnsw_m must be >= 1 and pq_bits in 1..16")
    per = COMPONENT_BYTES[precision]
    zero = 0.0 * n * d
    graph = zero
    ids = zero
    centroids = zero
    nlist = np.maximum(np.round(4.0 * np.sqrt(n)), 1.0) if ivf_lists is None else (
        np.asarray(ivf_lists, dtype=np.float64))
    basis: tuple[str, ...] = (
        f"{index} index, {precision} components ({per:g} bytes); FAISS wiki layouts"
        if index != "ivf_pq" else "ivf_pq index (codes replace the vectors); FAISS wiki layouts",)
    if index == "ivf_pq":
        m = np.maximum(np.floor(d / 16.0), 1.0) if pq_subquantizers is None else (
            np.asarray(pq_subquantizers, dtype=np.float64))
        if np.any(m < 1):
            raise PlanningInputError("pq_subquantizers: must be >= 1")
        codes = n * m * pq_bits / 8.0
        ids = n * ID_BYTES
        centroids = nlist * d * 4.0 + (2.0 ** pq_bits) * d * 4.0
        basis += (f"PQ codes m·{pq_bits}/8 bytes + 8-byte ids; nlist centroids fp32",)
    else:
        codes = n * d * per
        if index == "hnsw":
            graph = n * 2.0 * hnsw_m * LINK_BYTES
            basis += (f"HNSW M = {hnsw_m}: 2·M·4 bytes of links per vector",)
        elif index == "ivf_flat":
            ids = n * ID_BYTES
            centroids = nlist * d * 4.0
            basis += ("8-byte ids per vector; nlist fp32 centroids",)
    memory = codes + graph + ids + centroids
    disk = memory + (n * d * 4.0 if raw_vectors_on_disk else 0.0)
    shape = np.broadcast_shapes(np.shape(memory), np.shape(n), np.shape(d))
    with np.errstate(invalid="ignore", divide="ignore"):
        per_vector = np.where(n > 0, memory / np.where(n > 0, n, 1.0), 0.0)
        overhead = np.where(codes > 0, memory / np.where(codes > 0, codes, 1.0), 1.0)

    def full(x: FloatArray | float) -> FloatArray:
        return np.broadcast_to(np.asarray(x, dtype=np.float64), shape).astype(np.float64)

    return VectorIndexSize(
        vectors=full(n), dimension=full(d), index=index, precision=precision,
        vector_bytes=full(codes), graph_bytes=full(graph), id_bytes=full(ids),
        centroid_bytes=full(centroids), memory_bytes=full(memory), disk_bytes=full(disk),
        bytes_per_vector=full(per_vector), overhead_factor=full(overhead), basis=basis,
    )
