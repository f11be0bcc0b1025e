"""Scenario list edits (new, duplicate, rename, delete), each returning its `Outcome` for undo.

Inverses restore the stored row with its id, so a redo after an undo brings back the same
scenario (and anything later in the undo stack that refers to its id still finds it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.operations.change import CHANGED_ELSEWHERE, SCENARIO, Change, ChangedElsewhere, Outcome
from app.storage import scenario_store
from app.storage.workspace import Workspace

SCENARIO_SCHEMA_VERSION = 1


def blank_scenario(name: str) -> dict[str, Any]:
    """The content of a new, empty scenario (the scenario editor fills in the rest)."""
    return {"schema_version": SCENARIO_SCHEMA_VERSION, "name": name, "description": ""}


def scenario_step(ws: Workspace, scenario_id: int, action: Callable[[], Any],
                  description: str) -> Outcome:
    """Snapshot one scenario, run `action`, and return the outcome whose inverse restores it.

    The inverse first checks that the scenario is still as `action` left it (ids are reused by
    SQLite, timestamps change on every write), so an undo never overwrites a change made outside
    this history; it raises `ChangedElsewhere` instead.
    """
    before = scenario_store.snapshot(ws.db, scenario_id)
    action()
    return _restorable(ws, scenario_id, before, description)


def _restorable(ws: Workspace, scenario_id: int, before: scenario_store.ScenarioSnapshot | None,
                description: str) -> Outcome:
    after = scenario_store.snapshot(ws.db, scenario_id)

    def inverse() -> Outcome:
        if scenario_store.snapshot(ws.db, scenario_id) != after:
            raise ChangedElsewhere(CHANGED_ELSEWHERE.format(what=f"scenario #{scenario_id}"))
        return scenario_step(
            ws, scenario_id, lambda: scenario_store.restore(ws.db, scenario_id, before),
            description)

    return Outcome(Change(SCENARIO, (str(scenario_id),), description), inverse)


def _created(ws: Workspace, scenario_id: int, description: str) -> Outcome:
    return _restorable(ws, scenario_id, None, description)


def insert_scenario(ws: Workspace, data: dict[str, Any], description: str) -> Outcome:
    """Store a new scenario (its name must be free); undo deletes it, redo restores it."""
    new_id = scenario_store.insert(ws.db, data)
    return _created(ws, new_id, description)


def create_scenario(ws: Workspace, name: str) -> Outcome:
    """A new blank scenario called `name` (which must be free)."""
    new_id = scenario_store.insert(ws.db, blank_scenario(name))
    return _created(ws, new_id, f"New scenario {name.strip()}")


def duplicate_scenario(ws: Workspace, scenario_id: int) -> Outcome:
    """A copy of a scenario named "<name> (copy)" (or the next free variant)."""
    data = scenario_store.get(ws.db, scenario_id)
    name = scenario_store.unique_name(ws.db, f"{data.get('name', 'Scenario')} (copy)")
    new_id = scenario_store.insert(ws.db, {**data, "name": name})
    return _created(ws, new_id, f"Duplicate {data.get('name', '')}")


def rename_scenario(ws: Workspace, scenario_id: int, name: str) -> Outcome:
    data = scenario_store.get(ws.db, scenario_id)
    return scenario_step(ws, scenario_id,
                         lambda: scenario_store.update(ws.db, scenario_id, {**data, "name": name}),
                         f"Rename {data.get('name', '')} to {name.strip()}")


def delete_scenario(ws: Workspace, scenario_id: int) -> Outcome:
    data = scenario_store.get(ws.db, scenario_id)
    return scenario_step(ws, scenario_id, lambda: scenario_store.delete(ws.db, scenario_id),
                         f"Delete {data.get('name', '')}")
