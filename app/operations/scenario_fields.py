"""Human names for scenario fields, and each field's declared unit, rule and meaning.

The scenario format declares every field once (`app.engine.scenario.spec`: unit, range,
choices, documentation). This module adds only what a person reads: a short label per field,
so the editor, the tornado chart and the report name `costs.gpu_price_usd` as
"GPU price (USD/GPU)". Paths are dotted as in the format: `costs.pue`, `workloads[0].users`.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin, get_type_hints

from app.engine.scenario import Scenario

LABELS: dict[str, str] = {
    # scenario
    "name": "Name",
    "description": "Description",
    # workloads[i]
    "template": "Use case",
    "model": "Model",
    "weights": "Weights format",
    "kv_cache": "KV-cache format",
    "users": "Users",
    "requests_per_user_per_day": "Requests per user",
    "input_tokens": "Input tokens",
    "output_tokens": "Output tokens",
    "active_hours_per_day": "Active hours",
    "active_days_per_year": "Active days",
    "peak_factor": "Peak factor",
    "ttft_target_ms": "TTFT target",
    "tpot_target_ms": "TPOT target",
    "slo_percentile": "SLO percentile",
    "growth_per_year": "Demand growth",
    "cloud_api": "Cloud API",
    # deployment
    "accelerator": "Accelerator",
    "gpu_count": "GPU count",
    "server": "Server",
    "gpus_per_server": "GPUs per server",
    "tp": "Tensor parallel",
    "pp": "Pipeline parallel",
    "engine": "Serving engine",
    "redundancy": "Redundancy",
    "scale_with_growth": "Buy more as demand grows",
    "whole_servers": "Buy whole servers",
    "gpu_sharing": "GPU sharing",
    # workloads[i].embedding / reranker / guard / finetune
    "corpus_documents": "Corpus documents",
    "tokens_per_document": "Tokens per document",
    "chunk_tokens": "Chunk length",
    "reembeds_per_month": "Re-embeddings",
    "dimension": "Vector dimension",
    "vector_precision": "Vector precision",
    "index": "Vector index",
    "hnsw_m": "HNSW links (M)",
    "candidates_per_query": "Candidates per query",
    "passage_tokens": "Passage length",
    "checks_per_request": "Checks per request",
    "method": "Training method",
    "dataset_tokens": "Dataset",
    "epochs": "Epochs",
    "runs_per_month": "Runs",
    "seq_len_tokens": "Sequence length",
    "micro_batch": "Micro-batch",
    "gpus": "GPUs per run",
    "zero_stage": "ZeRO stage",
    "checkpointing": "Checkpointing",
    "optimizer": "Optimizer",
    "lora_rank": "LoRA rank",
    "lora_targets": "LoRA targets",
    "deadline_hours": "Deadline",
    # costs
    "horizon_months": "Horizon",
    "discount_rate_per_year": "Discount rate",
    "capex_treatment": "Capital treatment",
    "hardware_life_years": "Hardware life",
    "residual_fraction": "Residual value",
    "refresh_at_end_of_life": "Refresh at end of life",
    "financing_rate_per_year": "Financing rate",
    "financing_term_months": "Financing term",
    "gpu_price_usd": "GPU price",
    "server_price_usd": "Server price",
    "network_usd_per_server": "Network per server",
    "storage_usd": "Storage",
    "integration_usd": "Integration",
    "facility_usd": "Facility works",
    "gpu_power_w": "GPU power",
    "server_base_power_w": "Server base power",
    "load_factor": "Load factor",
    "pue": "PUE",
    "energy_usd_per_kwh": "Energy price",
    "hosting_usd_per_kw_month": "Hosting",
    "support_fraction_per_year": "Support",
    "software_usd_per_gpu_month": "Software",
    "staff_fte": "Staff",
    "staff_loaded_usd_per_year": "Staff cost",
    "other_usd_per_month": "Other costs",
    # alternatives ("cloud_api" is shared with workloads)
    "api_input_usd_per_mtok": "API input price",
    "api_output_usd_per_mtok": "API output price",
    "api_cached_input_usd_per_mtok": "API cached-input price",
    "api_cached_input_fraction": "Cached input share",
    "gpu_rental": "GPU rental offer",
    "rental_pricing": "Rental pricing",
    "rental_usd_per_gpu_hour": "Rental rate",
    "rental_hours_per_month": "Rented hours",
    "rental_includes_operations": "Rental pays operations too",
    # requirements
    "deployment_mode": "Deployment mode",
    "data_classification": "Data classification",
    "jurisdiction": "Jurisdiction",
    "allowed_licences": "Allowed licences",
    "allowed_model_origins": "Allowed model origins",
    "allowed_hardware_vendors": "Allowed hardware vendors",
    "allowed_hardware_origins": "Allowed hardware origins",
    "export_control_exposure": "Export-control exposure",
    "vendor_support_region": "Vendor support region",
    "commercial_use": "Commercial use",
    "use_restriction_exposure": "Use-restriction exposure",
}

_WORKLOAD = re.compile(r"^workloads\[(\d+)\]\.([a-z_0-9.]+)$")
_SEGMENT = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[(\d+)\])?$")


@dataclass(frozen=True)
class FieldInfo:
    """One scenario field as the format declares it.

    kind: `int`, `float`, `text`, `bool` or `list` (of text); `optional`: null is allowed.
    rule: the range or choice rule in words ("≥ 1, ≤ 24"), empty when there is none.
    """

    path: str
    name: str
    label: str
    unit: str
    doc: str
    kind: str
    optional: bool
    choices: tuple[str, ...]
    rule: str
    meta: Mapping[str, Any]
    default: Any = None  # the format's default (None when the field is required)


def _section_of(path: str) -> tuple[type[Any], str] | None:
    """The dataclass declaring the last segment of `path`, and that segment's name."""
    parts = path.split(".")
    cls: Any = Scenario
    for raw in parts[:-1]:
        m = _SEGMENT.match(raw)
        if not m or not dataclasses.is_dataclass(cls):
            return None
        hints = _hints(cls)  # type: ignore[arg-type]
        if m.group(1) not in hints:
            return None
        tp = hints[m.group(1)]
        args = [a for a in get_args(tp) if a is not type(None)]
        if get_origin(tp) is tuple or (m.group(2) is not None):
            tp = get_args(tp)[0] if get_origin(tp) is tuple else None
        elif get_origin(tp) in (Union, types.UnionType) and len(args) == 1:
            tp = args[0]
        if tp is None or not dataclasses.is_dataclass(tp):
            return None
        cls = tp
    last = _SEGMENT.match(parts[-1])
    if not last or last.group(2) is not None:
        return None
    return cls, last.group(1)


