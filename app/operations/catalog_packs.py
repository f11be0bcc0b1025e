"""Catalog packs in and out of a workspace: JSON for every kind, CSV for the flat kinds.

- `read_pack_file` parses and validates a whole file first (pure; safe on a worker thread);
  a bad file raises `CatalogError` naming the row or entry, the field and the rule.
- `import_pack` writes every entry in one transaction (`catalog_store.import_entries`): all of
  them or none. Its `Outcome` undoes the import exactly.
- `export_pack` writes atomically (temp file, fsync, `os.replace`), readable by the owner only.

A JSON pack is `{"kind", "catalog_version", "entries"}` (`resources/catalog/README.md`) and
carries every field. A CSV pack has one column per documented field (`catalog.fields`); lists
are written `a; b`. Text cells that a spreadsheet would run as a formula get a leading `'`,
which reading strips again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.catalog import fields
from app.catalog.loader import MAX_PACK_BYTES, CatalogError, read_pack
from app.catalog.validate import KINDS, entry_errors
from app.operations.catalog_ops import catalog_step
from app.operations.change import Outcome
from app.operations.progress import CancelToken, ProgressCallback, no_progress
from app.storage import catalog_store
from app.storage.files import write_atomic
from app.storage.workspace import Workspace

CSV_ONLY_FLAT = ("{kind}: cannot be written as CSV (nested fields); choose a .json file. "
                 "CSV packs exist for " + ", ".join(fields.CSV_KINDS))
CSV_NEEDS_KIND = ("{name}: a CSV pack holds one kind; add a 'kind' column or choose which kind "
                  "it is")
MIXED_KINDS = "{name}: every row's kind must be the same (and match the kind chosen)"
UNKNOWN_COLUMN = "{name}: column '{column}' is not a field of {kind} (fields: {known})"
MISSING_COLUMNS = "{name}: the columns {missing} are required"
EMPTY_PACK = "{name}: holds no entries"
DUPLICATE_ID = "{name}: row {row}: id '{id}' appears twice in the pack"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
REQUIRED_COLUMNS = ("id", "name", "source", "as_of")


@dataclass(frozen=True)
class PackContents:
    """A validated pack read from a file, ready to import."""

    kind: str
    entries: tuple[dict[str, Any], ...]
    source_name: str
    catalog_version: str = ""
    partial: bool = False  # CSV: only the documented fields; others are kept on import


def read_pack_file(path: Path, kind: str | None = None,
                   progress: ProgressCallback = no_progress,
                   cancel: CancelToken | None = None) -> PackContents:
    """Read and validate a JSON or CSV pack; raises CatalogError.

    A CSV pack holds one kind, named by its `kind` column (as `export` writes it), by `kind`,
    or by the file's name (`servers.csv`).
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        pack = read_pack(path)
        if not pack.entries:
            raise CatalogError(EMPTY_PACK.format(name=path.name))
        return PackContents(pack.kind, pack.entries, path.name, pack.catalog_version)
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise CatalogError(f"{path.name}: is larger than the "
                               f"{MAX_PACK_BYTES // 1_000_000} MB limit")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CatalogError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{path.name}: must be UTF-8 text") from None
    if kind is None and path.stem in fields.CSV_KINDS:
        kind = path.stem
    found, entries = parse_csv_text(text, path.name, kind, progress, cancel)
    return PackContents(found, entries, path.name, partial=True)


