"""Property tests: whatever bytes a file holds, the importers raise only ModelFileError.

Random bytes, and valid files mutated (bytes overwritten with random or boundary values,
truncated, extended), are parsed; any exception other than the one user-facing error is a bug.
"""

from __future__ import annotations

import json
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.importers.errors import ModelFileError
from app.catalog.importers.gguf import read_gguf
from app.catalog.importers.hf_config import architecture_from_config
from app.catalog.importers.model_entry import model_entry
from app.catalog.importers.safetensors import read_header
from app.catalog.loader import CatalogError
from app.operations.catalog_packs import parse_csv_text
from tests.catalog.model_files import (
    LLAMA_31_8B,
    MIXTRAL_8X7B,
    dense_table,
    llama_gguf,
    safetensors_bytes,
)

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
TINY = {**LLAMA_31_8B, "num_hidden_layers": 1, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50}
BOUNDARY = [struct.pack("<Q", v) for v in (0, 1, 2**31, 2**32 - 1, 2**63, 2**64 - 1)]


def _valid_safetensors() -> bytes:
    head, size = safetensors_bytes(dense_table(TINY))
    return head + bytes(size)


def _valid_gguf() -> bytes:
    head, size = llama_gguf(vocab=40).header()
    return head + bytes(size)


SEEDS = {"safetensors": _valid_safetensors(), "gguf": _valid_gguf()}

mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 10**6), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("int"), st.integers(0, 10**6), st.sampled_from(BOUNDARY)),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(min_size=1, max_size=16)),
)


def _mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, payload in edits:
        at = where % (len(out) + 1)
        if kind in ("set", "int"):
            out[at:at + len(payload)] = payload
        elif kind == "cut":
            del out[at:]
        else:
            out[at:at] = payload
    return bytes(out)


def _only_user_errors(parse: Callable[[Path], Any], data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            parse(path)
        except ModelFileError:
            pass


@SETTINGS
@given(st.binary(max_size=512))
def test_random_bytes_safetensors(data: bytes) -> None:
    _only_user_errors(read_header, data, "model.safetensors")


@SETTINGS
@given(st.binary(max_size=512))
def test_random_bytes_gguf(data: bytes) -> None:
    _only_user_errors(read_gguf, b"GGUF" + data if data[:1] == b"\0" else data, "model.gguf")


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_safetensors(edits: list[tuple[str, int, bytes]]) -> None:
    _only_user_errors(read_header, _mutate(SEEDS["safetensors"], edits), "model.safetensors")


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_gguf_through_the_entry_builder(edits: list[tuple[str, int, bytes]]) -> None:
    _only_user_errors(model_entry, _mutate(SEEDS["gguf"], edits), "model.gguf")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=10)


@SETTINGS
@given(st.sampled_from([LLAMA_31_8B, MIXTRAL_8X7B]),
       st.dictionaries(st.sampled_from(sorted(set(LLAMA_31_8B) | set(MIXTRAL_8X7B) | {
           "text_config", "layer_types", "head_dim", "mlp_only_layers"})), json_values,
                       max_size=4))
def test_mutated_configs(base: dict[str, Any], changes: dict[str, Any]) -> None:
    try:
        architecture_from_config(json.loads(json.dumps({**base, **changes}, default=str)))
    except ModelFileError:
        pass


@SETTINGS
@given(st.text(max_size=300))
def test_random_csv_packs(text: str) -> None:
    try:
        parse_csv_text("kind,id,name,gpu_slots,source,as_of\n" + text, "x.csv")
    except CatalogError:
        pass
