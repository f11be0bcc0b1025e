"""Read and write scenario dicts (decoded JSON), enforcing the rules declared on each field.

Every message names the dotted field and the rule, e.g.
`workloads[0].peak_factor: must be at least 1`. Unknown fields are refused (they are usually
typos), and a file from a newer format version is refused rather than half-read.

Dotted paths: `section.field`, `workloads[i].field`; the same paths key `uncertainty` and
`assumptions[].field`, and `value_at` / `replace_at` read and change a scenario by path.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin, get_type_hints

from app.engine.scenario import (
    GENERATIVE_TEMPLATES,
    KEYED_SECTIONS,
    SCHEMA_VERSION,
    SECTION_TEMPLATES,
    FinetuneSpec,
    Scenario,
    ScenarioError,
    UncertainInput,
    Workload,
)
from app.engine.transformer_dims import LINEAR_TARGETS, TARGET_ALIASES

_SEGMENT = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[(\d+)\])?$")


_HINTS: dict[Any, dict[str, Any]] = {}


def _hints(cls: Any) -> dict[str, Any]:
    """Resolved type hints of a dataclass (cached: they never change)."""
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _optional_inner(tp: Any) -> Any | None:
    """`X` for `X | None`, else None."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return args[0]
    return None


def number_rule_error(value: float, meta: Mapping[str, Any]) -> str | None:
    """The first range rule in `meta` that `value` breaks, as a message."""
    if meta.get("ge") is not None and value < meta["ge"]:
        return f"must be at least {meta['ge']:g}"
    if meta.get("gt") is not None and value <= meta["gt"]:
        return f"must be greater than {meta['gt']:g}"
    if meta.get("le") is not None and value > meta["le"]:
        return f"must be at most {meta['le']:g}"
    if meta.get("lt") is not None and value >= meta["lt"]:
        return f"must be less than {meta['lt']:g}"
    return None


