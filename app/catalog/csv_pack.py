"""Catalog packs as CSV, for the flat kinds (one entry per row).

Flat kinds are those whose entries are mostly scalars: `servers`, `quantizations`,
`cloud-apis`, `gpu-rentals`. A CSV pack has a header row of field names (a `kind` column, or the
kind given by the caller, says which kind the rows are). Cells are read as:

- empty -> null;
- text columns (ids, names, sources, dates, notes, ...) -> the text as written, unless it is a
  JSON array or object (some entries keep `notes` as a list);
- any other column -> JSON when the cell is a JSON number, `true`/`false`/`null`, array or
  object (lists such as `engines` and objects such as `field_sources` are written that way),
  else the text.

Export writes the same shape, so `export` followed by `import` gives the same entries.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from app.catalog.loader import CatalogError, Pack, parse_pack
from app.catalog.validate import KINDS

FLAT_KINDS = ("servers", "quantizations", "cloud-apis", "gpu-rentals")
MAX_CSV_BYTES = 50_000_000
TEXT_COLUMNS = frozenset({
    "id", "name", "source", "as_of", "notes", "derived", "scheme_note", "provider",
    "provider_country", "model", "model_kind", "tier", "accelerator", "gpu_as_published",
    "instance", "pricing_type", "reserved_term", "form_factor", "compute_precision", "scheme",
    "description",
})


def _cell(column: str, text: str) -> Any:
    if text == "":
        return None
    stripped = text.strip()
    structured = stripped[:1] in ("[", "{")
    if column in TEXT_COLUMNS and not structured:
        return text
    if structured or stripped[:1] in "-0123456789" or stripped in ("true", "false", "null"):
        try:
            value = json.loads(stripped)
        except (ValueError, RecursionError):
            return text
        if column not in TEXT_COLUMNS or isinstance(value, list | dict):
            return value
    return text


def parse_csv_pack(text: str, origin: str, kind: str | None = None) -> Pack:
    """Validate a CSV pack; raise CatalogError naming `origin`, the row and the broken rule."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not rows[0]:
        raise CatalogError(f"{origin}: must start with a header row of field names")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header) or "" in header:
        raise CatalogError(f"{origin}: header row must name each column once")
    entries: list[dict[str, Any]] = []
    kinds: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CatalogError(f"{origin}: row {number} has {len(row)} cells, the header "
                               f"{len(header)}")
        entry = {col: _cell(col, cell) for col, cell in zip(header, row, strict=True)}
        row_kind = entry.pop("kind", None)
        if row_kind is not None:
            kinds.add(str(row_kind))
        entries.append(entry)
    if kind is None:
        if len(kinds) != 1:
            raise CatalogError(f"{origin}: say which kind the rows are: a kind column with one "
                               f"value, or --kind ({', '.join(FLAT_KINDS)})")
        kind = kinds.pop()
    if kind not in FLAT_KINDS:
        hint = " (use a JSON pack)" if kind in KINDS else ""
        raise CatalogError(f"{origin}: kind must be one of {', '.join(FLAT_KINDS)}{hint}")
    return parse_pack({"kind": kind, "catalog_version": "csv", "entries": entries}, origin)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def csv_text(kind: str, entries: Iterable[Mapping[str, Any]]) -> str:
    """A CSV pack of `entries` (a `kind` column first, then every field any entry has)."""
    rows = list(entries)
    columns: list[str] = ["id", "name"]
    for entry in rows:
        columns.extend(k for k in entry if k not in columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", *columns])
    for entry in rows:
        writer.writerow([kind, *(_text(entry.get(c)) for c in columns)])
    return out.getvalue()
