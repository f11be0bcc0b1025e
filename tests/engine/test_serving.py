"""Serving modes: static batch, offline maximum throughput, request rate with queues."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import memory, performance, serving
from tests.engine.conftest import MakeConfigs


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_static_batch_throughput_is_tokens_over_total_time(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    isl, osl, batch = 512.0, 256.0, 32.0
    r = serving.static_batch(c, arr(batch), arr(isl), arr(osl))
    pre = performance.prefill(c, batch, arr(isl)).time_s[0]
    step = performance.forward_step(c, batch, isl + osl / 2).time_s[0]
    total = pre + (osl - 1) * step
    assert r.output_tokens_per_s[0] == pytest.approx(batch * osl / total)
    assert r.tpot_ms[0] == pytest.approx(step * 1e3)
    assert r.e2e_latency_s[0] == pytest.approx(total)


def test_batch_one_prompt_only_reports_ttft(make: MakeConfigs) -> None:
    c = make("llama-3-8b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp")
    r = serving.static_batch(c, arr(1), arr(512), arr(0))
    assert np.isnan(r.output_tokens_per_s[0]) and r.ttft_ms[0] > 0


def test_generation_from_empty_prompt_is_one_token_per_step(make: MakeConfigs) -> None:
    c = make("llama-3-8b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp")
    r = serving.static_batch(c, arr(1), arr(0), arr(128))
    step = performance.forward_step(c, 1.0, 64.0).time_s[0]
    assert r.output_tokens_per_s[0] == pytest.approx(1.0 / step)


def test_70b_fp8_on_one_h100_is_kv_capacity_bound(make: MakeConfigs) -> None:
    # NVIDIA's TRT-LLM table: 911 tok/s at 128/2048 against 3,378 at 128/128 on the same GPU
    c = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    long = serving.offline(c, arr(128), arr(2048))
    short = serving.offline(c, arr(128), arr(128))
    assert performance.BOUND_NAMES[int(long.bound[0])] == "kv-capacity"
    assert long.output_tokens_per_s[0] < 0.5 * short.output_tokens_per_s[0]
    assert long.output_tokens_per_s[0] == pytest.approx(912, rel=0.35)


def test_offline_batch_respects_kv_budget_and_engine_limit(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    r = serving.offline(c, arr(128), arr(128))
    assert r.concurrency[0] <= c.max_batch[0]
    big = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    rb = serving.offline(big, arr(1000), arr(1000))
    reserved = 1000 + big.kv_reserve_output_fraction[0] * 1000
    assert rb.concurrency[0] == pytest.approx(memory.max_sequences(big, reserved)[0])


def test_rate_mode_low_load_ttft_is_prefill_plus_half_a_step(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    r = serving.at_rate(c, arr(0.01), arr(1024), arr(128))
    pre = performance.prefill(c, 1.0, arr(1024)).time_s[0]
    frontend = float(np.ravel(c.request_latency_s)[0])  # the engine's per-request latency
    assert r.ttft_ms[0] == pytest.approx((frontend + pre) * 1e3, rel=0.15)
    assert r.output_tokens_per_s[0] == pytest.approx(0.01 * 128)


def test_rate_mode_latency_grows_with_load_and_saturates(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    rates = arr(0.5, 2, 8, 16, 1000)
    r = serving.at_rate(c, rates, np.full(5, 1024.0), np.full(5, 256.0))
    assert np.all(np.diff(r.ttft_ms) > 0)
    assert np.all(np.diff(r.tpot_ms) >= 0)
    assert np.all(r.ttft_p99_ms >= r.ttft_p95_ms) and np.all(r.ttft_p95_ms >= r.ttft_ms * 0.999)
    capacity = serving.offline(c, arr(1024), arr(256)).output_tokens_per_s[0]
    assert r.output_tokens_per_s[-1] == pytest.approx(capacity, rel=1e-6)
    assert performance.BOUND_NAMES[int(r.bound[-1])] == "queueing"


def test_serve_dispatches_modes_per_row(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    three = c.take(np.zeros(3, dtype=np.intp))
    w = serving.Workload(
        mode=np.array([serving.BATCH, serving.OFFLINE, serving.RATE]),
        load=arr(8, np.nan, 2),
        input_tokens=arr(512, 512, 512),
        output_tokens=arr(128, 128, 128),
    )
    r = serving.serve(three, w)
    alone = serving.closed_loop(c, arr(8), arr(512), arr(128))
    assert r.output_tokens_per_s[0] == pytest.approx(alone.output_tokens_per_s[0])
    assert r.output_tokens_per_s[1] > r.output_tokens_per_s[0]
    assert r.output_tokens_per_s[2] == pytest.approx(2 * 128)


def test_load_is_shared_by_replicas(make: MakeConfigs) -> None:
    one = make("llama-3.1-8b", "H100 SXM 80GB")
    two = make("llama-3.1-8b", "H100 SXM 80GB", gpu_count=2)
    a = serving.static_batch(one, arr(16), arr(256), arr(256))
    b = serving.static_batch(two, arr(32), arr(256), arr(256))
    assert b.output_tokens_per_s[0] == pytest.approx(2 * a.output_tokens_per_s[0])
