"""GGUF header and tensor table (ggml `docs/gguf.md`, versions 2 and 3), never tensor data.

Layout (little-endian): magic `GGUF`, `uint32 version`, `uint64 tensor_count`,
`uint64 metadata_kv_count`; then each metadata pair (`gguf_string_t key`, `uint32 value_type`,
value; strings are `uint64 len` + UTF-8 bytes; arrays are `uint32 type`, `uint64 len`,
elements, possibly nested); then each tensor info (`gguf_string_t name` of at most 64 bytes,
`uint32 n_dimensions` (at most 4), `uint64 dimensions[n]` innermost first, `uint32 ggml_type`,
`uint64 offset` relative to the data section, a multiple of `general.alignment` (default 32));
then padding to the alignment and the tensor data.

Every count and length is checked against the bytes left in the file before it is used, so a
damaged or hostile header is refused with the rule it breaks, never read past the file's end
and never allocated beyond its size. Large arrays (the tokenizer vocabulary) are skipped and
kept only as their type and length.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.catalog.importers.binary import BoundedReader
from app.catalog.importers.errors import (
    GGUF_ABSURD_COUNT,
    GGUF_BAD_ALIGNMENT,
    GGUF_BAD_BOOL,
    GGUF_BAD_KEY,
    GGUF_BAD_MAGIC,
    GGUF_BAD_TENSOR,
    GGUF_BAD_TEXT,
    GGUF_BAD_VALUE_TYPE,
    GGUF_BAD_VERSION,
    GGUF_BIG_ENDIAN,
    GGUF_DUPLICATE,
    GGUF_TOO_DEEP,
    GGUF_UNKNOWN_TYPE,
    TOO_SMALL,
    TRUNCATED,
    fail,
)
from app.catalog.importers.ggml_types import GGML_TYPES, GgmlType

MAGIC = b"GGUF"
VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_ALIGNMENT = 1 << 20
MAX_TENSORS = 1_000_000
MAX_KEYS = 1_000_000
MAX_KEY_BYTES = 65_535
MAX_NAME_BYTES = 64
MAX_DIMS = 4
MAX_STRING_BYTES = 64 << 20
MAX_HEADER_BYTES = 1 << 30  # metadata + tensor infos; real files hold a few MB
MAX_ARRAY_DEPTH = 3
MAX_KEPT_ELEMENTS = 4096
MAX_ELEMENTS = 1 << 50
STRING, ARRAY, BOOL = 8, 9, 7

# value_type -> struct format of a scalar (enum gguf_metadata_value_type).
SCALARS: dict[int, struct.Struct] = {
    0: struct.Struct("<B"), 1: struct.Struct("<b"), 2: struct.Struct("<H"),
    3: struct.Struct("<h"), 4: struct.Struct("<I"), 5: struct.Struct("<i"),
    6: struct.Struct("<f"), 7: struct.Struct("<B"), 10: struct.Struct("<Q"),
    11: struct.Struct("<q"), 12: struct.Struct("<d"),
}
UNSIGNED = (0, 2, 4, 10)
# Smallest encoding of one array element of each type (strings: the 8-byte length).
_MIN_ELEMENT = {**{t: s.size for t, s in SCALARS.items()}, STRING: 8, ARRAY: 12}


@dataclass(frozen=True)
class ArrayValue:
    """A metadata array: element type, length, and the elements when the array is short."""

    element_type: int
    length: int
    values: tuple[Any, ...] | None


@dataclass(frozen=True)
class GgufTensor:
    name: str
    dims: tuple[int, ...]  # ne[0] (innermost) first
    ggml_type: GgmlType
    offset: int  # relative to the data section
    nbytes: int

    @property
    def numel(self) -> int:
        count = 1
        for dim in self.dims:
            count *= dim
        return count


@dataclass(frozen=True)
class GgufFile:
    file_name: str
    version: int
    metadata: dict[str, Any]
    tensors: tuple[GgufTensor, ...]
    alignment: int
    data_offset: int
    file_bytes: int
    header_sha256: str


class _Parser:
    def __init__(self, reader: BoundedReader) -> None:
        self.r = reader
        self.label = reader.label

    def string(self, what: str, limit: int = MAX_STRING_BYTES, keep: bool = True) -> str:
        length = self.r.u64(f"the length of {what}")
        if length > limit:
            fail(self.label, GGUF_ABSURD_COUNT, what=f"length of {what}", count=length,
                 size=self.r.size)
        if not keep:
            self.r.skip(length, what)
            return ""
        raw = self.r.read(length, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            fail(self.label, GGUF_BAD_TEXT, what=what)

    def value(self, key: str, vtype: int, depth: int = 0, keep: bool = True) -> Any:
        if vtype == STRING:
            return self.string(f"the value of '{key}'", keep=keep)
        if vtype == ARRAY:
            return self.array(key, depth + 1, keep)
        scalar = SCALARS.get(vtype)
        if scalar is None:
            fail(self.label, GGUF_BAD_VALUE_TYPE, key=key, vtype=vtype)
        value = scalar.unpack(self.r.read(scalar.size, f"the value of '{key}'"))[0]
        if vtype == BOOL:
            if value not in (0, 1):
                fail(self.label, GGUF_BAD_BOOL, key=key)
            return bool(value)
        return value

    def array(self, key: str, depth: int, keep: bool) -> ArrayValue:
        if depth > MAX_ARRAY_DEPTH:
            fail(self.label, GGUF_TOO_DEEP, key=key, limit=MAX_ARRAY_DEPTH)
        etype = self.r.u32(f"the element type of '{key}'")
        if etype not in _MIN_ELEMENT:
            fail(self.label, GGUF_BAD_VALUE_TYPE, key=key, vtype=etype)
        length = self.r.u64(f"the length of '{key}'")
        if length * _MIN_ELEMENT[etype] > self.r.remaining:
            fail(self.label, GGUF_ABSURD_COUNT, what=f"array length of '{key}'", count=length,
                 size=self.r.size)
        keep = keep and length <= MAX_KEPT_ELEMENTS
        scalar = SCALARS.get(etype)
        if scalar is not None and etype != BOOL:
            what = f"the elements of '{key}'"
            if not keep:
                self.r.skip(length * scalar.size, what)
                return ArrayValue(etype, length, None)
            raw = self.r.read(length * scalar.size, what)
            return ArrayValue(etype, length, tuple(v[0] for v in scalar.iter_unpack(raw)))
        items = [self.value(key, etype, depth, keep) for _ in range(length)]
        return ArrayValue(etype, length, tuple(items) if keep else None)

    def key(self, index: int) -> str:
        key = self.string(f"metadata key #{index}", limit=MAX_KEY_BYTES)
        if not key or not all(33 <= ord(c) <= 126 for c in key):
            fail(self.label, GGUF_BAD_KEY, index=index)
        return key

    def tensor_info(self, index: int) -> tuple[str, tuple[int, ...], int, int]:
        name = self.string(f"the name of tensor #{index}", limit=MAX_NAME_BYTES)
        n_dims = self.r.u32(f"the dimension count of tensor '{name}'")
        if not 1 <= n_dims <= MAX_DIMS:
            fail(self.label, GGUF_BAD_TENSOR, name=name,
                 rule=f"has {n_dims} dimensions (1 to {MAX_DIMS} allowed)")
        dims = tuple(self.r.u64(f"the dimensions of tensor '{name}'") for _ in range(n_dims))
        type_id = self.r.u32(f"the type of tensor '{name}'")
        offset = self.r.u64(f"the offset of tensor '{name}'")
        return name, dims, type_id, offset


def _check_magic(reader: BoundedReader) -> int:
    if reader.size < 24:
        fail(reader.label, TOO_SMALL, fmt="GGUF", size=reader.size)
    magic = reader.read(4, "the magic number")
    if magic != MAGIC:
        fail(reader.label, GGUF_BAD_MAGIC, magic=magic)
    version = reader.u32("the version")
    if version not in VERSIONS:
        if int.from_bytes(version.to_bytes(4, "little"), "big") in (1, 2, 3):
            fail(reader.label, GGUF_BIG_ENDIAN)
        fail(reader.label, GGUF_BAD_VERSION, version=version)
    return version


def _alignment(label: str, metadata: dict[str, Any], types: dict[str, int]) -> int:
    if "general.alignment" not in metadata:
        return DEFAULT_ALIGNMENT
    value = metadata["general.alignment"]
    if (types["general.alignment"] not in UNSIGNED or value <= 0 or value & (value - 1)
            or value > MAX_ALIGNMENT):
        fail(label, GGUF_BAD_ALIGNMENT, value=value, limit=MAX_ALIGNMENT)
    return int(value)


def _tensor(label: str, info: tuple[str, tuple[int, ...], int, int],
            alignment: int) -> GgufTensor:
    name, dims, type_id, offset = info
    ggml_type = GGML_TYPES.get(type_id)
    if ggml_type is None:
        fail(label, GGUF_UNKNOWN_TYPE, name=name, type_id=type_id)
    numel = 1
    for dim in dims:
        numel *= dim
    if numel > MAX_ELEMENTS:
        fail(label, GGUF_BAD_TENSOR, name=name, rule=f"dimensions {list(dims)} are not plausible")
    if dims[0] % ggml_type.block_size:
        fail(label, GGUF_BAD_TENSOR, name=name,
             rule=f"row of {dims[0]} is not a multiple of the {ggml_type.name} block "
                  f"({ggml_type.block_size})")
    if offset % alignment:
        fail(label, GGUF_BAD_TENSOR, name=name,
             rule=f"offset {offset} is not a multiple of the alignment {alignment}")
    nbytes = numel // ggml_type.block_size * ggml_type.type_size
    return GgufTensor(name, dims, ggml_type, offset, nbytes)


def _check_data(label: str, tensors: list[GgufTensor], data_offset: int, size: int) -> None:
    """Tensor data lies inside the file, one tensor after another without overlap."""
    end_of_previous = 0
    previous = ""
    for tensor in sorted(tensors, key=lambda t: (t.offset, t.nbytes)):
        if tensor.offset < end_of_previous:
            fail(label, GGUF_BAD_TENSOR, name=tensor.name,
                 rule=f"data at offset {tensor.offset} overlaps tensor '{previous}'")
        end = data_offset + tensor.offset + tensor.nbytes
        if end > size:
            fail(label, TRUNCATED, what=f"the data of tensor '{tensor.name}'",
                 need=tensor.nbytes, at=data_offset + tensor.offset, size=size)
        end_of_previous = tensor.offset + tensor.nbytes
        previous = tensor.name


def read_gguf(path: Path, label: str | None = None) -> GgufFile:
    """Parse and check a GGUF file's header and tensor table (the data is never read)."""
    label = label or path.name
    with BoundedReader(path, label, limit=MAX_HEADER_BYTES) as reader:
        version = _check_magic(reader)
        parser = _Parser(reader)
        n_tensors = reader.u64("the tensor count")
        n_keys = reader.u64("the metadata count")
        # The smallest tensor info is 32 bytes (empty name, one dimension), the smallest
        # metadata pair 13 (a 1-byte key, a uint8): more than fits in the file is impossible.
        if n_tensors > min(MAX_TENSORS, reader.remaining // 32):
            fail(label, GGUF_ABSURD_COUNT, what="tensor count", count=n_tensors, size=reader.size)
        if n_keys > min(MAX_KEYS, reader.remaining // 13):
            fail(label, GGUF_ABSURD_COUNT, what="metadata count", count=n_keys, size=reader.size)
        metadata: dict[str, Any] = {}
        types: dict[str, int] = {}
        for index in range(n_keys):
            key = parser.key(index)
            if key in metadata:
                fail(label, GGUF_DUPLICATE, what="metadata key", name=key)
            vtype = reader.u32(f"the value type of '{key}'")
            metadata[key] = parser.value(key, vtype)
            types[key] = vtype
        alignment = _alignment(label, metadata, types)
        infos = [parser.tensor_info(i) for i in range(n_tensors)]
        digest = reader.sha256()
        data_offset = reader.pos + (-reader.pos % alignment)
        size = reader.size
    tensors = [_tensor(label, info, alignment) for info in infos]
    names: set[str] = set()
    for tensor in tensors:
        if tensor.name in names:
            fail(label, GGUF_DUPLICATE, what="tensor", name=tensor.name)
        names.add(tensor.name)
    _check_data(label, tensors, data_offset, size)
    return GgufFile(file_name=label, version=version, metadata=metadata, tensors=tuple(tensors),
                    alignment=alignment, data_offset=data_offset, file_bytes=size,
                    header_sha256=digest)
