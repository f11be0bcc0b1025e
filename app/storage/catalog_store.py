"""Catalog entries in a workspace: seeded from the shipped packs, editable, importable.

An edit to a shipped entry keeps the shipped version in `shipped_data` and marks the row
`origin='local'`, so the GUI can show it as a local override and revert it. Every write is one
transaction with its audit row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from app.catalog.loader import Catalog, CatalogError, Pack
from app.catalog.validate import KINDS, entry_errors
from app.storage import audit
from app.storage.clock import now_iso


def _row(kind: str, entry: Mapping[str, Any], origin: str, shipped: str | None) -> list[Any]:
    return [kind, entry["id"], entry["name"], entry["source"], entry["as_of"], origin,
            json.dumps(entry, ensure_ascii=False), shipped, now_iso()]


_UPSERT = (
    "INSERT INTO catalog (kind, id, name, source, as_of, origin, data, shipped_data, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(kind, id) DO UPDATE SET name=excluded.name, source=excluded.source, "
    "as_of=excluded.as_of, origin=excluded.origin, data=excluded.data, "
    "shipped_data=excluded.shipped_data, updated_at=excluded.updated_at"
)


def seed(db: Database, packs: Mapping[str, Pack]) -> int:
    """Insert the shipped packs (inside the caller's transaction); returns rows written."""
    count = 0
    for kind, pack in packs.items():
        for entry in pack.entries:
            db.execute(_UPSERT, _row(kind, entry, "shipped", None))
            count += 1
    versions = sorted({p.catalog_version for p in packs.values()})
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('catalog_version', ?)",
               [versions[-1] if versions else ""])
    return count


def catalog_version(db: Database) -> str:
    row = db.execute("SELECT value FROM meta WHERE key='catalog_version'").fetchone()
    return str(row[0]) if row else ""


def entries(db: Database, kind: str) -> list[dict[str, Any]]:
    """All entries of a kind, by name."""
    rows = db.execute("SELECT data FROM catalog WHERE kind=? ORDER BY name COLLATE NOCASE",
                      [kind]).fetchall()
    return [json.loads(r[0]) for r in rows]


def origins(db: Database, kind: str) -> dict[str, str]:
    """id -> origin (`shipped`, `local` override, `imported`) for a kind."""
    rows = db.execute("SELECT id, origin FROM catalog WHERE kind=?", [kind]).fetchall()
    return {r[0]: r[1] for r in rows}


def load(db: Database) -> Catalog:
    """The workspace's catalog as the engine sees it."""
    return Catalog({kind: entries(db, kind) for kind in KINDS}, version=catalog_version(db))


def save_entry(db: Database, kind: str, entry: Mapping[str, Any]) -> str:
    """Add or edit one entry after validating it; returns 'added' or 'edited'."""
    errors = entry_errors(kind, entry)
    if errors:
        raise CatalogError(f"{kind} entry '{entry.get('id', '?')}': {errors[0]}")
    with db.atomic():
        old = db.execute("SELECT origin, data, shipped_data FROM catalog WHERE kind=? AND id=?",
                         [kind, entry["id"]]).fetchone()
        if old is None:
            db.execute(_UPSERT, _row(kind, entry, "local", None))
            change = "added"
        else:
            origin, data, shipped = old
            keep_shipped = data if origin == "shipped" else shipped
            new_origin = "local" if keep_shipped is not None else origin
            db.execute(_UPSERT, _row(kind, entry, new_origin, keep_shipped))
            change = "edited"
        audit.record(db, f"catalog.{change}", kind, entry["id"])
    return change


def revert_entry(db: Database, kind: str, entry_id: str) -> bool:
    """Restore a locally overridden shipped entry; False when there is nothing to revert."""
    with db.atomic():
        row = db.execute("SELECT shipped_data FROM catalog WHERE kind=? AND id=?",
                         [kind, entry_id]).fetchone()
        if row is None or row[0] is None:
            return False
        entry = json.loads(row[0])
        db.execute(_UPSERT, _row(kind, entry, "shipped", None))
        audit.record(db, "catalog.reverted", kind, entry_id)
    return True


def delete_entry(db: Database, kind: str, entry_id: str) -> bool:
    with db.atomic():
        cur = db.execute("DELETE FROM catalog WHERE kind=? AND id=?", [kind, entry_id])
        if cur.rowcount:
            audit.record(db, "catalog.deleted", kind, entry_id)
    return bool(cur.rowcount)


def import_entries(db: Database, kind: str, new: Iterable[Mapping[str, Any]], origin: str) -> int:
    """Import validated entries in one transaction: all of them or none."""
    rows = list(new)
    for entry in rows:
        errors = entry_errors(kind, entry)
        if errors:
            raise CatalogError(f"{kind} entry '{entry.get('id', '?')}': {errors[0]}")
    with db.atomic():
        for entry in rows:
            old = db.execute("SELECT origin, data, shipped_data FROM catalog "
                             "WHERE kind=? AND id=?", [kind, entry["id"]]).fetchone()
            shipped = None
            if old is not None:
                shipped = old[1] if old[0] == "shipped" else old[2]
            db.execute(_UPSERT, _row(kind, entry, "local" if shipped else origin, shipped))
        audit.record(db, "catalog.imported", kind, f"{len(rows)} entries",
                     ids=[e["id"] for e in rows][:200])
    return len(rows)
