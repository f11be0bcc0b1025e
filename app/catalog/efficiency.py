"""Read the engine's efficiency data (`resources/efficiency/factors.json`) into typed tables.

The file holds fitted factor groups (per engine family and hardware class, with how they were
fitted and their residuals), engine profiles and hardware-class profiles; see
`app.engine.efficiency` for what each value means. Bad files raise `CatalogError` naming the
field and the rule.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.catalog.loader import CatalogError
from app.engine.efficiency import (
    EfficiencyFactors,
    EfficiencyTable,
    EngineProfile,
    HardwareClassProfile,
)
from app.paths import resources_dir

FACTOR_FIELDS = ("mfu", "mbu", "layer_overhead_us")
OPTIONAL_FACTOR_FIELDS = ("prefill_overhead_us",)  # files from before it default to 0


def factors_path() -> Path:
    """The shipped efficiency file."""
    return resources_dir() / "efficiency" / "factors.json"


def factor_values(raw: Mapping[str, Any]) -> dict[str, float]:
    """The factors of a group as floats: `mfu` and `mbu` in (0, 1], `layer_overhead_us` and
    `prefill_overhead_us` (0 when absent) at least 0, each a finite number. ValueError names the first broken rule (`mfu must be in (0, 1]`);
    shared by the shipped file and a workspace's site refits."""
    values: dict[str, float] = {}
    for name in FACTOR_FIELDS + OPTIONAL_FACTOR_FIELDS:
        value = raw.get(name, 0.0 if name in OPTIONAL_FACTOR_FIELDS else None)
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value):
            raise ValueError(f"{name} must be a number")
        if name in ("mfu", "mbu") and not 0.0 < value <= 1.0:
            raise ValueError(f"{name} must be in (0, 1]")
        if name not in ("mfu", "mbu") and value < 0.0:
            raise ValueError(f"{name} must be at least 0")
        values[name] = float(value)
    return values


def _factors(raw: Any, where: str) -> EfficiencyFactors:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: must be an object with {', '.join(FACTOR_FIELDS)}")
    try:
        return EfficiencyFactors(**factor_values(raw))
    except ValueError as exc:
        raise CatalogError(f"{where}: {exc}") from None


def _profile(cls: type[Any], key: str, raw: Any, where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: must be an object")
    allowed = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in allowed:
            continue
        if name == "fit_start":
            value = _factors(value, f"{where}: fit_start")
        if name == "segment_references":
            if not isinstance(value, Mapping):
                raise CatalogError(f"{where}: segment_references must be an object")
            value = {str(k): str(v) for k, v in value.items()}
        if name == "large_memory_excluded":
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise CatalogError(f"{where}: large_memory_excluded must be a list of text")
            value = tuple(v.lower() for v in value)
        if name == "prior_scales":
            if not (isinstance(value, list) and len(value) == 3):
                raise CatalogError(f"{where}: prior_scales must be a list of 3 numbers")
            value = tuple(float(v) for v in value)
        values[name] = value
    first = "family" if cls is EngineProfile else "hardware_class"
    values[first] = key
    try:
        return cls(**values)
    except TypeError as exc:
        raise CatalogError(f"{where}: {exc}") from None


def parse_efficiency(
    data: Any, origin: str = "factors.json"
) -> tuple[EfficiencyTable, dict[str, str]]:
    """The table and the engine-name aliases from decoded JSON."""
    if not isinstance(data, Mapping) or data.get("kind") != "efficiency":
        raise CatalogError(f"{origin}: must be a JSON object with kind 'efficiency'")
    groups: dict[tuple[str, str], EfficiencyFactors] = {}
    for i, g in enumerate(data.get("groups") or []):
        where = f"{origin}: groups[{i}]"
        if not isinstance(g, Mapping):
            raise CatalogError(f"{where}: must be an object")
        engine, hw = g.get("engine"), g.get("hardware_class")
        if not isinstance(engine, str) or not isinstance(hw, str):
            raise CatalogError(f"{where}: engine and hardware_class must be text")
        groups[(engine, hw)] = _factors(g, where)
    engines = {
        k: _profile(EngineProfile, k, v, f"{origin}: engines.{k}")
        for k, v in (data.get("engines") or {}).items()
    }
    classes = {
        k: _profile(HardwareClassProfile, k, v, f"{origin}: hardware_classes.{k}")
        for k, v in (data.get("hardware_classes") or {}).items()
    }
    bands: dict[str, tuple[float, float]] = {}
    for metric, band in (data.get("bands") or {}).items():
        low, high = band.get("p10"), band.get("p90")
        if not isinstance(low, int | float) or not isinstance(high, int | float):
            raise CatalogError(f"{origin}: bands.{metric} needs numbers p10 and p90")
        bands[metric] = (float(low), float(high))
    default = _factors(data.get("default") or {}, f"{origin}: default")
    aliases = {str(k).lower(): str(v) for k, v in (data.get("engine_aliases") or {}).items()}
    table = EfficiencyTable(
        groups=groups,
        engines=engines,
        classes=classes,
        default=default,
        bands=bands,
        version=str(data.get("version", "")),
    )
    return table, aliases


def read_raw(path: Path | None = None) -> dict[str, Any]:
    """The decoded JSON of the efficiency file."""
    path = path or factors_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CatalogError(f"{path.name}: is not valid UTF-8 JSON") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{path.name}: must be a JSON object")
    return raw


def load_efficiency(path: Path | None = None) -> tuple[EfficiencyTable, dict[str, str]]:
    """The shipped (or given) efficiency table and engine aliases."""
    path = path or factors_path()
    return parse_efficiency(read_raw(path), path.name)
