"""Broken GGUF headers are refused with the file's name and the rule they break."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog.importers.errors import ModelFileError
from app.catalog.importers.gguf import read_gguf
from app.catalog.importers.model_entry import model_entry
from tests.catalog.model_files import GGUF_ARR, GGUF_STR, HandGguf, gguf_string, llama_gguf


def _minimal() -> HandGguf:
    g = HandGguf().add("general.architecture", "llama").add("llama.block_count", 1)
    g.add("llama.embedding_length", 64).add("llama.attention.head_count", 4)
    return g.tensor("token_embd.weight", [64, 10])


def _header(n_tensors: int, n_kv: int, body: bytes = b"", version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv) + body


def _kv(key: str, vtype: int, payload: bytes) -> bytes:
    return gguf_string(key) + struct.pack("<I", vtype) + payload


def _bytes_case(data: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data + bytes(64))
        return path
    return make


def _hand_case(edit: Callable[[HandGguf], object], missing: int = 0) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        g = _minimal()
        edit(g)
        return g.write(path, sparse=False, missing_bytes=missing)
    return make


def _cut(path: Path) -> Path:
    head, _ = llama_gguf().header()
    path.write_bytes(head[:-200])
    return path


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "bad magic": (_bytes_case(b"GGML" + bytes(40)), "is not a GGUF file (the first 4 bytes"),
    "tiny": (lambda p: (p.write_bytes(b"GGUF\x03"), p)[1], "too small to be a GGUF file"),
    "version 1": (_bytes_case(_header(0, 0, version=1)), "GGUF version 1 is not supported"),
    "version 9": (_bytes_case(_header(0, 0, version=9)), "GGUF version 9 is not supported"),
    "big-endian": (_bytes_case(b"GGUF" + struct.pack(">IQQ", 3, 0, 0)), "big-endian GGUF"),
    "truncated header": (_cut, "is truncated"),
    "absurd tensors": (_bytes_case(_header(1 << 40, 0)), "tensor count 1099511627776 is not "
                                                         "plausible"),
    "absurd kv": (_bytes_case(_header(0, 1 << 33)), "metadata count 8589934592 is not"),
    "absurd array": (_bytes_case(_header(0, 1, _kv("a.b", GGUF_ARR, struct.pack(
        "<IQ", 4, 1 << 50)))), "array length of 'a.b' 1125899906842624 is not plausible"),
    "absurd string": (_bytes_case(_header(0, 1, _kv("a.b", GGUF_STR, struct.pack(
        "<Q", 1 << 40)))), "length of the value of 'a.b'"),
    "value type": (_bytes_case(_header(0, 1, _kv("a.b", 13, b"\0" * 8))),
                   "metadata 'a.b' has unknown value type 13"),
    "bool": (_bytes_case(_header(0, 1, _kv("a.b", 7, b"\x02"))), "neither 0 nor 1"),
    "key": (_bytes_case(_header(0, 1, _kv("a b", 4, b"\0" * 4))), "metadata key #0 is not"),
    "text": (_bytes_case(_header(0, 1, _kv("a.b", GGUF_STR, gguf_string(b"\xff\xfe")))),
             "the value of 'a.b' is not valid UTF-8"),
    "deep": (_bytes_case(_header(0, 1, _kv("a.b", GGUF_ARR, struct.pack("<IQ", 9, 1) * 5))),
             "nests arrays deeper than 3 levels"),
    "duplicate key": (_hand_case(lambda g: g.add("llama.block_count", 2)),
                      "metadata key 'llama.block_count' appears twice"),
    "duplicate tensor": (_hand_case(lambda g: g.tensor("token_embd.weight", [64, 10])),
                         "tensor 'token_embd.weight' appears twice"),
    "unknown type": (_hand_case(lambda g: g.tensor("x", [64], type_id=99)),
                     "tensor 'x' has unknown ggml type 99"),
    "removed type": (_hand_case(lambda g: g.tensor("x", [64], type_id=31)),
                     "tensor 'x' has unknown ggml type 31"),
    "misaligned": (_hand_case(lambda g: g.tensor("x", [64], offset=1313)),
                   "offset 1313 is not a multiple of the alignment 32"),
    "overlap": (_hand_case(lambda g: g.tensor("x", [64], offset=0)),
                "overlaps tensor"),
    "block": (_hand_case(lambda g: g.tensor("x", [100], "Q4_K")),
              "row of 100 is not a multiple of the Q4_K block (256)"),
    "dims": (_hand_case(lambda g: g.tensor("x", [1, 1, 1, 1, 1])), "has 5 dimensions"),
    "name": (_hand_case(lambda g: g.tensor("n" * 65, [64])), "length of the name of tensor #1"),
    "alignment": (_hand_case(lambda g: g.add("general.alignment", 48)),
                  "general.alignment 48 must be a power of two"),
    "alignment type": (_hand_case(lambda g: g.add("general.alignment", "32")),
                       "general.alignment 32 must be a power of two"),
    "data truncated": (_hand_case(lambda g: None, missing=1),
                       "is truncated: the data of tensor 'token_embd.weight' needs 1280 bytes"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_gguf_is_refused(tmp_path: Path, case: str) -> None:
    make, rule = CASES[case]
    path = make(tmp_path / "model.gguf")
    with pytest.raises(ModelFileError) as info:
        read_gguf(path)
    message = str(info.value)
    assert message.startswith("model.gguf: "), message
    assert rule in message, message


@pytest.mark.parametrize(("key", "expected"), [
    ("general.architecture", "general.architecture is missing"),
    ("llama.attention.head_count", "llama.attention.head_count is missing"),
    ("llama.block_count", "llama.block_count is missing"),
])
def test_missing_architecture_keys_are_named(tmp_path: Path, key: str, expected: str) -> None:
    g = _minimal()
    g.kv = [kv for kv in g.kv if kv[0] != key]
    with pytest.raises(ModelFileError, match=f"^m.gguf: {expected}"):
        model_entry(g.write(tmp_path / "m.gguf"))


def test_wrong_metadata_type_is_named(tmp_path: Path) -> None:
    g = _minimal()
    g.kv = [kv for kv in g.kv if kv[0] != "llama.block_count"]
    g.add("llama.block_count", "one")
    with pytest.raises(ModelFileError, match="'llama.block_count' must be a whole number"):
        model_entry(g.write(tmp_path / "m.gguf"))


def test_a_file_with_no_tensors_has_no_parameters(tmp_path: Path) -> None:
    g = _minimal()
    g.tensors = []
    with pytest.raises(ModelFileError, match="holds no parameters"):
        model_entry(g.write(tmp_path / "m.gguf"))
