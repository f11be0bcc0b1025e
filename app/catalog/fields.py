"""The documented fields of each catalog kind, for forms, detail panels and CSV packs.

Follows `resources/catalog/README.md`. Labels carry units. `parse_text` turns what a user typed
into the stored value (or a rule message worded like `validate.entry_errors`), and
`apply_values` writes form values into an entry while keeping every undocumented field
(`notes`, `sources`, `export_control`, ...) exactly as it was.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

FieldType = Literal["text", "longtext", "number", "integer", "boolean", "choice", "list"]
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: dotted path in the entry, label with unit, and value type.

    `choices` with `open_choice=False` restricts the value (validate enforces it too); with
    `open_choice=True` they are only suggestions.
    """

    path: str
    label: str
    type: FieldType = "text"
    choices: tuple[str, ...] = ()
    open_choice: bool = False
    required: bool = False
    hint: str = ""


@dataclass(frozen=True)
class Section:
    """A titled group of fields. `nullable_object` names an object (e.g. `arch.moe`) that is
    stored as null when every field of the section is empty."""

    title: str
    fields: tuple[FieldSpec, ...]
    nullable_object: str = ""


def _f(path: str, label: str, kind: FieldType = "text", **extra: Any) -> FieldSpec:
    return FieldSpec(path, label, kind, **extra)


_ID = _f("id", "Id", required=True,
         hint="lower-case letters, digits and . _ + -; cannot change after saving")
_NAME = _f("name", "Name", required=True)
PROVENANCE = Section("Provenance (applies to every value unless a field has its own source)", (
    _f("source", "Source (URL or document)", "longtext", required=True),
    _f("as_of", "As of (YYYY, YYYY-MM or YYYY-MM-DD)", required=True),
))

