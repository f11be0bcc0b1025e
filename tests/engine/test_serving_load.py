"""Serving under load: closed-loop concurrency, soft capacity in rate mode, smooth roofline.

Hand-computed checks and properties: TPOT never decreases with concurrency, TTFT never
decreases with the request rate, and p99 figures are never below the means.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import performance, serving
from tests.engine.conftest import MakeConfigs

CONFIGS = (
    ("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm", 1, 1),
    ("llama-3.3-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm", 2, 2),
    ("mixtral-8x7b", "MI300X 192GB", "fp8", "fp8", "vllm", 1, 1),
    ("llama-3-8b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp", 1, 1),
    ("deepseek-r1", "H200 SXM 141GB", "fp8", "fp8", "sglang", 8, 8),
)


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_smooth_roofline_is_the_p_norm_of_the_two_times() -> None:
    assert performance.smooth_roofline(arr(3.0), arr(4.0), p=2.0)[0] == pytest.approx(5.0)
    assert performance.smooth_roofline(arr(3.0), arr(4.0), p=1.0)[0] == pytest.approx(7.0)
    assert performance.smooth_roofline(arr(3.0), arr(4.0), p=200.0)[0] == pytest.approx(4.0, rel=1e-3)
    assert performance.smooth_roofline(arr(0.0), arr(4.0))[0] == pytest.approx(4.0)


def test_soft_utilisation_follows_rho_below_capacity_and_stays_below_one() -> None:
    rho = np.linspace(0.0, 3.0, 301)
    soft = serving.soft_utilisation(rho)
    assert soft[10] == pytest.approx(0.1, rel=1e-6)  # 0.1 / (1 + 1e-8)^(1/8)
    assert soft[100] == pytest.approx(2.0 ** (-1.0 / serving.SOFTNESS))  # rho = 1
    assert np.all(soft < 1.0) and np.all(np.diff(soft) >= 0.0)


def test_closed_loop_of_one_is_a_lone_request(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    r = serving.closed_loop(c, arr(1), arr(1000), arr(200))
    pre = performance.prefill(c, 1.0, arr(1000)).time_s[0]
    step = performance.forward_step(c, 1.0, 1000 + 100).time_s[0]
    assert r.ttft_ms[0] == pytest.approx(pre * 1e3)
    assert r.tpot_ms[0] == pytest.approx(step * 1e3)
    assert r.output_tokens_per_s[0] == pytest.approx(200 / (pre + 199 * step))


def test_closed_loop_step_carries_the_other_requests_prompts(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm")
    r = serving.closed_loop(c, arr(32), arr(2000), arr(500))
    others = 31 / 500
    step = performance.forward_step(
        c,
        32.0,
        2000 + 250,
        prefill_tokens=others * 2000,
        prefill_pairs=others * performance.causal_pairs(2000, 2000, True),
        prefill_sequences=others,
    ).time_s[0]
    assert r.tpot_ms[0] == pytest.approx(step * 1e3)
    alone = performance.forward_step(c, 32.0, 2000 + 250).time_s[0]
    assert r.tpot_ms[0] > alone * 1e3


def test_closed_loop_beyond_the_slots_waits_by_littles_law(make: MakeConfigs) -> None:
    c = make("llama-3.3-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm", gpu_count=2, tp=2)
    slots = serving.offline(c, arr(5000), arr(500)).concurrency[0]
    n = np.floor(slots) + 100.0
    r = serving.closed_loop(c, arr(n), arr(5000), arr(500))
    at_slots = serving.closed_loop(c, arr(slots), arr(5000), arr(500))
    # steady completions per second with every slot busy: slots / (prefill + 499 TPOT)
    first = performance.prefill(c, 1.0, arr(5000), decode_tokens=slots - 1, decode_context=5250)
    x = slots / (first.time_s[0] + 499 * at_slots.tpot_ms[0] / 1e3)
    # the extra clients wait (n - slots) / X for a slot: Little's law on the closed loop
    assert r.ttft_ms[0] - at_slots.ttft_ms[0] == pytest.approx((n - slots) / x * 1e3, rel=1e-6)
    assert r.tpot_ms[0] == pytest.approx(at_slots.tpot_ms[0])


def test_closed_loop_throughput_lies_between_static_and_steady(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "vllm")
    r = serving.closed_loop(c, arr(64), arr(2048), arr(256))
    static = serving.static_batch(c, arr(64), arr(2048), arr(256)).output_tokens_per_s[0]
    first = performance.prefill(c, 1.0, arr(2048), decode_tokens=63, decode_context=2048 + 128)
    # each client's cycle: frontend latency (no slot held) + prefill + 255 decode steps
    frontend = float(np.ravel(c.request_latency_s)[0])
    steady = 64 * 256 / (frontend + first.time_s[0] + 255 * r.tpot_ms[0] / 1e3)
    assert r.output_tokens_per_s[0] == pytest.approx((static * steady) ** 0.5)


@pytest.mark.parametrize("spec", CONFIGS, ids=[c[0] + "/" + c[4] for c in CONFIGS])
def test_tpot_never_decreases_with_concurrency(make: MakeConfigs, spec: tuple) -> None:  # type: ignore[type-arg]
    model, gpu, w, kv, engine, count, tp = spec
    c = make(model, gpu, w, kv, engine, gpu_count=count, tp=tp)
    n = 40
    clients = np.unique(np.round(np.geomspace(1, 4096, n)))
    many = c.take(np.zeros(clients.size, dtype=np.intp))
    for isl, osl in ((128.0, 128.0), (2000.0, 500.0), (8000.0, 200.0)):
        r = serving.closed_loop(many, clients, np.full(clients.size, isl), np.full(clients.size, osl))
        assert np.all(np.diff(r.tpot_ms) >= -1e-9 * r.tpot_ms[1:])
        assert np.all(np.diff(r.ttft_ms) >= -1e-9 * r.ttft_ms[1:])
        assert np.all(r.tpot_p99_ms >= r.tpot_ms) and np.all(r.ttft_p99_ms >= r.ttft_ms)


@pytest.mark.parametrize("spec", CONFIGS, ids=[c[0] + "/" + c[4] for c in CONFIGS])
def test_ttft_never_decreases_with_request_rate(make: MakeConfigs, spec: tuple) -> None:  # type: ignore[type-arg]
    model, gpu, w, kv, engine, count, tp = spec
    c = make(model, gpu, w, kv, engine, gpu_count=count, tp=tp)
    for isl, osl in ((128.0, 128.0), (1024.0, 256.0), (5000.0, 500.0)):
        capacity = serving.offline(c, arr(isl), arr(osl)).output_tokens_per_s[0] / osl
        rates = capacity * np.geomspace(0.01, 3.0, 60)
        many = c.take(np.zeros(rates.size, dtype=np.intp))
        r = serving.at_rate(many, rates, np.full(rates.size, isl), np.full(rates.size, osl))
        assert np.all(np.diff(r.ttft_ms) >= -1e-9 * r.ttft_ms[1:])
        assert np.all(np.diff(r.tpot_ms) >= -1e-6 * r.tpot_ms[1:])
        assert np.all(r.ttft_p99_ms >= r.ttft_ms) and np.all(r.tpot_p99_ms >= r.tpot_ms)
        assert np.all(r.ttft_p99_ms >= r.ttft_p95_ms)


def test_rate_just_above_predicted_capacity_keeps_a_finite_wait(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    capacity = serving.offline(c, arr(300), arr(300)).output_tokens_per_s[0] / 300
    near = serving.at_rate(c, arr(capacity * 1.05), arr(300), arr(300))
    far = serving.at_rate(c, arr(capacity * 2.0), arr(300), arr(300))
    # within the capacity margin no backlog builds; well beyond it the finite run backs up
    assert near.ttft_ms[0] < far.ttft_ms[0] / 5


@pytest.mark.parametrize("spec", CONFIGS, ids=[c[0] + "/" + c[4] for c in CONFIGS])
def test_offline_percentiles_are_not_below_the_mean(make: MakeConfigs, spec: tuple) -> None:  # type: ignore[type-arg]
    model, gpu, w, kv, engine, count, tp = spec
    c = make(model, gpu, w, kv, engine, gpu_count=count, tp=tp)
    shapes = ((128.0, 128.0), (1000.0, 1000.0), (5000.0, 500.0), (20000.0, 2000.0))
    many = c.take(np.zeros(len(shapes), dtype=np.intp))
    isl = np.array([s[0] for s in shapes])
    osl = np.array([s[1] for s in shapes])
    r = serving.offline(many, isl, osl)
    assert np.all(r.ttft_p99_ms >= r.ttft_ms) and np.all(r.ttft_p99_ms >= r.ttft_p95_ms)
    assert np.all(r.tpot_p99_ms >= r.tpot_ms)
