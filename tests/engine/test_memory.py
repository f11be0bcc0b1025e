"""Memory formulas against hand-computed values and published facts."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import memory
from app.engine.configs import GIB
from tests.engine.conftest import MakeConfigs


def test_llama31_8b_bf16_weights_are_14_96_gib(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB")
    # 8.03e9 parameters x 2 bytes = 16.06e9 bytes = 14.96 GiB (vLLM logs 14.99 GiB)
    assert memory.weights_bytes_per_gpu(c)[0] / GIB == pytest.approx(14.96, abs=0.02)


def test_llama31_70b_kv_per_token_is_327680_bytes(make: MakeConfigs) -> None:
    c = make("llama-3.1-70b", "H200 SXM 141GB")
    assert memory.kv_bytes_per_token_per_gpu(c)[0] == pytest.approx(2 * 80 * 8 * 128 * 2)


def test_deepseek_mla_kv_per_token_is_latent_times_layers(make: MakeConfigs) -> None:
    c = make("deepseek-r1", "H200 SXM 141GB", "fp8", "bf16", "sglang", 8, tp=8)
    # MLA caches (kv_lora_rank 512 + rope 64) per layer, not split by tensor parallelism
    assert memory.kv_bytes_per_token_per_gpu(c)[0] == pytest.approx(61 * 576 * 2)


def test_kv_heads_replicate_when_tp_exceeds_them(make: MakeConfigs) -> None:
    tp8 = make("llama-3.1-70b", "H100 SXM 80GB", gpu_count=8, tp=8)
    tp16 = make("llama-3.1-70b", "H100 SXM 80GB", gpu_count=16, tp=16)
    per_head = 2 * 80 * 128 * 2
    assert memory.kv_bytes_per_token_per_gpu(tp8)[0] == pytest.approx(per_head)
    assert memory.kv_bytes_per_token_per_gpu(tp16)[0] == pytest.approx(per_head)


def test_pipeline_stages_split_layers(make: MakeConfigs) -> None:
    one = make("llama-3.1-70b", "A100 SXM4 80GB")
    four = make("llama-3.1-70b", "A100 SXM4 80GB", gpu_count=4, pp=4)
    assert memory.kv_bytes_per_token_per_gpu(four)[0] == pytest.approx(
        memory.kv_bytes_per_token_per_gpu(one)[0] / 4
    )
    assert memory.weights_bytes_per_gpu(four)[0] == pytest.approx(
        memory.weights_bytes_per_gpu(one)[0] / 4
    )


def test_sliding_window_layers_hold_at_most_the_window(make: MakeConfigs) -> None:
    c = make("mistral-7b", "H100 SXM 80GB")  # vLLM keeps only the 4096-token window
    per_token = memory.kv_bytes_per_token_per_gpu(c)[0]
    assert memory.kv_bytes_per_sequence_per_gpu(c, 2000.0)[0] == pytest.approx(2000 * per_token)
    assert memory.kv_bytes_per_sequence_per_gpu(c, 20000.0)[0] == pytest.approx(4096 * per_token)
    trt = make("mistral-7b", "H100 SXM 80GB", engine="tensorrt-llm")
    assert memory.kv_bytes_per_sequence_per_gpu(trt, 20000.0)[0] == pytest.approx(20000 * per_token)


def test_moe_keeps_every_expert_resident(make: MakeConfigs) -> None:
    c = make("mixtral-8x7b", "H100 SXM 80GB")
    assert memory.weights_bytes_per_gpu(c)[0] == pytest.approx(46.7e9 * 2, rel=1e-6)


def test_fp8_keeps_embeddings_at_16_bit(make: MakeConfigs) -> None:
    c = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    embed = 2 * 128256 * 8192
    expected = (70.55e9 - embed) * 1 + embed * 2
    assert memory.weights_bytes_per_gpu(c)[0] == pytest.approx(expected)


def test_llama_cpp_keeps_token_embeddings_on_the_host(make: MakeConfigs) -> None:
    c = make("llama-3-8b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp")
    # published: 4403.49 MiB on the GPU (token_embd stays in a 281.81 MiB host buffer)
    assert memory.weights_bytes_per_gpu(c)[0] / 2**20 == pytest.approx(4403.49, rel=0.03)
    assert memory.host_embedding_bytes(c)[0] > 0


def test_llama_cpp_kv_for_8192_context_is_1_gib(make: MakeConfigs) -> None:
    c = make("llama-3-8b", "RTX 4090 24GB", "q4_k_m", "fp16", "llama.cpp")
    assert memory.kv_bytes_per_sequence_per_gpu(c, 8192.0)[0] == pytest.approx(GIB)


def test_vllm_budget_matches_published_a10g_profile(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "A10G 24GB")
    budget, reserved, overhead, activations = memory.kv_budget_bytes(c, 2048.0)
    # awslabs data-on-eks log: 22.30 GiB usable, weights 14.99, activations 0.85, KV 4.17 GiB
    assert c.memory_bytes[0] / GIB == pytest.approx(22.30, rel=0.01)
    assert activations[0] / GIB == pytest.approx(0.85, rel=0.1)
    assert budget[0] / GIB == pytest.approx(4.17, rel=0.05)
    assert reserved[0] == pytest.approx(0.1 * c.memory_bytes[0])


def test_trtllm_fraction_applies_to_free_memory(make: MakeConfigs) -> None:
    c = make("llama-3.1-8b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    budget, reserved, overhead, activations = memory.kv_budget_bytes(c, 2048.0)
    free = c.memory_bytes - memory.weights_bytes_per_gpu(c) - overhead - activations
    assert budget[0] == pytest.approx(0.95 * free[0])


def test_waterfall_adds_up(make: MakeConfigs) -> None:
    c = make("llama-3.1-70b", "H100 SXM 80GB", "fp8", "fp8", "tensorrt-llm")
    steps = memory.memory_budget(c, 2176.0, 10.0).waterfall()
    assert steps[0][0] == "capacity" and steps[-1][0] == "free"
    assert sum(v for _, v in steps[:-1]) == pytest.approx(steps[-1][1])


def test_70b_bf16_does_not_fit_one_h100(make: MakeConfigs) -> None:
    c = make("llama-3.1-70b", "H100 SXM 80GB")
    assert memory.max_sequences(c, 1000.0)[0] == 0.0
    assert not memory.memory_budget(c, 1000.0, 1.0).fits[0]


def test_max_concurrency_counts_replicas(make: MakeConfigs) -> None:
    one = make("llama-3.1-8b", "H100 SXM 80GB", gpu_count=1)
    four = make("llama-3.1-8b", "H100 SXM 80GB", gpu_count=4)
    a = memory.max_concurrency(one, 2000.0)[0]
    assert memory.max_concurrency(four, 2000.0)[0] == pytest.approx(4 * a)
    assert a == np.floor(a)
