"""Headers of safetensors files: exact tensor names, dtypes, shapes and sizes, no weights.

Format (huggingface/safetensors README, "Format"; checks as in `safetensors/src/tensor.rs`):

- 8 bytes: `N`, an unsigned little-endian 64-bit integer, the size of the header;
- `N` bytes: a UTF-8 JSON object `{"TENSOR_NAME": {"dtype": "F16", "shape": [1, 16, 256],
  "data_offsets": [BEGIN, END]}, ...}`, with an optional `__metadata__` text-to-text map;
  the reference implementation refuses headers over 100 MB;
- the rest of the file: the byte buffer. Offsets are relative to its start, `END` is one past
  the tensor's last byte, tensors are packed without gaps or overlaps, `END - BEGIN` equals the
  element count times the dtype size, and the last tensor ends where the file ends.

A sharded model lists its tensors in `model.safetensors.index.json` (`weight_map`: tensor ->
shard file name); a folder without an index is read as all of its `*.safetensors` files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from app.catalog.importers.binary import BoundedReader
from app.catalog.importers.errors import (
    INDEX_MISMATCH,
    ST_BAD_TENSOR,
    ST_DATA_MISMATCH,
    ST_HEADER_BEYOND_FILE,
    ST_HEADER_NOT_JSON,
    ST_HEADER_NOT_OBJECT,
    ST_HEADER_TOO_LARGE,
    ST_NO_TENSORS,
    TOO_SMALL,
    fail,
)

MAX_HEADER_BYTES = 100_000_000  # the reference implementation's limit
MAX_INDEX_BYTES = 50_000_000
MAX_ELEMENTS = 1 << 50  # far above any real tensor; keeps arithmetic on sane numbers
INDEX_NAME = "model.safetensors.index.json"

# Element size in bits per dtype (safetensors `Dtype::bitsize`).
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8,
    "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64,
}


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header declares it; `nbytes` is checked against dtype and shape."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    nbytes: int

    @property
    def numel(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count


@dataclass(frozen=True)
class SafetensorsHeader:
    """A checked header: its tensors, `__metadata__`, SHA-256 of the header bytes, file size."""

    file_name: str
    tensors: tuple[TensorInfo, ...]
    metadata: dict[str, str]
    header_sha256: str
    file_bytes: int


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result


def _decode_json(raw: bytes) -> Any:
    """JSON that refuses duplicate keys; raises ValueError or RecursionError."""
    text = raw.decode("utf-8")
    return json.loads(text, object_pairs_hook=_no_duplicates)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _tensor(label: str, name: str, spec: Any) -> tuple[TensorInfo, int, int]:
    """A tensor's info and its (begin, end) offsets, or `ModelFileError`."""

    def bad(rule: str) -> NoReturn:
        fail(label, ST_BAD_TENSOR, name=name[:200], rule=rule)

    if not isinstance(spec, Mapping):
        bad("must be an object with dtype, shape and data_offsets")
    dtype = spec.get("dtype")
    shape = spec.get("shape")
    offsets = spec.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        bad(f"dtype must be one of {', '.join(DTYPE_BITS)}")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        bad("shape must be a list of non-negative whole numbers")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(_is_count(o) for o in offsets) or offsets[0] > offsets[1]):
        bad("data_offsets must be [BEGIN, END] with 0 <= BEGIN <= END")
    info = TensorInfo(name=name, dtype=str(dtype), shape=tuple(shape or ()), nbytes=0)
    numel = info.numel
    if numel > MAX_ELEMENTS:
        bad(f"shape {shape} holds more than {MAX_ELEMENTS} elements")
    bits = numel * DTYPE_BITS[info.dtype]
    if bits % 8:
        bad(f"{numel} elements of {dtype} do not fill whole bytes")
    begin, end = offsets or (0, 0)
    if end - begin != bits // 8:
        bad(f"data_offsets span {end - begin} bytes but {numel} x {dtype} needs {bits // 8}")
    return TensorInfo(info.name, info.dtype, info.shape, bits // 8), begin, end


def _check_layout(label: str, spans: list[tuple[int, int, str]], data_bytes: int) -> None:
    """Tensors tile the byte buffer exactly: no gap, no overlap, nothing past the end."""
    expected = 0
    for begin, end, name in sorted(spans):
        if begin < expected:
            fail(label, ST_BAD_TENSOR, name=name[:200],
                 rule=f"data_offsets [{begin}, {end}] overlap the previous tensor")
        if begin > expected:
            fail(label, ST_BAD_TENSOR, name=name[:200],
                 rule=f"data_offsets start at {begin}, leaving a gap after byte {expected}")
        expected = end
    if expected > data_bytes:
        fail(label, ST_DATA_MISMATCH,
             rule=f"the header declares {expected} bytes of tensor data but the file holds "
                  f"{data_bytes}")
    if expected < data_bytes:
        fail(label, ST_DATA_MISMATCH,
             rule=f"the file holds {data_bytes - expected} bytes after the last tensor")


def read_header(path: Path, label: str | None = None) -> SafetensorsHeader:
    """Read and check one file's header; reads 8 + N bytes, never the tensor data."""
    label = label or path.name
    with BoundedReader(path, label) as reader:
        if reader.size < 8:
            fail(label, TOO_SMALL, fmt="safetensors", size=reader.size)
        length = reader.u64("the header length")
        if length > MAX_HEADER_BYTES:
            fail(label, ST_HEADER_TOO_LARGE, length=length, limit=MAX_HEADER_BYTES // 1_000_000)
        if length > reader.remaining:
            fail(label, ST_HEADER_BEYOND_FILE, length=length, size=reader.size)
        raw = reader.read(length, "the JSON header")
        digest = reader.sha256()
        size = reader.size
    try:
        header = _decode_json(raw)
    except UnicodeDecodeError:
        fail(label, ST_HEADER_NOT_JSON, detail="not UTF-8")
    except RecursionError:
        fail(label, ST_HEADER_NOT_JSON, detail="nested too deeply")
    except ValueError as exc:
        fail(label, ST_HEADER_NOT_JSON, detail=str(exc)[:120])
    if not isinstance(header, dict):
        fail(label, ST_HEADER_NOT_OBJECT)
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(v, str) for v in metadata.values()):
        fail(label, ST_BAD_TENSOR, name="__metadata__", rule="must be a map of text to text")
    tensors: list[TensorInfo] = []
    spans: list[tuple[int, int, str]] = []
    for name, spec in header.items():
        info, begin, end = _tensor(label, name, spec)
        tensors.append(info)
        spans.append((begin, end, name))
    _check_layout(label, spans, size - 8 - length)
    return SafetensorsHeader(file_name=label, tensors=tuple(tensors), metadata=dict(metadata),
                             header_sha256=digest, file_bytes=size)


def _read_index(folder: Path) -> dict[str, str]:
    """`weight_map` of a sharded model's index: tensor name -> shard file in the same folder."""
    path = folder / INDEX_NAME
    with BoundedReader(path, INDEX_NAME) as reader:
        if reader.size > MAX_INDEX_BYTES:
            fail(INDEX_NAME, INDEX_MISMATCH,
                 rule=f"is larger than the {MAX_INDEX_BYTES // 1_000_000} MB limit")
        raw = reader.read(reader.size, "the index")
    try:
        index = _decode_json(raw)
    except (ValueError, RecursionError):
        fail(INDEX_NAME, INDEX_MISMATCH, rule="is not valid UTF-8 JSON")
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        fail(INDEX_NAME, INDEX_MISMATCH, rule="weight_map must map tensor names to shard files")
    for shard in weight_map.values():
        if (not isinstance(shard, str) or Path(shard).name != shard or shard in ("", ".", "..")
                or not shard.endswith(".safetensors")):
            fail(INDEX_NAME, INDEX_MISMATCH,
                 rule=f"weight_map names {str(shard)[:120]!r}, which is not a *.safetensors "
                      "file name in the same folder")
    return dict(weight_map)


def read_folder(folder: Path) -> tuple[SafetensorsHeader, ...]:
    """Every shard header of a model folder (from the index if there is one), checked."""
    if (folder / INDEX_NAME).is_file():
        weight_map = _read_index(folder)
        names = sorted(set(weight_map.values()))
        for name in names:
            if not (folder / name).is_file():
                fail(INDEX_NAME, INDEX_MISMATCH, rule=f"names {name}, which is missing")
    else:
        names = sorted(p.name for p in folder.glob("*.safetensors") if p.is_file())
        weight_map = {}
    headers = tuple(read_header(folder / name) for name in names)
    seen: dict[str, str] = {}
    for header in headers:
        for tensor in header.tensors:
            if tensor.name in seen:
                fail(header.file_name, ST_BAD_TENSOR, name=tensor.name[:200],
                     rule=f"is also in {seen[tensor.name]}")
            seen[tensor.name] = header.file_name
    if weight_map and seen != weight_map:
        wrong = sorted(set(weight_map.items()) ^ set(seen.items()))[0]
        fail(INDEX_NAME, INDEX_MISMATCH,
             rule=f"weight_map and the shard headers disagree about tensor '{wrong[0][:200]}'")
    if headers and not seen:
        fail(headers[0].file_name, ST_NO_TENSORS)
    return headers