SECTIONS: dict[str, tuple[Section, ...]] = {
    "models": (
        Section("Identity", (
            _ID, _NAME, _f("family", "Family"),
            _f("kind", "Kind", "choice", choices=("llm", "embedding", "reranker")),
            _f("publisher", "Publisher"), _f("origin_country", "Origin country"),
            _f("open_weights", "Open weights", "boolean"),
            _f("release_date", "Release date (YYYY-MM-DD)"),
            _f("hf_repo", "Hugging Face repository (owner/name)"),
        )),
        Section("Size", (
            _f("params_total_b", "Total parameters (billions)", "number", required=True),
            _f("params_active_b", "Active parameters per token (billions)", "number",
               required=True, hint="equal to the total for dense models"),
        )),
        Section("Architecture", (
            _f("arch.layers", "Layers", "integer", required=True),
            _f("arch.hidden_size", "Hidden size", "integer", required=True),
            _f("arch.heads", "Attention heads", "integer", required=True),
            _f("arch.kv_heads", "KV heads", "integer", required=True),
            _f("arch.head_dim", "Head dimension", "integer", required=True),
            _f("arch.intermediate_size", "FFN width (intermediate size)", "integer"),
            _f("arch.vocab_size", "Vocabulary (tokens)", "integer"),
            _f("arch.max_context_tokens", "Maximum context (tokens)", "integer"),
            _f("arch.tie_word_embeddings", "Tied input/output embeddings", "boolean"),
            _f("arch.embedding_dim", "Embedding output size (dimensions)", "integer",
               hint="embedding models only"),
        )),
        Section("Mixture of experts (leave empty for a dense model)", (
            _f("arch.moe.num_experts", "Routed experts", "integer"),
            _f("arch.moe.experts_per_token", "Experts per token", "integer"),
            _f("arch.moe.shared_experts", "Shared experts", "integer"),
            _f("arch.moe.expert_intermediate_size", "Expert FFN width", "integer"),
            _f("arch.moe.first_dense_layers", "Leading dense layers", "integer"),
        ), nullable_object="arch.moe"),
        Section("Multi-head latent attention (leave empty unless MLA)", (
            _f("arch.mla.q_lora_rank", "Query LoRA rank", "integer"),
            _f("arch.mla.kv_lora_rank", "KV LoRA rank", "integer"),
            _f("arch.mla.qk_nope_head_dim", "QK no-RoPE head dimension", "integer"),
            _f("arch.mla.qk_rope_head_dim", "QK RoPE head dimension", "integer"),
            _f("arch.mla.v_head_dim", "V head dimension", "integer"),
        ), nullable_object="arch.mla"),
        Section("Sliding-window attention (leave empty unless used)", (
            _f("arch.sliding_window.window_tokens", "Window (tokens)", "integer"),
            _f("arch.sliding_window.sliding_layers", "Sliding-window layers", "integer"),
        ), nullable_object="arch.sliding_window"),
        Section("Licence", (
            _f("licence.name", "Licence"),
            _f("licence.osi_approved", "OSI-approved", "boolean"),
            _f("licence.commercial_use", "Commercial use allowed", "boolean"),
            _f("licence.mau_cap", "Monthly active user cap (users)", "integer"),
            _f("licence.acceptable_use_policy", "Acceptable use policy", "longtext"),
            _f("licence.attribution", "Attribution required", "longtext"),
            _f("licence.restrictions", "Restrictions", "longtext"),
            _f("licence.url", "Licence text (URL or document)"),
        )),
    ),
    "accelerators": (
        Section("Identity", (
            _ID, _NAME,
            _f("aliases", "Other names (separate with ;)", "list"),
            _f("vendor", "Vendor", required=True), _f("vendor_country", "Vendor country"),
            _f("segment", "Segment", "choice", open_choice=True,
               choices=("datacenter", "workstation", "consumer", "apple", "edge")),
            _f("hardware_class", "Hardware class (efficiency family)",
               hint="e.g. nvidia-hopper; selects the calibrated efficiency factors"),
            _f("architecture", "Architecture"), _f("form_factor", "Form factor"),
        )),
        Section("Memory", (
            _f("memory_gb", "Memory (GB, decimal)", "number"),
            _f("memory_bandwidth_tbs", "Memory bandwidth (TB/s)", "number"),
        )),
        Section("Dense peak compute (no sparsity)", (
            _f("peak_tflops.fp32", "FP32 (TFLOPS)", "number"),
            _f("peak_tflops.tf32", "TF32 (TFLOPS)", "number"),
            _f("peak_tflops.bf16", "BF16 (TFLOPS)", "number"),
            _f("peak_tflops.fp16", "FP16 (TFLOPS)", "number"),
            _f("peak_tflops.fp8", "FP8 (TFLOPS)", "number"),
            _f("peak_tflops.int8", "INT8 (TOPS)", "number"),
            _f("peak_tflops.fp4", "FP4 (TFLOPS)", "number"),
            _f("peak_tflops.int4", "INT4 (TOPS)", "number"),
            _f("native_precisions", "Native precisions (separate with ;)", "list"),
        )),
        Section("Power and interconnect", (
            _f("tdp_w", "TDP (W)", "number"),
            _f("interconnect", "Interconnect"),
            _f("interconnect_gbs", "Interconnect bandwidth (GB/s per GPU)", "number"),
        )),
        Section("Price", (
            _f("price.usd", "Price (USD per accelerator)", "number"),
            _f("price.kind", "Price kind", "choice", open_choice=True,
               choices=("list", "street", "reported", "estimate")),
            _f("price.as_of", "Price as of (YYYY-MM-DD)"),
            _f("price.source", "Price source"),
        )),
    ),
    "quantizations": (
        Section("Format", (
            _ID, _NAME,
            _f("bits_per_weight", "Effective bits per weight (incl. scales)", "number",
               required=True),
            _f("compute_precision", "Compute path", "choice",
               choices=("fp16", "fp8", "fp4", "int8")),
            _f("scheme", "Scheme", "choice", open_choice=True,
               choices=("float", "weight-only", "w8a8", "gguf")),
            _f("engines", "Serving engines (separate with ;)", "list"),
            _f("aliases", "Other names (separate with ;)", "list"),
        )),
    ),
    "servers": (
        Section("Server platform", (
            _ID, _NAME,
            _f("gpu_slots", "GPU slots", "integer", required=True),
            _f("form_factor", "Form factor"),
            _f("accelerators", "Accelerators it takes (catalog ids, separate with ;)", "list"),
            _f("base_power_w", "Base power without accelerators (W)", "number"),
            _f("price_usd", "Price without accelerators (USD)", "number"),
            _f("rack_units", "Height (rack units)", "integer"),
        )),
    ),
    "cloud-apis": (
        Section("Price list", (
            _ID, _NAME,
            _f("provider", "Provider", required=True),
            _f("provider_country", "Provider country"),
            _f("model", "Model (as the provider names it)"),
            _f("input_usd_per_mtok", "Input (USD per 1M tokens)", "number", required=True),
            _f("output_usd_per_mtok", "Output (USD per 1M tokens)", "number", required=True),
            _f("cached_input_usd_per_mtok", "Cached input (USD per 1M tokens)", "number"),
        )),
    ),
    "gpu-rentals": (
        Section("Rental rate", (
            _ID, _NAME,
            _f("provider", "Provider", required=True),
            _f("provider_country", "Provider country"),
            _f("accelerator", "Accelerator (catalog id)", required=True),
            _f("on_demand_usd_per_gpu_hour", "On-demand (USD per GPU-hour)", "number"),
            _f("reserved_usd_per_gpu_hour", "Reserved (USD per GPU-hour)", "number"),
            _f("reserved_term", "Reserved term"),
        )),
    ),
}

