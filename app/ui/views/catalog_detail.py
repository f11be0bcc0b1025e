"""CatalogEntryDetail: every field of one catalog entry, each with its source and as-of date.

Holds only (kind, id) and reads the entry from the workspace when asked to refresh. Values that
came from a different document than the entry's own source show that source (`field_sources`);
an override shows the shipped value beside each changed field. Links are shown as text and
never opened: the app makes no network connections.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QTextBrowser

from app.catalog import fields
from app.storage import catalog_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.models.catalog_table import format_cell
from app.ui.style import MUTED, STATE_COLOURS

KIND_SINGULAR = {"models": "model", "accelerators": "accelerator", "servers": "server platform",
                 "quantizations": "quantization format", "cloud-apis": "cloud API price",
                 "gpu-rentals": "GPU rental rate"}
STATE_NOTES = {"override": messages.CATALOG_OVERRIDE_NOTE, "added": messages.CATALOG_ADDED_NOTE,
               "imported": messages.CATALOG_IMPORTED_NOTE}
_SKIP = {"id", "name", "source", "as_of", "field_sources"}


def _esc(value: Any) -> str:
    return html.escape(str(value))


def field_source(entry: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
    """The field's own provenance: `field_sources[path]` or that of an enclosing object."""
    sources = entry.get("field_sources") or {}
    if not isinstance(sources, Mapping):
        return None
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        found = sources.get(".".join(parts[:end]))
        if isinstance(found, Mapping):
            return found
    return None


def badge_html(state: str) -> str:
    colour = STATE_COLOURS.get(state)
    if colour is None:
        return f'<span style="color:{MUTED}">{_esc(state)}</span>'
    return (f'<span style="background-color:{colour}; color:white; font-weight:bold">'
            f"&nbsp;{_esc(state)}&nbsp;</span>")


def _render_extra(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return "—"
        items = "".join(f"<li>{_render_extra(v)}</li>" for v in value)
        return f"<ul style='margin:0'>{items}</ul>"
    if isinstance(value, Mapping):
        parts = [f"<i>{_esc(k)}</i>: {_render_extra(v)}" for k, v in value.items()
                 if v not in (None, "", [], {})]
        return "; ".join(parts) or "—"
    if isinstance(value, str):
        return _esc(value)
    return _esc(json.dumps(value)) if value is not None else "—"


def _field_row(entry: Mapping[str, Any], spec: fields.FieldSpec,
               shipped: Mapping[str, Any] | None) -> str:
    """One field: label | value, with its own source and the shipped value (if changed) under
    the value in small print."""
    value = fields.value_at(entry, spec.path)
    cell = _esc(format_cell(value))
    notes = []
    if shipped is not None:
        old = fields.value_at(shipped, spec.path)
        if old != value:
            cell = f"<b style='color:{STATE_COLOURS['override']}'>{cell}</b>"
            notes.append(_esc(messages.CATALOG_CHANGED_FROM_SHIPPED.format(
                shipped=format_cell(old))))
    own = field_source(entry, spec.path)
    if own is not None:
        notes.append(f"{_esc(messages.CATALOG_FIELD_OWN_SOURCE)}: {_esc(own.get('source', ''))} "
                     f"({_esc(own.get('as_of', ''))})")
    small = "".join(f"<br><span style='color:{MUTED}; font-size:small'>{n}</span>"
                    for n in notes)
    return (f"<tr><td width='40%' style='color:{MUTED}'>{_esc(spec.label)}</td>"
            f"<td>{cell}{small}</td></tr>")


def entry_html(kind: str, entry: Mapping[str, Any], state: str,
               shipped: Mapping[str, Any] | None) -> str:
    """The detail panel's HTML for one entry (everything escaped)."""
    out = [
        f"<h2 style='margin-bottom:2px'>{_esc(entry.get('name', ''))}</h2>",
        f"<p>{badge_html(state)}&nbsp;&nbsp;<span style='color:{MUTED}'>"
        f"{_esc(KIND_SINGULAR.get(kind, kind))} · id <code>{_esc(entry.get('id', ''))}</code>"
        "</span></p>",
    ]
    if state in STATE_NOTES:
        out.append(f"<p style='color:{STATE_COLOURS[state]}'>{_esc(STATE_NOTES[state])}</p>")
    out.append("<table cellspacing='0' cellpadding='3' width='100%'>"
               f"<tr><td width='22%' style='color:{MUTED}'>Source</td>"
               f"<td>{_esc(entry.get('source', ''))}</td></tr>"
               f"<tr><td style='color:{MUTED}'>As of</td>"
               f"<td>{_esc(entry.get('as_of', ''))}</td></tr></table>")
    for section in fields.SECTIONS[kind]:
        rows = []
        for spec in section.fields:
            if spec.path in ("id", "name"):
                continue
            rows.append(_field_row(entry, spec, shipped))
        out.append(f"<h4 style='margin-top:12px; margin-bottom:2px'>{_esc(section.title)}</h4>")
        out.append("<table cellspacing='0' cellpadding='3' width='100%'>" + "".join(rows)
                   + "</table>")
    documented = {spec.path.split(".")[0] for spec in fields.fields(kind)}
    extras = [(k, v) for k, v in entry.items() if k not in _SKIP and k not in documented
              and v not in (None, "", [], {})]
    nested = [(f"{parent}.{k}", v) for parent in ("arch", "licence")
              if isinstance(entry.get(parent), Mapping)
              for k, v in entry[parent].items()
              if fields.field_spec(kind, f"{parent}.{k}") is None
              and k not in ("moe", "mla", "sliding_window") and v not in (None, "", [], {})]
    if extras or nested:
        out.append(f"<h4 style='margin-top:10px; margin-bottom:2px'>"
                   f"{_esc(messages.CATALOG_MORE_FIELDS)}</h4>")
        out.append("<table cellspacing='0' cellpadding='3' width='100%'>")
        for key, value in [*nested, *extras]:
            out.append(f"<tr><td width='22%' style='color:{MUTED}'>{_esc(key)}</td>"
                       f"<td>{_render_extra(value)}</td></tr>")
        out.append("</table>")
    return "".join(out)


class CatalogEntryDetail(QTextBrowser):
    """The detail panel of the catalog screen."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.setObjectName("catalogDetail")
        self._workspace = workspace
        self.kind = ""
        self.entry_id: str | None = None
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.show_entry("", None)

    def show_entry(self, kind: str, entry_id: str | None) -> None:
        self.kind, self.entry_id = kind, entry_id
        self.refresh()

    def refresh(self) -> None:
        entry = (catalog_store.get_entry(self._workspace.db, self.kind, self.entry_id)
                 if self.entry_id else None)
        if entry is None:
            self.entry_id = None
            self.setHtml(f"<p style='color:{MUTED}'>{_esc(messages.CATALOG_NO_SELECTION)}</p>")
            return
        state = catalog_store.entry_states(self._workspace.db, self.kind).get(
            str(entry["id"]), "shipped")
        shipped = (catalog_store.shipped_entry(self._workspace.db, self.kind, str(entry["id"]))
                   if state == "override" else None)
        self.setHtml(entry_html(self.kind, entry, state, shipped))
