"""Catalog entries in a workspace: seeded from the shipped packs, editable, importable.

An edit to a shipped entry keeps the shipped version in `shipped_data` and marks the row
`origin='local'`, so the GUI can show it as a local override and revert it. Every write is one
transaction with its audit row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from app.catalog.loader import Catalog, CatalogError, Pack
from app.catalog.validate import KINDS, entry_errors
from app.storage import audit, meta
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


SHIPPED_SHA_KEY = "shipped_catalog_sha256"  # meta: fingerprint of the packs last applied
SHIPPED_IDS_KEY = "shipped_catalog_ids"  # meta: {kind: [ids]} the packs last applied held


def _mark_applied(db: Database, packs: Mapping[str, Pack], fingerprint: str) -> None:
    versions = sorted({p.catalog_version for p in packs.values()})
    meta.write(db, "catalog_version", versions[-1] if versions else "")
    meta.write(db, SHIPPED_SHA_KEY, fingerprint)
    ids = {kind: sorted(str(e["id"]) for e in pack.entries) for kind, pack in packs.items()}
    meta.write(db, SHIPPED_IDS_KEY, json.dumps(ids))


def seed(db: Database, packs: Mapping[str, Pack], fingerprint: str) -> int:
    """Insert the shipped packs (inside the caller's transaction) and record them as applied
    (`fingerprint`: `loader.shipped_fingerprint()`); returns rows written."""
    count = 0
    for kind, pack in packs.items():
        for entry in pack.entries:
            db.execute(_UPSERT, _row(kind, entry, "shipped", None))
            count += 1
    _mark_applied(db, packs, fingerprint)
    return count


def applied_fingerprint(db: Database) -> str:
    """The fingerprint of the shipped packs this workspace last took ('' before it kept one)."""
    return meta.read(db, SHIPPED_SHA_KEY)


@dataclass(frozen=True)
class Refresh:
    """What taking a newer shipped catalog changed."""

    updated: int  # unedited shipped entries whose values changed
    added: int  # entries new in the shipped catalog
    edits_kept: int  # user-edited shipped entries: the edit stays, its revert target is renewed
    from_version: str
    to_version: str

    @property
    def changed(self) -> int:
        return self.updated + self.added + self.edits_kept


def _known_ids(db: Database) -> dict[str, set[str]]:
    """Shipped ids the workspace has already seen: recorded when the packs were last applied;
    for a workspace from before that record, every id it holds or has deleted."""
    text = meta.read(db, SHIPPED_IDS_KEY)
    if text:
        try:
            recorded = json.loads(text)
            return {str(k): {str(i) for i in v} for k, v in recorded.items()}
        except (ValueError, AttributeError, TypeError):
            pass  # a damaged record: fall back to what the tables say
    known: dict[str, set[str]] = {}
    for kind, entry_id in db.execute("SELECT kind, id FROM catalog").fetchall():
        known.setdefault(kind, set()).add(entry_id)
    for kind, entry_id in db.execute("SELECT entity, entity_id FROM audit_log "
                                     "WHERE action='catalog.deleted'").fetchall():
        known.setdefault(kind, set()).add(entry_id)
    return known


def refresh_shipped(db: Database, packs: Mapping[str, Pack], fingerprint: str) -> Refresh:
    """Take a newer shipped catalog (inside the caller's transaction), keeping the user's work.

    An unedited shipped entry takes the new values; an edited one keeps the edit and renews the
    shipped copy that Revert restores; an entry new to the shipped catalog is added unless the
    user deleted it before; the user's own and imported entries are never touched; an entry
    dropped from the shipped catalog stays, since scenarios may name it.
    """
    known = _known_ids(db)
    before = catalog_version(db)
    updated = added = kept = 0
    for kind, pack in packs.items():
        for entry in pack.entries:
            text = json.dumps(entry, ensure_ascii=False)
            row = db.execute("SELECT origin, data, shipped_data FROM catalog WHERE kind=? AND id=?",
                             [kind, entry["id"]]).fetchone()
            if row is None:
                if entry["id"] not in known.get(kind, set()):
                    db.execute(_UPSERT, _row(kind, entry, "shipped", None))
                    added += 1
            elif row[0] == "shipped":
                if row[1] != text:
                    db.execute(_UPSERT, _row(kind, entry, "shipped", None))
                    updated += 1
            elif row[2] is not None and row[2] != text:
                db.execute("UPDATE catalog SET shipped_data=? WHERE kind=? AND id=?",
                           [text, kind, entry["id"]])
                kept += 1
    _mark_applied(db, packs, fingerprint)
    result = Refresh(updated, added, kept, before, catalog_version(db))
    audit.record(db, "catalog.refreshed", "catalog", result.to_version, updated=updated,
                 added=added, edits_kept=kept, from_version=before)
    return result


def catalog_version(db: Database) -> str:
    return meta.read(db, "catalog_version")


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


# --- Undo support and display states --------------------------------------------------------

ENTRY_STATES = ("shipped", "override", "added", "imported")


@dataclass(frozen=True)
class RowSnapshot:
    """One catalog row exactly as stored, so that undo puts back origin and shipped copy too."""

    origin: str
    data: str
    shipped_data: str | None


def entry_states(db: Database, kind: str) -> dict[str, str]:
    """id -> `shipped`, `override` (an edited shipped entry), `added` (made here) or `imported`."""
    rows = db.execute("SELECT id, origin, shipped_data IS NOT NULL FROM catalog WHERE kind=?",
                      [kind]).fetchall()
    states: dict[str, str] = {}
    for entry_id, origin, has_shipped in rows:
        if origin == "shipped":
            states[entry_id] = "shipped"
        elif has_shipped:
            states[entry_id] = "override"
        else:
            states[entry_id] = "imported" if origin == "imported" else "added"
    return states


def get_entry(db: Database, kind: str, entry_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT data FROM catalog WHERE kind=? AND id=?", [kind, entry_id]).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def snapshot(db: Database, kind: str, ids: Iterable[str]) -> dict[str, RowSnapshot | None]:
    """The stored state of each id (None where there is no such entry)."""
    result: dict[str, RowSnapshot | None] = {}
    for entry_id in ids:
        row = db.execute("SELECT origin, data, shipped_data FROM catalog WHERE kind=? AND id=?",
                         [kind, entry_id]).fetchone()
        result[entry_id] = None if row is None else RowSnapshot(row[0], row[1], row[2])
    return result


def restore(db: Database, kind: str, snapshots: Mapping[str, RowSnapshot | None]) -> None:
    """Put rows back exactly as snapshotted (deleting those that did not exist), in one
    transaction with its audit row."""
    with db.atomic():
        for entry_id, snap in snapshots.items():
            if snap is None:
                db.execute("DELETE FROM catalog WHERE kind=? AND id=?", [kind, entry_id])
            else:
                db.execute(_UPSERT, _row(kind, json.loads(snap.data), snap.origin,
                                         snap.shipped_data))
        audit.record(db, "catalog.restored", kind, ",".join(list(snapshots)[:20]),
                     ids=list(snapshots)[:200])


def shipped_entry(db: Database, kind: str, entry_id: str) -> dict[str, Any] | None:
    """The shipped version kept behind a local override (None when it is not an override)."""
    row = db.execute("SELECT shipped_data FROM catalog WHERE kind=? AND id=?",
                     [kind, entry_id]).fetchone()
    return None if row is None or row[0] is None else dict(json.loads(row[0]))
