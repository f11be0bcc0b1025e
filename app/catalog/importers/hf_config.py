"""Architecture from a Hugging Face `config.json` (the `transformers` configuration format).

Reads the dimensions the planner needs (`num_hidden_layers`, `hidden_size`,
`num_attention_heads`, `num_key_value_heads`, `head_dim` (default `hidden_size /
num_attention_heads`), `intermediate_size`, `vocab_size`, `max_position_embeddings`,
`tie_word_embeddings`), the mixture-of-experts layout (Mixtral/gpt-oss `num_local_experts` +
`num_experts_per_tok`; Qwen MoE `num_experts` + `moe_intermediate_size` (+ a shared expert when
`shared_expert_intermediate_size` > 0); DeepSeek/GLM-4.5 `n_routed_experts` + `n_shared_experts`
+ `first_k_dense_replace`), DeepSeek multi-head latent attention (`kv_lora_rank`, `q_lora_rank`,
`qk_rope_head_dim`, `qk_nope_head_dim`, `v_head_dim`) and sliding-window layers (see
`hf_families`). Multimodal configs are read through their `text_config`.

A required key that is missing or malformed raises `ModelFileError` naming the key; nothing
is guessed, and every default that is used is listed in `Architecture.derived`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from app.catalog.importers.architecture import Architecture, Mla, Moe, effective_window
from app.catalog.importers.binary import BoundedReader
from app.catalog.importers.errors import (
    BAD_KEY_VALUE,
    MISSING_KEY,
    NOT_JSON,
    UNSUPPORTED_ARCH,
    fail,
)
from app.catalog.importers.hf_families import FAMILIES, SUPPORTED, WRAPPERS, Family

MAX_CONFIG_BYTES = 5_000_000
LABEL = "config.json"


@dataclass(frozen=True)
class HfConfig:
    """The architecture, how weights are packed (for quantized checkpoints), and the file hash."""

    architecture: Architecture
    quant_method: str | None
    packed_bits: int
    sha256: str


class _Keys:
    """Typed reads from one config object; failures name the key as the user sees it."""

    def __init__(self, data: Mapping[str, Any], prefix: str, family: Family) -> None:
        self.data = data
        self.prefix = prefix
        self.family = family
        self.derived: list[str] = []

    def bad(self, key: str, rule: str, value: Any) -> NoReturn:
        fail(LABEL, BAD_KEY_VALUE, key=self.prefix + key, rule=rule, value=value)

    def count(self, key: str, *, required: bool = True, minimum: int = 1) -> int | None:
        value = self.data.get(key)
        if value is None and key in self.family.defaults:
            value = self.family.defaults[key]
            self.derived.append(f"{key} {value} is the configuration class default "
                                f"(absent from config.json)")
        if value is None:
            if required:
                fail(LABEL, MISSING_KEY, key=self.prefix + key, supported=SUPPORTED)
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.bad(key, f"a whole number of at least {minimum}", value)
        return int(value)

    def need(self, key: str, minimum: int = 1) -> int:
        value = self.count(key, minimum=minimum)
        assert value is not None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, bool):
            self.bad(key, "true or false", value)
        return value


def _read_json(path: Path) -> tuple[dict[str, Any], str]:
    with BoundedReader(path, LABEL) as reader:
        if reader.size > MAX_CONFIG_BYTES:
            fail(LABEL, BAD_KEY_VALUE, key="the file", rule="at most 5 MB", value=reader.size)
        raw = reader.read(reader.size, "config.json")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        fail(LABEL, NOT_JSON, detail="not UTF-8")
    except RecursionError:
        fail(LABEL, NOT_JSON, detail="nested too deeply")
    except ValueError as exc:
        fail(LABEL, NOT_JSON, detail=str(exc)[:120])
    if not isinstance(data, dict):
        fail(LABEL, BAD_KEY_VALUE, key="the file", rule="a JSON object", value=type(data).__name__)
    return data, hashlib.sha256(raw).hexdigest()


def _text_part(data: dict[str, Any]) -> tuple[Mapping[str, Any], str, str]:
    """(config object of the language model, key prefix, family name)."""
    model_type = data.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        fail(LABEL, MISSING_KEY, key="model_type", supported=SUPPORTED)
    text = data.get("text_config")
    if model_type in WRAPPERS:
        if not isinstance(text, Mapping):
            fail(LABEL, MISSING_KEY, key="text_config", supported=SUPPORTED)
        inner = text.get("model_type") or WRAPPERS[model_type]
        return text, "text_config.", str(inner)
    return data, "", model_type


def _moe(keys: _Keys, intermediate: int | None, layers: int) -> Moe | None:
    kind = keys.family.moe
    if kind is None:
        return None
    if kind == "mixtral":
        experts = keys.need("num_local_experts")
        alias = "num_experts_per_tok" not in keys.data and "experts_per_token" in keys.data
        top_k = keys.need("experts_per_token" if alias else "num_experts_per_tok")
        return Moe(experts, top_k, 0, intermediate, 0)
    if kind == "qwen":
        experts = keys.need("num_experts")
        top_k = keys.need("num_experts_per_tok")
        expert_size = keys.need("moe_intermediate_size")
        shared = 1 if keys.count("shared_expert_intermediate_size", required=False,
                                minimum=0) else 0
        step = keys.count("decoder_sparse_step", required=False) or 1
        if step != 1:
            keys.bad("decoder_sparse_step", "1 (MoE in every layer after the dense ones)", step)
        dense = keys.data.get("mlp_only_layers") or []
        if not isinstance(dense, list) or dense != list(range(len(dense))) or len(dense) > layers:
            keys.bad("mlp_only_layers", "a list of the leading layer numbers 0, 1, ...", dense)
        return Moe(experts, top_k, shared, expert_size, len(dense))
    experts = keys.need("n_routed_experts")
    top_k = keys.need("num_experts_per_tok")
    expert_size = keys.need("moe_intermediate_size")
    shared = keys.count("n_shared_experts", required=False, minimum=0) or 0
    first = keys.count("first_k_dense_replace", required=False, minimum=0) or 0
    freq = keys.count("moe_layer_freq", required=False) or 1
    if freq != 1:
        keys.bad("moe_layer_freq", "1 (MoE in every layer after the dense ones)", freq)
    if first > layers:
        keys.bad("first_k_dense_replace", f"at most num_hidden_layers ({layers})", first)
    return Moe(experts, top_k, shared, expert_size, first)


def _mla(keys: _Keys) -> Mla | None:
    if not keys.family.mla:
        return None
    return Mla(q_lora_rank=keys.count("q_lora_rank", required=False),
               kv_lora_rank=keys.need("kv_lora_rank"),
               qk_nope_head_dim=keys.need("qk_nope_head_dim"),
               qk_rope_head_dim=keys.need("qk_rope_head_dim"),
               v_head_dim=keys.need("v_head_dim"))


def _sliding_layers(keys: _Keys, layers: int, window: int | None) -> int:
    layer_types = keys.data.get("layer_types")
    if layer_types is not None:
        if (not isinstance(layer_types, list) or len(layer_types) != layers
                or not all(isinstance(t, str) for t in layer_types)):
            keys.bad("layer_types", f"a list of {layers} layer type names", "...")
        count = sum(1 for t in layer_types if t == "sliding_attention")
        if count and window is None:
            fail(LABEL, MISSING_KEY, key=keys.prefix + "sliding_window", supported=SUPPORTED)
        return count
    rule = keys.family.sliding
    if window is None or rule == "none":
        return 0
    if rule == "alternate":
        keys.derived.append("sliding layers: Gemma 2 alternates, layers 0, 2, 4, ... slide")
        return (layers + 1) // 2
    if rule == "pattern":
        pattern = keys.need("sliding_window_pattern")
        keys.derived.append(f"sliding layers: every {pattern}th layer is global, the rest slide")
        return layers - layers // pattern
    if rule == "qwen":
        if not keys.flag("use_sliding_window"):
            return 0
        first = keys.count("max_window_layers", required=False, minimum=0) or 0
        return max(0, layers - first)
    return layers


def _tie(keys: _Keys, top: Mapping[str, Any]) -> bool:
    value = keys.flag("tie_word_embeddings")
    if value is None and isinstance(top.get("tie_word_embeddings"), bool):
        value = bool(top["tie_word_embeddings"])
    if value is None:
        value = keys.family.tie_default
        keys.derived.append(f"tie_word_embeddings {str(value).lower()} is the configuration "
                            "class default (absent from config.json)")
    return value


def _description(data: Mapping[str, Any], family: str) -> str:
    names = data.get("architectures")
    first = names[0] if isinstance(names, list) and names and isinstance(names[0], str) else ""
    return f"{first[:80] or family} (config.json model_type {family})"


def architecture_from_config(data: dict[str, Any]) -> Architecture:
    """The architecture a decoded config.json describes, or `ModelFileError`."""
    text, prefix, family_name = _text_part(data)
    family = FAMILIES.get(family_name)
    if family is None:
        fail(LABEL, UNSUPPORTED_ARCH, arch=family_name[:80], supported=SUPPORTED)
    keys = _Keys(text, prefix, family)
    layers = keys.need("num_hidden_layers")
    hidden = keys.need("hidden_size")
    heads = keys.need("num_attention_heads")
    kv_heads = keys.need("num_key_value_heads")
    if kv_heads > heads:
        keys.bad("num_key_value_heads", f"at most num_attention_heads ({heads})", kv_heads)
    mla = _mla(keys)
    if mla is not None:
        head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim
        keys.derived.append("head_dim = qk_nope_head_dim + qk_rope_head_dim (nominal for MLA; "
                            "the KV cache follows mla)")
    elif text.get("head_dim") is not None or "head_dim" in family.defaults:
        head_dim = keys.need("head_dim")
    else:
        if hidden % heads:
            keys.bad("hidden_size", f"a multiple of num_attention_heads ({heads}) when "
                      "head_dim is absent", hidden)
        head_dim = hidden // heads
        keys.derived.append("head_dim = hidden_size / num_attention_heads (no head_dim key)")
    intermediate = keys.count("intermediate_size", required=family.moe != "qwen")
    moe = _moe(keys, intermediate, layers)
    vocab = keys.need("vocab_size")
    max_context = keys.count("max_position_embeddings", required=False)
    window = keys.count("sliding_window", required=False)
    sliding, note = effective_window(window, _sliding_layers(keys, layers, window), max_context)
    if note:
        keys.derived.append(note)
    tie = _tie(keys, data)
    return Architecture(
        family=family_name, description=_description(data, family_name), layers=layers,
        hidden_size=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim,
        intermediate_size=intermediate, vocab_size=vocab, max_context_tokens=max_context,
        tie_word_embeddings=tie, moe=moe, mla=mla, sliding_window=sliding,
        derived=tuple(keys.derived),
    )


def _packing(data: Mapping[str, Any]) -> tuple[str | None, int]:
    """(quant_method, bits per packed weight) from `quantization_config`, if any."""
    quant = data.get("quantization_config")
    if not isinstance(quant, Mapping):
        return None, 4
    method = quant.get("quant_method")
    bits = quant.get("bits", quant.get("w_bit", quant.get("weight_bits")))
    groups = quant.get("config_groups")
    if bits is None and isinstance(groups, Mapping):
        for group in groups.values():
            weights = group.get("weights") if isinstance(group, Mapping) else None
            if isinstance(weights, Mapping):
                bits = weights.get("num_bits")
                break
    if not isinstance(bits, int) or isinstance(bits, bool) or bits not in (2, 3, 4, 8):
        bits = 4
    return (str(method)[:40] if isinstance(method, str) else None), bits


def read_config(path: Path) -> HfConfig:
    """Read and interpret `path` (a config.json), bounded to 5 MB."""
    data, digest = _read_json(path)
    method, bits = _packing(data)
    return HfConfig(architecture=architecture_from_config(data), quant_method=method,
                    packed_bits=bits, sha256=digest)
