"""Scenario bundles in and out of a workspace (the file format is `bundle_format`'s).

- `export_scenarios(ws, ids, path)`: the scenarios, validated, plus the catalog entries they
  reference that this workspace made or changed (local overrides, additions, imports: shipped
  entries are on the other side already). References to those entries are written as their ids.
  The container follows the file name: `.enclave.zip` (or `.zip`), `.enclave.json`, or, for any
  other `.json`, a plain scenario file (format v1; one scenario). Written atomically, readable
  by the owner only. Exporting reads the workspace and never writes to it.
- `read_bundle_file(path)`: read and verify a bundle or scenario file (pure: safe on a worker).
- `plan_import(ws, bundle, on_clash)`: what importing would do, without doing it: each scenario
  added, renamed ("Name (2)"), replacing the one of the same name, or skipped; each catalog entry
  added, already present, or (when this workspace holds a different entry under its id) added
  under a new id that the bundle's scenarios are pointed at, so no existing scenario changes.
- `import_bundle(ws, bundle, on_clash)`: the plan, applied in ONE transaction (all or nothing)
  with an audit row naming the bundle and its SHA-256; undoable (`BundleOutcome`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.engine.scenario import Scenario
from app.errors import UserError
from app.operations import bundle_format
from app.operations.bundle_catalog import PlannedEntry, carry_entries, plan_entries
from app.operations.bundle_format import Bundle, BundleError, BundleScenario
from app.operations.change import (
    CATALOG,
    CHANGED_ELSEWHERE,
    SCENARIO,
    Change,
    ChangedElsewhere,
    Outcome,
)
from app.operations.scenario_files import scenario_json
from app.storage import audit, catalog_store, scenario_store
from app.storage.files import save_user_file
from app.storage.workspace import Workspace

ON_CLASH = ("rename", "replace", "skip")
"""What to do with a bundle scenario whose name the workspace already uses."""

UNKNOWN_SUFFIX = ("{path}: the file name must end in .enclave.zip or .enclave.json (a bundle), "
                  "or .json (one scenario file)")
ONE_PER_FILE = ("{path}: a plain .json scenario file holds one scenario; choose a .enclave.zip "
                "or .enclave.json bundle for {count}")
NOTHING_TO_EXPORT = "choose at least one scenario to export"
NOT_EXPORTABLE = "scenario '{name}': cannot be exported until it is complete ({problem})"
NOTHING_TO_IMPORT = ("{name}: nothing to import: every scenario in it already exists here "
                     "(skipped)")
BAD_ON_CLASH = "on_clash: must be one of " + ", ".join(ON_CLASH)
CANNOT_READ = "{path}: cannot be read ({detail})"
OTHER_CATALOG = ("{name} was made with catalog {theirs}; this workspace has {ours}: shipped "
                 "values the scenarios use may differ")


# --- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: where, in which container, which scenarios, how many entries."""

    path: Path
    container: str
    scenarios: tuple[str, ...]
    catalog_entries: int


def container_for(path: Path) -> str:
    """`zip`, `json` or `scenario` from a file name; UserError for any other."""
    name = path.name.lower()
    if name.endswith(bundle_format.ZIP_SUFFIX) or name.endswith(".zip"):
        return "zip"
    if name.endswith(bundle_format.JSON_SUFFIX):
        return "json"
    if name.endswith(".json"):
        return "scenario"
    raise UserError(UNKNOWN_SUFFIX.format(path=path))


def _exportable(ws: Workspace, scenario_id: int) -> dict[str, Any]:
    data = scenario_store.get(ws.db, scenario_id)
    try:
        return Scenario.from_dict(data).to_dict()
    except UserError as exc:
        raise UserError(NOT_EXPORTABLE.format(name=data.get("name", scenario_id),
                                              problem=exc)) from None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "scenario"


def export_scenarios(ws: Workspace, scenario_ids: Sequence[int], path: Path) -> ExportResult:
    """Write the scenarios (and the catalog entries they need) to `path`, atomically."""
    path = Path(path)
    container = container_for(path)
    if not scenario_ids:
        raise UserError(NOTHING_TO_EXPORT)
    scenarios = [_exportable(ws, sid) for sid in dict.fromkeys(scenario_ids)]
    names = tuple(str(s["name"]) for s in scenarios)
    if container == "scenario":
        if len(scenarios) != 1:
            raise UserError(ONE_PER_FILE.format(path=path, count=len(scenarios)))
        save_user_file(path, scenario_json(Scenario.from_dict(scenarios[0])))
        return ExportResult(path, container, names, 0)
    members: dict[str, Any] = {
        f"scenarios/{n:03d}-{_slug(str(data['name']))}.json": data
        for n, data in enumerate(copy.deepcopy(scenarios), start=1)}
    members.update(carry_entries(ws, list(members.values())))
    version = catalog_store.catalog_version(ws.db)
    build = bundle_format.build_zip if container == "zip" else bundle_format.build_json
    save_user_file(path, build(members, version))
    carried = sum(len(v["entries"]) for k, v in members.items() if k.startswith("catalog/"))
    return ExportResult(path, container, names, carried)


