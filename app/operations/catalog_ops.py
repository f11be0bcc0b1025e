"""Catalog edits a user can make, each returning its `Outcome` (change + inverse) for undo.

Writes go through `catalog_store` (validated, transactional, audited). The inverse of every
step restores the rows exactly as they were, origin and shipped copy included, so undoing an
edit of a shipped entry makes it shipped again rather than a local copy of itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.catalog.loader import CatalogError
from app.operations.change import CATALOG, CHANGED_ELSEWHERE, Change, ChangedElsewhere, Outcome
from app.storage import catalog_store
from app.storage.workspace import Workspace

ID_TAKEN = "id: an entry with this id already exists in {kind}"
NO_SUCH_ENTRY = "{kind} entry '{id}': does not exist in this workspace"
NOTHING_TO_REVERT = "{kind} entry '{id}': is not a local override of a shipped entry"


def catalog_step(ws: Workspace, kind: str, ids: Sequence[str], action: Callable[[], Any],
                 description: str) -> Outcome:
    """Snapshot `ids`, run `action`, and return the outcome whose inverse restores them.

    The inverse first checks that the rows are still as `action` left them, so an undo never
    overwrites a change made outside this history (it raises `ChangedElsewhere` instead).
    """
    ids = tuple(dict.fromkeys(ids))
    before = catalog_store.snapshot(ws.db, kind, ids)
    action()
    ws.catalog_changed()
    after = catalog_store.snapshot(ws.db, kind, ids)

    def inverse() -> Outcome:
        if catalog_store.snapshot(ws.db, kind, ids) != after:
            raise ChangedElsewhere(CHANGED_ELSEWHERE.format(what=f"{kind} {', '.join(ids[:3])}"))
        return catalog_step(ws, kind, ids, lambda: catalog_store.restore(ws.db, kind, before),
                            description)

    return Outcome(Change(CATALOG, ids, description, scope=kind), inverse)


def _name(entry: Mapping[str, Any]) -> str:
    return str(entry.get("name") or entry.get("id") or "entry")


def add_entry(ws: Workspace, kind: str, entry: Mapping[str, Any]) -> Outcome:
    """Add a new entry (made here, so it shows as `added`); its id must be new."""
    entry_id = str(entry.get("id", ""))
    if catalog_store.get_entry(ws.db, kind, entry_id) is not None:
        raise CatalogError(ID_TAKEN.format(kind=kind))
    return catalog_step(ws, kind, [entry_id],
                        lambda: catalog_store.save_entry(ws.db, kind, entry),
                        f"Add {_name(entry)}")


def edit_entry(ws: Workspace, kind: str, entry: Mapping[str, Any]) -> Outcome:
    """Replace an existing entry; a shipped one becomes a revertible local override."""
    entry_id = str(entry.get("id", ""))
    if catalog_store.get_entry(ws.db, kind, entry_id) is None:
        raise CatalogError(NO_SUCH_ENTRY.format(kind=kind, id=entry_id))
    return catalog_step(ws, kind, [entry_id],
                        lambda: catalog_store.save_entry(ws.db, kind, entry),
                        f"Edit {_name(entry)}")


def delete_entry(ws: Workspace, kind: str, entry_id: str) -> Outcome:
    entry = catalog_store.get_entry(ws.db, kind, entry_id)
    if entry is None:
        raise CatalogError(NO_SUCH_ENTRY.format(kind=kind, id=entry_id))
    return catalog_step(ws, kind, [entry_id],
                        lambda: catalog_store.delete_entry(ws.db, kind, entry_id),
                        f"Delete {_name(entry)}")


def revert_entry(ws: Workspace, kind: str, entry_id: str) -> Outcome:
    """Go back to the shipped version of an overridden entry."""
    entry = catalog_store.get_entry(ws.db, kind, entry_id)
    if entry is None or catalog_store.entry_states(ws.db, kind).get(entry_id) != "override":
        raise CatalogError(NOTHING_TO_REVERT.format(kind=kind, id=entry_id))
    return catalog_step(ws, kind, [entry_id],
                        lambda: catalog_store.revert_entry(ws.db, kind, entry_id),
                        f"Revert {_name(entry)} to shipped")


def duplicate_draft(ws: Workspace, kind: str, entry_id: str) -> dict[str, Any]:
    """A copy of an entry with a free id and a "(copy)" name, to edit before adding."""
    entry = catalog_store.get_entry(ws.db, kind, entry_id)
    if entry is None:
        raise CatalogError(NO_SUCH_ENTRY.format(kind=kind, id=entry_id))
    draft = copy.deepcopy(entry)
    taken = set(catalog_store.origins(ws.db, kind))
    base = f"{entry_id}-copy"[:76]
    new_id, n = base, 2
    while new_id in taken:
        new_id, n = f"{base}-{n}", n + 1
    draft["id"] = new_id
    draft["name"] = f"{entry.get('name', entry_id)} (copy)"
    return draft
