"""Served requests: prompt-step overhead, frontend latency, bursts, tails and vLLM's limits."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.catalog.efficiency import parse_efficiency, read_raw
from app.catalog.loader import CatalogError
from app.engine import performance, serving
from app.engine.configs import ConfigArrays
from tests.engine.conftest import MakeConfigs


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def one(value: object) -> float:
    return float(np.ravel(np.asarray(value))[0])


def with_overheads(c: ConfigArrays, prompt_us: float, latency_ms: float) -> ConfigArrays:
    """`c` with a given prompt-step overhead (us per layer) and frontend latency (ms)."""
    return replace(c, prefill_overhead_s=np.full(1, prompt_us * 1e-6),
                   request_latency_s=np.full(1, latency_ms * 1e-3))


def test_prompt_step_pays_its_overhead_per_layer(make: MakeConfigs) -> None:
    c = with_overheads(make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm"), 500.0, 0.0)
    kwargs = dict(prefill_tokens=512.0, prefill_pairs=512.0 * 513 / 2, prefill_sequences=1.0)
    plain = performance.forward_step(c, 8.0, 1024.0, **kwargs)  # type: ignore[arg-type]
    prompt = performance.forward_step(c, 8.0, 1024.0, prompt_step=1.0, **kwargs)  # type: ignore[arg-type]
    half = performance.forward_step(c, 8.0, 1024.0, prompt_step=0.5, **kwargs)  # type: ignore[arg-type]
    # Llama 3.1 8B: 32 layers, no MoE layers: 32 x 500 us on top, half of it at a half share
    assert prompt.time_s[0] - plain.time_s[0] == pytest.approx(32 * 500e-6)
    assert half.time_s[0] - plain.time_s[0] == pytest.approx(16 * 500e-6)
    assert prompt.overhead_s[0] - plain.overhead_s[0] == pytest.approx(32 * 500e-6)


def test_prompt_step_overhead_doubles_with_tensor_parallelism(make: MakeConfigs) -> None:
    base = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "vllm", gpu_count=4, tp=4)
    c0, c1 = with_overheads(base, 0.0, 0.0), with_overheads(base, 200.0, 0.0)
    a = performance.forward_step(c0, 1.0, 600.0, prefill_tokens=600.0, prompt_step=1.0)
    b = performance.forward_step(c1, 1.0, 600.0, prefill_tokens=600.0, prompt_step=1.0)
    assert b.time_s[0] - a.time_s[0] == pytest.approx(2 * 80 * 200e-6)  # 80 layers, tp > 1


def test_each_prefill_chunk_is_a_prompt_step(make: MakeConfigs) -> None:
    base = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm")
    c0, c1 = with_overheads(base, 0.0, 0.0), with_overheads(base, 300.0, 0.0)
    isl = 3 * one(base.max_batched_tokens)  # three chunks
    a, b = performance.prefill(c0, 1.0, arr(isl)), performance.prefill(c1, 1.0, arr(isl))
    assert a.chunks[0] == b.chunks[0] == 3
    assert b.time_s[0] - a.time_s[0] == pytest.approx(3 * 32 * 300e-6)


def test_single_client_ttft_is_frontend_latency_plus_its_prefill(make: MakeConfigs) -> None:
    c = with_overheads(make("qwen3-8b", "H100 SXM 80GB", "bf16", "bf16", "sglang"), 400.0, 12.0)
    r = serving.closed_loop(c, arr(1), arr(233), arr(221))
    pre = performance.prefill(c, 1.0, arr(233)).time_s[0]
    assert r.ttft_ms[0] == pytest.approx(12.0 + pre * 1e3)
    # the client is idle while the frontend works: one request per latency + service in the
    # steady loop, blended with the static first wave (which has no frontend)
    decode = 220 * r.tpot_ms[0] / 1e3
    steady = 221 / (0.012 + pre + decode)
    static = serving.static_batch(c, arr(1), arr(233), arr(221)).output_tokens_per_s[0]
    assert r.output_tokens_per_s[0] == pytest.approx((steady * static) ** 0.5)


def test_in_process_engines_add_no_frontend_latency(make: MakeConfigs) -> None:
    trt = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    cpp = make("llama-3-8b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp")
    assert one(trt.request_latency_s) == 0.0 and one(cpp.request_latency_s) == 0.0
    assert one(make("llama-3.1-8b", "H100 SXM 80GB").request_latency_s) > 0.0  # vLLM


def test_served_burst_enters_through_the_frontend(make: MakeConfigs) -> None:
    c = with_overheads(make("llama-3.1-8b", "H100 SXM 80GB"), 0.0, 20.0)
    r = serving.offline(c, arr(128), arr(4), benchmark_requests=1000)
    # request i waits i x 20 ms for the frontend: the mean is at least (n + 1) / 2 x 20 ms
    assert r.ttft_ms[0] >= 0.020 * 1001 / 2 * 1e3
    assert r.ttft_p99_ms[0] >= 0.99 * 1000 * 20.0
    quiet = serving.offline(with_overheads(c, 0.0, 0.0), arr(128), arr(4), benchmark_requests=1000)
    assert quiet.ttft_ms[0] < r.ttft_ms[0]
    assert quiet.output_tokens_per_s[0] == pytest.approx(r.output_tokens_per_s[0])


def test_ttft_tails_grow_with_the_prompt_and_stay_ordered(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm")
    prompts = arr(128, 512, 2048, 8192)
    n = prompts.size
    many = c.take(np.zeros(n, dtype=np.intp))
    for r in (serving.closed_loop(many, np.full(n, 8.0), prompts, np.full(n, 256.0)),
              serving.at_rate(many, np.full(n, 2.0), prompts, np.full(n, 256.0))):
        assert np.all(np.diff(r.ttft_p99_ms) > 0)
        assert np.all(r.ttft_p99_ms >= r.ttft_p95_ms) and np.all(r.ttft_p95_ms >= r.ttft_ms)


def test_p99_prompt_is_twice_the_mean_at_low_load(make: MakeConfigs) -> None:
    c = with_overheads(make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm"), 0.0, 0.0)
    r = serving.closed_loop(c, arr(1), arr(1000), arr(200))
    long = performance.prefill(c, 1.0, arr(2000)).time_s[0]
    assert serving.P99_PROMPT_FACTOR == 2.0
    assert r.ttft_p99_ms[0] == pytest.approx(long * 1e3)  # one client: no queue, no busy step


def test_prompts_batch_into_steps_so_the_prompt_path_is_lightly_used(make: MakeConfigs) -> None:
    c = make("llama-2-70b", "H200 SXM 141GB", "fp8", "fp8", "tensorrt-llm")
    first = performance.prefill(c, 1.0, arr(300), decode_tokens=400.0, decode_context=450.0)
    marginal = serving._prompt_time(c, first, arr(400.0), arr(300), arr(290))
    plain = performance.forward_step(c, 400.0, 300 + 145.0).time_s[0]
    # the prompt's own cost, not the decode step it rides in
    assert marginal[0] == pytest.approx(max(first.time_s[0] - plain, 0.1 * first.time_s[0]))
    assert marginal[0] < first.time_s[0]


def test_vllm_keeps_small_limits_on_the_a100(make: MakeConfigs) -> None:
    a100 = make("llama-3.1-8b", "A100 SXM4 80GB")
    h100 = make("llama-3.1-8b", "H100 SXM 80GB")
    a100_trt = make("llama-3.1-8b", "A100 SXM4 80GB", engine="tensorrt-llm")
    assert one(a100.max_batch) == 256 and one(h100.max_batch) == 1024
    assert one(a100_trt.max_batch) == one(make("llama-3.1-8b", "H100 SXM 80GB",
                                                engine="tensorrt-llm").max_batch)


def test_efficiency_file_reads_the_new_fields() -> None:
    raw = read_raw()
    table, _ = parse_efficiency(raw)
    assert table.engine("vllm").large_memory_excluded == ("a100",)
    old = dict(raw, groups=[{"engine": "vllm", "hardware_class": "*", "mfu": 0.5, "mbu": 0.7,
                             "layer_overhead_us": 40.0}])
    assert parse_efficiency(old)[0].groups[("vllm", "*")].prefill_overhead_us == 0.0
    bad = dict(raw, groups=[dict(old["groups"][0], prefill_overhead_us=-1.0)])
    with pytest.raises(CatalogError, match="prefill_overhead_us"):
        parse_efficiency(bad)
    scaled = table.resolve("vllm", "nvidia-hopper").factors.scaled(overhead=2.0)
    base = table.resolve("vllm", "nvidia-hopper").factors
    assert scaled.prefill_overhead_us == pytest.approx(2 * base.prefill_overhead_us)
