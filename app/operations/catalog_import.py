"""Import catalog entries from the command line: local model files and packs.

Each function validates everything first and writes in one transaction through
`catalog_store.import_entries`, so a failed import leaves the workspace exactly as it was. It
returns what changed (ids added, changed, unchanged), for the command line to print and the GUI
to refresh from. Exports are written atomically: a file either has the whole pack or is left as
it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.catalog.importers.model_entry import model_entry
from app.catalog.loader import CatalogError
from app.operations import catalog_packs
from app.storage import catalog_store
from app.storage.workspace import Workspace


@dataclass(frozen=True)
class CatalogChange:
    """What an import did to one kind of the workspace catalog."""

    kind: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    entries: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class CatalogExport:
    kind: str
    path: Path
    format: str
    count: int


def _comparable(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry without its empty fields (null and "" mean the same: no value; a CSV cell
    cannot tell them apart)."""
    return {k: v for k, v in entry.items() if v is not None and v != ""}


def _import(ws: Workspace, kind: str, entries: Sequence[dict[str, Any]]) -> CatalogChange:
    before = {e["id"]: e for e in catalog_store.entries(ws.db, kind)}
    catalog_store.import_entries(ws.db, kind, entries, origin="imported")
    ws.catalog_changed()
    added = tuple(e["id"] for e in entries if e["id"] not in before)
    same = tuple(e["id"] for e in entries if e["id"] in before
                 and _comparable(before[e["id"]]) == _comparable(e))
    changed = tuple(e["id"] for e in entries if e["id"] in before and e["id"] not in same)
    return CatalogChange(kind, added, changed, same, tuple(entries))


def _origin(entry: Mapping[str, Any]) -> str:
    """The file part of a `local file: PATH (sha256 ...)` source."""
    return str(entry.get("source", "")).split(" (sha256 of ")[0]


def _free_id(ws: Workspace, entry: dict[str, Any]) -> str:
    """The entry's id, or `<id>-local[-N]` when another entry (shipped, or read from other
    files) already has it: an import never silently replaces an entry it did not create."""
    existing = {e["id"]: e for e in catalog_store.entries(ws.db, "models")}
    base = str(entry["id"])[:70]
    for candidate in (entry["id"], f"{base}-local", *(f"{base}-local-{n}" for n in
                                                      range(2, 1000))):
        other = existing.get(candidate)
        if other is None or _origin(other) == _origin(entry):
            return str(candidate)
    raise CatalogError(f"{entry['id']}: no free id; choose one with --id")


def import_model(ws: Workspace, path: Path, entry_id: str | None = None) -> CatalogChange:
    """Add the `models` entry read from a model folder or GGUF file.

    Without `entry_id` the id comes from the file name; if an entry from elsewhere already uses
    it, `-local` is appended. With `entry_id` that entry is added or replaced (a shipped entry
    becomes a local override that can be reverted).
    """
    entry = model_entry(path, entry_id)
    if entry_id is None:
        entry["id"] = _free_id(ws, entry)
    return _import(ws, "models", [entry])


def import_pack(ws: Workspace, path: Path, kind: str | None = None) -> CatalogChange:
    """Import every entry of a pack file (JSON, or CSV of a flat kind), all or none."""
    pack = catalog_packs.read_pack_file(path, kind)
    return _import(ws, pack.kind, list(catalog_packs.with_existing(ws, pack)))


def export_kind(ws: Workspace, kind: str, out: Path) -> CatalogExport:
    """Write every entry of `kind` as a pack: CSV when `out` ends in .csv, else JSON."""
    count = catalog_packs.export_pack(ws, kind, out)
    return CatalogExport(kind, out, "csv" if out.suffix.lower() == ".csv" else "json", count)
