"""Interim sizing: memory fit by hand, MoE read volume, SLO-limited batches."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, MoeSpec, QuantFormat
from app.engine.interim_sizing import ReplicaSizing, size_replica, weights_read_bytes

H100 = AcceleratorSpec(
    id="h100", name="H100", vendor="NVIDIA", vendor_country="US", segment="datacenter",
    hardware_class="nvidia-hopper", memory_gb=80, memory_bandwidth_tbs=3.35,
    peak_tflops={"bf16": 989.4, "fp16": 989.4, "fp8": 1978.9},
    native_precisions=("bf16", "fp16", "fp8"), tdp_w=700, source="test", as_of="2024",
)
NO_FP8 = AcceleratorSpec(
    id="npu", name="NPU", vendor="X", vendor_country="", segment="datacenter",
    hardware_class="x", memory_gb=64, memory_bandwidth_tbs=1.6,
    peak_tflops={"bf16": 320, "fp16": 320}, native_precisions=("bf16", "fp16"), tdp_w=400,
    source="test", as_of="2024",
)
FP8 = QuantFormat(id="fp8", name="FP8", bits_per_weight=8, compute_precision="fp8",
                  scheme="w8a8", source="test", as_of="2024")
BF16 = QuantFormat(id="bf16", name="BF16", bits_per_weight=16, compute_precision="fp16",
                   scheme="float", source="test", as_of="2024")


def _model(total: float, active: float, moe: MoeSpec | None = None) -> ModelSpec:
    return ModelSpec(
        id="m", name="m", kind="llm", params_total=total, params_active=active, layers=80,
        hidden_size=8192, heads=64, kv_heads=8, head_dim=128, vocab_size=128256,
        max_context_tokens=131072, tie_word_embeddings=False, source="test", as_of="2024", moe=moe,
    )


LLAMA_70B = _model(70.55e9, 70.55e9)


def _size(
    model: ModelSpec,
    gpu: AcceleratorSpec = H100,
    weights: QuantFormat = FP8,
    tpot_target_ms: float = 60.0,
) -> ReplicaSizing:
    return size_replica(
        model, gpu, weights, weights, input_tokens=1500, output_tokens=350,
        ttft_target_ms=2000.0, tpot_target_ms=tpot_target_ms, tp=None, pp=1,
        max_gpus_per_replica=8,
    )


def test_70b_fp8_needs_two_h100() -> None:
    # Usable per GPU: 80 GB × 0.9 − 2 GB = 70 GB < 70.55 GB of FP8 weights → TP1 does not fit.
    r = _size(LLAMA_70B)
    assert r.fits and r.tp == 2 and r.gpus_per_replica == 2
    assert r.weights_gb_per_gpu == pytest.approx(70.55 / 2)
    assert r.tpot_ms <= 60.0 and r.meets_slo


def test_405b_bf16_does_not_fit_one_server() -> None:
    r = _size(_model(405e9, 405e9), weights=BF16)
    assert not r.fits and r.bound == "memory"


def test_an_impossible_tpot_target_is_reported() -> None:
    r = _size(LLAMA_70B, tpot_target_ms=1.0)
    assert r.fits and not r.meets_slo and r.bound == "slo"


def test_fp8_falls_back_to_16_bit_where_not_native() -> None:
    r = _size(_model(32e9, 32e9), gpu=NO_FP8, weights=FP8)
    assert r.compute_precision == "bf16"


def test_moe_reads_active_experts_at_batch_one_and_all_at_large_batch() -> None:
    moe = MoeSpec(num_experts=128, experts_per_token=8)
    model = _model(30.5e9, 3.3e9, moe)
    read = weights_read_bytes(model, 1.0, np.array([1.0, 10_000.0]))
    assert read[0] == pytest.approx(3.3e9)  # shared part + 8 experts = active parameters
    assert read[1] == pytest.approx(30.5e9)
    dense = weights_read_bytes(LLAMA_70B, 1.0, np.array([1.0, 64.0]))
    assert (dense == 70.55e9).all()


def test_a_larger_tpot_target_allows_a_larger_batch() -> None:
    tight = _size(LLAMA_70B, tpot_target_ms=40.0)
    loose = _size(LLAMA_70B, tpot_target_ms=120.0)
    assert loose.batch > tight.batch
    assert loose.replica_output_tokens_per_s > tight.replica_output_tokens_per_s
