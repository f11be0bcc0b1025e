"""The audit log: every store write adds its row in the same transaction, or nothing at all."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.operations.workspace_ops import open_workspace
from app.storage import audit, catalog_store, scenario_store
from app.storage.clock import current_user
from app.storage.scenario_store import ScenarioStoreError
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    scenario_store.insert(workspace.db, {"name": "Existing", "schema_version": 1})
    yield workspace
    workspace.close()


def _audit_rows(ws: Workspace) -> int:
    return int(ws.db.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def _store_writes(ws: Workspace) -> list[tuple[str, Callable[[], Any]]]:
    existing = scenario_store.find(ws.db, "Existing") or 0
    shipped = catalog_store.entries(ws.db, "accelerators")[0]
    edited = copy.deepcopy(shipped)
    edited["memory_gb"] = shipped["memory_gb"] + 1
    new = {**copy.deepcopy(shipped), "id": "audit-gpu", "name": "Audit GPU", "aliases": []}
    return [
        ("scenario.created", lambda: scenario_store.insert(ws.db, {"name": "New",
                                                                   "schema_version": 1})),
        ("scenario.edited", lambda: scenario_store.update(ws.db, existing, {
            "name": "Existing", "schema_version": 1, "description": "changed"})),
        ("catalog.edited", lambda: catalog_store.save_entry(ws.db, "accelerators", edited)),
        ("catalog.reverted", lambda: catalog_store.revert_entry(ws.db, "accelerators",
                                                                shipped["id"])),
        ("catalog.added", lambda: catalog_store.save_entry(ws.db, "accelerators", new)),
        ("catalog.imported", lambda: catalog_store.import_entries(ws.db, "accelerators", [new],
                                                                  "imported")),
        ("catalog.deleted", lambda: catalog_store.delete_entry(ws.db, "accelerators",
                                                               "audit-gpu")),
        ("scenario.deleted", lambda: scenario_store.delete(ws.db, existing)),
    ]


def test_every_store_write_records_who_when_and_what(ws: Workspace) -> None:
    for action, write in _store_writes(ws):
        before = _audit_rows(ws)
        started = datetime.now(UTC)
        write()
        assert _audit_rows(ws) == before + 1, action
        row = audit.query(ws.db, limit=1)[0]
        assert row.action == action
        assert row.user == current_user()
        assert datetime.fromisoformat(row.at) >= started


def test_a_rolled_back_change_leaves_no_audit_row(ws: Workspace) -> None:
    before = _audit_rows(ws)
    with pytest.raises(RuntimeError), ws.db.atomic():
        scenario_store.insert(ws.db, {"name": "Undone", "schema_version": 1})
        raise RuntimeError("the caller's larger change failed")
    assert scenario_store.find(ws.db, "Undone") is None
    assert _audit_rows(ws) == before


def test_a_change_failing_after_its_audit_row_leaves_neither(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _audit_rows(ws)
    real_record = audit.record

    def record_then_fail(*args: Any, **kwargs: Any) -> None:
        real_record(*args, **kwargs)
        raise OSError("power cut in the middle of the transaction")

    monkeypatch.setattr(scenario_store.audit, "record", record_then_fail)
    with pytest.raises(OSError):
        scenario_store.insert(ws.db, {"name": "Half", "schema_version": 1})
    monkeypatch.undo()
    assert scenario_store.find(ws.db, "Half") is None
    assert _audit_rows(ws) == before


def test_a_refused_change_leaves_no_audit_row(ws: Workspace) -> None:
    before = _audit_rows(ws)
    with pytest.raises(ScenarioStoreError):
        scenario_store.update(ws.db, 999_999, {"name": "Ghost", "schema_version": 1})
    with pytest.raises(ScenarioStoreError):
        scenario_store.insert(ws.db, {"name": "Existing", "schema_version": 1})
    assert _audit_rows(ws) == before