def _kind(tp: Any) -> tuple[str, bool]:
    optional = False
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        optional = len(args) < len(get_args(tp))
        tp = args[0]
    if tp is bool:
        return "bool", optional
    if tp is int:
        return "int", optional
    if tp is float:
        return "float", optional
    if get_origin(tp) is tuple:
        return "list", optional
    return "text", optional


def rule_text(meta: Mapping[str, Any]) -> str:
    """The range rule of a field in words, e.g. `> 0, ≤ 24`."""
    parts = []
    for key, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
        if meta.get(key) is not None:
            parts.append(f"{sign} {meta[key]:g}")
    return ", ".join(parts)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def field_info(path: str) -> FieldInfo:
    """What the format declares for `path`; KeyError for a path that is not a leaf field."""
    found = _section_of(path)
    if found is None:
        raise KeyError(path)
    cls, name = found
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if name not in fields:
        raise KeyError(path)
    f = fields[name]
    kind, optional = _kind(_hints(cls)[name])
    meta = f.metadata
    return FieldInfo(
        path=path,
        name=name,
        label=LABELS.get(name, name.replace("_", " ")),
        unit=str(meta.get("unit") or ""),
        doc=str(meta.get("doc") or ""),
        kind=kind,
        optional=optional,
        choices=tuple(meta.get("choices") or ()),
        rule=rule_text(meta),
        meta=meta,
        default=_default(f),
    )


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return list(f.default) if isinstance(f.default, tuple) else f.default
    if f.default_factory is not dataclasses.MISSING:
        return None
    return None


def field_label(path: str, *, with_unit: bool = True, workload_names: tuple[str, ...] = ()
                ) -> str:
    """"GPU price (USD/GPU)"; a workload field is prefixed by its workload when there are
    several ("chat: Users (users)"). Unknown paths come back as they are."""
    try:
        info = field_info(path)
    except KeyError:
        return path
    text = info.label
    if with_unit and info.unit and info.unit != info.label.lower():
        text = f"{text} ({info.unit})"
    m = _WORKLOAD.match(path)
    if m and len(workload_names) > 1:
        index = int(m.group(1))
        if index < len(workload_names):
            text = f"{workload_names[index]}: {text}"
    return text
