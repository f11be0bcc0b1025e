"""Model folders (config.json + safetensors headers): exact counts, sizes and architectures.

Full-size models are written as sparse files with the exact safetensors layout, so the
importer reads real headers of real size without the weights taking disk space.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.catalog.importers import hf_weights
from app.catalog.importers.errors import ModelFileError
from app.catalog.importers.model_entry import model_entry
from app.catalog.importers.safetensors import SafetensorsHeader, TensorInfo
from app.catalog.validate import entry_errors
from tests.catalog.model_files import (
    DEEPSEEK_V3,
    DTYPE_BYTES,
    GEMMA2_9B,
    LLAMA_31_8B,
    MIXTRAL_8X7B,
    QWEN3_30B_A3B,
    deepseek_params,
    deepseek_table,
    dense_params,
    dense_table,
    mixtral_table,
    moe_params,
    numel,
    qwen3_moe_table,
    write_model,
)


def _valid(entry: dict[str, Any]) -> dict[str, Any]:
    assert entry_errors("models", entry) == []
    return entry


def test_llama_3_1_8b_sharded_exact_count_matches_formula_and_published(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "Llama-3.1-8B", LLAMA_31_8B, dense_table(LLAMA_31_8B),
                         sparse=True, shards=4)
    entry = _valid(model_entry(folder))
    assert entry["params_total"] == dense_params(LLAMA_31_8B) == 8_030_261_248
    assert entry["params_active"] == entry["params_total"]
    assert entry["params_total_b"] == pytest.approx(8.030261248, abs=1e-12)
    assert entry["weights_bytes"] == 2 * 8_030_261_248
    assert entry["bytes_by_type"] == {"BF16": 2 * 8_030_261_248}
    assert entry["measured_bits_per_weight"] == 16.0
    assert entry["arch"] == {
        "type": "LlamaForCausalLM (config.json model_type llama)", "layers": 32,
        "hidden_size": 4096, "heads": 32, "kv_heads": 8, "head_dim": 128,
        "intermediate_size": 14336, "vocab_size": 128256, "max_context_tokens": 131072,
        "tie_word_embeddings": False, "moe": None, "mla": None, "sliding_window": None,
        "embedding_dim": None}
    assert entry["id"] == "llama-3.1-8b"
    assert entry["source"].startswith(f"local file: {folder.resolve()} (sha256 of config.json")
    assert "head_dim = hidden_size / num_attention_heads (no head_dim key)" in entry["derived"]
    assert entry["licence"] is None and entry["publisher"] is None
    assert entry["origin_country"] is None


def test_mixtral_exact_total_and_active(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "mixtral", MIXTRAL_8X7B, mixtral_table(MIXTRAL_8X7B),
                         sparse=True, shards=3)
    entry = _valid(model_entry(folder))
    total, active = moe_params(MIXTRAL_8X7B, 8, 14336)
    assert (entry["params_total"], entry["params_active"]) == (total, active)
    assert (total, active) == (46_702_792_704, 12_879_925_248)
    assert entry["arch"]["moe"] == {"num_experts": 8, "experts_per_token": 2,
                                    "shared_experts": 0, "expert_intermediate_size": 14336,
                                    "first_dense_layers": 0}
    assert entry["arch"]["sliding_window"] is None


def test_qwen3_moe_exact_total_and_active(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "Qwen3-30B-A3B", QWEN3_30B_A3B,
                         qwen3_moe_table(QWEN3_30B_A3B), sparse=True, shards=2)
    entry = _valid(model_entry(folder))
    total, active = moe_params(QWEN3_30B_A3B, 128, 768, qk_norm=True)
    assert (entry["params_total"], entry["params_active"]) == (total, active)
    assert (total, active) == (30_532_122_624, 3_353_032_704)
    assert entry["arch"]["moe"] == {"num_experts": 128, "experts_per_token": 8,
                                    "shared_experts": 0, "expert_intermediate_size": 768,
                                    "first_dense_layers": 0}
    assert entry["arch"]["head_dim"] == 128 and entry["arch"]["kv_heads"] == 4


def test_deepseek_v3_tensor_table_matches_published_counts() -> None:
    """Real-size table (45,395 tensors) without the MTP module: 671.03 B total, 37.55 B active."""
    table = deepseek_table(DEEPSEEK_V3)
    header = SafetensorsHeader("model.safetensors", tuple(
        TensorInfo(n, d, tuple(s), numel(s) * DTYPE_BYTES[d]) for n, (d, s) in table.items()),
        {}, "00" * 32, 0)
    weights = hf_weights.summarize([header])
    total, active = deepseek_params(DEEPSEEK_V3)
    assert weights.params == total == 671_026_419_200
    expert = 3 * 7168 * 2048
    assert weights.routed_expert_params == 58 * 256 * expert
    assert total - weights.routed_expert_params * (256 - 8) // 256 == active == 37_552_297_472


def test_deepseek_mla_fp8_checkpoint_with_mtp(tmp_path: Path) -> None:
    """DeepSeek-V3 layout scaled down: FP8 weights with block scales, MLA, shared expert, MTP."""
    config = copy.deepcopy(DEEPSEEK_V3)
    config.update(hidden_size=256, intermediate_size=512, moe_intermediate_size=128,
                  num_hidden_layers=4, first_k_dense_replace=1, n_routed_experts=8,
                  num_experts_per_tok=2, num_attention_heads=4, num_key_value_heads=4,
                  q_lora_rank=64, kv_lora_rank=32, qk_nope_head_dim=16, qk_rope_head_dim=8,
                  v_head_dim=16, vocab_size=1000)
    table = deepseek_table(config, dtype="F8_E4M3", fp8_scales=True, mtp=True)
    folder = write_model(tmp_path / "DeepSeek-V3-mini", config, table)
    entry = _valid(model_entry(folder))
    params = sum(numel(s) for n, (_, s) in table.items() if not n.endswith("_scale_inv"))
    assert entry["params_total"] == params
    scale_bytes = sum(numel(s) * 4 for n, (_, s) in table.items() if n.endswith("_scale_inv"))
    assert entry["bytes_by_type"]["F32"] >= scale_bytes
    assert "F32" in entry["bytes_by_type"]
    routed = 4 * 8 * 3 * 256 * 128  # layers 1..3 and the MTP layer 4
    assert entry["params_active"] == params - routed * (8 - 2) // 8
    assert entry["arch"]["mla"] == {"q_lora_rank": 64, "kv_lora_rank": 32,
                                    "qk_nope_head_dim": 16, "qk_rope_head_dim": 8,
                                    "v_head_dim": 16}
    assert entry["arch"]["head_dim"] == 24
    assert entry["arch"]["moe"] == {"num_experts": 8, "experts_per_token": 2,
                                    "shared_experts": 1, "expert_intermediate_size": 128,
                                    "first_dense_layers": 1}
    assert any("fp8" in note for note in entry["derived"])


def test_gemma2_sliding_window_and_tied_embeddings(tmp_path: Path) -> None:
    table = dense_table(GEMMA2_9B, tied=True)
    folder = write_model(tmp_path / "gemma-2-9b-it", GEMMA2_9B, table, sparse=True, shards=4)
    (folder / "README.md").write_text("---\nlicense: gemma\nlibrary_name: transformers\n---\n# x")
    entry = _valid(model_entry(folder))
    assert entry["params_total"] == dense_params(GEMMA2_9B, tied=True) == 9_241_705_984
    assert entry["arch"]["sliding_window"] == {"window_tokens": 4096, "sliding_layers": 21}
    assert entry["arch"]["tie_word_embeddings"] is True
    assert entry["arch"]["head_dim"] == 256
    assert entry["licence"]["name"] == "gemma"
    assert entry["field_sources"]["licence"]["source"].endswith("(model card front matter)")


def test_tied_embeddings_follow_the_weights_not_the_config(tmp_path: Path) -> None:
    config = {**LLAMA_31_8B, "num_hidden_layers": 1, "hidden_size": 64,
              "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
              "vocab_size": 50}
    entry = model_entry(write_model(tmp_path / "m", config, dense_table(config, tied=True)))
    assert entry["arch"]["tie_word_embeddings"] is True
    assert any("from the weights" in note for note in entry["derived"])


def test_gptq_packed_weights_count_as_parameters(tmp_path: Path) -> None:
    config = {**LLAMA_31_8B, "num_hidden_layers": 1, "hidden_size": 64,
              "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
              "vocab_size": 50, "quantization_config": {"quant_method": "gptq", "bits": 4,
                                                        "group_size": 32}}
    table: dict[str, tuple[str, list[int]]] = {
        "model.embed_tokens.weight": ("F16", [50, 64]),
        "model.layers.0.mlp.down_proj.qweight": ("I32", [128 // 8, 64]),
        "model.layers.0.mlp.down_proj.qzeros": ("I32", [128 // 32, 64 // 8]),
        "model.layers.0.mlp.down_proj.scales": ("F16", [128 // 32, 64]),
        "model.layers.0.mlp.down_proj.g_idx": ("I32", [128]),
        "lm_head.weight": ("F16", [50, 64]),
    }
    entry = model_entry(write_model(tmp_path / "gptq", config, table))
    assert entry["params_total"] == 2 * 50 * 64 + 128 * 64
    assert any("gptq" in note for note in entry["derived"])


def test_metadata_and_config_path_and_safetensors_path_are_accepted(tmp_path: Path) -> None:
    config = {**LLAMA_31_8B, "num_hidden_layers": 1, "hidden_size": 64,
              "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
              "vocab_size": 50}
    folder = write_model(tmp_path / "Tiny Model (v2)", config, dense_table(config))
    by_folder = model_entry(folder)
    assert by_folder["id"] == "tiny-model-v2"
    assert model_entry(folder / "config.json")["params_total"] == by_folder["params_total"]
    assert model_entry(folder / "model.safetensors", "my-id")["id"] == "my-id"


def test_folder_without_weights_or_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFileError, match="neither a GGUF file nor a folder"):
        model_entry(tmp_path / "empty")
    (tmp_path / "empty" / "model-Q4_K_M.gguf").write_bytes(b"")
    with pytest.raises(ModelFileError, match="name it"):
        model_entry(tmp_path / "empty")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.json").write_text(json.dumps(LLAMA_31_8B))
    with pytest.raises(ModelFileError, match=r"^cfg: holds no \*\.safetensors files"):
        model_entry(tmp_path / "cfg")
    with pytest.raises(ModelFileError, match="no such file or folder"):
        model_entry(tmp_path / "nothing-here")
