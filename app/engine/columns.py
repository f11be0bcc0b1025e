"""Column tables: one small array per quantity, one entry per distinct catalog spec.

`ConfigArrays` (see `configs.py`) are gathered from these tables with integer indices, so a
grid of a million configurations is built from a few dozen specs without a loop per row.
Catalog facts the engine needs but the schema lacks are derived here and documented: binary
memory sizes and ECC on GDDR data-centre boards, one-way link bandwidth from the vendor's
figure, the compute path of each weight format, FP16-accumulate rates on GeForce cards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.efficiency import EfficiencyTable
from app.engine.units import GIB, Array

SIXTEEN_BIT = ("fp16", "bf16")


def _moe_split(m: ModelSpec) -> tuple[float, float, float, float]:
    """(experts, top-k, MoE layers, parameters per expert per layer); zeros for dense models.

    Per-expert parameters come from `total - active = moe_layers x (E - k) x expert_params`
    (shared experts are active and cancel), which matches the published parameter counts.
    """
    if m.moe is None or m.moe.num_experts <= m.moe.experts_per_token:
        return 0.0, 0.0, 0.0, 0.0
    e, k = float(m.moe.num_experts), float(m.moe.experts_per_token)
    moe_layers = float(max(1, m.layers - m.moe.first_dense_layers))
    per_expert = max(0.0, (m.params_total - m.params_active) / (moe_layers * (e - k)))
    return e, k, moe_layers, per_expert


def model_columns(models: Sequence[ModelSpec]) -> dict[str, Array]:
    """Architecture quantities of each model (parameters, layers, KV dimensions)."""
    rows: list[dict[str, float]] = []
    for m in models:
        vocab = float(m.vocab_size or 0)
        e, k, moe_layers, per_expert = _moe_split(m)
        if m.moe is not None and m.moe.expert_intermediate_size:
            ffn = float(
                m.moe.expert_intermediate_size * (m.moe.experts_per_token + m.moe.shared_experts)
            )
        else:
            ffn = float(m.intermediate_size or 4 * m.hidden_size)
        if m.mla is not None:
            latent = float(m.mla.kv_lora_rank + m.mla.qk_rope_head_dim)
            qk = m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim
            prefill_dim = m.heads * (qk + (m.mla.v_head_dim or qk)) / 2.0
            decode_dim = float(m.heads * (m.mla.kv_lora_rank + m.mla.qk_rope_head_dim))
        else:
            latent = 0.0
            prefill_dim = decode_dim = float(m.heads * m.head_dim)
        window = m.sliding_window
        rows.append(
            {
                "params_total": m.params_total,
                "params_active": m.params_active,
                "embed_in_params": vocab * m.hidden_size,
                "embed_out_params": 0.0 if m.tie_word_embeddings else vocab * m.hidden_size,
                "layers": float(m.layers),
                "hidden_size": float(m.hidden_size),
                "heads": float(m.heads),
                "kv_heads": float(m.kv_heads),
                "head_dim": float(m.head_dim),
                "ffn_width": ffn,
                "vocab_size": vocab,
                "moe_experts": e,
                "moe_topk": k,
                "moe_layers": moe_layers,
                "expert_params": per_expert,
                "is_mla": float(m.mla is not None),
                "mla_latent_dim": latent,
                "attn_dim_prefill": prefill_dim,
                "attn_dim_decode": decode_dim,
                "window_tokens": float(window.window_tokens) if window else 0.0,
                "sliding_layers": float(min(window.sliding_layers, m.layers)) if window else 0.0,
            }
        )
    return _stack(rows)


def _peak(spec: AcceleratorSpec, precision: str) -> float | None:
    value = spec.peak_tflops.get(precision)
    return float(value) * 1e12 if value else None


def sixteen_bit_peak_flops(spec: AcceleratorSpec, table: EfficiencyTable) -> tuple[float, bool]:
    """Dense 16-bit peak in FLOP/s and whether it was estimated.

    Falls back to the FP32 peak (GPUs without a faster 16-bit path, e.g. Apple) and then to
    bandwidth x the class's FLOP/byte ratio.
    """
    for precision in ("bf16", "fp16", "fp32"):
        value = _peak(spec, precision)
        if value:
            return value, precision == "fp32"
    ratio = table.hardware(spec.hardware_class).fallback_fp16_flops_per_byte
    return spec.bandwidth_bytes_per_s * ratio, True


def compute_path(
    spec: AcceleratorSpec, fmt: QuantFormat, table: EfficiencyTable
) -> tuple[float, bool, bool]:
    """(peak FLOP/s of the format's compute path, emulated?, peak estimated?).

    FP8 W8A8 runs at the FP8 peak, INT8 W8A8 at the INT8 peak, NVFP4/MXFP4 at the FP4 peak,
    where the accelerator runs that precision natively; a format it cannot run natively
    (FP8 on Ampere or Ascend 910B, FP4 before Blackwell) falls back to de-quantising to 16 bit
    and is flagged as emulated. Weight-only and GGUF formats compute at 16 bit.
    """
    base, estimated = sixteen_bit_peak_flops(spec, table)
    path = fmt.compute_precision.lower()
    if path in SIXTEEN_BIT or path == "fp32":
        return base, False, estimated
    if path not in spec.native_precisions:
        return base, True, estimated
    value = _peak(spec, path)
    if value is None:
        bits = {"fp8": 8, "int8": 8, "fp4": 4, "int4": 4}.get(path, 16)
        return base * 16.0 / bits, False, True
    return value, False, estimated


_LINK = re.compile(r"(\d+(?:\.\d+)?)\s*(TB/s|GB/s)", re.IGNORECASE)


def link_bytes_per_s(spec: AcceleratorSpec) -> float:
    """One-direction GPU-to-GPU bandwidth in bytes/s.

    Vendors quote the bidirectional aggregate (`interconnect_gbs`, else the first figure in the
    interconnect text), so half of it flows each way. Without a figure: PCIe Gen4 x16,
    32 GB/s each way.
    """
    gbs = spec.interconnect_gbs
    if not gbs:
        text = spec.interconnect or ""
        if "nvlink" in text.lower() and "bridge" in text.lower() and "pcie" in text.lower():
            text = text.lower().split("nvlink")[0]  # a bridge is optional; assume PCIe
        match = _LINK.search(text)
        if match:
            gbs = float(match.group(1)) * (1000.0 if match.group(2).upper() == "TB/S" else 1.0)
    return (float(gbs) if gbs else 64.0) * 1e9 / 2.0


GDDR_MAX_TBS = 1.2  # data-centre boards below this bandwidth carry GDDR memory


def ecc_share(spec: AcceleratorSpec) -> float:
    """Share of memory that ECC takes: NVIDIA data-centre GDDR boards (A10G, A40, L40S, L20)
    keep ECC on and lose 1/16 of it (an A10G shows 22.3 of 24 GiB); HBM stores ECC aside."""
    gddr = spec.memory_bandwidth_tbs < GDDR_MAX_TBS
    nvidia_dc = spec.vendor.lower() == "nvidia" and spec.segment == "datacenter"
    return 1.0 / 16.0 if gddr and nvidia_dc else 0.0


def fp16_accumulate_gain(spec: AcceleratorSpec) -> float:
    """Speed-up of FP16-accumulate over the listed (FP32-accumulate) 16-bit peak.

    NVIDIA GeForce (consumer) cards run FP32-accumulate tensor maths at half the FP16-accumulate
    rate; data-centre and workstation parts run both at the same rate.
    """
    return 2.0 if spec.vendor.lower() == "nvidia" and spec.segment == "consumer" else 1.0


def accelerator_columns(
    accels: Sequence[AcceleratorSpec], table: EfficiencyTable
) -> dict[str, Array]:
    """Memory, bandwidth, link and power of each accelerator.

    Memory: vendor GB of on-package memory are binary (an "80 GB" H100 has 80 GiB), less ECC on
    GDDR data-centre boards, times the class's usable fraction.
    """
    rows: list[dict[str, float]] = []
    for a in accels:
        hw = table.hardware(a.hardware_class)
        attn, estimated = sixteen_bit_peak_flops(a, table)
        rows.append(
            {
                "memory_bytes": a.memory_gb
                * GIB
                * (1.0 - ecc_share(a))
                * hw.usable_memory_fraction,
                "nominal_memory_bytes": a.memory_gb * GIB,
                "bandwidth_bytes_per_s": a.bandwidth_bytes_per_s,
                "attention_peak_flops": attn,
                "link_bytes_per_s": link_bytes_per_s(a),
                "tdp_w": float(a.tdp_w or 0.0),
                "fp16_accumulate_gain": fp16_accumulate_gain(a),
            }
        )
    return _stack(rows)


def path_columns(
    accels: Sequence[AcceleratorSpec], formats: Sequence[QuantFormat], table: EfficiencyTable
) -> dict[str, Array]:
    """Compute-path peak per (accelerator, weight format): 2-D arrays."""
    shape = (len(accels), len(formats))
    peak, emulated, estimated = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    sixteen = np.zeros(shape)
    for i, a in enumerate(accels):
        for j, f in enumerate(formats):
            peak[i, j], emu, est = compute_path(a, f, table)
            emulated[i, j], estimated[i, j] = float(emu), float(est)
            sixteen[i, j] = float(emu or f.compute_precision.lower() in (*SIXTEEN_BIT, "fp32"))
    return {
        "peak_flops": peak,
        "emulated": emulated,
        "peak_estimated": estimated,
        "sixteen_bit_path": sixteen,
    }


def format_columns(weights: Sequence[QuantFormat]) -> dict[str, Array]:
    """Effective bits per weight, and for embeddings.

    GGUF files quantise the embedding and output matrices too; other quantised formats (FP8,
    INT8, AWQ/GPTQ, NVFP4, MXFP4) leave them at 16 bit, as the engines load them.
    """
    rows = []
    for f in weights:
        bits = float(f.bits_per_weight)
        keep = f.scheme == "gguf" or bits >= 16.0
        expands = f.scheme in ("gguf", "weight-only")
        rows.append(
            {"weight_bits": bits, "embed_bits": bits if keep else 16.0, "expands": float(expands)}
        )
    return _stack(rows)


def kv_columns(kv_formats: Sequence[QuantFormat]) -> dict[str, Array]:
    """Bytes per cached element of each KV-cache format."""
    return {"kv_bytes_per_element": np.array([f.bits_per_weight / 8.0 for f in kv_formats])}


def engine_columns(engines: Sequence[str], table: EfficiencyTable) -> dict[str, Array]:
    """Serving behaviour of each engine family (see `EngineProfile`)."""
    rows = []
    for name in engines:
        p = table.engine(name)
        rows.append(
            {
                "memory_fraction": p.memory_fraction,
                "fraction_of_free": float(p.fraction_of_free),
                "runtime_overhead_bytes": p.runtime_overhead_gib * GIB,
                "max_batch": float(p.max_batch),
                "max_batched_tokens": float(p.max_batched_tokens),
                "large_memory_bytes": p.large_memory_gib * GIB if p.large_memory_gib else np.inf,
                "max_batch_large": float(p.max_batch_large or p.max_batch),
                "max_batched_tokens_large": float(
                    p.max_batched_tokens_large or p.max_batched_tokens
                ),
                "kv_reserve_output_fraction": p.kv_reserve_output_fraction,
                "flash_attention": float(p.flash_attention),
                "score_bytes": p.score_bytes,
                "quantized_matmul_slowdown": p.quantized_matmul_slowdown,
                "prefill_chunk_tokens": float(p.prefill_chunk_tokens),
                "logits_rows": float(p.logits_rows or p.max_batch),
                "pipelined_pp": float(p.pipelined_pp),
                "fp16_accumulate": float(p.fp16_accumulate),
                "sliding_window_kv": float(p.sliding_window_kv),
                "host_input_embeddings": float(p.host_input_embeddings),
                "sequence_overhead_s": p.sequence_overhead_us * 1e-6,
                "request_latency_s": p.request_latency_ms * 1e-3,
                "comm_efficiency": p.comm_efficiency,
                "allreduce_latency_s": p.allreduce_latency_us * 1e-6,
                "pp_hop_s": p.pp_hop_ms * 1e-3,
            }
        )
    return _stack(rows)


def efficiency_columns(
    engines: Sequence[str], accels: Sequence[AcceleratorSpec], table: EfficiencyTable
) -> tuple[dict[str, Array], list[list[str]]]:
    """Resolved efficiency factors per (engine, accelerator) and the basis of each."""
    shape = (len(engines), len(accels))
    mfu, mbu, overhead = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    prefill, exempt = np.zeros(shape), np.zeros(shape)
    basis: list[list[str]] = []
    for i, e in enumerate(engines):
        row = []
        for j, a in enumerate(accels):
            r = table.resolve(e, a.hardware_class, a.segment)
            mfu[i, j], mbu[i, j] = r.factors.mfu, r.factors.mbu
            overhead[i, j] = r.factors.layer_overhead_us * 1e-6
            prefill[i, j] = r.factors.prefill_overhead_us * 1e-6
            excluded = table.engine(e).large_memory_excluded
            exempt[i, j] = float(any(x in a.id.lower() for x in excluded))
            f = r.factors
            row.append(
                f"{r.basis}: mfu {f.mfu:.2f}, mbu {f.mbu:.2f}, {f.layer_overhead_us:.0f} us/layer"
                f" (+{f.prefill_overhead_us:.0f} us/layer in prompt steps)"
            )
        basis.append(row)
    return {
        "mfu": mfu,
        "mbu": mbu,
        "layer_overhead_s": overhead,
        "prefill_overhead_s": prefill,
        "large_memory_exempt": exempt,
    }, basis


def _stack(rows: Sequence[dict[str, float]]) -> dict[str, Array]:
    if not rows:
        return {}
    return {key: np.array([r[key] for r in rows], dtype=np.float64) for key in rows[0]}


@dataclass(frozen=True)
class ColumnTables:
    """The small per-spec tables a grid of configurations indexes into."""

    models: dict[str, Array]
    accelerators: dict[str, Array]
    paths: dict[str, Array]
    weights: dict[str, Array]
    kv: dict[str, Array]
    engines: dict[str, Array]
    efficiency: dict[str, Array]

    @classmethod
    def build(
        cls,
        models: Sequence[ModelSpec],
        accels: Sequence[AcceleratorSpec],
        weights: Sequence[QuantFormat],
        kv_formats: Sequence[QuantFormat],
        engines: Sequence[str],
        table: EfficiencyTable,
    ) -> ColumnTables:
        eff, _ = efficiency_columns(engines, accels, table)
        return cls(
            models=model_columns(models),
            accelerators=accelerator_columns(accels, table),
            paths=path_columns(accels, weights, table),
            weights=format_columns(weights),
            kv=kv_columns(kv_formats),
            engines=engine_columns(engines, table),
            efficiency=eff,
        )
