"""Open a workspace, creating and seeding it on first use.

A new workspace gets the shipped catalog and the demo scenarios (`resources/scenarios/demo/`)
in one transaction, so a half-seeded file never exists. Seeding is decided by the
`seeded_catalog_entries` marker it writes, not by "the file was just created": a process killed
between creating the file and seeding it leaves an empty workspace that the next open seeds.

A workspace opened by a newer Enclave whose shipped catalog changed takes the new reference
values (`catalog_store.refresh_shipped`): the user's edits, own entries and deletions stay.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.catalog.loader import CatalogError, shipped_fingerprint, shipped_packs
from app.paths import default_workspace_path, resources_dir
from app.storage import audit, catalog_store, scenario_store
from app.storage.policy import DEFAULT_POLICY, StoragePolicy
from app.storage.workspace import Workspace

SEEDED_MARKER = "seeded_catalog_entries"


def demo_scenarios() -> list[dict[str, Any]]:
    """The shipped demo scenarios, in file-name order."""
    folder = resources_dir() / "scenarios" / "demo"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def seed_workspace(ws: Workspace, with_demos: bool = True) -> None:
    """Fill a new workspace with the shipped catalog (and the demo scenarios)."""
    packs = shipped_packs()
    demos = demo_scenarios() if with_demos else []
    with ws.db.atomic():
        count = catalog_store.seed(ws.db, packs, shipped_fingerprint())
        for scenario in demos:
            scenario_store.insert(ws.db, scenario)
        ws.set_meta(SEEDED_MARKER, str(count))
        audit.record(ws.db, "workspace.created", "workspace", str(ws.path),
                     catalog_entries=count, scenarios=len(demos))
    ws.catalog_changed()


def refresh_catalog(ws: Workspace) -> catalog_store.Refresh | None:
    """Bring the workspace's shipped entries up to this release's catalog (None when they are
    already, the file is read-only, or the shipped packs cannot be read: the workspace keeps
    its own copy, which the engine uses as before)."""
    fingerprint = shipped_fingerprint()
    if ws.read_only or catalog_store.applied_fingerprint(ws.db) == fingerprint:
        return None
    try:
        packs = shipped_packs()
    except CatalogError:
        return None
    with ws.db.atomic():
        result = catalog_store.refresh_shipped(ws.db, packs, fingerprint)
    ws.catalog_changed()
    ws.catalog_refresh = result
    return result


def open_workspace(path: Path | str | None = None, *, read_only: bool = False,
                   policy: StoragePolicy = DEFAULT_POLICY, with_demos: bool = True) -> Workspace:
    """Open `path` (default: the user's workspace), seeding it if it is new: the catalog, and
    the demo scenarios unless `with_demos` is false ("New workspace…" starts without them).

    `ws.read_only` and `ws.notice` say whether it could be opened for editing, and why not.
    """
    target = Path(path) if path else default_workspace_path()
    ws = Workspace(target, read_only=read_only, policy=policy)
    try:
        if not ws.read_only and not ws.meta(SEEDED_MARKER):
            seed_workspace(ws, with_demos)
        else:
            refresh_catalog(ws)
    except BaseException:
        ws.close()
        raise
    return ws


def save_copy(ws: Workspace, target: Path) -> Path:
    """Write a consistent copy of the open workspace to `target` (the GUI has already asked
    before replacing an existing file)."""
    from app.operations.workspace_maintenance import save_copy_as

    return save_copy_as(ws, target, overwrite=True)
