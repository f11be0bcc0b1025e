"""Catalog entries that travel with scenarios in a bundle.

A scenario names catalog entries (`workloads[].model`, `deployment.accelerator`...) by id, name
or alias, as the engine's lookups allow. Exporting carries the entries the receiving Enclave
cannot have: those this workspace made or changed (local overrides, additions, imports), and
points the references at their ids. Importing adds each carried entry when its id is free,
leaves it when the same entry is there, and otherwise adds it under `<id>-imported`, pointing
the imported scenarios at that id, so no scenario already in the workspace changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.catalog.loader import _norm
from app.storage import catalog_store
from app.storage.workspace import Workspace

IMPORTED_ID_SUFFIX = "-imported"
IMPORTED_NAME_SUFFIX = " (imported)"
MISSING_REFERENCE = ("scenario '{scenario}': {field} '{key}' is neither in the bundle nor in this "
                     "workspace's catalog; add it before evaluating")


@dataclass
class Reference:
    """One catalog reference inside a scenario's JSON: `holder[key]` names an entry of `kind`."""

    holder: dict[str, Any]
    key: str
    kind: str
    field: str

    @property
    def value(self) -> str:
        return str(self.holder[self.key])


def references(data: dict[str, Any]) -> Iterator[Reference]:
    """Every non-empty catalog reference of a scenario (JSON form)."""
    spots: list[tuple[Any, str, str, str]] = []
    for i, workload in enumerate(data.get("workloads") or []):
        where = f"workloads[{i}]"
        spots += [(workload, "model", "models", f"{where}.model"),
                  (workload, "weights", "quantizations", f"{where}.weights"),
                  (workload, "kv_cache", "quantizations", f"{where}.kv_cache"),
                  (workload, "cloud_api", "cloud-apis", f"{where}.cloud_api")]
    deployment, alternatives = data.get("deployment"), data.get("alternatives")
    spots += [(deployment, "accelerator", "accelerators", "deployment.accelerator"),
              (deployment, "server", "servers", "deployment.server"),
              (alternatives, "cloud_api", "cloud-apis", "alternatives.cloud_api"),
              (alternatives, "gpu_rental", "gpu-rentals", "alternatives.gpu_rental")]
    for holder, key, kind, where in spots:
        if isinstance(holder, dict) and isinstance(holder.get(key), str) and holder[key]:
            yield Reference(holder, key, kind, where)


def find_entry(entries: Sequence[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The entry a reference means: by id, else by id, name or alias ignoring case and spacing
    (as the engine's catalog lookups do)."""
    for entry in entries:
        if entry["id"] == key:
            return entry
    wanted = _norm(key)
    for entry in entries:
        labels = (entry["id"], entry.get("name", ""), *(entry.get("aliases") or ()))
        if any(_norm(str(label)) == wanted for label in labels):
            return entry
    return None


class WorkspaceEntries:
    """A workspace's catalog entries by kind, read on first use."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self._by_kind: dict[str, list[dict[str, Any]]] = {}

    def of(self, kind: str) -> list[dict[str, Any]]:
        if kind not in self._by_kind:
            self._by_kind[kind] = catalog_store.entries(self._ws.db, kind)
        return self._by_kind[kind]


def carry_entries(ws: Workspace, scenarios: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The catalog members of a bundle of `scenarios` (member path -> pack): the entries they
    reference that this workspace made or changed. Points those references at the entries'
    ids (in place: pass copies)."""
    entries = WorkspaceEntries(ws)
    states: dict[str, dict[str, str]] = {}
    carried: dict[str, dict[str, dict[str, Any]]] = {}

    def carry(kind: str, key: str) -> dict[str, Any] | None:
        entry = find_entry(entries.of(kind), key)
        if entry is None:
            return None
        if kind not in states:
            states[kind] = catalog_store.entry_states(ws.db, kind)
        if states[kind].get(entry["id"], "shipped") == "shipped":
            return None
        carried.setdefault(kind, {})[entry["id"]] = entry
        return entry

    for data in scenarios:
        for ref in references(data):
            entry = carry(ref.kind, ref.value)
            if entry is not None:
                ref.holder[ref.key] = entry["id"]
    for rental in list(carried.get("gpu-rentals", {}).values()):
        carry("accelerators", str(rental.get("accelerator", "")))
    version = catalog_store.catalog_version(ws.db) or "local"
    return {f"catalog/{kind}.json": {"kind": kind, "catalog_version": version,
                                     "entries": list(by_id.values())}
            for kind, by_id in carried.items()}


@dataclass(frozen=True)
class PlannedEntry:
    """action: `add`, `same` (already here, identical) or `rename` (added as `final_id`)."""

    kind: str
    bundle_id: str
    final_id: str
    action: str
    entry: dict[str, Any] = field(repr=False)


def imported_copy(ws: Workspace, kind: str, entry: dict[str, Any],
                   taken: set[str]) -> tuple[str, dict[str, Any], bool]:
    """(id, entry, already here) for an entry whose id this workspace uses for another entry:
    `<id>-imported` (then `-2`, `-3`...), reusing one an earlier import of it already made."""
    base = str(entry["id"])[:80 - len(IMPORTED_ID_SUFFIX) - 4] + IMPORTED_ID_SUFFIX
    name = str(entry["name"])[:200 - len(IMPORTED_NAME_SUFFIX)] + IMPORTED_NAME_SUFFIX
    candidate, n = base, 2
    while True:
        renamed = {**entry, "id": candidate, "name": name}
        if candidate not in taken:
            here = catalog_store.get_entry(ws.db, kind, candidate)
            if here is None or here == renamed:
                return candidate, renamed, here is not None
        candidate, n = f"{base}-{n}", n + 1


def plan_entries(ws: Workspace, carried: Mapping[str, Sequence[dict[str, Any]]],
                 scenarios: Sequence[tuple[str, dict[str, Any]]],
                 ) -> tuple[list[PlannedEntry], list[str]]:
    """Which `carried` entries (kind -> entries) the `scenarios` ((name, JSON) to import)
    need, and how each is added; points the scenarios' references at the ids the entries
    get (in place). Returns the entries and warnings about references nothing satisfies."""
    entries = WorkspaceEntries(ws)
    planned: dict[tuple[str, str], PlannedEntry] = {}
    taken: set[str] = set()
    warnings: list[str] = []

    def need(kind: str, key: str) -> PlannedEntry | None:
        entry = find_entry(carried.get(kind, ()), key)
        if entry is None:
            return None
        if (kind, entry["id"]) in planned:
            return planned[(kind, entry["id"])]
        here = catalog_store.get_entry(ws.db, kind, entry["id"])
        final, action, stored = entry["id"], "add", dict(entry)
        if here == entry:
            action = "same"
        elif here is not None:
            final, stored, present = imported_copy(ws, kind, entry, taken)
            action = "same" if present else "rename"
        taken.add(final)
        planned[(kind, entry["id"])] = PlannedEntry(kind, entry["id"], final, action, stored)
        return planned[(kind, entry["id"])]

    for name, data in scenarios:
        for ref in references(data):
            found = need(ref.kind, ref.value)
            if found is not None:
                ref.holder[ref.key] = found.final_id
            elif find_entry(entries.of(ref.kind), ref.value) is None:
                warnings.append(MISSING_REFERENCE.format(scenario=name, field=ref.field,
                                                         key=ref.value))
    for rental in [p for p in planned.values() if p.kind == "gpu-rentals"]:
        accelerator = need("accelerators", str(rental.entry.get("accelerator", "")))
        if accelerator is not None:
            rental.entry["accelerator"] = accelerator.final_id
    return list(planned.values()), warnings
