"""Deployments as a struct of numpy arrays: one configuration and a million share the code.

`ConfigArrays` holds every number the memory and time model needs, one array per quantity
(units in the names). The arrays only need to be broadcastable against each other: the estimate
path builds flat `(n,)` arrays, the sweep builds one axis per dimension (accelerator, count,
format, ...) so nothing is copied until a formula combines them.

Build from catalog specs with `build_configs` (a list of `Deployment`s) or, for grids, with the
column tables (`columns.ColumnTables`) and `gather_configs`, which index small per-spec tables
with (broadcastable) integer arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.columns import ColumnTables, efficiency_columns
from app.engine.efficiency import EfficiencyTable
from app.engine.units import GIB, Array, BoolArray, IntArray

__all__ = ["GIB", "Array", "BoolArray", "ColumnTables", "ConfigArrays", "Deployment", "IntArray"]


@dataclass(frozen=True)
class Deployment:
    """One configuration as catalog specs (the scalar view of a `ConfigArrays` row)."""

    model: ModelSpec
    accelerator: AcceleratorSpec
    weights: QuantFormat
    kv_cache: QuantFormat
    engine: str
    gpu_count: int
    tp: int = 1
    pp: int = 1
    ep: int = 1


@dataclass(frozen=True)
class ConfigArrays:
    """Per-configuration inputs of the model (broadcastable arrays; units in the names)."""

    # model architecture
    params_total: Array
    params_active: Array
    embed_in_params: Array
    embed_out_params: Array
    layers: Array
    hidden_size: Array
    heads: Array
    kv_heads: Array
    head_dim: Array
    ffn_width: Array
    vocab_size: Array
    moe_experts: Array
    moe_topk: Array
    moe_layers: Array
    expert_params: Array
    is_mla: BoolArray
    mla_latent_dim: Array
    attn_dim_prefill: Array
    attn_dim_decode: Array
    window_tokens: Array
    sliding_layers: Array
    # accelerator
    memory_bytes: Array
    bandwidth_bytes_per_s: Array
    peak_flops: Array
    attention_peak_flops: Array
    link_bytes_per_s: Array
    tdp_w: Array
    emulated: BoolArray
    peak_estimated: BoolArray
    # formats
    weight_bits: Array
    embed_bits: Array
    kv_bytes_per_element: Array
    # layout
    gpu_count: Array
    tp: Array
    pp: Array
    ep: Array
    # engine behaviour
    memory_fraction: Array
    fraction_of_free: BoolArray
    runtime_overhead_bytes: Array
    max_batch: Array
    max_batched_tokens: Array
    kv_reserve_output_fraction: Array
    flash_attention: BoolArray
    score_bytes: Array
    matmul_slowdown: Array
    prefill_chunk_tokens: Array
    logits_rows: Array
    pipelined_pp: BoolArray
    sliding_window_kv: BoolArray
    host_input_embeddings: BoolArray
    sequence_overhead_s: Array
    request_latency_s: Array
    comm_efficiency: Array
    allreduce_latency_s: Array
    pp_hop_s: Array
    # calibrated efficiency
    mfu: Array
    mbu: Array
    layer_overhead_s: Array
    prefill_overhead_s: Array

    @property
    def replicas(self) -> Array:
        """Independent copies of the model: gpu_count / (tp x pp) (data parallel)."""
        return np.maximum(1.0, np.floor(self.gpu_count / (self.tp * self.pp)))

    @property
    def shape(self) -> tuple[int, ...]:
        """The broadcast shape of all fields."""
        return np.broadcast_shapes(*(np.shape(getattr(self, f.name)) for f in fields(self)))

    def with_efficiency(
        self,
        mfu: Array,
        mbu: Array,
        layer_overhead_s: Array,
        prefill_overhead_s: Array | None = None,
    ) -> ConfigArrays:
        """A copy with other efficiency factors (used by the calibration fit); the prompt-step
        overhead is kept unless given."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(mfu=mfu, mbu=mbu, layer_overhead_s=layer_overhead_s)
        if prefill_overhead_s is not None:
            values.update(prefill_overhead_s=prefill_overhead_s)
        return ConfigArrays(**values)

    def take(self, index: IntArray | BoolArray) -> ConfigArrays:
        """Rows `index` of flat (1-D) configurations."""
        n = self.shape[0]
        values = {f.name: np.broadcast_to(getattr(self, f.name), (n,))[index] for f in fields(self)}
        return ConfigArrays(**values)


_BOOL_FIELDS = frozenset(f.name for f in fields(ConfigArrays) if f.type in ("BoolArray", BoolArray))


