"""What the user types into a scenario field, read as the format's value (Qt-free).

The editor shows fractions as percent (`0.08 fraction/year` is typed and shown as `8 %/year`),
accepts thousands separators and k/M suffixes (`2,000`, `25k`, `1.5M`), and reads an empty
optional field as null (a catalog value, an automatic size, no target). A value that breaks the
field's rule is refused with the rule in the units the user sees, e.g. `must be at most 100 %`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from app.operations.scenario_edit import FieldRefused
from app.operations.scenario_fields import FieldInfo

PERCENT_UNITS = {"fraction": "%", "fraction/year": "%/year"}
_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([kKmM]?)$")
_SUFFIX = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}


def display_unit(info: FieldInfo) -> str:
    """The unit shown beside the field; a whole number without a unit that takes one of a
    few values (a ZeRO stage) shows them instead (`0–3`)."""
    if not info.unit and info.kind == "int":
        low, high = info.meta.get("ge"), info.meta.get("le")
        if low is not None and high is not None and high - low <= 10:
            return f"{low:g}–{high:g}"
    return PERCENT_UNITS.get(info.unit, info.unit)


def display_scale(info: FieldInfo) -> float:
    return 100.0 if info.unit in PERCENT_UNITS else 1.0


def format_value(info: FieldInfo, value: Any) -> str:
    """A stored value as the editor shows it ('' for null)."""
    if value is None:
        return ""
    if info.kind == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if info.kind in ("int", "float") and isinstance(value, int | float) and not isinstance(
            value, bool):
        shown = float(value) * display_scale(info)
        if shown.is_integer() and abs(shown) < 1e15:
            return f"{int(shown):,}"
        return f"{shown:,.6g}" if abs(shown) >= 1000 else f"{shown:.6g}"
    return str(value)


def parse_number(text: str) -> float | None:
    """`2,000` → 2000, `25k` → 25000, `1.5M` → 1.5e6, `8 %` → 8; None if not a number."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "").rstrip("%")
    m = _NUMBER.match(cleaned)
    if not m:
        return None
    value = float(m.group(1)) * _SUFFIX[m.group(2)]
    return value if math.isfinite(value) else None


def _rule_in_display_units(info: FieldInfo, value: float) -> str | None:
    scale = display_scale(info)
    unit = display_unit(info)
    suffix = f" {unit}" if unit in ("%", "%/year") else ""
    meta = info.meta
    for key, words, broken in (("ge", "at least", value < (meta.get("ge") or 0) * scale),
                               ("gt", "greater than", value <= (meta.get("gt") or 0) * scale),
                               ("le", "at most", value > (meta.get("le") or 0) * scale),
                               ("lt", "less than", value >= (meta.get("lt") or 0) * scale)):
        if meta.get(key) is not None and broken:
            return f"must be {words} {meta[key] * scale:g}{suffix}"
    return None


def parse_input(info: FieldInfo, text: str) -> Any:
    """The stored value for what was typed; FieldRefused (path, rule) when it cannot be."""
    stripped = text.strip()
    if info.kind in ("int", "float"):
        if not stripped:
            if info.optional:
                return None
            raise FieldRefused(info.path, "is required")
        number = parse_number(stripped)
        if number is None:
            raise FieldRefused(info.path, "must be a number"
                               + (" (e.g. 2,000 or 25k)" if abs(display_scale(info) - 1) < 1e-9
                                  else ""))
        problem = _rule_in_display_units(info, number)
        if problem:
            raise FieldRefused(info.path, problem)
        value = number / display_scale(info)
        if info.kind == "int":
            if not float(value).is_integer():
                raise FieldRefused(info.path, "must be a whole number")
            return int(value)
        return value
    if info.kind == "list":
        return [part.strip() for part in stripped.split(",") if part.strip()]
    if info.kind == "bool":
        return stripped.lower() in ("1", "true", "yes", "on")
    if not stripped and info.optional:
        return None
    if info.choices and stripped not in info.choices:
        raise FieldRefused(info.path, f"must be one of {', '.join(info.choices)}")
    pattern = info.meta.get("pattern")
    if pattern and not re.match(pattern, stripped):
        raise FieldRefused(info.path, f"must be {info.meta.get('pattern_doc') or 'of the allowed form'}")
    max_len = int(info.meta.get("max_len") or 200)
    if len(stripped) > max_len:
        raise FieldRefused(info.path, f"must be at most {max_len} characters")
    return stripped if info.name not in ("description",) else text
