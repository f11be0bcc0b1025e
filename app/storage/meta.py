"""The workspace's `meta` table: one text value per key (catalog version, seeding markers)."""

from __future__ import annotations

from sqlite_utils import Database


def read(db: Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM meta WHERE key=?", [key]).fetchone()
    return str(row[0]) if row else default


def write(db: Database, key: str, value: str) -> None:
    """Set `key` (inside the caller's transaction when there is one)."""
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])
