"""Catalog entry rules: each broken rule is reported with its field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.catalog.loader import CatalogError, parse_pack
from app.catalog.validate import entry_errors

GOOD_ACCEL: dict[str, Any] = {
    "id": "test-gpu", "name": "Test GPU", "vendor": "Acme", "memory_gb": 80,
    "memory_bandwidth_tbs": 3.35, "peak_tflops": {"bf16": 989}, "native_precisions": ["bf16"],
    "tdp_w": 700, "source": "datasheet", "as_of": "2024-05",
}
GOOD_MODEL: dict[str, Any] = {
    "id": "m", "name": "M", "kind": "llm", "params_total_b": 8.03, "params_active_b": 8.03,
    "arch": {"layers": 32, "hidden_size": 4096, "heads": 32, "kv_heads": 8, "head_dim": 128,
             "moe": None, "mla": None, "sliding_window": None},
    "source": "config.json", "as_of": "2024-07-23",
}


def test_good_entries_pass() -> None:
    assert entry_errors("accelerators", GOOD_ACCEL) == []
    assert entry_errors("models", GOOD_MODEL) == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("memory_gb",), -1, "memory_gb: must be greater than 0"),
        (("memory_gb",), "80", "memory_gb: must be a number"),
        (("memory_bandwidth_tbs",), 0, "memory_bandwidth_tbs: must be greater than 0"),
        (("source",), "", "source: is required"),
        (("as_of",), "May 2024", "as_of: must be a date"),
        (("id",), "Has Spaces", "id: must be"),
        (("price",), {"usd": float("nan")}, "price.usd: must be a finite number"),
    ],
)
def test_accelerator_rules_name_the_field(path: tuple[str, ...], value: Any, message: str) -> None:
    entry = copy.deepcopy(GOOD_ACCEL)
    entry[path[0]] = value
    errors = entry_errors("accelerators", entry)
    assert any(e.startswith(message) for e in errors), errors


def test_model_consistency_rules() -> None:
    entry = copy.deepcopy(GOOD_MODEL)
    entry["arch"]["kv_heads"] = 64
    assert entry_errors("models", entry) == ["arch.kv_heads: must not exceed arch.heads"]
    entry = copy.deepcopy(GOOD_MODEL)
    entry["arch"]["layers"] = 0
    assert entry_errors("models", entry) == ["arch.layers: must be at least 1"]


def test_pack_errors_name_origin_and_entry() -> None:
    bad = copy.deepcopy(GOOD_ACCEL)
    bad["memory_gb"] = 0
    with pytest.raises(CatalogError, match=r"pack.json: entry 'test-gpu': memory_gb"):
        parse_pack({"kind": "accelerators", "catalog_version": "x", "entries": [bad]}, "pack.json")
    with pytest.raises(CatalogError, match="id must be unique"):
        parse_pack({"kind": "accelerators", "catalog_version": "x",
                    "entries": [GOOD_ACCEL, GOOD_ACCEL]}, "pack.json")
    with pytest.raises(CatalogError, match="kind must be one of"):
        parse_pack({"kind": "gpus", "entries": []}, "pack.json")
    with pytest.raises(CatalogError, match="must be a JSON object"):
        parse_pack([1, 2], "pack.json")


def test_accelerator_without_sourced_bandwidth_is_listed_but_not_estimable() -> None:
    from app.catalog.loader import Catalog

    entry = copy.deepcopy(GOOD_ACCEL)
    entry["memory_bandwidth_tbs"] = None
    assert entry_errors("accelerators", entry) == []
    catalog = Catalog({"accelerators": [entry]})
    assert catalog.incomplete_accelerators == {"test-gpu": ["memory_bandwidth_tbs"]}
    with pytest.raises(KeyError, match="no sourced memory_bandwidth_tbs"):
        catalog.accelerator("Test GPU")
