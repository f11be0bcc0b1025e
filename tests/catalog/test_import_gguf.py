"""GGUF files, written by hand (struct.pack) and with ggml-org's `gguf` package: exact counts,
exact quantized sizes from the ggml block table, architecture metadata."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest

from app.catalog.importers.errors import ModelFileError
from app.catalog.importers.ggml_types import GGML_TYPES
from app.catalog.importers.gguf import read_gguf
from app.catalog.importers.model_entry import model_entry
from app.catalog.validate import entry_errors
from tests.catalog.model_files import GGML, GGUF_ARR, GGUF_BOOL, HandGguf, llama_gguf, numel


def _expected(g: HandGguf) -> tuple[int, int, dict[str, int]]:
    params = sum(numel(d) for _, d, _ in g.tensors)
    by_type: dict[str, int] = {}
    for _, dims, t in g.tensors:
        by_type[t] = by_type.get(t, 0) + g.tensor_bytes(dims, t)
    return params, sum(by_type.values()), by_type


def test_hand_built_llama_q4_k_m_exact_params_and_bytes(tmp_path: Path) -> None:
    g = llama_gguf()
    path = g.write(tmp_path / "Hand-Llama-Q4_K_M.gguf")
    entry = model_entry(path)
    assert entry_errors("models", entry) == []
    params, nbytes, by_type = _expected(g)
    assert entry["params_total"] == entry["params_active"] == params
    assert entry["weights_bytes"] == nbytes
    assert entry["bytes_by_type"] == dict(sorted(by_type.items()))
    # Q4_K: 144 bytes per 256 weights; attn_q is 256 x 256 = 256 blocks.
    q4k = sum(numel(d) for _, d, t in g.tensors if t == "Q4_K")
    assert by_type["Q4_K"] == q4k // 256 * 144
    assert entry["measured_bits_per_weight"] == round(8 * nbytes / params, 4)
    assert entry["file_bytes"] == path.stat().st_size
    assert entry["gguf_file_type"] == "Q4_K_M" and entry["gguf_version"] == 3
    assert entry["name"] == "Hand Llama" and entry["id"] == "hand-llama-q4_k_m"
    assert entry["licence"]["name"] == "apache-2.0"
    assert entry["arch"]["vocab_size"] == 300 and entry["arch"]["head_dim"] == 64
    assert (entry["arch"]["heads"], entry["arch"]["kv_heads"]) == (4, 2)
    assert entry["arch"]["tie_word_embeddings"] is False
    assert entry["arch"]["max_context_tokens"] == 4096
    assert entry["source"].startswith(f"local file: {path.resolve()} (sha256 of header: ")


def test_full_size_llama_8b_q4_k_m_header(tmp_path: Path) -> None:
    """Llama-3.1-8B dims, sparse data: the count equals the HF formula, sizes the block table."""
    g = llama_gguf(layers=32, hidden=4096, heads=32, kv=8, ffn=14336, vocab=128256)
    entry = model_entry(g.write(tmp_path / "llama-8b.gguf"))
    assert entry["params_total"] == 8_030_261_248
    assert entry["weights_bytes"] == _expected(g)[1]
    assert 4.5 < entry["measured_bits_per_weight"] < 5.5


BLOCKS = {"F32": (1, 4), "F16": (1, 2), "BF16": (1, 2), "Q4_0": (32, 18), "Q8_0": (32, 34),
          "Q2_K": (256, 84), "Q3_K": (256, 110), "Q4_K": (256, 144), "Q5_K": (256, 176),
          "Q6_K": (256, 210)}


def test_type_table_matches_ggml_and_the_reference_writer() -> None:
    ours = {t.name: (t.block_size, t.type_size) for t in GGML_TYPES.values()}
    for name, block in BLOCKS.items():
        assert ours[name] == block
    for quant, (block, size) in gguf.GGML_QUANT_SIZES.items():
        if quant.name == "Q8_1":  # gguf-py lists 40 bytes; ggml-common.h's block_q8_1 is 36
            continue
        assert ours[quant.name] == (block, size), quant.name


@pytest.mark.parametrize("type_name", sorted(BLOCKS))
def test_gguf_package_file_sizes_per_type(tmp_path: Path, type_name: str) -> None:
    block, size = BLOCKS[type_name]
    quant = gguf.GGMLQuantizationType[type_name]
    writer = gguf.GGUFWriter(tmp_path / "m.gguf", "llama")
    writer.add_block_count(1)
    writer.add_embedding_length(512)
    writer.add_head_count(8)
    rows, cols = 12, 512
    raw = np.zeros((rows, cols // block * size), dtype=np.uint8)
    writer.add_tensor("blk.0.attn_q.weight", raw, raw_dtype=quant)
    writer.add_tensor("token_embd.weight", np.zeros((10, 512), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    entry = model_entry(tmp_path / "m.gguf")
    assert entry["params_total"] == rows * cols + 10 * 512
    assert entry["params_by_type"][type_name] == rows * cols + (10 * 512 if type_name == "F16"
                                                                 else 0)
    expected = rows * cols // block * size
    assert entry["bytes_by_type"][type_name] == expected + (10 * 512 * 2 if type_name == "F16"
                                                            else 0)
    assert entry["arch"]["tie_word_embeddings"] is True
    assert entry["arch"]["vocab_size"] == 10


def test_gguf_package_moe_file_active_params(tmp_path: Path) -> None:
    experts, used, hidden, ffn, vocab, layers = 8, 2, 256, 128, 64, 2
    writer = gguf.GGUFWriter(tmp_path / "moe.gguf", "qwen3moe")
    writer.add_name("Tiny MoE")
    writer.add_block_count(layers)
    writer.add_embedding_length(hidden)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_key_length(64)
    writer.add_value_length(64)
    writer.add_context_length(32768)
    writer.add_expert_count(experts)
    writer.add_expert_used_count(used)
    writer.add_expert_feed_forward_length(ffn)
    writer.add_license("apache-2.0")
    writer.add_organization("Example Lab")
    q8 = gguf.GGMLQuantizationType.Q8_0
    writer.add_tensor("token_embd.weight", np.zeros((vocab, hidden), dtype=np.float16))
    for i in range(layers):
        writer.add_tensor(f"blk.{i}.attn_q.weight", np.zeros((256, hidden), dtype=np.float16))
        writer.add_tensor(f"blk.{i}.ffn_gate_inp.weight", np.zeros((experts, hidden),
                                                                    dtype=np.float32))
        for part, shape in (("gate", (experts, ffn, hidden)), ("up", (experts, ffn, hidden)),
                            ("down", (experts, hidden, ffn))):
            raw = np.zeros((*shape[:-1], shape[-1] // 32 * 34), dtype=np.uint8)
            writer.add_tensor(f"blk.{i}.ffn_{part}_exps.weight", raw, raw_dtype=q8)
    writer.add_tensor("output.weight", np.zeros((vocab, hidden), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    entry = model_entry(tmp_path / "moe.gguf")
    assert entry_errors("models", entry) == []
    routed = layers * experts * 3 * hidden * ffn
    dense = 2 * vocab * hidden + layers * (256 * hidden + experts * hidden)
    assert entry["params_total"] == routed + dense
    assert entry["params_active"] == dense + routed * used // experts
    assert entry["arch"]["moe"] == {"num_experts": 8, "experts_per_token": 2,
                                    "shared_experts": 0, "expert_intermediate_size": 128,
                                    "first_dense_layers": 0}
    assert entry["publisher"] == "Example Lab"
    assert entry["bytes_by_type"]["Q8_0"] == routed // 32 * 34


def _sliding(tmp_path: Path, arch: str, layers: int, **extra: object) -> object:
    g = HandGguf().add("general.architecture", arch)
    g.add(f"{arch}.block_count", layers).add(f"{arch}.embedding_length", 64)
    g.add(f"{arch}.attention.head_count", 4).add(f"{arch}.context_length", 131072)
    g.add(f"{arch}.attention.sliding_window", 4096)
    for key, value in extra.items():
        g.add(f"{arch}.{key}", value, GGUF_ARR if isinstance(value, tuple) else None)
    g.tensor("token_embd.weight", [64, 10])
    return model_entry(g.write(tmp_path / f"{arch}.gguf"))["arch"]["sliding_window"]


def test_sliding_window_layers(tmp_path: Path) -> None:
    assert _sliding(tmp_path, "gemma2", 42) == {"window_tokens": 4096, "sliding_layers": 21}
    assert _sliding(tmp_path, "gemma3", 62) == {"window_tokens": 4096, "sliding_layers": 52}
    assert _sliding(tmp_path, "gpt-oss", 24) == {"window_tokens": 4096, "sliding_layers": 12}
    assert _sliding(tmp_path, "mistral", 32) == {"window_tokens": 4096, "sliding_layers": 32}
    pattern = (GGUF_BOOL, [True, True, False] * 4)
    assert _sliding(tmp_path, "gemma3n", 12, **{"attention.sliding_window_pattern": pattern}) == {
        "window_tokens": 4096, "sliding_layers": 8}


def test_deepseek2_mla_metadata(tmp_path: Path) -> None:
    g = HandGguf().add("general.architecture", "deepseek2")
    for key, value in {"block_count": 61, "embedding_length": 7168, "context_length": 163840,
                       "attention.head_count": 128, "attention.head_count_kv": 1,
                       "attention.key_length": 576, "attention.value_length": 512,
                       "attention.key_length_mla": 192, "attention.value_length_mla": 128,
                       "attention.q_lora_rank": 1536, "attention.kv_lora_rank": 512,
                       "rope.dimension_count": 64, "feed_forward_length": 18432,
                       "expert_feed_forward_length": 2048, "expert_count": 256,
                       "expert_used_count": 8, "expert_shared_count": 1,
                       "leading_dense_block_count": 3}.items():
        g.add(f"deepseek2.{key}", value)
    g.tensor("token_embd.weight", [7168, 129280], "Q4_K")
    arch = model_entry(g.write(tmp_path / "ds.gguf"))["arch"]
    assert arch["mla"] == {"q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128,
                           "qk_rope_head_dim": 64, "v_head_dim": 128}
    assert arch["moe"] == {"num_experts": 256, "experts_per_token": 8, "shared_experts": 1,
                           "expert_intermediate_size": 2048, "first_dense_layers": 3}
    assert (arch["head_dim"], arch["vocab_size"], arch["layers"]) == (192, 129280, 61)


def test_version_2_is_read_and_big_arrays_are_skipped(tmp_path: Path) -> None:
    g = llama_gguf(vocab=5000)
    g.version = 2
    parsed = read_gguf(g.write(tmp_path / "v2.gguf"))
    assert parsed.version == 2
    tokens = parsed.metadata["tokenizer.ggml.tokens"]
    assert (tokens.length, tokens.values) == (5000, None)


def test_per_layer_head_counts_use_the_largest(tmp_path: Path) -> None:
    g = HandGguf().add("general.architecture", "openelm")
    g.add("openelm.block_count", 3).add("openelm.embedding_length", 64)
    g.add("openelm.attention.head_count", (4, [2, 4, 4]), GGUF_ARR)
    g.add("openelm.attention.head_count_kv", (4, [1, 2, 2]), GGUF_ARR)
    g.tensor("token_embd.weight", [64, 10])
    arch = model_entry(g.write(tmp_path / "elm.gguf"))["arch"]
    assert (arch["heads"], arch["kv_heads"]) == (4, 2)


def test_type_ids_in_tests_match_the_table() -> None:
    for name, (type_id, block, size) in GGML.items():
        assert (GGML_TYPES[type_id].name, GGML_TYPES[type_id].block_size,
                GGML_TYPES[type_id].type_size) == (name, block, size)


def _shards(tmp_path: Path, count: int = 3) -> tuple[HandGguf, list[Path]]:
    whole = llama_gguf(layers=3)
    names = [t[0] for t in whole.tensors]
    per = -(-len(names) // count)
    paths = []
    for i in range(count):
        part = HandGguf()
        if i == 0:
            part.kv = list(whole.kv)
            part.add("split.tensors.count", len(names), 4)
        part.add("split.no", i, 4).add("split.count", count, 4)
        part.tensors = whole.tensors[i * per:(i + 1) * per]
        paths.append(part.write(tmp_path / f"Big-Model-Q4_K_M-{i + 1:05d}-of-{count:05d}.gguf"))
    return whole, paths


def test_split_gguf_model_is_read_whole(tmp_path: Path) -> None:
    whole, paths = _shards(tmp_path)
    params, nbytes, _ = _expected(whole)
    for given in (paths[0], paths[2]):
        entry = model_entry(given)
        assert (entry["params_total"], entry["weights_bytes"]) == (params, nbytes)
        assert entry["id"] == "big-model-q4_k_m"
        assert entry["file_bytes"] == sum(p.stat().st_size for p in paths)
        assert " and 2 more shards (sha256 of headers: " in entry["source"]
        assert entry["arch"]["tie_word_embeddings"] is False  # output.weight is in shard 3
    paths[1].unlink()
    with pytest.raises(ModelFileError, match="split model: shard Big-Model-Q4_K_M-00002-of-00003"):
        model_entry(paths[0])