CSV_KINDS = ("quantizations", "servers", "cloud-apis", "gpu-rentals")
"""Kinds whose documented fields are all top-level, so a pack can be a CSV table."""


def sections(kind: str) -> tuple[Section, ...]:
    """Every section of a kind's form, provenance last."""
    return (*SECTIONS[kind], PROVENANCE)


def fields(kind: str) -> tuple[FieldSpec, ...]:
    return tuple(spec for section in sections(kind) for spec in section.fields)


def field_spec(kind: str, path: str) -> FieldSpec | None:
    return next((spec for spec in fields(kind) if spec.path == path), None)


def label(kind: str, path: str) -> str:
    """The field's label with its unit, or the dotted path for an undocumented field."""
    spec = field_spec(kind, path)
    return spec.label if spec else path


def value_at(entry: Mapping[str, Any], path: str) -> Any:
    node: Any = entry
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def format_value(spec: FieldSpec, value: Any) -> str:
    """The text a form shows for a stored value (the inverse of `parse_text`)."""
    if value is None:
        return ""
    if spec.type == "list" and isinstance(value, list):
        return f"{LIST_SEPARATOR} ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer() and spec.type == "number":
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def parse_text(spec: FieldSpec, text: str) -> tuple[Any, str | None]:
    """(stored value, None) or (None, rule message) for what the user typed.

    Empty text means null (no sourced value). Messages match `validate.entry_errors` wording.
    """
    text = text.strip()
    if text == "":
        return None, None
    if spec.type == "integer":
        try:
            return int(text.replace(",", "").replace("_", "")), None
        except ValueError:
            return None, "must be a whole number"
    if spec.type == "number":
        try:
            value = float(text.replace(",", "").replace("_", ""))
        except ValueError:
            return None, "must be a number"
        if not math.isfinite(value):
            return None, "must be a finite number"
        return (int(value) if value.is_integer() and abs(value) < 1e15 else value), None
    if spec.type == "list":
        return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()], None
    if spec.type == "boolean":
        lowered = text.lower()
        if lowered in ("true", "yes", "1"):
            return True, None
        if lowered in ("false", "no", "0"):
            return False, None
        return None, "must be true, false or null"
    return text, None


def _set(entry: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = entry
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _has(entry: Mapping[str, Any], path: str) -> bool:
    node: Any = entry
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def apply_values(kind: str, original: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `original` with the documented fields set from `values` (path -> value).

    A null value is written only where the field existed (so untouched optional fields stay
    absent); an optional object section (MoE, MLA, sliding window) left entirely empty
    becomes null.
    """
    entry = copy.deepcopy(dict(original))
    for section in sections(kind):
        section_values = {spec.path: values.get(spec.path) for spec in section.fields}
        if section.nullable_object and all(v is None for v in section_values.values()):
            _set(entry, section.nullable_object, None)
            continue
        for path, value in section_values.items():
            if value is None and not _has(entry, path):
                continue
            _set(entry, path, value)
    return entry
