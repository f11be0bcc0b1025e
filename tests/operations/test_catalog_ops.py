"""Catalog operations: every change comes with an exact inverse (undo) and its inverse (redo)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.catalog.loader import CatalogError
from app.operations import catalog_ops
from app.operations.change import CATALOG, ChangedElsewhere
from app.operations.workspace_ops import open_workspace
from app.storage import catalog_store
from app.storage.workspace import Workspace

H100 = "nvidia-h100-sxm-80gb"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    yield workspace
    workspace.close()


def _h100(ws: Workspace) -> dict[str, object]:
    entry = catalog_store.get_entry(ws.db, "accelerators", H100)
    assert entry is not None
    return entry


def test_edit_of_a_shipped_entry_undoes_to_shipped_and_redoes_to_the_override(
        ws: Workspace) -> None:
    shipped = _h100(ws)
    edited = copy.deepcopy(shipped)
    edited["memory_bandwidth_tbs"] = 3.9
    outcome = catalog_ops.edit_entry(ws, "accelerators", edited)
    assert outcome.change.kind == CATALOG
    assert outcome.change.scope == "accelerators"
    assert outcome.change.ids == (H100,)
    assert outcome.change.description == "Edit NVIDIA H100 SXM 80GB"
    assert catalog_store.entry_states(ws.db, "accelerators")[H100] == "override"
    assert ws.catalog.accelerator(H100).memory_bandwidth_tbs == 3.9

    undone = outcome.inverse()
    assert _h100(ws) == shipped
    assert catalog_store.entry_states(ws.db, "accelerators")[H100] == "shipped"
    assert ws.catalog.accelerator(H100).memory_bandwidth_tbs == shipped["memory_bandwidth_tbs"]

    redone = undone.inverse()
    assert _h100(ws)["memory_bandwidth_tbs"] == 3.9
    assert catalog_store.entry_states(ws.db, "accelerators")[H100] == "override"
    redone.inverse()
    assert _h100(ws) == shipped


def test_invalid_edit_is_refused_and_changes_nothing(ws: Workspace) -> None:
    before = _h100(ws)
    bad = copy.deepcopy(before)
    bad["memory_bandwidth_tbs"] = -1
    with pytest.raises(CatalogError, match="memory_bandwidth_tbs: must be greater than 0"):
        catalog_ops.edit_entry(ws, "accelerators", bad)
    assert _h100(ws) == before


def test_add_duplicate_delete_and_revert(ws: Workspace) -> None:
    draft = catalog_ops.duplicate_draft(ws, "accelerators", H100)
    assert draft["id"] == f"{H100}-copy"
    assert draft["name"] == "NVIDIA H100 SXM 80GB (copy)"
    added = catalog_ops.add_entry(ws, "accelerators", draft)
    assert catalog_store.entry_states(ws.db, "accelerators")[draft["id"]] == "added"
    assert catalog_ops.duplicate_draft(ws, "accelerators", H100)["id"] == f"{H100}-copy-2"
    with pytest.raises(CatalogError, match="id: an entry with this id already exists"):
        catalog_ops.add_entry(ws, "accelerators", draft)
    added.inverse()
    assert catalog_store.get_entry(ws.db, "accelerators", draft["id"]) is None

    deleted = catalog_ops.delete_entry(ws, "accelerators", H100)
    assert catalog_store.get_entry(ws.db, "accelerators", H100) is None
    deleted.inverse()
    assert catalog_store.entry_states(ws.db, "accelerators")[H100] == "shipped"

    with pytest.raises(CatalogError, match="is not a local override"):
        catalog_ops.revert_entry(ws, "accelerators", H100)
    edited = _h100(ws)
    edited["tdp_w"] = 650
    catalog_ops.edit_entry(ws, "accelerators", edited)
    reverted = catalog_ops.revert_entry(ws, "accelerators", H100)
    assert catalog_store.entry_states(ws.db, "accelerators")[H100] == "shipped"
    reverted.inverse()
    assert _h100(ws)["tdp_w"] == 650
    assert catalog_store.entry_states(ws.db, "accelerators")[H100] == "override"


def test_editing_a_missing_entry_is_a_user_error(ws: Workspace) -> None:
    with pytest.raises(CatalogError, match="does not exist"):
        catalog_ops.edit_entry(ws, "accelerators", {"id": "nope", "name": "x"})
    with pytest.raises(CatalogError, match="does not exist"):
        catalog_ops.delete_entry(ws, "accelerators", "nope")


def test_undo_refuses_when_the_entry_was_changed_elsewhere(ws: Workspace) -> None:
    edited = _h100(ws)
    edited["tdp_w"] = 650
    outcome = catalog_ops.edit_entry(ws, "accelerators", edited)
    edited["tdp_w"] = 600
    catalog_store.save_entry(ws.db, "accelerators", edited)  # e.g. the command line
    with pytest.raises(ChangedElsewhere, match="accelerators nvidia-h100-sxm-80gb"):
        outcome.inverse()
    assert _h100(ws)["tdp_w"] == 600
