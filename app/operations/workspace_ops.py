"""Open a workspace, creating and seeding it on first use.

A new workspace gets the shipped catalog and the demo scenarios (`resources/scenarios/demo/`)
in one transaction, so a half-seeded file never exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.catalog.loader import shipped_packs
from app.paths import default_workspace_path, resources_dir
from app.storage import audit, catalog_store, scenario_store
from app.storage.workspace import Workspace


def demo_scenarios() -> list[dict[str, Any]]:
    """The shipped demo scenarios, in file-name order."""
    folder = resources_dir() / "scenarios" / "demo"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def seed_workspace(ws: Workspace) -> None:
    """Fill a new workspace with the shipped catalog and demo scenarios."""
    packs = shipped_packs()
    demos = demo_scenarios()
    with ws.db.atomic():
        count = catalog_store.seed(ws.db, packs)
        for scenario in demos:
            scenario_store.insert(ws.db, scenario)
        ws.set_meta("seeded_catalog_entries", str(count))
        audit.record(ws.db, "workspace.created", "workspace", str(ws.path),
                     catalog_entries=count, scenarios=len(demos))
    ws.catalog_changed()


def open_workspace(path: Path | str | None = None) -> Workspace:
    """Open `path` (default: the user's workspace), seeding it if it is new."""
    target = Path(path) if path else default_workspace_path()
    ws = Workspace(target)
    if ws.created:
        try:
            seed_workspace(ws)
        except BaseException:
            ws.close()
            raise
    return ws
