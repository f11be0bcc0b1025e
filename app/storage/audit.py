"""Audit log: who changed what, and when. Written in the same transaction as the change.

Every store write calls `record` inside the `db.atomic()` block that makes the change, so the
change and its audit row commit together or not at all (a rolled-back change leaves no row).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from app.storage.clock import current_user, now_iso


@dataclass(frozen=True)
class AuditEntry:
    """One audit row; `at` is UTC ISO 8601 text, `detail` the decoded JSON."""

    id: int
    at: str
    user: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


def record(db: Database, action: str, entity: str, entity_id: str, **detail: Any) -> None:
    """Append one audit row; call inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_log (at, user, action, entity, entity_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [now_iso(), current_user(), action, entity, entity_id,
         json.dumps(detail, ensure_ascii=False, default=str)],
    )


def _iso(moment: datetime) -> str:
    """A moment as stored text (naive datetimes are taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def query(db: Database, *, entity: str | None = None, entity_id: str | None = None,
          action_prefix: str | None = None, since: datetime | None = None,
          until: datetime | None = None, limit: int = 500) -> list[AuditEntry]:
    """Audit rows matching every filter given, newest first.

    `since` is inclusive and `until` exclusive; `action_prefix` matches `scenario.` etc.
    """
    where: list[str] = []
    params: list[str | int] = []
    if entity is not None:
        where.append("entity = ?")
        params.append(entity)
    if entity_id is not None:
        where.append("entity_id = ?")
        params.append(entity_id)
    if action_prefix:
        where.append("substr(action, 1, ?) = ?")
        params.extend([len(action_prefix), action_prefix])
    if since is not None:
        where.append("at >= ?")
        params.append(_iso(since))
    if until is not None:
        where.append("at < ?")
        params.append(_iso(until))
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    rows = db.execute(
        "SELECT id, at, user, action, entity, entity_id, detail FROM audit_log "
        f"{clause}ORDER BY id DESC LIMIT ?",
        [*params, max(0, int(limit))],
    ).fetchall()
    return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]


def filter_choices(db: Database) -> tuple[list[str], list[str]]:
    """The entities and the action groups (`scenario`, `catalog`...) the log holds, sorted."""
    entities = [r[0] for r in db.execute(
        "SELECT DISTINCT entity FROM audit_log ORDER BY entity").fetchall()]
    groups = [r[0] for r in db.execute(
        "SELECT DISTINCT CASE WHEN instr(action, '.') > 0 "
        "THEN substr(action, 1, instr(action, '.') - 1) ELSE action END AS g "
        "FROM audit_log ORDER BY g").fetchall()]
    return entities, groups


def recent(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """Newest audit rows first, as plain dicts (detail left as JSON text)."""
    rows = db.execute(
        "SELECT at, user, action, entity, entity_id, detail FROM audit_log "
        "ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()
    keys = ("at", "user", "action", "entity", "entity_id", "detail")
    return [dict(zip(keys, row, strict=True)) for row in rows]
