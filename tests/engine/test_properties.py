"""Monotonic behaviour that must hold for any configuration (hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import memory, performance
from app.engine.configs import ConfigArrays
from tests.engine.conftest import MakeConfigs

MODELS = [
    "llama-3.1-8b",
    "llama-3.1-70b",
    "mixtral-8x7b",
    "mistral-7b",
    "deepseek-r1",
    "qwen3-30b-a3b",
]
GPUS = ["H100 SXM 80GB", "A100 SXM4 80GB", "L40S 48GB", "MI300X 192GB", "RTX 4090 24GB"]
ENGINES = ["vllm", "tensorrt-llm", "sglang", "llama.cpp"]

config = st.fixed_dictionaries(
    {
        "model": st.sampled_from(MODELS),
        "gpu": st.sampled_from(GPUS),
        "engine": st.sampled_from(ENGINES),
        "tp": st.sampled_from([1, 2, 4, 8]),
    }
)


def _make(make: MakeConfigs, d: dict[str, object]) -> ConfigArrays:
    tp = int(d["tp"])  # type: ignore[call-overload]
    return make(d["model"], d["gpu"], "bf16", "bf16", d["engine"], tp, tp=tp)


@settings(max_examples=60, deadline=None)
@given(d=config, short=st.integers(0, 100_000), extra=st.integers(0, 100_000))
def test_longer_context_never_lowers_kv(
    make: MakeConfigs, d: dict[str, object], short: int, extra: int
) -> None:
    c = _make(make, d)
    a = memory.kv_bytes_per_sequence_per_gpu(c, float(short))
    b = memory.kv_bytes_per_sequence_per_gpu(c, float(short + extra))
    assert np.all(b >= a)


@settings(max_examples=60, deadline=None)
@given(
    d=config,
    batch=st.integers(1, 1024),
    context=st.integers(0, 32_000),
    factor=st.floats(1.0, 10.0),
)
def test_more_bandwidth_never_slows_decode(
    make: MakeConfigs, d: dict[str, object], batch: int, context: int, factor: float
) -> None:
    c = _make(make, d)
    faster = dataclasses.replace(c, bandwidth_bytes_per_s=c.bandwidth_bytes_per_s * factor)
    slow = performance.forward_step(c, float(batch), float(context)).time_s
    fast = performance.forward_step(faster, float(batch), float(context)).time_s
    assert np.all(fast <= slow * (1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(d=config, tokens=st.integers(1, 200_000))
def test_more_gpus_never_reduce_kv_capacity(
    make: MakeConfigs, d: dict[str, object], tokens: int
) -> None:
    small = _make(make, d)
    bigger = _make(make, {**d, "tp": min(16, int(d["tp"]) * 2)})  # type: ignore[call-overload]
    a = memory.max_sequences(small, float(tokens))
    b = memory.max_sequences(bigger, float(tokens))
    assert np.all(b >= a * (1 - 1e-9))


@settings(max_examples=60, deadline=None)
@given(d=config, batch=st.integers(1, 512), extra=st.integers(1, 512), context=st.integers(0, 8000))
def test_bigger_batch_never_shortens_a_step(
    make: MakeConfigs, d: dict[str, object], batch: int, extra: int, context: int
) -> None:
    c = _make(make, d)
    a = performance.forward_step(c, float(batch), float(context)).time_s
    b = performance.forward_step(c, float(batch + extra), float(context)).time_s
    assert np.all(b >= a * (1 - 1e-12))


@settings(max_examples=40, deadline=None)
@given(d=config, n=st.integers(1, 30_000), extra=st.integers(1, 30_000))
def test_longer_prompt_never_prefills_faster(
    make: MakeConfigs, d: dict[str, object], n: int, extra: int
) -> None:
    c = _make(make, d)
    a = performance.prefill(c, 1.0, np.array([float(n)])).time_s
    b = performance.prefill(c, 1.0, np.array([float(n + extra)])).time_s
    assert np.all(b >= a * (1 - 1e-12))
