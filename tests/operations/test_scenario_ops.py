"""Scenario list operations keep scenario ids through undo and redo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.operations import scenario_ops
from app.operations.change import SCENARIO, ChangedElsewhere
from app.operations.workspace_ops import demo_scenarios, open_workspace, save_copy
from app.storage import scenario_store
from app.storage.scenario_store import ScenarioStoreError
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    yield workspace
    workspace.close()


def _names(ws: Workspace) -> list[str]:
    """Scenario names other than the seeded demo scenarios."""
    demos = {d["name"] for d in demo_scenarios()}
    return [r.name for r in scenario_store.list_rows(ws.db) if r.name not in demos]


def test_new_rename_undo_redo_keep_the_same_id(ws: Workspace) -> None:
    created = scenario_ops.create_scenario(ws, "Pilot")
    assert created.change.kind == SCENARIO
    scenario_id = int(created.change.ids[0])
    renamed = scenario_ops.rename_scenario(ws, scenario_id, "Pilot B")
    assert _names(ws) == ["Pilot B"]
    undo_rename = renamed.inverse()
    undo_create = created.inverse()
    assert _names(ws) == []
    redo_create = undo_create.inverse()
    redo_rename = undo_rename.inverse()
    assert [(r.id, r.name) for r in scenario_store.list_rows(ws.db)
            if r.name in _names(ws)] == [(scenario_id, "Pilot B")]
    assert redo_create.change.ids == redo_rename.change.ids == (str(scenario_id),)


def test_duplicate_and_delete_with_undo(ws: Workspace) -> None:
    original = int(scenario_ops.create_scenario(ws, "Plan").change.ids[0])
    scenario_store.update(ws.db, original, {"name": "Plan", "schema_version": 1,
                                            "workloads": [{"model": "llama-3.1-8b"}]})
    copy_outcome = scenario_ops.duplicate_scenario(ws, original)
    copy_id = int(copy_outcome.change.ids[0])
    assert scenario_store.get(ws.db, copy_id)["workloads"] == [{"model": "llama-3.1-8b"}]
    assert sorted(_names(ws)) == ["Plan", "Plan (copy)"]
    deleted = scenario_ops.delete_scenario(ws, original)
    assert _names(ws) == ["Plan (copy)"]
    deleted.inverse()
    assert scenario_store.get(ws.db, original)["workloads"] == [{"model": "llama-3.1-8b"}]


def test_duplicate_names_are_refused(ws: Workspace) -> None:
    scenario_ops.create_scenario(ws, "Plan")
    with pytest.raises(ScenarioStoreError, match="already exists"):
        scenario_ops.create_scenario(ws, "plan")


def test_undo_never_overwrites_a_change_made_elsewhere(ws: Workspace) -> None:
    first = int(scenario_ops.create_scenario(ws, "Plan").change.ids[0])
    deleted = scenario_ops.delete_scenario(ws, first)
    # The command line creates a scenario meanwhile; SQLite hands it the freed id.
    other = scenario_store.insert(ws.db, {"name": "Other", "schema_version": 1})
    assert other == first
    with pytest.raises(ChangedElsewhere, match="was changed outside this undo history"):
        deleted.inverse()
    assert _names(ws) == ["Other"]
    renamed = scenario_ops.rename_scenario(ws, other, "Other B")
    scenario_store.update(ws.db, other, {"name": "Other C", "schema_version": 1})
    with pytest.raises(ChangedElsewhere):
        renamed.inverse()
    assert _names(ws) == ["Other C"]


def test_save_copy_writes_a_whole_openable_workspace(ws: Workspace, tmp_path: Path) -> None:
    scenario_ops.create_scenario(ws, "Kept in the copy")
    target = save_copy(ws, tmp_path / "copy.enclave.sqlite")
    assert (target.stat().st_mode & 0o777) == 0o600
    with open_workspace(target) as copy:
        assert _names(copy) == ["Kept in the copy"]
        assert copy.catalog.version == ws.catalog.version
