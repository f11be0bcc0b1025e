"""A workspace opened by a newer Enclave takes the newer shipped catalog and keeps the user's work.

An older release is played by tampering with the stored copy (as an older seed would have left
it) and forgetting the fingerprint of the packs it took; the shipped packs are the real ones.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

from app.catalog.loader import Pack, shipped_fingerprint, shipped_packs
from app.operations.workspace_ops import open_workspace
from app.storage import audit, catalog_store

KIND = "accelerators"


def _row(db, entry_id: str) -> tuple[str, dict, dict | None]:  # type: ignore[no-untyped-def]
    origin, data, shipped = db.execute(
        "SELECT origin, data, shipped_data FROM catalog WHERE kind=? AND id=?",
        [KIND, entry_id]).fetchone()
    return origin, json.loads(data), json.loads(shipped) if shipped else None


def _as_older_release(db, entry_id: str, **changes: object) -> None:  # type: ignore[no-untyped-def]
    """Put the entry back as an older catalog had it and forget which packs were applied."""
    with db.atomic():
        origin, data, _ = _row(db, entry_id)
        assert origin == "shipped"
        db.execute("UPDATE catalog SET data=? WHERE kind=? AND id=?",
                   [json.dumps({**data, **changes}), KIND, entry_id])
        db.execute("UPDATE meta SET value='old' WHERE key=?", [catalog_store.SHIPPED_SHA_KEY])


def test_a_new_workspace_records_the_packs_it_took(tmp_path: Path) -> None:
    with open_workspace(tmp_path / "ws.sqlite") as ws:
        assert catalog_store.applied_fingerprint(ws.db) == shipped_fingerprint()
        assert ws.catalog_refresh is None
    with open_workspace(tmp_path / "ws.sqlite") as again:  # nothing to take the second time
        assert again.catalog_refresh is None
        assert [e for e in audit.recent(again.db) if e["action"] == "catalog.refreshed"] == []


def test_an_unedited_shipped_entry_takes_the_new_values(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        target = catalog_store.entries(ws.db, KIND)[0]
        _as_older_release(ws.db, target["id"], peak_tflops={"fp32": 1.0}, memory_gb=1)
    with open_workspace(path) as ws:
        assert _row(ws.db, target["id"]) == ("shipped", target, None)
        assert ws.catalog.accelerator(target["id"]).memory_gb == float(target["memory_gb"])
        refresh = ws.catalog_refresh
        assert refresh is not None and (refresh.updated, refresh.added, refresh.edits_kept) \
            == (1, 0, 0)
        assert catalog_store.applied_fingerprint(ws.db) == shipped_fingerprint()
        logged = [e for e in audit.recent(ws.db) if e["action"] == "catalog.refreshed"]
        assert len(logged) == 1 and json.loads(logged[0]["detail"])["updated"] == 1


def test_the_users_edits_own_entries_and_deletions_survive(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        first, second, third = catalog_store.entries(ws.db, KIND)[:3]
        edited = copy.deepcopy(first)
        edited["memory_gb"] = 7
        catalog_store.save_entry(ws.db, KIND, edited)
        with ws.db.atomic():  # the shipped copy this edit reverts to is an older release's
            ws.db.execute("UPDATE catalog SET shipped_data=? WHERE kind=? AND id=?",
                          [json.dumps({**first, "memory_gb": 1}), KIND, first["id"]])
        own = {**copy.deepcopy(second), "id": "my-own-gpu", "name": "My own GPU"}
        catalog_store.save_entry(ws.db, KIND, own)
        catalog_store.delete_entry(ws.db, KIND, third["id"])
        _as_older_release(ws.db, second["id"], memory_gb=1)
    with open_workspace(path) as ws:
        assert _row(ws.db, first["id"]) == ("local", edited, first)  # edit kept, revert renewed
        assert _row(ws.db, "my-own-gpu")[1] == own
        assert ws.db.execute("SELECT count(*) FROM catalog WHERE id=?",
                             [third["id"]]).fetchone()[0] == 0  # deleted stays deleted
        assert _row(ws.db, second["id"]) == ("shipped", second, None)
        refresh = ws.catalog_refresh
        assert refresh is not None and (refresh.updated, refresh.added, refresh.edits_kept) \
            == (1, 0, 1)
        assert catalog_store.revert_entry(ws.db, KIND, first["id"])
        assert _row(ws.db, first["id"]) == ("shipped", first, None)


def test_an_entry_new_to_the_shipped_catalog_is_added_once(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    packs = shipped_packs()
    newcomer = {**copy.deepcopy(packs[KIND].entries[0]), "id": "next-year-gpu",
                "name": "Next year's GPU"}
    newer = {**packs, KIND: replace(packs[KIND], entries=(*packs[KIND].entries, newcomer))}
    with open_workspace(path) as ws:
        with ws.db.atomic():
            result = catalog_store.refresh_shipped(ws.db, newer, "newer")
        assert (result.updated, result.added, result.edits_kept) == (0, 1, 0)
        assert _row(ws.db, "next-year-gpu") == ("shipped", newcomer, None)
        catalog_store.delete_entry(ws.db, KIND, "next-year-gpu")
        with ws.db.atomic():  # the same packs again: the user's deletion is respected
            again = catalog_store.refresh_shipped(ws.db, newer, "newer")
        assert again.changed == 0
        assert ws.db.execute("SELECT count(*) FROM catalog WHERE id='next-year-gpu'"
                             ).fetchone()[0] == 0


def test_a_workspace_from_before_the_record_keeps_its_deletions(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        gone = catalog_store.entries(ws.db, KIND)[0]
        catalog_store.delete_entry(ws.db, KIND, gone["id"])
        with ws.db.atomic():  # as written by the first release: neither record exists
            ws.db.execute("DELETE FROM meta WHERE key IN (?, ?)",
                          [catalog_store.SHIPPED_SHA_KEY, catalog_store.SHIPPED_IDS_KEY])
    with open_workspace(path) as ws:
        assert ws.catalog_refresh is not None and ws.catalog_refresh.added == 0
        assert ws.db.execute("SELECT count(*) FROM catalog WHERE id=?",
                             [gone["id"]]).fetchone()[0] == 0
        assert catalog_store.applied_fingerprint(ws.db) == shipped_fingerprint()


def test_a_read_only_workspace_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        target = catalog_store.entries(ws.db, KIND)[0]
        _as_older_release(ws.db, target["id"], memory_gb=1)
    with open_workspace(path, read_only=True) as ws:
        assert ws.catalog_refresh is None
        assert _row(ws.db, target["id"])[1]["memory_gb"] == 1


def test_unreadable_shipped_packs_leave_the_workspace_usable(tmp_path: Path,
                                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        target = catalog_store.entries(ws.db, KIND)[0]
        _as_older_release(ws.db, target["id"], memory_gb=1)
    from app.catalog.loader import CatalogError
    from app.operations import workspace_ops

    def broken() -> dict[str, Pack]:
        raise CatalogError("accelerators.json: must be a JSON object")

    monkeypatch.setattr(workspace_ops, "shipped_packs", broken)
    with open_workspace(path) as ws:
        assert ws.catalog_refresh is None
        assert ws.catalog.accelerator(target["id"]).memory_gb == 1.0
