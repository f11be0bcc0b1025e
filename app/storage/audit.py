"""Audit log: who changed what, and when. Written in the same transaction as the change."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from app.storage.clock import current_user, now_iso


def record(db: Database, action: str, entity: str, entity_id: str, **detail: Any) -> None:
    """Append one audit row; call inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_log (at, user, action, entity, entity_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [now_iso(), current_user(), action, entity, entity_id,
         json.dumps(detail, ensure_ascii=False, default=str)],
    )


def recent(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """Newest audit rows first."""
    rows = db.execute(
        "SELECT at, user, action, entity, entity_id, detail FROM audit_log "
        "ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()
    keys = ("at", "user", "action", "entity", "entity_id", "detail")
    return [dict(zip(keys, row, strict=True)) for row in rows]
