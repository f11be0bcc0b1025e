"""Rules every catalog entry must satisfy, whether shipped, edited or imported.

`entry_errors(kind, entry)` returns messages that name the field and the rule; an empty list
means the entry is valid. The rules are deliberately explicit so that a user importing a pack
learns exactly which value to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.engine.constraint_types import EXPORT_EFFECTS

KINDS = ("models", "accelerators", "servers", "quantizations", "cloud-apis", "gpu-rentals")

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,79}$")

Rule = Callable[[Any], str | None]


def _number(minimum: float = 0.0, strict: bool = True, nullable: bool = True) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None:
            return None if nullable else "is required"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if value != value or value in (float("inf"), float("-inf")):
            return "must be a finite number"
        if strict and value <= minimum:
            return f"must be greater than {minimum:g}"
        if not strict and value < minimum:
            return f"must be at least {minimum:g}"
        return None

    return rule


def _integer(minimum: int = 1, nullable: bool = True) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None:
            return None if nullable else "is required"
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if value < minimum:
            return f"must be at least {minimum}"
        return None

    return rule


def _text(required: bool = False, max_len: int = 4000) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None or value == "":
            return "is required" if required else None
        if not isinstance(value, str):
            return "must be text"
        if len(value) > max_len:
            return f"must be at most {max_len} characters"
        return None

    return rule


def _boolean(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return "must be true, false or null"


def _one_of(*choices: str) -> Rule:
    def rule(value: Any) -> str | None:
        if value in choices:
            return None
        return "must be one of " + ", ".join(choices)

    return rule


def _list_of_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of text"
    return None


_COMMON: dict[str, Rule] = {
    "name": _text(required=True, max_len=200),
    "source": _text(required=True),
}

_FIELDS: dict[str, dict[str, Rule]] = {
    "models": {
        "kind": _one_of("llm", "embedding", "reranker"),
        "params_total_b": _number(nullable=False),
        "params_active_b": _number(nullable=False),
        "arch.layers": _integer(nullable=False),
        "arch.hidden_size": _integer(nullable=False),
        "arch.heads": _integer(nullable=False),
        "arch.kv_heads": _integer(nullable=False),
        "arch.head_dim": _integer(nullable=False),
        "arch.intermediate_size": _integer(),
        "arch.vocab_size": _integer(),
        "arch.max_context_tokens": _integer(),
        "arch.tie_word_embeddings": _boolean,
        "arch.embedding_dim": _integer(),
        "arch.moe.num_experts": _integer(),
        "arch.moe.experts_per_token": _integer(),
        "arch.moe.shared_experts": _integer(minimum=0),
        "arch.moe.first_dense_layers": _integer(minimum=0),
        "arch.mla.kv_lora_rank": _integer(),
        "arch.mla.qk_rope_head_dim": _integer(),
        "arch.sliding_window.window_tokens": _integer(),
        "arch.sliding_window.sliding_layers": _integer(minimum=0),
        "open_weights": _boolean,
        "licence.mau_cap": _integer(minimum=0),
        "licence.id": _text(max_len=200),
        "licence.osi_approved": _boolean,
        "licence.excluded_regions": _list_of_text,
    },
    "accelerators": {
        "vendor": _text(required=True),
        # Null when no source gives it: the entry is listed but cannot be estimated.
        "memory_gb": _number(),
        "memory_bandwidth_tbs": _number(),
        "tdp_w": _number(),
        "interconnect_gbs": _number(),
        "native_precisions": _list_of_text,
        "aliases": _list_of_text,
        "price.usd": _number(),
    },
    "quantizations": {
        "bits_per_weight": _number(nullable=False),
        "compute_precision": _one_of("fp16", "fp8", "fp4", "int8"),
        "aliases": _list_of_text,
    },
    "servers": {
        "gpu_slots": _integer(nullable=False),
        "base_power_w": _number(),
        "price_usd": _number(minimum=0, strict=False),
        "rack_units": _integer(),
        "accelerators": _list_of_text,
    },
    "cloud-apis": {
        "provider": _text(required=True),
        "input_usd_per_mtok": _number(minimum=0, strict=False, nullable=False),
        "output_usd_per_mtok": _number(minimum=0, strict=False, nullable=False),
        "cached_input_usd_per_mtok": _number(minimum=0, strict=False),
    },
    "gpu-rentals": {
        "provider": _text(required=True),
        "accelerator": _text(required=True),
        "on_demand_usd_per_gpu_hour": _number(),
        "reserved_usd_per_gpu_hour": _number(),
    },
}


def _lookup(entry: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    """Value at a dotted path; (False, None) when a parent object is absent or null."""
    node: Any = entry
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, Mapping):
            return False, None
        if part not in node:
            return (i == len(parts) - 1), None
        node = node[part]
        if node is None and i < len(parts) - 1:
            return False, None
    return True, node


def entry_errors(kind: str, entry: Any) -> list[str]:
    """Every rule the entry breaks, as `field: rule` messages."""
    if kind not in KINDS:
        return [f"kind: must be one of {', '.join(KINDS)}"]
    if not isinstance(entry, Mapping):
        return ["entry: must be a JSON object"]
    errors: list[str] = []
    entry_id = entry.get("id")
    if not isinstance(entry_id, str) or not _ID.match(entry_id):
        errors.append(
            "id: must be 1-80 characters of lower-case letters, digits and . _ + - "
            "starting with a letter or digit"
        )
    as_of = entry.get("as_of")
    if not isinstance(as_of, str) or not _DATE.match(as_of):
        errors.append("as_of: must be a date written YYYY, YYYY-MM or YYYY-MM-DD")
    for field, rule in {**_COMMON, **_FIELDS[kind]}.items():
        present, value = _lookup(entry, field)
        if not present:
            continue
        problem = rule(value)
        if problem:
            errors.append(f"{field}: {problem}")
    field_sources = entry.get("field_sources", {})
    if field_sources is not None and not isinstance(field_sources, Mapping):
        errors.append("field_sources: must be an object of field -> {source, as_of}")
    elif field_sources:
        for name, prov in field_sources.items():
            if not isinstance(prov, Mapping) or not prov.get("source"):
                errors.append(f"field_sources.{name}: must give a non-empty source")
            elif not isinstance(prov.get("as_of"), str) or not _DATE.match(prov["as_of"]):
                errors.append(f"field_sources.{name}: as_of must be YYYY, YYYY-MM or YYYY-MM-DD")
    if kind == "models" and not errors:
        errors.extend(_model_consistency(entry))
    if kind == "accelerators":
        errors.extend(_note_errors(entry, "export_control", _export_note_errors))
        errors.extend(_note_errors(entry, "vendor_support", _support_note_errors))
    return errors


def _note_errors(entry: Mapping[str, Any], field: str,
                 check: Callable[[Mapping[str, Any]], list[str]]) -> list[str]:
    """Errors of a list of dated notes (`export_control`, `vendor_support`)."""
    notes = entry.get(field)
    if notes is None:
        return []
    if not isinstance(notes, list) or not all(isinstance(n, Mapping) for n in notes):
        return [f"{field}: must be a list of objects"]
    errors = []
    for i, note in enumerate(notes):
        where = f"{field}[{i}]"
        if not isinstance(note.get("source"), str) or not note["source"].strip():
            errors.append(f"{where}.source: is required")
        if not isinstance(note.get("as_of"), str) or not _DATE.match(note["as_of"]):
            errors.append(f"{where}.as_of: must be a date written YYYY, YYYY-MM or YYYY-MM-DD")
        errors.extend(f"{where}.{problem}" for problem in check(note))
    return errors


def _export_note_errors(note: Mapping[str, Any]) -> list[str]:
    errors = []
    if "effect" in note and note["effect"] not in EXPORT_EFFECTS:
        errors.append("effect: must be one of " + ", ".join(EXPORT_EFFECTS))
    for name in ("regions", "region_codes"):
        problem = _list_of_text(note.get(name))
        if problem:
            errors.append(f"{name}: {problem}")
    return errors


def _support_note_errors(note: Mapping[str, Any]) -> list[str]:
    errors = []
    problem = _list_of_text(note.get("regions"))
    if problem or not note.get("regions"):
        errors.append(f"regions: {problem or 'must list at least one region code'}")
    if not isinstance(note.get("available"), bool):
        errors.append("available: must be true or false")
    return errors


def _model_consistency(entry: Mapping[str, Any]) -> list[str]:
    arch = entry["arch"]
    errors = []
    if entry["params_active_b"] > entry["params_total_b"] * 1.0001:
        errors.append("params_active_b: must not exceed params_total_b")
    if arch["kv_heads"] > arch["heads"]:
        errors.append("arch.kv_heads: must not exceed arch.heads")
    moe = arch.get("moe")
    if moe and moe.get("experts_per_token") and moe.get("num_experts"):
        if moe["experts_per_token"] > moe["num_experts"]:
            errors.append("arch.moe.experts_per_token: must not exceed arch.moe.num_experts")
    window = arch.get("sliding_window")
    if window and window.get("sliding_layers", 0) > arch["layers"]:
        errors.append("arch.sliding_window.sliding_layers: must not exceed arch.layers")
    return errors