def _number(value: Any, path: str, meta: Mapping[str, Any], whole: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{path}: must be {'a whole number' if whole else 'a number'}")
    if not math.isfinite(value):
        raise ScenarioError(f"{path}: must be a finite number")
    if whole and not float(value).is_integer():
        raise ScenarioError(f"{path}: must be a whole number")
    problem = number_rule_error(value, meta)
    if problem:
        raise ScenarioError(f"{path}: {problem}")
    return int(value) if whole else float(value)


def _text(value: Any, path: str, meta: Mapping[str, Any]) -> str:
    if not isinstance(value, str):
        raise ScenarioError(f"{path}: must be text")
    choices = meta.get("choices")
    if choices and value not in choices:
        raise ScenarioError(f"{path}: must be one of {', '.join(choices)}")
    if len(value) > meta.get("max_len", 200):
        raise ScenarioError(f"{path}: must be at most {meta.get('max_len', 200)} characters")
    pattern = meta.get("pattern")
    if pattern and not re.match(pattern, value):
        raise ScenarioError(f"{path}: must be {meta.get('pattern_doc') or 'of the allowed form'}")
    return value


def _value(tp: Any, value: Any, path: str, meta: Mapping[str, Any], keyed_by: str | None) -> Any:
    inner = _optional_inner(tp)
    if inner is not None:
        return None if value is None else _value(inner, value, path, meta, keyed_by)
    if value is None:
        raise ScenarioError(f"{path}: must not be null")
    if tp is bool:
        if not isinstance(value, bool):
            raise ScenarioError(f"{path}: must be true or false")
        return value
    if tp is int:
        return _number(value, path, meta, whole=True)
    if tp is float:
        return _number(value, path, meta, whole=False)
    if tp is str:
        return _text(value, path, meta)
    if get_origin(tp) is tuple:
        item_type = get_args(tp)[0]
        if keyed_by is not None:
            return _keyed_items(item_type, value, path, keyed_by)
        if not isinstance(value, list):
            raise ScenarioError(f"{path}: must be a list")
        if len(value) < meta.get("min_items", 0):
            raise ScenarioError(f"{path}: must have at least {meta['min_items']} item(s)")
        item_meta = {"max_len": meta.get("max_len", 200)}
        return tuple(
            _value(item_type, item, f"{path}[{i}]", item_meta, None) for i, item in enumerate(value)
        )
    if dataclasses.is_dataclass(tp):
        return _dataclass(tp, value, path)
    raise TypeError(f"scenario field type {tp!r} is not supported")  # a bug, not user input


def _keyed_items(item_type: type, value: Any, path: str, key: str) -> tuple[Any, ...]:
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{path}: must be an object keyed by {key}")
    items = []
    for name, body in value.items():
        where = f'{path}["{name}"]'
        if not isinstance(body, Mapping):
            raise ScenarioError(f"{where}: must be an object")
        if key in body:
            raise ScenarioError(f"{where}.{key}: is given by the key; remove it")
        items.append(_dataclass(item_type, {key: name, **body}, where))
    return tuple(items)


def _dataclass(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{path or 'scenario'}: must be an object")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            raise ScenarioError(f"{_join(path, str(key))}: is not a known field")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        where = _join(path, name)
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ScenarioError(f"{where}: is required")
            continue
        keyed = KEYED_SECTIONS.get(name) if cls is Scenario else None
        kwargs[name] = _value(hints[name], data[name], where, f.metadata, keyed)
    return cls(**kwargs)


def scenario_from_dict(data: Any) -> Scenario:
    """Validate decoded JSON and build a Scenario; ScenarioError names the first broken rule."""
    if not isinstance(data, Mapping):
        raise ScenarioError("scenario: must be a JSON object")
    version = data.get("schema_version", SCHEMA_VERSION)
    # Whole floats count as integers here as everywhere (2.0 is 2), so 1e308 is "newer" too.
    if (isinstance(version, int | float) and not isinstance(version, bool)
            and version > SCHEMA_VERSION):
        raise ScenarioError(
            f"schema_version: {version} was written by a newer Enclave; this one reads "
            f"version {SCHEMA_VERSION} and older"
        )
    scenario: Scenario = _dataclass(Scenario, data, "")
    scenario = dataclasses.replace(
        scenario,
        workloads=tuple(_legacy_finetune(i, w) for i, w in enumerate(scenario.workloads)),
    )
    _check_cross_field_rules(scenario)
    return scenario


MAX_RUNS_PER_MONTH = 744.0


def _legacy_finetune(i: int, w: Workload) -> Workload:
    """A finetune workload written before its section existed, converted on read.

    The shipped template then said: one request is one training run and `input_tokens` is the
    tokens trained per run. So dataset_tokens = input_tokens (one epoch) and runs per month =
    users × requests_per_user_per_day × active_days_per_year / 12.
    """
    if w.template != "finetune" or w.finetune is not None:
        return w
    if w.users is None or w.requests_per_user_per_day is None or w.input_tokens is None:
        return w  # the kind rules report the missing section
    runs = w.users * w.requests_per_user_per_day * w.active_days_per_year / 12.0
    if runs > MAX_RUNS_PER_MONTH:
        raise ScenarioError(
            f"workloads[{i}].requests_per_user_per_day: read as training runs (a finetune "
            f"workload without a finetune section), it gives {runs:,.0f} runs a month; "
            f"add a finetune section"
        )
    spec = FinetuneSpec(dataset_tokens=float(w.input_tokens), runs_per_month=runs)
    return dataclasses.replace(w, finetune=spec)


def _check_cross_field_rules(scenario: Scenario) -> None:
    seen: dict[str, int] = {}
    for i, w in enumerate(scenario.workloads):
        if not w.name.strip():
            raise ScenarioError(f"workloads[{i}].name: is required")
        if w.name in seen:
            raise ScenarioError(
                f"workloads[{i}].name: must be unique ('{w.name}' is also workloads[{seen[w.name]}])"
            )
        seen[w.name] = i
        _check_workload_kind(i, w)
    if not scenario.name.strip():
        raise ScenarioError("name: is required")
    numeric = numeric_paths(scenario)
    for u in scenario.uncertainty:
        _check_range(u, numeric)
        if u.path.startswith("workloads[") and value_at(scenario, u.path) is None:
            raise ScenarioError(
                f'uncertainty["{u.path}"]: the field is null (this workload does not use it)'
            )
    every = set(field_paths(scenario))
    for i, a in enumerate(scenario.assumptions):
        if a.field and a.field not in every:
            raise ScenarioError(f"assumptions[{i}].field: '{a.field}' is not a scenario field")


_DEMAND_FIELDS = ("users", "requests_per_user_per_day", "input_tokens")
_TARGETS = frozenset(LINEAR_TARGETS) | frozenset(TARGET_ALIASES) | {"all", "all-linear"}


def _check_workload_kind(i: int, w: Workload) -> None:
    """Each kind's required fields, and sections only on the workload kind that uses them."""
    where = f"workloads[{i}]"
    kind = f"{'an' if w.template[0] in 'aeiou' else 'a'} {w.template} workload"
    if w.template != "finetune":
        for name in _DEMAND_FIELDS:
            if getattr(w, name) is None:
                raise ScenarioError(f"{where}.{name}: is required for {kind}")
    if w.output_tokens is None and w.template in (*GENERATIVE_TEMPLATES, "guard"):
        raise ScenarioError(f"{where}.output_tokens: is required for {kind}")
    for section in SECTION_TEMPLATES:
        if getattr(w, section) is not None and w.template != section:
            raise ScenarioError(
                f"{where}.{section}: is only used by {section} workloads (this one is "
                f"{w.template}); remove it"
            )
    if w.template == "finetune":
        if w.finetune is None:
            raise ScenarioError(f"{where}.finetune: is required for a finetune workload")
        if w.finetune.method != "full" and not w.finetune.lora_targets:
            raise ScenarioError(
                f"{where}.finetune.lora_targets: must name at least one matrix for "
                f"{w.finetune.method} (e.g. q, k, v, o)"
            )
        for k, target in enumerate(w.finetune.lora_targets):
            if target.lower() not in _TARGETS:
                raise ScenarioError(
                    f"{where}.finetune.lora_targets[{k}]: must be one of "
                    f"{', '.join(LINEAR_TARGETS)} or all"
                )


def _check_range(u: UncertainInput, numeric: Mapping[str, Mapping[str, Any]]) -> None:
    where = f'uncertainty["{u.path}"]'
    meta = numeric.get(u.path)
    if meta is None:
        raise ScenarioError(f"{where}: is not a numeric scenario field that can carry a range")
    for part in ("low", "likely", "high"):
        value = getattr(u, part)
        problem = None if value is None else number_rule_error(value, meta)
        if problem:
            raise ScenarioError(f"{where}.{part}: {problem}")
    if u.low > u.high:
        raise ScenarioError(f"{where}.high: must be at least low ({u.low:g})")
    if u.likely is not None and not u.low <= u.likely <= u.high:
        raise ScenarioError(f"{where}.likely: must lie between low and high")


def _walk(obj: Any, path: str) -> list[tuple[str, Any, dataclasses.Field[Any]]]:
    """Every leaf field below a dataclass instance: (dotted path, type hint, field)."""
    out = []
    hints = _hints(type(obj))
    for f in dataclasses.fields(obj):
        where = _join(path, f.name)
        value = getattr(obj, f.name)
        tp = hints[f.name]
        if dataclasses.is_dataclass(value):
            out.extend(_walk(value, where))
        elif get_origin(tp) is tuple and dataclasses.is_dataclass(get_args(tp)[0]):
            if f.name == "workloads":
                for i, item in enumerate(value):
                    out.extend(_walk(item, f"{where}[{i}]"))
        else:
            out.append((where, tp, f))
    return out


def field_paths(scenario: Scenario) -> list[str]:
    """Dotted paths of every leaf input field (sections and workloads)."""
    return [p for p, _, _ in _walk(scenario, "")]


def numeric_paths(scenario: Scenario) -> dict[str, Mapping[str, Any]]:
    """Dotted path -> field metadata for every numeric field that may carry a range."""
    out: dict[str, Mapping[str, Any]] = {}
    for path, tp, f in _walk(scenario, ""):
        base = _optional_inner(tp) or tp
        if base in (int, float) and f.metadata.get("uncertain", True):
            out[path] = f.metadata
    return out


def _segments(path: str) -> list[tuple[str, int | None]]:
    parts = []
    for raw in path.split("."):
        m = _SEGMENT.match(raw)
        if not m:
            raise KeyError(path)
        parts.append((m.group(1), int(m.group(2)) if m.group(2) is not None else None))
    return parts


def value_at(scenario: Scenario, path: str) -> Any:
    """The value at a dotted path; KeyError when the path does not exist."""
    obj: Any = scenario
    for name, index in _segments(path):
        if not dataclasses.is_dataclass(obj) or name not in {
            f.name for f in dataclasses.fields(obj)
        }:
            raise KeyError(path)
        obj = getattr(obj, name)
        if index is not None:
            if not isinstance(obj, tuple) or index >= len(obj):
                raise KeyError(path)
            obj = obj[index]
    return obj


def replace_at(scenario: Scenario, path: str, value: Any) -> Scenario:
    """A copy of the scenario with one field changed (not re-validated)."""
    return _replace(scenario, _segments(path), value, path)  # type: ignore[no-any-return]


def _replace(obj: Any, segments: list[tuple[str, int | None]], value: Any, path: str) -> Any:
    (name, index), rest = segments[0], segments[1:]
    if not dataclasses.is_dataclass(obj) or name not in {f.name for f in dataclasses.fields(obj)}:
        raise KeyError(path)
    current = getattr(obj, name)
    if index is None:
        new = _replace(current, rest, value, path) if rest else value
    else:
        if not isinstance(current, tuple) or index >= len(current):
            raise KeyError(path)
        item = _replace(current[index], rest, value, path) if rest else value
        new = current[:index] + (item,) + current[index + 1 :]
    return dataclasses.replace(obj, **{name: new})  # type: ignore[type-var]


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """JSON-ready dict in field order; `uncertainty` becomes an object keyed by path."""
    return _to_json(scenario)  # type: ignore[no-any-return]


def _to_json(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            key = KEYED_SECTIONS.get(f.name) if isinstance(obj, Scenario) else None
            if key is not None:
                out[f.name] = {
                    getattr(item, key): {k: v for k, v in _to_json(item).items() if k != key}
                    for item in value
                }
            else:
                out[f.name] = _to_json(value)
        return out
    if isinstance(obj, tuple):
        return [_to_json(v) for v in obj]
    return obj
