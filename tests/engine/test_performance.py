"""Step and prefill time against hand-computed rooflines."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from app.catalog.loader import Catalog
from app.engine import performance as perf
from app.engine.configs import ConfigArrays, Deployment, build_configs
from app.engine.efficiency import EfficiencyTable
from tests.engine.conftest import MakeConfigs

EMBED_8B = 128256 * 4096


def simple(make: MakeConfigs, **kw: object) -> ConfigArrays:
    """Llama 3.1 8B BF16 on one H100 with round efficiency numbers."""
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    values: dict[str, object] = {
        "mfu": np.array([0.5]),
        "mbu": np.array([0.8]),
        "layer_overhead_s": np.array([10e-6]),
        "sequence_overhead_s": np.array([0.0]),
    }
    values.update(kw)
    return dataclasses.replace(c, **values)  # type: ignore[arg-type]


def test_batch_one_decode_is_weights_over_bandwidth_plus_overhead(make: MakeConfigs) -> None:
    c = simple(make)
    step = perf.forward_step(c, 1.0, 0.0)
    weights = (8.03e9 - EMBED_8B) * 2.0  # the embedding table is looked up, not streamed
    kv_write = 2 * 32 * 8 * 128 * 2
    bw = 3.35e12 * 0.8
    # matrix products: 2 FLOPs per weight and the output head; p-norm with p = 2
    gemm_c = 2 * (8.03e9 - EMBED_8B) / (989.4e12 * 0.5)
    gemm_m = weights / bw
    expected = (gemm_c**2 + gemm_m**2) ** 0.5 + kv_write / bw + 32 * 10e-6
    assert perf.ROOFLINE_P == 2.0
    assert step.time_s[0] == pytest.approx(expected, rel=1e-9)
    # far from the ridge point the p-norm is the roofline max within 0.01 %
    assert step.time_s[0] == pytest.approx((weights + kv_write) / bw + 32 * 10e-6, rel=1e-4)
    assert perf.BOUND_NAMES[int(step.bound[0])] == "memory"


def test_prefill_is_compute_bound_with_causal_attention(make: MakeConfigs) -> None:
    c = simple(make)
    n = 2048.0
    pre = perf.prefill(c, 1.0, np.array([n]))
    linear = 2 * (8.03e9 - 2 * EMBED_8B) * n + 2 * EMBED_8B * 1
    attention = 4 * 32 * 4096 * n * (n + 1) / 2  # = 2 x layers x n^2 x d for the causal prompt
    weights = (8.03e9 - EMBED_8B) * 2.0
    gemm = (
        (linear / (989.4e12 * 0.5)) ** 2 + (weights / (3.35e12 * 0.8)) ** 2
    ) ** 0.5  # p-norm, p = 2
    kv = 2 * 32 * 8 * 128 * 2 * n / (3.35e12 * 0.8)  # KV written for the prompt
    attn = ((attention / (989.4e12 * 0.5)) ** 2 + kv**2) ** 0.5
    expected = gemm + attn + 32 * 10e-6
    assert pre.chunks[0] == 1
    assert pre.time_s[0] == pytest.approx(expected, rel=1e-6)
    assert perf.BOUND_NAMES[int(pre.chunk.bound[0])] == "compute"


def test_long_prompt_is_chunked(make: MakeConfigs) -> None:
    c = simple(make)
    pre = perf.prefill(c, 1.0, np.array([20000.0]))
    assert pre.chunks[0] == np.ceil(20000 / 8192)


def test_experts_touched(make: MakeConfigs) -> None:
    c = make("mixtral-8x7b", "H100 SXM 80GB")
    touched = perf.experts_touched(c, np.array([1.0, 2.0, 1e6]))
    assert touched == pytest.approx([2.0, 8 * (1 - (6 / 8) ** 2), 8.0])


def test_moe_decode_reads_only_touched_experts(make: MakeConfigs) -> None:
    c = make("mixtral-8x7b", "H100 SXM 80GB")
    one = perf.streamed_weight_bytes(c, np.array([1.0]))[0]
    many = perf.streamed_weight_bytes(c, np.array([4096.0]))[0]
    expert = (46.7e9 - 12.9e9) / (32 * 6) * 2  # bytes per expert per layer
    assert many - one == pytest.approx(32 * 6 * expert, rel=1e-6)


def test_tensor_parallel_all_reduce(make: MakeConfigs) -> None:
    c = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm", 8, tp=8)
    tokens = 256.0
    step = perf.forward_step(c, tokens, 1000.0)
    link = 900e9 / 2 * c.comm_efficiency[0]  # NVLink 4: 900 GB/s both ways, half each way
    ring = 2 * 7 / 8 * tokens * 8192 * 2 / link + c.allreduce_latency_s[0]
    assert step.communication_s[0] == pytest.approx(2 * 80 * ring, rel=1e-9)


def test_layer_split_runs_stages_in_sequence(make: MakeConfigs) -> None:
    one = make("llama-3-70b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp")
    two = make("llama-3-70b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp", 2, pp=2)
    t1 = perf.forward_step(one, 1.0, 256.0).time_s[0]
    t2 = perf.forward_step(two, 1.0, 256.0).time_s[0]
    assert t2 > t1  # same work one after another, plus a hop
    assert t2 == pytest.approx(t1, rel=0.05)


def test_fp8_on_ampere_is_flagged_and_runs_at_16_bit(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "A100 SXM4 80GB", "fp8", "fp8")
    assert bool(c.emulated[0])
    assert c.peak_flops[0] == pytest.approx(312e12)
    h = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8")
    assert not bool(h.emulated[0])
    assert h.peak_flops[0] == pytest.approx(1978.9e12)


def test_weight_only_int4_computes_at_16_bit(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "int4-awq", "bf16")
    assert c.peak_flops[0] == pytest.approx(989.4e12)
    assert not bool(c.emulated[0])


def test_nvfp4_uses_fp4_peak_only_where_native(make: MakeConfigs) -> None:
    b = make("llama-3.1-8b", "B200 180GB", "nvfp4", "fp8", "tensorrt-llm")
    assert b.peak_flops[0] == pytest.approx(9000e12)
    h = make("llama-3.1-8b", "H100 SXM 80GB", "nvfp4", "fp8")
    assert bool(h.emulated[0]) and h.peak_flops[0] == pytest.approx(989.4e12)


def test_llama_cpp_uses_fp16_accumulate_rate_on_geforce(make: MakeConfigs) -> None:
    c = make("llama-3-8b", "RTX 4090 24GB", "fp16", "fp16", "llama.cpp")
    v = make("llama-3-8b", "RTX 4090 24GB", "fp16", "fp16", "vllm")
    assert c.peak_flops[0] == pytest.approx(2 * v.peak_flops[0])


def test_missing_peak_is_estimated_from_bandwidth(catalog: Catalog,
                                                  table: EfficiencyTable) -> None:
    # An accelerator whose tensor peaks have no source: the engine flags its estimate.
    m2 = dataclasses.replace(catalog.accelerator("Apple M2 Ultra (76-core GPU) 192GB"),
                             peak_tflops={})
    q = catalog.quantization
    d = Deployment(catalog.model("llama-3-8b"), m2, q("q4_k_m"), q("fp16"), "llama.cpp", 1, 1, 1, 1)
    c = build_configs([d], table)[0]
    assert bool(c.peak_estimated[0])
    assert c.peak_flops[0] == pytest.approx(0.8e12 * 35.0)


def test_sourced_peak_is_not_estimated(make: MakeConfigs) -> None:
    c = make("llama-3-8b", "Apple M2 Ultra (76-core GPU) 192GB", "q4_k_m", "fp16", "llama.cpp")
    assert not bool(c.peak_estimated[0])