def parse_csv_text(text: str, name: str, kind: str | None = None,
                   progress: ProgressCallback = no_progress,
                   cancel: CancelToken | None = None) -> tuple[str, tuple[dict[str, Any], ...]]:
    """(kind, validated entries) of a CSV pack's text; `name` is used in messages."""
    cancel = cancel or CancelToken()
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise CatalogError(f"{name}: is not valid CSV ({exc})") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CatalogError(EMPTY_PACK.format(name=name))
    header = [cell.strip() for cell in rows[0]]
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if header[0] == "kind":
        kinds = {r[0].strip() for r in body}
        if len(kinds) > 1 or (kind is not None and kinds - {kind}):
            raise CatalogError(MIXED_KINDS.format(name=name))
        kind = kinds.pop() if kinds else kind
        header = header[1:]
        body = [r[1:] for r in body]
    if kind not in KINDS:
        raise CatalogError(CSV_NEEDS_KIND.format(name=name))
    if kind not in fields.CSV_KINDS:
        raise CatalogError(CSV_ONLY_FLAT.format(kind=kind))
    specs = {spec.path: spec for spec in fields.fields(kind)}
    for column in header:
        if column not in specs:
            raise CatalogError(UNKNOWN_COLUMN.format(name=name, column=column, kind=kind,
                                                     known=", ".join(specs)))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(MISSING_COLUMNS.format(name=name, missing=", ".join(missing)))
    if not body:
        raise CatalogError(EMPTY_PACK.format(name=name))
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, cells in enumerate(body, start=2):
        if number % 200 == 0:
            cancel.raise_if_cancelled()
            progress(number / (len(body) + 1), f"Reading row {number}")
        if len(cells) > len(header):
            raise CatalogError(f"{name}: row {number}: has more cells than the header")
        values: dict[str, Any] = {}
        for column, cell in zip(header, cells, strict=False):
            value, problem = fields.parse_text(specs[column], _unguard(cell))
            if problem:
                raise CatalogError(f"{name}: row {number}: {column}: {problem}")
            values[column] = value
        entry = fields.apply_values(kind, {}, values)
        errors = entry_errors(kind, entry)
        if errors:
            raise CatalogError(f"{name}: row {number}: {errors[0]}")
        if entry["id"] in seen:
            raise CatalogError(DUPLICATE_ID.format(name=name, row=number, id=entry["id"]))
        seen.add(entry["id"])
        entries.append(entry)
    progress(1.0, "Read")
    return kind, tuple(entries)


def _unguard(cell: str) -> str:
    if cell.startswith("'") and cell[1:2] in FORMULA_PREFIXES and cell[1:2]:
        return cell[1:]
    return cell


def _guard(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def with_existing(ws: Workspace, pack: PackContents) -> tuple[dict[str, Any], ...]:
    """The entries to write: a CSV row updates the documented fields of an existing entry and
    keeps the rest (its notes, field sources...); a JSON entry replaces it whole."""
    if not pack.partial:
        return pack.entries
    existing = {e["id"]: e for e in catalog_store.entries(ws.db, pack.kind)}
    return tuple({**existing.get(e["id"], {}), **e} for e in pack.entries)


def import_pack(ws: Workspace, pack: PackContents) -> Outcome:
    """Write a validated pack's entries in one transaction; undo restores what was there."""
    entries = with_existing(ws, pack)
    ids = [str(e["id"]) for e in entries]
    return catalog_step(
        ws, pack.kind, ids,
        lambda: catalog_store.import_entries(ws.db, pack.kind, entries, origin="imported"),
        f"Import {len(entries)} {pack.kind} from {pack.source_name}")


def pack_bytes(kind: str, entries: list[dict[str, Any]], catalog_version: str,
               as_csv: bool) -> bytes:
    """The file content of a pack of `entries`."""
    if not as_csv:
        pack = {"kind": kind, "catalog_version": catalog_version or "local", "entries": entries}
        return (json.dumps(pack, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    if kind not in fields.CSV_KINDS:
        raise CatalogError(CSV_ONLY_FLAT.format(kind=kind))
    specs = fields.fields(kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", *(spec.path for spec in specs)])
    for entry in entries:
        writer.writerow([kind, *(_cell(spec, entry) for spec in specs)])
    return out.getvalue().encode("utf-8")


def _cell(spec: fields.FieldSpec, entry: Mapping[str, Any]) -> str:
    text = fields.format_value(spec, fields.value_at(entry, spec.path))
    return text if spec.type in ("number", "integer") else _guard(text)


def export_pack(ws: Workspace, kind: str, path: Path) -> int:
    """Write every entry of `kind` to `path` (.csv or JSON); returns the number written."""
    path = Path(path)
    entries = catalog_store.entries(ws.db, kind)
    data = pack_bytes(kind, entries, catalog_store.catalog_version(ws.db),
                      as_csv=path.suffix.lower() == ".csv")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be written ({exc.strerror})") from None
    return len(entries)
