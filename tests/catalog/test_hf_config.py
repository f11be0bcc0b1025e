"""config.json families: dense, GQA, MoE, MLA, sliding windows, text_config, clear refusals."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.catalog.importers.errors import ModelFileError
from app.catalog.importers.hf_config import architecture_from_config, read_config
from tests.catalog.model_files import (
    DEEPSEEK_V3,
    GEMMA2_9B,
    GEMMA3_27B,
    GPT_OSS_20B,
    LLAMA_31_8B,
    MISTRAL_7B_V01,
    QWEN3_30B_A3B,
)


def test_gemma3_reads_text_config_with_class_defaults() -> None:
    arch = architecture_from_config(copy.deepcopy(GEMMA3_27B))
    assert (arch.layers, arch.hidden_size, arch.heads, arch.kv_heads, arch.head_dim) == (
        62, 5376, 32, 16, 128)
    assert arch.vocab_size == 262_208 and arch.max_context_tokens == 131_072
    assert arch.sliding_window is not None
    assert (arch.sliding_window.window_tokens, arch.sliding_window.sliding_layers) == (1024, 52)
    assert arch.tie_word_embeddings is True
    assert any("vocab_size 262208 is the configuration class default" in d for d in arch.derived)


def test_gemma3_layer_types_win_over_the_pattern() -> None:
    config = copy.deepcopy(GEMMA3_27B)
    config["text_config"]["layer_types"] = ["sliding_attention"] * 60 + ["full_attention"] * 2
    arch = architecture_from_config(config)
    assert arch.sliding_window is not None and arch.sliding_window.sliding_layers == 60


def test_gpt_oss_layer_types_and_experts() -> None:
    arch = architecture_from_config(copy.deepcopy(GPT_OSS_20B))
    assert arch.sliding_window is not None
    assert (arch.sliding_window.window_tokens, arch.sliding_window.sliding_layers) == (128, 12)
    assert arch.moe is not None
    assert (arch.moe.num_experts, arch.moe.experts_per_token) == (32, 4)
    assert (arch.head_dim, arch.kv_heads) == (64, 8)


def test_mistral_window_on_every_layer_and_gemma2_alternating() -> None:
    mistral = architecture_from_config(copy.deepcopy(MISTRAL_7B_V01))
    assert mistral.sliding_window is not None
    assert (mistral.sliding_window.window_tokens, mistral.sliding_window.sliding_layers) == (
        4096, 32)
    gemma = architecture_from_config(copy.deepcopy(GEMMA2_9B))
    assert gemma.sliding_window is not None and gemma.sliding_window.sliding_layers == 21
    assert gemma.tie_word_embeddings is True  # Gemma2Config default; key absent


def test_window_as_large_as_the_context_is_not_recorded() -> None:
    phi3 = {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_size": 3072,
            "intermediate_size": 8192, "num_attention_heads": 32, "num_key_value_heads": 32,
            "num_hidden_layers": 32, "vocab_size": 32064, "max_position_embeddings": 131072,
            "sliding_window": 262144, "tie_word_embeddings": False}
    arch = architecture_from_config(phi3)
    assert arch.sliding_window is None
    assert any("never binds" in d for d in arch.derived)


def test_qwen_window_only_when_enabled() -> None:
    qwen = {**copy.deepcopy(QWEN3_30B_A3B), "sliding_window": 4096}
    assert architecture_from_config(qwen).sliding_window is None
    qwen.update(use_sliding_window=True, max_window_layers=28)
    arch = architecture_from_config(qwen)
    assert arch.sliding_window is not None and arch.sliding_window.sliding_layers == 20


def test_deepseek_mla_and_moe() -> None:
    arch = architecture_from_config(copy.deepcopy(DEEPSEEK_V3))
    assert arch.mla is not None and arch.moe is not None
    assert (arch.mla.kv_lora_rank, arch.mla.qk_rope_head_dim, arch.mla.q_lora_rank) == (
        512, 64, 1536)
    assert (arch.moe.num_experts, arch.moe.experts_per_token, arch.moe.shared_experts,
            arch.moe.first_dense_layers, arch.moe.expert_intermediate_size) == (256, 8, 1, 3, 2048)
    assert arch.head_dim == 192 and arch.intermediate_size == 18432
    lite = {**copy.deepcopy(DEEPSEEK_V3), "q_lora_rank": None}
    mla = architecture_from_config(lite).mla
    assert mla is not None and mla.q_lora_rank is None


def _refusal(config: dict[str, Any]) -> str:
    with pytest.raises(ModelFileError) as info:
        architecture_from_config(config)
    return str(info.value)


def test_missing_key_names_the_key_and_the_supported_architectures() -> None:
    config = copy.deepcopy(LLAMA_31_8B)
    del config["num_key_value_heads"]
    message = _refusal(config)
    assert message.startswith("config.json: num_key_value_heads is missing; add it or use a "
                              "supported architecture (")
    assert "llama" in message and "deepseek_v3" in message
    gemma = copy.deepcopy(GEMMA3_27B)
    del gemma["text_config"]["num_hidden_layers"]
    assert "text_config.num_hidden_layers is missing" in _refusal(gemma)
    deepseek = copy.deepcopy(DEEPSEEK_V3)
    del deepseek["kv_lora_rank"]
    assert "kv_lora_rank is missing" in _refusal(deepseek)


def test_unknown_architecture_and_bad_values() -> None:
    assert _refusal({"model_type": "bert", "hidden_size": 768}).startswith(
        "config.json: architecture 'bert' is not supported; supported: ")
    assert "model_type is missing" in _refusal({"hidden_size": 1})
    assert "num_hidden_layers must be a whole number of at least 1 (found '32')" in _refusal(
        {**LLAMA_31_8B, "num_hidden_layers": "32"})
    assert "num_key_value_heads must be at most num_attention_heads (32)" in _refusal(
        {**LLAMA_31_8B, "num_key_value_heads": 64})
    assert "tie_word_embeddings must be true or false" in _refusal(
        {**LLAMA_31_8B, "tie_word_embeddings": "no"})
    assert "hidden_size must be a multiple of num_attention_heads" in _refusal(
        {**LLAMA_31_8B, "num_attention_heads": 30, "num_key_value_heads": 6})
    assert "decoder_sparse_step must be 1" in _refusal({**QWEN3_30B_A3B,
                                                        "decoder_sparse_step": 2})
    assert "mlp_only_layers must be a list of the leading" in _refusal(
        {**QWEN3_30B_A3B, "mlp_only_layers": [3, 7]})


def test_config_file_problems(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text("{oops")
    with pytest.raises(ModelFileError, match="^config.json: is not valid UTF-8 JSON"):
        read_config(path)
    path.write_text("[]")
    with pytest.raises(ModelFileError, match="must be a JSON object"):
        read_config(path)
    path.write_text(json.dumps({**LLAMA_31_8B, "quantization_config": {
        "quant_method": "awq", "w_bit": 4}}))
    config = read_config(path)
    assert (config.quant_method, config.packed_bits) == ("awq", 4)
