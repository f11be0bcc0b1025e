"""The shipped catalog is valid, sourced, and covers the calibration set."""

from __future__ import annotations

import json

import pytest

from app.catalog.loader import Catalog, shipped_packs
from app.catalog.validate import KINDS
from app.paths import resources_dir

CALIBRATION = resources_dir() / "calibration"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.shipped()


def test_every_pack_is_valid_and_versioned() -> None:
    packs = shipped_packs()
    assert set(packs) == set(KINDS)
    for kind, pack in packs.items():
        assert pack.kind == kind
        assert pack.catalog_version


@pytest.mark.parametrize("kind", KINDS)
def test_every_entry_has_source_and_date(kind: str, catalog: Catalog) -> None:
    for entry in catalog.entries[kind]:
        assert entry["source"].strip(), f"{kind}/{entry['id']} has no source"
        assert entry["as_of"].strip(), f"{kind}/{entry['id']} has no as_of"
        for field, prov in (entry.get("field_sources") or {}).items():
            assert prov["source"] and prov["as_of"], f"{kind}/{entry['id']}.{field}"


def test_catalog_has_the_breadth_an_analyst_needs(catalog: Catalog) -> None:
    counts = {kind: len(entries) for kind, entries in catalog.entries.items()}
    assert counts["models"] >= 30
    assert counts["accelerators"] >= 40
    assert counts["quantizations"] >= 15
    assert counts["servers"] >= 8
    assert counts["cloud-apis"] >= 20
    assert counts["gpu-rentals"] >= 10
    for wanted in ("H20", "L20", "A800", "H800", "L4", "MI325X", "MI355X", "Gaudi 2", "Gaudi 3",
                   "Ascend 910B", "Ascend 910C", "RTX 5090", "Apple M4"):
        assert any(wanted.lower() in e["name"].lower() for e in catalog.entries["accelerators"]), wanted
    for family in ("llama-3.1", "qwen2.5", "qwen3", "deepseek-v3", "mixtral", "gemma-2", "gemma-3",
                   "phi-4", "glm-4", "gpt-oss", "bge-m3", "e5"):
        assert any(family in e["id"] for e in catalog.entries["models"]), family
    kinds = {e.get("kind") for e in catalog.entries["models"]}
    assert {"llm", "embedding", "reranker"} <= kinds


def test_every_calibration_model_resolves(catalog: Catalog) -> None:
    models = json.loads((CALIBRATION / "models.json").read_text())["models"]
    for model_id, config in models.items():
        spec = catalog.model(model_id)
        assert spec.id == model_id
        assert spec.layers == config["num_hidden_layers"]
        assert spec.params_total == pytest.approx(config["params_total_b"] * 1e9, rel=0.02)


def test_every_calibration_gpu_resolves(catalog: Catalog) -> None:
    gpus = json.loads((CALIBRATION / "gpus.json").read_text())["gpus"]
    for name, spec in gpus.items():
        accel = catalog.accelerator(name)
        assert accel.memory_bandwidth_tbs == pytest.approx(spec["memory_bandwidth_tbs"], rel=0.01)


def test_lookups_are_case_and_alias_insensitive(catalog: Catalog) -> None:
    assert catalog.accelerator("h100 sxm 80gb") is catalog.accelerator("H100 SXM 80GB")
    with pytest.raises(KeyError, match="not in the catalog"):
        catalog.accelerator("Imaginary X9000")
    with pytest.raises(KeyError, match="model 'nope'"):
        catalog.model("nope")