def gather_configs(
    tables: ColumnTables,
    model: IntArray,
    accelerator: IntArray,
    weights: IntArray,
    kv: IntArray,
    engine: IntArray,
    gpu_count: Array,
    tp: Array,
    pp: Array,
    ep: Array,
) -> ConfigArrays:
    """Configurations from (broadcastable) indices into `tables` and layout arrays."""
    values: dict[str, npt.NDArray[Any]] = {}
    for key, col in tables.models.items():
        values[key] = col[model]
    for key, col in tables.accelerators.items():
        values[key] = col[accelerator]
    for key, col in tables.paths.items():
        values[key] = col[accelerator, weights]
    for key, col in tables.weights.items():
        values[key] = col[weights]
    for key, col in tables.kv.items():
        values[key] = col[kv]
    for key, col in tables.engines.items():
        values[key] = col[engine]
    for key, col in tables.efficiency.items():
        values[key] = col[engine, accelerator]
    values.update(
        gpu_count=np.asarray(gpu_count, dtype=np.float64),
        tp=np.asarray(tp, dtype=np.float64),
        pp=np.asarray(pp, dtype=np.float64),
        ep=np.asarray(ep, dtype=np.float64),
    )
    # engines that raise their batch limits on large-memory accelerators (vLLM >= 70 GiB)
    large = (values["nominal_memory_bytes"] >= values.pop("large_memory_bytes")) & (
        values.pop("large_memory_exempt") < 0.5
    )
    values["max_batch"] = np.where(large, values.pop("max_batch_large"), values["max_batch"])
    values["max_batched_tokens"] = np.where(
        large, values.pop("max_batched_tokens_large"), values["max_batched_tokens"]
    )
    values.pop("nominal_memory_bytes")
    # weights expanded on the fly (GGUF, weight-only INT4) slow large matrix products
    expands = values.pop("expands") > 0.5
    values["matmul_slowdown"] = np.where(expands, values.pop("quantized_matmul_slowdown"), 1.0)
    # FP16-accumulate engines on GeForce cards run the 16-bit path at twice the listed peak
    gain = values.pop("fp16_accumulate_gain")
    use = values.pop("fp16_accumulate")
    sixteen = values.pop("sixteen_bit_path")
    values["peak_flops"] = values["peak_flops"] * np.where((use > 0.5) & (sixteen > 0.5), gain, 1.0)
    values["attention_peak_flops"] = values["attention_peak_flops"] * np.where(use > 0.5, gain, 1.0)
    for key in _BOOL_FIELDS:
        values[key] = values[key] > 0.5
    return ConfigArrays(**values)


T = TypeVar("T")


def _unique(items: Sequence[T]) -> tuple[list[T], IntArray]:
    """Distinct items (by identity, as the catalog hands out one object per entry) and the
    index of each item among them."""
    seen: dict[int, int] = {}
    unique: list[T] = []
    idx = []
    for item in items:
        key = id(item)
        if key not in seen:
            seen[key] = len(unique)
            unique.append(item)
        idx.append(seen[key])
    return unique, np.array(idx, dtype=np.intp)


def build_configs(
    deployments: Sequence[Deployment], table: EfficiencyTable
) -> tuple[ConfigArrays, list[str]]:
    """Flat configurations for a list of deployments, and the efficiency basis of each row."""

    models, m_idx = _unique([d.model for d in deployments])
    accels, a_idx = _unique([d.accelerator for d in deployments])
    weights, w_idx = _unique([d.weights for d in deployments])
    kvs, k_idx = _unique([d.kv_cache for d in deployments])
    engine_names = sorted({d.engine for d in deployments})
    e_idx = np.array([engine_names.index(d.engine) for d in deployments], dtype=np.intp)
    tables = ColumnTables.build(models, accels, weights, kvs, engine_names, table)
    _, basis = efficiency_columns(engine_names, accels, table)
    configs = gather_configs(
        tables,
        m_idx,
        a_idx,
        w_idx,
        k_idx,
        e_idx,
        np.array([d.gpu_count for d in deployments], dtype=np.float64),
        np.array([d.tp for d in deployments], dtype=np.float64),
        np.array([d.pp for d in deployments], dtype=np.float64),
        np.array([d.ep for d in deployments], dtype=np.float64),
    )
    return configs, [basis[e][a] for e, a in zip(e_idx, a_idx, strict=True)]


def describe(c: ConfigArrays, index: int = 0) -> str:
    """The basis of configuration `index` in words: efficiencies, peaks and layout."""

    shape = c.shape  # once: it broadcasts every field

    def at(name: str) -> float:
        value = np.ravel(np.broadcast_to(getattr(c, name), shape))
        return float(value[index])

    emulated = " (emulated path)" if at("emulated") > 0.5 else ""
    estimated = " (estimated)" if at("peak_estimated") > 0.5 else ""
    return (
        f"mfu {at('mfu'):.2f}, mbu {at('mbu'):.2f}, {at('layer_overhead_s') * 1e6:.0f} us/layer "
        f"(+{at('prefill_overhead_s') * 1e6:.0f} in prompt steps); "
        f"peak {at('peak_flops') / 1e12:.0f} TFLOPS{emulated}{estimated}, "
        f"{at('bandwidth_bytes_per_s') / 1e12:.2f} TB/s; tp {at('tp'):.0f} x pp {at('pp'):.0f}"
    )
