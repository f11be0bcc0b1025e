"""Broken safetensors files and indexes are refused with the file's name and the rule."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from app.catalog.importers.errors import ModelFileError
from app.catalog.importers.model_entry import model_entry
from app.catalog.importers.safetensors import read_header
from tests.catalog.model_files import LLAMA_31_8B, dense_table, safetensors_bytes, write_model

TINY = {**LLAMA_31_8B, "num_hidden_layers": 1, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50}


def _raw(path: Path, header: bytes | str, data: bytes = b"", length: int | None = None) -> Path:
    raw = header.encode() if isinstance(header, str) else header
    path.write_bytes(struct.pack("<Q", len(raw) if length is None else length) + raw + data)
    return path


def _spec(dtype: str, shape: list[int], begin: int, end: int) -> dict[str, object]:
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


CASES: list[tuple[str, object, bytes, str]] = [
    ("not json", "{not json", b"", "header is not valid UTF-8 JSON"),
    ("not utf-8", b"\xff\xfe{}", b"", "not UTF-8"),
    ("array", "[1, 2]", b"", "header must be a JSON object"),
    ("deep", "[" * 100_000 + "]" * 100_000, b"", "header is not valid"),
    ("duplicate", '{"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}, '
                  '"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}', b"\0\0",
     "duplicate key 'a'"),
    ("dtype", {"w": _spec("F12", [2], 0, 4)}, bytes(4), "tensor 'w': dtype must be one of"),
    ("shape", {"w": _spec("F16", [-2], 0, 4)}, bytes(4), "shape must be a list"),
    ("bool shape", {"w": _spec("F16", [True], 0, 2)}, bytes(2), "shape must be a list"),
    ("offsets", {"w": {"dtype": "F16", "shape": [2], "data_offsets": [4, 0]}}, bytes(4),
     "data_offsets must be [BEGIN, END]"),
    ("size", {"w": _spec("F16", [2, 3], 0, 10)}, bytes(10),
     "data_offsets span 10 bytes but 6 x F16 needs 12"),
    ("overlap", {"a": _spec("F16", [4], 0, 8), "b": _spec("F16", [4], 4, 12)}, bytes(12),
     "overlap the previous tensor"),
    ("gap", {"a": _spec("F16", [4], 0, 8), "b": _spec("F16", [4], 16, 24)}, bytes(24),
     "leaving a gap"),
    ("trailing", {"a": _spec("F16", [4], 0, 8)}, bytes(12), "bytes after the last tensor"),
    ("metadata", {"__metadata__": {"format": 1}, "a": _spec("F16", [4], 0, 8)}, bytes(8),
     "__metadata__': must be a map of text to text"),
    ("sub-byte", {"a": _spec("F4", [3], 0, 2)}, bytes(2), "do not fill whole bytes"),
    ("huge", {"a": _spec("F16", [1 << 40, 1 << 20], 0, 2)}, bytes(2), "more than"),
]


@pytest.mark.parametrize(("case", "header", "data", "rule"), CASES, ids=[c[0] for c in CASES])
def test_malformed_header_is_refused(tmp_path: Path, case: str, header: object, data: bytes,
                                     rule: str) -> None:
    text = header if isinstance(header, str | bytes) else json.dumps(header)
    path = _raw(tmp_path / "model.safetensors", text, data)
    with pytest.raises(ModelFileError) as info:
        read_header(path)
    message = str(info.value)
    assert message.startswith("model.safetensors: ")
    assert rule in message


def test_header_length_beyond_file_and_limit_and_tiny_file(tmp_path: Path) -> None:
    path = _raw(tmp_path / "a.safetensors", "{}", length=1000)
    with pytest.raises(ModelFileError, match=r"^a\.safetensors: header length 1000 runs past"):
        read_header(path)
    path = _raw(tmp_path / "b.safetensors", "{}", length=200_000_000)
    with pytest.raises(ModelFileError, match="larger than the 100 MB limit"):
        read_header(path)
    (tmp_path / "c.safetensors").write_bytes(b"\x01\x02")
    with pytest.raises(ModelFileError, match="too small to be a safetensors file"):
        read_header(tmp_path / "c.safetensors")


def test_big_header_with_truncated_data_is_refused_as_truncated(tmp_path: Path) -> None:
    """Full Llama-3.1-8B shapes declared, but the data stops after 1 MB: truncated."""
    head, data_bytes = safetensors_bytes(dense_table(LLAMA_31_8B))
    path = tmp_path / "model.safetensors"
    path.write_bytes(head + bytes(1 << 20))
    with pytest.raises(ModelFileError) as info:
        read_header(path)
    assert str(info.value) == (
        f"model.safetensors: tensor data does not match the header: the header declares "
        f"{data_bytes} bytes of tensor data but the file holds {1 << 20} (the file is "
        "truncated or corrupt)")


def test_one_byte_short_is_truncated(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", TINY, dense_table(TINY))
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[:-1])
    with pytest.raises(ModelFileError, match="truncated"):
        model_entry(folder)


def test_index_problems(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", TINY, dense_table(TINY), shards=2)
    index_path = folder / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(ModelFileError, match="names model-00002-of-00002.safetensors, which is "
                                             "missing"):
        model_entry(folder)
    index["weight_map"]["model.norm.weight"] = "../outside.safetensors"
    index_path.write_text(json.dumps(index))
    with pytest.raises(ModelFileError, match="not a \\*.safetensors file name in the same"):
        model_entry(folder)
    index_path.write_text("{]")
    with pytest.raises(ModelFileError, match="^model.safetensors.index.json: is not valid"):
        model_entry(folder)


def test_index_and_shards_must_agree(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", TINY, dense_table(TINY), shards=2)
    index_path = folder / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    index["weight_map"]["model.extra.weight"] = "model-00001-of-00002.safetensors"
    index_path.write_text(json.dumps(index))
    with pytest.raises(ModelFileError, match="disagree about tensor 'model.extra.weight'"):
        model_entry(folder)


def test_same_tensor_in_two_files_is_refused(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", TINY, dense_table(TINY))
    (folder / "copy.safetensors").write_bytes((folder / "model.safetensors").read_bytes())
    with pytest.raises(ModelFileError, match=r"is also in copy\.safetensors|is also in model"):
        model_entry(folder)
