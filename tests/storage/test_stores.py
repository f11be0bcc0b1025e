"""Scenario and catalog stores: uniqueness, overrides, atomic imports, audit rows."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from app.catalog.loader import CatalogError
from app.operations.workspace_ops import open_workspace
from app.storage import audit, catalog_store, scenario_store
from app.storage.scenario_store import ScenarioStoreError
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    yield workspace  # type: ignore[misc]
    workspace.close()


def test_scenario_names_are_unique_and_required(ws: Workspace) -> None:
    first = scenario_store.insert(ws.db, {"name": "Plan A", "schema_version": 1})
    with pytest.raises(ScenarioStoreError, match="already exists"):
        scenario_store.insert(ws.db, {"name": "Plan A", "schema_version": 1})
    with pytest.raises(ScenarioStoreError, match="name: must not be empty"):
        scenario_store.insert(ws.db, {"name": "  ", "schema_version": 1})
    assert scenario_store.unique_name(ws.db, "Plan A") == "Plan A (2)"
    scenario_store.update(ws.db, first, {"name": "Plan B", "schema_version": 1,
                                         "workloads": [{"model": "llama-3.1-8b"}]})
    row = next(r for r in scenario_store.list_rows(ws.db) if r.id == first)
    assert (row.name, row.model_id) == ("Plan B", "llama-3.1-8b")
    removed = scenario_store.delete(ws.db, first)
    assert removed["name"] == "Plan B"
    actions = [r["action"] for r in audit.recent(ws.db)]
    assert actions[:3] == ["scenario.deleted", "scenario.edited", "scenario.created"]


def test_editing_a_shipped_entry_makes_a_revertible_override(ws: Workspace) -> None:
    original = catalog_store.entries(ws.db, "accelerators")[0]
    edited = copy.deepcopy(original)
    edited["memory_gb"] = original["memory_gb"] + 1
    assert catalog_store.save_entry(ws.db, "accelerators", edited) == "edited"
    assert catalog_store.origins(ws.db, "accelerators")[original["id"]] == "local"
    assert catalog_store.revert_entry(ws.db, "accelerators", original["id"])
    restored = {e["id"]: e for e in catalog_store.entries(ws.db, "accelerators")}[original["id"]]
    assert restored == original
    assert catalog_store.origins(ws.db, "accelerators")[original["id"]] == "shipped"


def test_failed_import_changes_nothing(ws: Workspace) -> None:
    before = catalog_store.entries(ws.db, "accelerators")
    good = copy.deepcopy(before[0])
    good["id"] = "imported-gpu"
    bad = copy.deepcopy(before[0])
    bad["id"] = "broken-gpu"
    bad["memory_bandwidth_tbs"] = -3
    with pytest.raises(CatalogError, match="memory_bandwidth_tbs"):
        catalog_store.import_entries(ws.db, "accelerators", [good, bad], origin="imported")
    assert catalog_store.entries(ws.db, "accelerators") == before
    assert catalog_store.import_entries(ws.db, "accelerators", [good], origin="imported") == 1
    assert catalog_store.origins(ws.db, "accelerators")["imported-gpu"] == "imported"
