"""Open a workspace, creating and seeding it on first use.

A new workspace gets the shipped catalog and the demo scenarios (`resources/scenarios/demo/`)
in one transaction, so a half-seeded file never exists. Seeding is decided by the
`seeded_catalog_entries` marker it writes, not by "the file was just created": a process killed
between creating the file and seeding it leaves an empty workspace that the next open seeds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.catalog.loader import shipped_packs
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
        count = catalog_store.seed(ws.db, packs)
        for scenario in demos:
            scenario_store.insert(ws.db, scenario)
        ws.set_meta(SEEDED_MARKER, str(count))
        audit.record(ws.db, "workspace.created", "workspace", str(ws.path),
                     catalog_entries=count, scenarios=len(demos))
    ws.catalog_changed()


def open_workspace(path: Path | str | None = None, *, read_only: bool = False,
                   policy: StoragePolicy = DEFAULT_POLICY, with_demos: bool = True) -> Workspace:
    """Open `path` (default: the user's workspace), seeding it if it is new: the catalog, and
    the demo scenarios unless `with_demos` is false ("New workspace…" starts without them).

    `ws.read_only` and `ws.notice` say whether it could be opened for editing, and why not.
    """
    target = Path(path) if path else default_workspace_path()
    ws = Workspace(target, read_only=read_only, policy=policy)
    if not ws.read_only and not ws.meta(SEEDED_MARKER):
        try:
            seed_workspace(ws, with_demos)
        except BaseException:
            ws.close()
            raise
    return ws


def save_copy(ws: Workspace, target: Path) -> Path:
    """Write a consistent copy of the open workspace to `target` (the GUI has already asked
    before replacing an existing file)."""
    from app.operations.workspace_maintenance import save_copy_as

    return save_copy_as(ws, target, overwrite=True)
