"""Real-format model files made in the tests: safetensors, sharded folders, GGUF by hand.

`write_safetensors` writes the exact layout of the safetensors README (8-byte little-endian
header length, JSON header padded with spaces to 8 bytes as the reference writer does, then the
byte buffer). Data is zero-filled; `sparse=True` extends the file with `truncate` instead, so a
full-size model costs no disk space. `GgufFile` writes the GGUF v2/v3 layout of ggml
`docs/gguf.md` with `struct.pack`.

The tensor tables follow the Hugging Face checkpoint names and shapes (`[out, in]`) of each
family, so the importer's counts can be compared with the closed-form formulas below.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Table = dict[str, tuple[str, list[int]]]
DTYPE_BYTES = {"BF16": 2, "F16": 2, "F32": 4, "F8_E4M3": 1, "U8": 1, "I32": 4, "I8": 1}


def numel(shape: Sequence[int]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


_SPARSE: dict[str, bool] = {}


def require_sparse_files(folder: Path) -> None:
    """Skip a full-size test where the file system would really allocate a sparse file."""
    import pytest

    key = str(folder.anchor)
    if key not in _SPARSE:
        probe = folder / ".sparse-probe"
        with probe.open("wb") as out:
            out.truncate(1 << 30)
        _SPARSE[key] = probe.stat().st_blocks * 512 < (1 << 20)
        probe.unlink()
    if not _SPARSE[key]:
        pytest.skip("this file system does not keep sparse files sparse")


def safetensors_bytes(table: Mapping[str, tuple[str, Sequence[int]]],
                      metadata: Mapping[str, str] | None = None) -> tuple[bytes, int]:
    """(8-byte length + padded JSON header, data length) for `table`, tensors in order."""
    header: dict[str, Any] = {}
    if metadata is not None:
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name, (dtype, shape) in table.items():
        size = numel(shape) * DTYPE_BYTES[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset,
                                                                              offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw, offset


def write_header_and_data(path: Path, head: bytes, data: int, *, sparse: bool,
                          missing_bytes: int = 0) -> None:
    """`head`, then `data` bytes of zeros (a hole when `sparse`) less the `missing_bytes` a
    truncated file lacks."""
    with path.open("wb") as out:
        out.write(head)
        if sparse:
            out.truncate(len(head) + data - missing_bytes)
        else:
            out.write(bytes(data - missing_bytes))


def write_safetensors(path: Path, table: Mapping[str, tuple[str, Sequence[int]]], *,
                      metadata: Mapping[str, str] | None = None, sparse: bool = False,
                      missing_bytes: int = 0) -> int:
    """Write a safetensors file; returns its data length. `missing_bytes` truncates the end."""
    if sparse:
        require_sparse_files(path.parent)
    head, data = safetensors_bytes(table, metadata)
    write_header_and_data(path, head, data, sparse=sparse, missing_bytes=missing_bytes)
    return data


def write_sharded(folder: Path, table: Table, shards: int, *, sparse: bool = False) -> None:
    """`model-0000i-of-0000n.safetensors` shards plus `model.safetensors.index.json`."""
    names = list(table)
    per = -(-len(names) // shards)
    weight_map: dict[str, str] = {}
    for i in range(shards):
        file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: table[n] for n in names[i * per:(i + 1) * per]}
        write_safetensors(folder / file, part, sparse=sparse)
        weight_map.update(dict.fromkeys(part, file))
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"metadata": {"total_size": 0}, "weight_map": weight_map}))


def write_model(folder: Path, config: Mapping[str, Any], table: Table, *,
                sparse: bool = False, shards: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    if shards > 1:
        write_sharded(folder, table, shards, sparse=sparse)
    else:
        write_safetensors(folder / "model.safetensors", table, sparse=sparse)
    return folder


# --- Published configs (Hugging Face config.json of each model) ----------------------------

LLAMA_31_8B: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 128000, "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096,
    "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 131072,
    "mlp_bias": False, "model_type": "llama", "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
    "rms_norm_eps": 1e-05, "rope_scaling": {
        "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0", "use_cache": True, "vocab_size": 128256,
}

MIXTRAL_8X7B: dict[str, Any] = {
    "architectures": ["MixtralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1,
    "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
    "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mixtral",
    "num_attention_heads": 32, "num_experts_per_tok": 2, "num_hidden_layers": 32,
    "num_key_value_heads": 8, "num_local_experts": 8, "output_router_logits": False,
    "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "router_aux_loss_coef": 0.02,
    "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.36.0.dev0", "use_cache": True, "vocab_size": 32000,
}

QWEN3_30B_A3B: dict[str, Any] = {
    "architectures": ["Qwen3MoeForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 151643, "decoder_sparse_step": 1, "eos_token_id": 151645,
    "head_dim": 128, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
    "intermediate_size": 6144, "max_position_embeddings": 40960, "max_window_layers": 48,
    "mlp_only_layers": [], "model_type": "qwen3_moe", "moe_intermediate_size": 768,
    "norm_topk_prob": True, "num_attention_heads": 32, "num_experts": 128,
    "num_experts_per_tok": 8, "num_hidden_layers": 48, "num_key_value_heads": 4,
    "output_router_logits": False, "rms_norm_eps": 1e-06, "rope_scaling": None,
    "rope_theta": 1000000.0, "router_aux_loss_coef": 0.001, "sliding_window": None,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16", "transformers_version": "4.51.0",
    "use_cache": True, "use_sliding_window": False, "vocab_size": 151936,
}

DEEPSEEK_V3: dict[str, Any] = {
    "architectures": ["DeepseekV3ForCausalLM"], "attention_bias": False,
    "attention_dropout": 0.0, "bos_token_id": 0, "eos_token_id": 1,
    "ep_size": 1, "first_k_dense_replace": 3, "hidden_act": "silu", "hidden_size": 7168,
    "initializer_range": 0.02, "intermediate_size": 18432, "kv_lora_rank": 512,
    "max_position_embeddings": 163840, "model_type": "deepseek_v3",
    "moe_intermediate_size": 2048, "moe_layer_freq": 1, "n_group": 8, "n_routed_experts": 256,
    "n_shared_experts": 1, "norm_topk_prob": True, "num_attention_heads": 128,
    "num_experts_per_tok": 8, "num_hidden_layers": 61, "num_key_value_heads": 128,
    "num_nextn_predict_layers": 1, "q_lora_rank": 1536, "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64, "quantization_config": {
        "activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
        "weight_block_size": [128, 128]},
    "rms_norm_eps": 1e-06, "rope_theta": 10000, "routed_scaling_factor": 2.5,
    "scoring_func": "sigmoid", "tie_word_embeddings": False, "topk_group": 4,
    "topk_method": "noaux_tc", "torch_dtype": "bfloat16", "transformers_version": "4.33.1",
    "use_cache": True, "v_head_dim": 128, "vocab_size": 129280,
}

GEMMA2_9B: dict[str, Any] = {
    "architectures": ["Gemma2ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "attn_logit_softcapping": 50.0, "bos_token_id": 2, "cache_implementation": "hybrid",
    "eos_token_id": 1, "final_logit_softcapping": 30.0, "head_dim": 256,
    "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh",
    "hidden_size": 3584, "initializer_range": 0.02, "intermediate_size": 14336,
    "max_position_embeddings": 8192, "model_type": "gemma2", "num_attention_heads": 16,
    "num_hidden_layers": 42, "num_key_value_heads": 8, "pad_token_id": 0,
    "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
    "sliding_window": 4096, "sliding_window_size": 4096, "torch_dtype": "float32",
    "transformers_version": "4.42.0.dev0", "use_cache": True, "vocab_size": 256000,
}

GEMMA3_27B: dict[str, Any] = {
    "architectures": ["Gemma3ForConditionalGeneration"], "boi_token_index": 255999,
    "eoi_token_index": 256000, "eos_token_id": [1, 106], "image_token_index": 262144,
    "initializer_range": 0.02, "mm_tokens_per_image": 256, "model_type": "gemma3",
    "text_config": {
        "head_dim": 128, "hidden_size": 5376, "intermediate_size": 21504,
        "model_type": "gemma3_text", "num_attention_heads": 32, "num_hidden_layers": 62,
        "num_key_value_heads": 16, "query_pre_attn_scalar": 168,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024},
    "torch_dtype": "bfloat16", "transformers_version": "4.50.0.dev0",
    "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304,
                      "model_type": "siglip_vision_model", "num_attention_heads": 16,
                      "num_hidden_layers": 27, "patch_size": 14, "vision_use_head": False},
}

GPT_OSS_20B: dict[str, Any] = {
    "architectures": ["GptOssForCausalLM"], "attention_bias": True, "attention_dropout": 0.0,
    "eos_token_id": 200002, "experts_per_token": 4, "head_dim": 64, "hidden_act": "silu",
    "hidden_size": 2880, "initial_context_length": 4096, "initializer_range": 0.02,
    "intermediate_size": 2880,
    "layer_types": ["sliding_attention", "full_attention"] * 12,
    "max_position_embeddings": 131072, "model_type": "gpt_oss", "num_attention_heads": 64,
    "num_experts_per_tok": 4, "num_hidden_layers": 24, "num_key_value_heads": 8,
    "num_local_experts": 32, "output_router_logits": False, "pad_token_id": 199999,
    "quantization_config": {"modules_to_not_convert": [
        "model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens",
        "lm_head"], "quant_method": "mxfp4"},
    "rms_norm_eps": 1e-05, "rope_theta": 150000, "router_aux_loss_coef": 0.9,
    "sliding_window": 128, "swiglu_limit": 7.0, "tie_word_embeddings": False,
    "transformers_version": "4.55.0.dev0", "use_cache": True, "vocab_size": 201088,
}

MISTRAL_7B_V01: dict[str, Any] = {
    "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2,
    "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
    "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16", "transformers_version": "4.34.0",
    "use_cache": True, "vocab_size": 32000,
}


# --- Hugging Face tensor tables --------------------------------------------------------------

def _attention(p: str, hidden: int, heads: int, kv: int, head_dim: int, qk_norm: bool,
               dtype: str) -> Table:
    t: Table = {
        p + "self_attn.q_proj.weight": (dtype, [heads * head_dim, hidden]),
        p + "self_attn.k_proj.weight": (dtype, [kv * head_dim, hidden]),
        p + "self_attn.v_proj.weight": (dtype, [kv * head_dim, hidden]),
        p + "self_attn.o_proj.weight": (dtype, [hidden, heads * head_dim]),
        p + "input_layernorm.weight": (dtype, [hidden]),
        p + "post_attention_layernorm.weight": (dtype, [hidden]),
    }
    if qk_norm:
        t[p + "self_attn.q_norm.weight"] = (dtype, [head_dim])
        t[p + "self_attn.k_norm.weight"] = (dtype, [head_dim])
    return t


def _mlp(p: str, hidden: int, inter: int, dtype: str, names: tuple[str, str, str] = (
        "gate_proj", "up_proj", "down_proj")) -> Table:
    gate, up, down = names
    return {p + gate + ".weight": (dtype, [inter, hidden]),
            p + up + ".weight": (dtype, [inter, hidden]),
            p + down + ".weight": (dtype, [hidden, inter])}


def _ends(c: Mapping[str, Any], dtype: str, tied: bool) -> tuple[Table, Table]:
    vocab, hidden = c["vocab_size"], c["hidden_size"]
    head: Table = {"model.embed_tokens.weight": (dtype, [vocab, hidden])}
    tail: Table = {"model.norm.weight": (dtype, [hidden])}
    if not tied:
        tail["lm_head.weight"] = (dtype, [vocab, hidden])
    return head, tail


def dense_table(c: Mapping[str, Any], dtype: str = "BF16", qk_norm: bool = False,
                tied: bool = False) -> Table:
    """Llama/Mistral/Qwen/Gemma-style dense decoder (Gemma 2 adds two more norms per layer)."""
    hidden, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    head_dim = c.get("head_dim") or hidden // heads
    head, table = _ends(c, dtype, tied)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        head.update(_attention(p, hidden, heads, kv, head_dim, qk_norm, dtype))
        head.update(_mlp(p + "mlp.", hidden, c["intermediate_size"], dtype))
        if c["model_type"] == "gemma2":
            head[p + "pre_feedforward_layernorm.weight"] = (dtype, [hidden])
            head[p + "post_feedforward_layernorm.weight"] = (dtype, [hidden])
    head.update(table)
    return head


def dense_params(c: Mapping[str, Any], tied: bool = False, qk_norm: bool = False) -> int:
    """Closed form: embeddings (+ head) + final norm + L x (attention + SwiGLU MLP + norms)."""
    h, i, v, n = (c["hidden_size"], c["intermediate_size"], c["vocab_size"],
                  c["num_hidden_layers"])
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    d = c.get("head_dim") or h // heads
    norms = 4 if c["model_type"] == "gemma2" else 2
    per_layer = (h * heads * d + 2 * h * kv * d + heads * d * h + 3 * h * i + norms * h
                 + (2 * d if qk_norm else 0))
    return v * h * (1 if tied else 2) + h + n * per_layer


def mixtral_table(c: Mapping[str, Any], dtype: str = "BF16") -> Table:
    hidden, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    head, tail = _ends(c, dtype, False)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        head.update(_attention(p, hidden, heads, kv, hidden // heads, False, dtype))
        head[p + "block_sparse_moe.gate.weight"] = (dtype, [c["num_local_experts"], hidden])
        for e in range(c["num_local_experts"]):
            head.update(_mlp(f"{p}block_sparse_moe.experts.{e}.", hidden,
                             c["intermediate_size"], dtype, ("w1", "w3", "w2")))
    head.update(tail)
    return head


def qwen3_moe_table(c: Mapping[str, Any], dtype: str = "BF16") -> Table:
    hidden, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    head, tail = _ends(c, dtype, False)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        head.update(_attention(p, hidden, heads, kv, c["head_dim"], True, dtype))
        head[p + "mlp.gate.weight"] = (dtype, [c["num_experts"], hidden])
        for e in range(c["num_experts"]):
            head.update(_mlp(f"{p}mlp.experts.{e}.", hidden, c["moe_intermediate_size"], dtype))
    head.update(tail)
    return head


def moe_params(c: Mapping[str, Any], experts: int, expert_inter: int,
               qk_norm: bool = False) -> tuple[int, int]:
    """(total, active) for Mixtral/Qwen3-MoE: routed experts in every layer, router, no shared."""
    h, v, n = c["hidden_size"], c["vocab_size"], c["num_hidden_layers"]
    heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
    d = c.get("head_dim") or h // heads
    k = c["num_experts_per_tok"]
    attention = h * heads * d + 2 * h * kv * d + heads * d * h + 2 * h + (2 * d if qk_norm else 0)
    expert = 3 * h * expert_inter
    per_layer = attention + experts * h + experts * expert
    total = 2 * v * h + h + n * per_layer
    return total, total - n * (experts - k) * expert


def deepseek_table(c: Mapping[str, Any], dtype: str = "BF16", fp8_scales: bool = False,
                   mtp: bool = False) -> Table:
    """DeepSeek-V3 names: MLA projections, dense first layers, routed + shared experts."""
    h, heads = c["hidden_size"], c["num_attention_heads"]
    nope, rope, vd = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
    q_lora, kv_lora = c["q_lora_rank"], c["kv_lora_rank"]
    head, tail = _ends(c, dtype, False)

    def linear(name: str, shape: list[int]) -> None:
        head[name] = (dtype, shape)
        if fp8_scales:
            head[name[:-len("weight")] + "weight_scale_inv"] = (
                "F32", [-(-shape[0] // 128), -(-shape[1] // 128)])

    layers = c["num_hidden_layers"] + (c.get("num_nextn_predict_layers", 0) if mtp else 0)
    for i in range(layers):
        p = f"model.layers.{i}."
        a = p + "self_attn."
        head[p + "input_layernorm.weight"] = ("BF16", [h])
        head[p + "post_attention_layernorm.weight"] = ("BF16", [h])
        linear(a + "q_a_proj.weight", [q_lora, h])
        head[a + "q_a_layernorm.weight"] = ("BF16", [q_lora])
        linear(a + "q_b_proj.weight", [heads * (nope + rope), q_lora])
        linear(a + "kv_a_proj_with_mqa.weight", [kv_lora + rope, h])
        head[a + "kv_a_layernorm.weight"] = ("BF16", [kv_lora])
        linear(a + "kv_b_proj.weight", [heads * (nope + vd), kv_lora])
        linear(a + "o_proj.weight", [h, heads * vd])
        if i < c["first_k_dense_replace"]:
            for name, shape in _mlp(p + "mlp.", h, c["intermediate_size"], dtype).items():
                linear(name, shape[1])
            continue
        head[p + "mlp.gate.weight"] = ("BF16", [c["n_routed_experts"], h])
        head[p + "mlp.gate.e_score_correction_bias"] = ("F32", [c["n_routed_experts"]])
        for e in range(c["n_routed_experts"]):
            for name, shape in _mlp(f"{p}mlp.experts.{e}.", h, c["moe_intermediate_size"],
                                    dtype).items():
                linear(name, shape[1])
        shared = c["n_shared_experts"] * c["moe_intermediate_size"]
        for name, shape in _mlp(p + "mlp.shared_experts.", h, shared, dtype).items():
            linear(name, shape[1])
    head.update(tail)
    return head


def deepseek_params(c: Mapping[str, Any]) -> tuple[int, int]:
    """(total, active) of a DeepSeek-V3 config without the MTP module."""
    h, heads, v, n = (c["hidden_size"], c["num_attention_heads"], c["vocab_size"],
                      c["num_hidden_layers"])
    nope, rope, vd = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
    q_lora, kv_lora = c["q_lora_rank"], c["kv_lora_rank"]
    attention = (q_lora * h + q_lora + heads * (nope + rope) * q_lora + (kv_lora + rope) * h
                 + kv_lora + heads * (nope + vd) * kv_lora + h * heads * vd + 2 * h)
    dense = c["first_k_dense_replace"]
    experts, k = c["n_routed_experts"], c["num_experts_per_tok"]
    expert = 3 * h * c["moe_intermediate_size"]
    moe_layer = experts * h + experts + experts * expert + c["n_shared_experts"] * expert
    total = (2 * v * h + h + n * attention + dense * 3 * h * c["intermediate_size"]
             + (n - dense) * moe_layer)
    return total, total - (n - dense) * (experts - k) * expert


# --- GGUF by hand (ggml docs/gguf.md) ---------------------------------------------------------

GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL, GGUF_STR, GGUF_ARR, GGUF_U64 = 4, 5, 6, 7, 8, 9, 10
# ggml type id -> (block elements, block bytes), from ggml-common.h
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q8_0": (8, 32, 34),
        "Q2_K": (10, 256, 84), "Q3_K": (11, 256, 110), "Q4_K": (12, 256, 144),
        "Q5_K": (13, 256, 176), "Q6_K": (14, 256, 210), "BF16": (30, 1, 2),
        "MXFP4": (39, 32, 17)}


def gguf_string(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def gguf_value(vtype: int, value: Any) -> bytes:
    if vtype == GGUF_STR:
        return gguf_string(value)
    if vtype == GGUF_ARR:
        etype, items = value
        return struct.pack("<IQ", etype, len(items)) + b"".join(gguf_value(etype, i)
                                                                for i in items)
    fmt = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<B", 10: "<Q",
           11: "<q", 12: "<d"}[vtype]
    return struct.pack(fmt, value)


class HandGguf:
    """A GGUF file assembled field by field."""

    def __init__(self, version: int = 3, alignment: int = 32) -> None:
        self.version = version
        self.alignment = alignment
        self.kv: list[tuple[str, int, Any]] = []
        self.tensors: list[tuple[str, list[int], str]] = []
        self.offsets: dict[str, int] = {}
        self.type_ids: dict[str, int] = {}

    def add(self, key: str, value: Any, vtype: int | None = None) -> HandGguf:
        if vtype is None:
            vtype = (GGUF_BOOL if isinstance(value, bool) else GGUF_U32 if isinstance(value, int)
                     else GGUF_F32 if isinstance(value, float) else GGUF_STR)
        self.kv.append((key, vtype, value))
        return self

    def tensor(self, name: str, dims: list[int], ggml_type: str = "F16", *,
               offset: int | None = None, type_id: int | None = None) -> HandGguf:
        """Add a tensor info; `offset` / `type_id` override the computed ones (for bad files)."""
        self.tensors.append((name, dims, ggml_type))
        if offset is not None:
            self.offsets[name] = offset
        if type_id is not None:
            self.type_ids[name] = type_id
        return self

    def tensor_bytes(self, dims: list[int], ggml_type: str) -> int:
        _, block, size = GGML[ggml_type]
        return numel(dims) // block * size

    def header(self) -> tuple[bytes, int]:
        out = b"GGUF" + struct.pack("<IQQ", self.version, len(self.tensors), len(self.kv))
        for key, vtype, value in self.kv:
            out += gguf_string(key) + struct.pack("<I", vtype) + gguf_value(vtype, value)
        offset = 0
        for name, dims, ggml_type in self.tensors:
            out += gguf_string(name) + struct.pack("<I", len(dims))
            out += b"".join(struct.pack("<Q", d) for d in dims)
            out += struct.pack("<IQ", self.type_ids.get(name, GGML[ggml_type][0]),
                               self.offsets.get(name, offset))
            offset = self.offsets.get(name, offset) + self.tensor_bytes(dims, ggml_type)
            offset += -offset % self.alignment
        out += bytes(-len(out) % self.alignment)
        return out, offset

    def write(self, path: Path, *, sparse: bool = True, missing_bytes: int = 0) -> Path:
        head, data = self.header()
        if sparse and data > (64 << 20):
            require_sparse_files(path.parent)
        write_header_and_data(path, head, data, sparse=sparse, missing_bytes=missing_bytes)
        return path


def llama_gguf(layers: int = 2, hidden: int = 256, heads: int = 4, kv: int = 2,
               ffn: int = 512, vocab: int = 300, quant: str = "Q4_K") -> HandGguf:
    """A small llama-architecture GGUF with the tensor names llama.cpp writes."""
    g = HandGguf()
    g.add("general.architecture", "llama").add("general.name", "Hand Llama")
    g.add("general.file_type", 15).add("general.license", "apache-2.0")
    g.add("llama.block_count", layers).add("llama.embedding_length", hidden)
    g.add("llama.attention.head_count", heads).add("llama.attention.head_count_kv", kv)
    g.add("llama.context_length", 4096).add("llama.feed_forward_length", ffn)
    g.add("llama.rope.freq_base", 500000.0)
    g.add("tokenizer.ggml.tokens", (GGUF_STR, [f"t{i}" for i in range(vocab)]), GGUF_ARR)
    g.tensor("token_embd.weight", [hidden, vocab], "Q6_K" if hidden % 256 == 0 else "F16")
    head_dim = hidden // heads
    for i in range(layers):
        b = f"blk.{i}."
        g.tensor(b + "attn_norm.weight", [hidden], "F32")
        g.tensor(b + "attn_q.weight", [hidden, heads * head_dim], quant)
        g.tensor(b + "attn_k.weight", [hidden, kv * head_dim], quant)
        g.tensor(b + "attn_v.weight", [hidden, kv * head_dim], "Q6_K")
        g.tensor(b + "attn_output.weight", [heads * head_dim, hidden], quant)
        g.tensor(b + "ffn_norm.weight", [hidden], "F32")
        g.tensor(b + "ffn_gate.weight", [hidden, ffn], quant)
        g.tensor(b + "ffn_up.weight", [hidden, ffn], quant)
        g.tensor(b + "ffn_down.weight", [ffn, hidden], "Q6_K")
    g.tensor("output_norm.weight", [hidden], "F32")
    g.tensor("output.weight", [hidden, vocab], "Q6_K" if hidden % 256 == 0 else "F16")
    return g
