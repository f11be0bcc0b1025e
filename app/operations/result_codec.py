"""An `EvaluationResult` as JSON text and back, whole (for the workspace's results cache).

`enclave evaluate --json` is a reader's view (NaN as null, derived keys); this is the object
itself: every dataclass field by name, read back through the fields' type hints, so the decoded
result is the same frozen dataclass tree the engine built (tuples as tuples, NaN as NaN).

- Non-finite floats are `{"__float__": "nan" | "inf" | "-inf"}` (SQLite's json_valid refuses
  bare NaN).
- numpy arrays are `{"__ndarray__": base64, "dtype", "shape"}`; the Monte Carlo per-draw
  samples (`MonteCarloResult.samples`, 100,000 values per KPI, drawn only as a histogram) are
  kept at single precision, which halves the cache and moves a TCO by cents.
- Values typed `Any` (the `basis` dicts) round-trip as plain JSON: tuples come back as lists.

No pickle: only the dataclasses named by the result's own type hints are ever built.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import types
import typing
from functools import cache
from typing import Any

import numpy as np

from app.errors import UserError
from app.operations.evaluate import EvaluationResult

CODEC_VERSION = 1
SAMPLE_DTYPE = np.float32


class ResultCodecError(UserError):
    """Cached result text that does not decode to an evaluation result."""


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return {"__float__": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _array(a: np.ndarray[Any, Any], dtype: Any = None) -> dict[str, Any]:
    data = np.ascontiguousarray(a, dtype=dtype or a.dtype)
    return {"__ndarray__": base64.b64encode(data.tobytes()).decode("ascii"),
            "dtype": str(data.dtype), "shape": list(data.shape)}


def encode(value: Any, path: str = "") -> Any:
    """Plain JSON data for `value` (dataclasses by field name; see the module docstring)."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float | np.floating):
        return _float(float(value))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.ndarray):
        return _array(value, SAMPLE_DTYPE if path.startswith("samples.") else None)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name), f.name)
                for f in dataclasses.fields(value) if f.init}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: encode(v, f"{path}.{k}") for k, v in value.items()}
        return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple | list):
        return [encode(v, path) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__} at '{path}'")


def _plain(data: Any) -> Any:
    """Decode tagged values inside untyped (`Any`) data."""
    if isinstance(data, dict):
        if "__float__" in data:
            return float(data["__float__"])
        if "__ndarray__" in data:
            return _ndarray(data)
        if "__items__" in data:
            return {_key(k): _plain(v) for k, v in data["__items__"]}
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _key(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k


def _ndarray(data: dict[str, Any]) -> np.ndarray[Any, Any]:
    raw = base64.b64decode(data["__ndarray__"])
    array = np.frombuffer(raw, dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    return array.astype(np.float64) if array.dtype == SAMPLE_DTYPE else array.copy()


Decoder = typing.Callable[[Any], Any]


def decode(tp: Any, data: Any) -> Any:
    """`data` (from `encode`) as a value of type `tp`."""
    return _decoder(tp)(data)


def _float_value(data: Any) -> float:
    return float(data["__float__"]) if isinstance(data, dict) else float(data)


@cache
def _decoder(tp: Any) -> Decoder:
    """A function reading `encode`d data as type `tp`, built once per type (a result holds
    thousands of values of a few dozen types)."""
    if tp is Any or tp is object:
        return _plain
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        arms = [a for a in args if a is not type(None)]
        inner = _decoder(arms[0]) if len(arms) == 1 else _plain  # str | float: JSON kinds
        return lambda data: None if data is None else inner(data)
    if tp is float:
        return _float_value
    if tp in (int, str, bool):
        return typing.cast(Decoder, tp)
    if tp is np.ndarray or origin is np.ndarray:
        return _ndarray
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(v) for v in data)
        items = [_decoder(a) for a in args]
        return lambda data: tuple(f(v) for f, v in zip(items, data, strict=True))
    if origin is list:
        element = _decoder(args[0])
        return lambda data: [element(v) for v in data]
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])

        def read_dict(data: Any) -> dict[Any, Any]:
            if isinstance(data, dict) and "__items__" in data:
                return {key(_key(k)): value(v) for k, v in data["__items__"]}
            return {k: value(v) for k, v in data.items()}

        return read_dict
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    raise TypeError(f"cannot decode into {tp!r}")


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    fields: list[tuple[str, Decoder]] = []

    def read(data: Any) -> Any:
        if not fields:  # resolved on first use: a field's type may be this very class
            fields.extend((n, _decoder(hints[n])) for n in names)
        return cls(**{n: f(data[n]) for n, f in fields if n in data})

    return read


def result_to_json(result: EvaluationResult) -> str:
    """The whole result as compact JSON text (valid JSON: no NaN, no infinities)."""
    return json.dumps({"codec": CODEC_VERSION, "result": encode(result)},
                      separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def result_from_json(text: str) -> EvaluationResult:
    """The result `result_to_json` wrote; `ResultCodecError` for anything else."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("codec") != CODEC_VERSION:
            raise ResultCodecError("cached result: written by another version of Enclave")
        result = decode(EvaluationResult, data["result"])
    except ResultCodecError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ResultCodecError(f"cached result: cannot be read ({exc})") from None
    assert isinstance(result, EvaluationResult)
    return result