# --- reading ----------------------------------------------------------------------------------


def read_bundle_file(path: Path) -> Bundle:
    """Read and verify a bundle or scenario file; BundleError names the member and the rule."""
    path = Path(path)
    try:
        if path.stat().st_size > bundle_format.MAX_BUNDLE_BYTES:
            raise BundleError(bundle_format.TOO_LARGE.format(
                name=path.name, limit=bundle_format.MAX_BUNDLE_BYTES // 1_000_000))
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError(CANNOT_READ.format(path=path, detail=exc.strerror or exc)) from None
    return bundle_format.read_bundle_bytes(data, path.name)


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedScenario:
    """action: `add`, `rename` (to `final_name`), `replace` (the scenario `replaces`) or `skip`."""

    member: str
    name: str
    final_name: str
    action: str
    replaces: int | None
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class ImportPlan:
    bundle: Bundle
    on_clash: str
    scenarios: tuple[PlannedScenario, ...]
    catalog: tuple[PlannedEntry, ...]
    warnings: tuple[str, ...]

    @property
    def clashes(self) -> tuple[str, ...]:
        """Bundle scenario names already used in the workspace."""
        return tuple(s.name for s in self.scenarios if s.action != "add")

    @property
    def imported(self) -> tuple[PlannedScenario, ...]:
        return tuple(s for s in self.scenarios if s.action != "skip")

    @property
    def new_entries(self) -> tuple[PlannedEntry, ...]:
        return tuple(e for e in self.catalog if e.action != "same")

    def summary(self) -> str:
        """`2 scenarios and 1 catalog entry`."""
        text = _count(len(self.imported), "scenario")
        if self.new_entries:
            text += f" and {_count(len(self.new_entries), 'catalog entry', 'catalog entries')}"
        return text

    def details(self) -> list[str]:
        """One line per scenario and catalog entry that is not simply added."""
        lines = []
        for s in self.scenarios:
            if s.action == "rename":
                lines.append(f"renamed '{s.name}' to '{s.final_name}' (the name is taken here)")
            elif s.action == "replace":
                lines.append(f"replaced the scenario '{s.name}' with the bundle's")
            elif s.action == "skip":
                lines.append(f"skipped '{s.name}' (a scenario with that name exists)")
            else:
                lines.append(f"added '{s.final_name}'")
        for e in self.catalog:
            if e.action == "rename":
                lines.append(f"added {e.kind} entry '{e.bundle_id}' as '{e.final_id}' (this "
                             "workspace has a different entry with that id)")
            elif e.action == "add":
                lines.append(f"added {e.kind} entry '{e.final_id}'")
        return lines


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def _free_name(ws: Workspace, wanted: str, taken: set[str]) -> str:
    limit = scenario_store.MAX_NAME_CHARS
    n = 2
    while True:
        suffix = f" ({n})"
        candidate = wanted[:limit - len(suffix)] + suffix
        if candidate.casefold() not in taken and scenario_store.find(ws.db, candidate) is None:
            return candidate
        n += 1


def _plan_scenarios(ws: Workspace, bundle: Bundle, on_clash: str) -> list[PlannedScenario]:
    taken = {s.name.strip().casefold() for s in bundle.scenarios}
    planned = []
    for item in bundle.scenarios:
        name = item.name.strip()
        existing = scenario_store.find(ws.db, name)
        final, action = name, "add"
        if existing is not None:
            action = on_clash
            if on_clash == "rename":
                final = _free_name(ws, name, taken)
                taken.add(final.casefold())
        data = {**copy.deepcopy(item.data), "name": final}
        planned.append(PlannedScenario(item.member, name, final, action,
                                       existing if action == "replace" else None, data))
    return planned


def plan_import(ws: Workspace, bundle: Bundle, on_clash: str = "rename") -> ImportPlan:
    """What `import_bundle` would do with these arguments; changes nothing."""
    if on_clash not in ON_CLASH:
        raise UserError(BAD_ON_CLASH)
    scenarios = _plan_scenarios(ws, bundle, on_clash)
    catalog, warnings = plan_entries(ws, bundle.catalog, [(s.final_name, s.data)
                                                          for s in scenarios if s.action != "skip"])
    ours = catalog_store.catalog_version(ws.db)
    if bundle.catalog_version and ours and bundle.catalog_version != ours:
        warnings.append(OTHER_CATALOG.format(name=bundle.source_name,
                                             theirs=bundle.catalog_version, ours=ours))
    return ImportPlan(bundle, on_clash, tuple(scenarios), tuple(catalog), tuple(warnings))


# --- importing, undo --------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """Stored rows of the scenarios and catalog entries an import touches (None = absent)."""

    scenarios: Mapping[int, scenario_store.ScenarioSnapshot | None]
    catalog: Mapping[str, Mapping[str, catalog_store.RowSnapshot | None]]


def _state(ws: Workspace, like: _State) -> _State:
    return _State({sid: scenario_store.snapshot(ws.db, sid) for sid in like.scenarios},
                  {kind: catalog_store.snapshot(ws.db, kind, ids)
                   for kind, ids in like.catalog.items()})


def _restore(ws: Workspace, state: _State) -> None:
    """Put every row back as `state` has it, in one transaction (deletions first, so a
    restored scenario never meets the name of one about to go)."""
    with ws.db.atomic():
        order = sorted(state.scenarios.items(), key=lambda item: item[1] is not None)
        for sid, snap in order:
            scenario_store.restore(ws.db, sid, snap)
        for kind, snaps in state.catalog.items():
            catalog_store.restore(ws.db, kind, snaps)
    ws.catalog_changed()


def _reversible(ws: Workspace, change: Change, before: _State, after: _State) -> Outcome:
    def inverse() -> Outcome:
        if _state(ws, after) != after:
            raise ChangedElsewhere(CHANGED_ELSEWHERE.format(what=change.description))
        _restore(ws, before)
        return _reversible(ws, change, after, before)

    return Outcome(change, inverse)


@dataclass(frozen=True)
class BundleOutcome(Outcome):
    """An import's outcome, with the plan it carried out (names given, entries added)."""

    plan: ImportPlan


def import_bundle(ws: Workspace, bundle: Bundle, on_clash: str = "rename") -> BundleOutcome:
    """Import a verified bundle in one transaction, as `plan_import` describes; undoable."""
    ws.db.require_writable()
    plan = plan_import(ws, bundle, on_clash)
    if not plan.imported:
        raise UserError(NOTHING_TO_IMPORT.format(name=bundle.source_name))
    entries = plan.new_entries
    kinds = {e.kind: [x.final_id for x in entries if x.kind == e.kind] for e in entries}
    replaced = [s.replaces for s in plan.imported if s.replaces is not None]
    before_replaced = {sid: scenario_store.snapshot(ws.db, sid) for sid in replaced}
    before_catalog = {kind: catalog_store.snapshot(ws.db, kind, ids) for kind, ids in kinds.items()}
    ids: list[int] = []
    with ws.db.atomic():
        for kind in kinds:
            catalog_store.import_entries(ws.db, kind, [e.entry for e in entries if e.kind == kind],
                                         origin="imported")
        for item in plan.imported:
            if item.replaces is not None:
                scenario_store.update(ws.db, item.replaces, item.data)
                ids.append(item.replaces)
            else:
                ids.append(scenario_store.insert(ws.db, item.data))
        audit.record(ws.db, "scenario.bundle_imported", "bundle", bundle.source_name,
                     sha256=bundle.sha256, container=bundle.container,
                     format_version=bundle.format_version, created_by=bundle.created_by,
                     created_at=bundle.created_at, on_clash=on_clash,
                     scenarios=[s.final_name for s in plan.imported],
                     catalog=[f"{e.kind}/{e.final_id}" for e in entries])
    ws.catalog_changed()
    before = _State({**{sid: None for sid in ids}, **before_replaced}, before_catalog)
    after = _state(ws, before)
    description = f"Import {plan.summary()} from {bundle.source_name}"
    related = tuple(Change(CATALOG, tuple(kind_ids), description, scope=kind)
                    for kind, kind_ids in kinds.items())
    change = Change(SCENARIO, tuple(str(i) for i in ids), description, related=related)
    undoable = _reversible(ws, change, before, after)
    return BundleOutcome(change, undoable.inverse, plan)


__all__ = ["ON_CLASH", "Bundle", "BundleError", "BundleOutcome", "BundleScenario",
           "ExportResult", "ImportPlan", "container_for", "export_scenarios", "import_bundle",
           "plan_import", "read_bundle_file"]
