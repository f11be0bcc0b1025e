"""Scenarios in a workspace: typed columns for what is listed and queried, JSON for the rest.

Scenario content is validated by the scenario format before it reaches this store; the store
checks only what the table needs (a unique, non-empty name and a JSON object with a
`schema_version`). Each write is one transaction with its audit row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from app.errors import UserError
from app.storage import audit, messages
from app.storage.clock import now_iso

MAX_NAME_CHARS = 120


class ScenarioStoreError(UserError):
    """A scenario that cannot be stored as asked (duplicate or empty name, unknown id)."""


@dataclass(frozen=True)
class ScenarioRow:
    id: int
    name: str
    description: str
    schema_version: int
    model_id: str | None
    accelerator_id: str | None
    updated_at: str


def _summary(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    workloads = data.get("workloads") or []
    model = workloads[0].get("model") if workloads and isinstance(workloads[0], Mapping) else None
    deployment = data.get("deployment") or {}
    accel = deployment.get("accelerator") if isinstance(deployment, Mapping) else None
    return (model if isinstance(model, str) else None, accel if isinstance(accel, str) else None)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ScenarioStoreError(messages.SCENARIO_NAME_EMPTY)
    cleaned = str(name).strip()
    if len(cleaned) > MAX_NAME_CHARS:
        raise ScenarioStoreError(messages.SCENARIO_NAME_TOO_LONG.format(limit=MAX_NAME_CHARS))
    return cleaned


def list_rows(db: Database) -> list[ScenarioRow]:
    """Every scenario, by name (no JSON decoding: fast for large workspaces)."""
    rows = db.execute(
        "SELECT id, name, description, schema_version, model_id, accelerator_id, updated_at "
        "FROM scenarios ORDER BY name COLLATE NOCASE"
    ).fetchall()
    return [ScenarioRow(*r) for r in rows]


def get(db: Database, scenario_id: int) -> dict[str, Any]:
    row = db.execute("SELECT data FROM scenarios WHERE id=?", [scenario_id]).fetchone()
    if row is None:
        raise ScenarioStoreError(messages.SCENARIO_MISSING.format(id=scenario_id))
    data: dict[str, Any] = json.loads(row[0])
    return data


def find(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM scenarios WHERE name=?", [name]).fetchone()
    if row is None:
        row = db.execute("SELECT id FROM scenarios WHERE lower(name)=lower(?)", [name]).fetchone()
    return int(row[0]) if row else None


def insert(db: Database, data: Mapping[str, Any]) -> int:
    """Store a new scenario; its name must be unique."""
    name = _check_name(data.get("name"))
    with db.atomic():
        if find(db, name) is not None:
            raise ScenarioStoreError(messages.SCENARIO_NAME_TAKEN.format(name=name))
        model, accel = _summary(data)
        stamp = now_iso()
        cur = db.execute(
            "INSERT INTO scenarios (name, description, schema_version, model_id, accelerator_id,"
            " data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [name, str(data.get("description") or ""), int(data.get("schema_version", 1)),
             model, accel, json.dumps({**data, "name": name}, ensure_ascii=False), stamp, stamp],
        )
        new_id = int(cur.lastrowid or 0)
        audit.record(db, "scenario.created", "scenario", str(new_id), name=name)
    return new_id


def update(db: Database, scenario_id: int, data: Mapping[str, Any]) -> None:
    """Replace a scenario's content (rename included)."""
    name = _check_name(data.get("name"))
    with db.atomic():
        other = find(db, name)
        if other is not None and other != scenario_id:
            raise ScenarioStoreError(messages.SCENARIO_NAME_TAKEN.format(name=name))
        model, accel = _summary(data)
        cur = db.execute(
            "UPDATE scenarios SET name=?, description=?, schema_version=?, model_id=?,"
            " accelerator_id=?, data=?, updated_at=? WHERE id=?",
            [name, str(data.get("description") or ""), int(data.get("schema_version", 1)),
             model, accel, json.dumps({**data, "name": name}, ensure_ascii=False), now_iso(),
             scenario_id],
        )
        if cur.rowcount == 0:
            raise ScenarioStoreError(messages.SCENARIO_MISSING.format(id=scenario_id))
        db.execute("DELETE FROM results_cache WHERE scenario_id=?", [scenario_id])
        audit.record(db, "scenario.edited", "scenario", str(scenario_id), name=name)


def delete(db: Database, scenario_id: int) -> dict[str, Any]:
    """Delete a scenario and return what it held (for undo)."""
    with db.atomic():
        data = get(db, scenario_id)
        db.execute("DELETE FROM scenarios WHERE id=?", [scenario_id])
        audit.record(db, "scenario.deleted", "scenario", str(scenario_id), name=data.get("name"))
    return data


def unique_name(db: Database, wanted: str) -> str:
    """`wanted`, or `wanted (2)`, `(3)`... whichever is free."""
    if find(db, wanted) is None:
        return wanted
    n = 2
    while find(db, f"{wanted} ({n})") is not None:
        n += 1
    return f"{wanted} ({n})"


# --- Undo support ---------------------------------------------------------------------------

_SNAPSHOT_COLUMNS = ("name", "description", "schema_version", "model_id", "accelerator_id",
                     "data", "created_at", "updated_at")


@dataclass(frozen=True)
class ScenarioSnapshot:
    """One scenario row exactly as stored (id, timestamps included), so undo keeps its id."""

    id: int
    name: str
    description: str
    schema_version: int
    model_id: str | None
    accelerator_id: str | None
    data: str
    created_at: str
    updated_at: str


def snapshot(db: Database, scenario_id: int) -> ScenarioSnapshot | None:
    row = db.execute(f"SELECT {', '.join(_SNAPSHOT_COLUMNS)} FROM scenarios WHERE id=?",
                     [scenario_id]).fetchone()
    return None if row is None else ScenarioSnapshot(scenario_id, *row)


def restore(db: Database, scenario_id: int, snap: ScenarioSnapshot | None) -> None:
    """Put a scenario back as snapshotted (delete it when `snap` is None), keeping its id."""
    with db.atomic():
        if snap is None:
            db.execute("DELETE FROM scenarios WHERE id=?", [scenario_id])
            audit.record(db, "scenario.restored", "scenario", str(scenario_id), deleted=True)
            return
        other = find(db, snap.name)
        if other is not None and other != scenario_id:
            raise ScenarioStoreError(messages.SCENARIO_NAME_TAKEN.format(name=snap.name))
        db.execute("DELETE FROM scenarios WHERE id=?", [scenario_id])
        db.execute(
            f"INSERT INTO scenarios (id, {', '.join(_SNAPSHOT_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' for _ in _SNAPSHOT_COLUMNS)})",
            [scenario_id, *(getattr(snap, c) for c in _SNAPSHOT_COLUMNS)],
        )
        audit.record(db, "scenario.restored", "scenario", str(scenario_id), name=snap.name)
