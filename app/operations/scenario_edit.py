"""Edit a stored scenario one field at a time, each edit one undoable `Outcome`.

A scenario is stored as its JSON dict. An edit sets one dotted path (`costs.pue`,
`workloads[0].users`), validates the whole scenario with the format's rules, and stores it:

- an edit that breaks a rule *of the field edited* is refused with `FieldRefused` (the dotted
  field and the rule, e.g. `workloads[0].peak_factor: must be at least 1`); nothing is stored;
- a problem elsewhere that was there before (a scenario saved incomplete, e.g. by "New" in an
  older version) does not block the edit: the edit is stored and the problem stays reported
  at its own field until it is fixed (`scenario_problem`).

Workloads and uncertainty ranges are added and removed by their own operations, which keep the
uncertainty keys (`workloads[1].users`) and assumptions pointing at the same workload.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from app.engine.scenario import Scenario, ScenarioError
from app.errors import UserError
from app.operations.change import Outcome
from app.operations.scenario_fields import field_info
from app.operations.scenario_ops import scenario_step
from app.storage import scenario_store
from app.storage.scenario_store import ScenarioStoreError
from app.storage.workspace import Workspace

_SEGMENT = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[(\d+)\])?$")
_WORKLOAD_PATH = re.compile(r"^workloads\[(\d+)\](\..+)$")
MAX_WORKLOADS = 8


class FieldRefused(UserError):
    """An edit refused at one field; `path` is the dotted field, `rule` what it must be."""

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}")
        self.path = path
        self.rule = rule


@dataclass(frozen=True)
class Problem:
    """The first rule a stored scenario breaks: the dotted field and the rule."""

    path: str
    rule: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.rule}"


def split_error(message: str) -> Problem:
    """`workloads[0].users: must be at least 1` → Problem("workloads[0].users", "must ...")."""
    path, sep, rule = message.partition(": ")
    if not sep or " " in path.replace('"', "").split("[")[0]:
        return Problem("", message)
    return Problem(path, rule)


def scenario_problem(data: Any) -> Problem | None:
    """The first broken rule of a stored scenario dict, or None when it is valid."""
    try:
        Scenario.from_dict(data)
    except ScenarioError as exc:
        return split_error(str(exc))
    return None


def _concerns(problem: Problem, path: str) -> bool:
    return problem.path == path or problem.path.startswith(path + ".") or problem.path.startswith(
        path + "[")


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of the scenario dict with `path` set (sections and workloads are created
    when missing; a workload index beyond the list is refused)."""
    out = copy.deepcopy(data)
    node: Any = out
    parts = path.split(".")
    for depth, raw in enumerate(parts):
        m = _SEGMENT.match(raw)
        if not m:
            raise FieldRefused(path, "is not a scenario field")
        name, index = m.group(1), m.group(2)
        last = depth == len(parts) - 1
        if index is None:
            if last:
                node[name] = value
            else:
                child = node.get(name)
                if not isinstance(child, dict):
                    child = node[name] = {}
                node = child
        else:
            items = node.get(name)
            if not isinstance(items, list) or int(index) >= len(items):
                raise FieldRefused(path, "is not a scenario field")
            if last:
                items[int(index)] = value
            else:
                node = items[int(index)]
    return out


def get_path(data: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value at `path` in a scenario dict, or `default` when it is not there."""
    node: Any = data
    for raw in path.split("."):
        m = _SEGMENT.match(raw)
        if not m or not isinstance(node, dict) or m.group(1) not in node:
            return default
        node = node[m.group(1)]
        if m.group(2) is not None:
            if not isinstance(node, list) or int(m.group(2)) >= len(node):
                return default
            node = node[int(m.group(2))]
    return node


def _store(ws: Workspace, scenario_id: int, data: dict[str, Any], description: str) -> Outcome:
    def write() -> None:
        try:
            scenario_store.update(ws.db, scenario_id, data)
        except ScenarioStoreError as exc:
            problem = split_error(str(exc))
            raise FieldRefused(problem.path or "name", problem.rule) from None

    return scenario_step(ws, scenario_id, write, description)


def _check(before: dict[str, Any], after: dict[str, Any], path: str) -> None:
    problem = scenario_problem(after)
    if problem is None:
        return
    if _concerns(problem, path):
        raise FieldRefused(problem.path, problem.rule)
    if scenario_problem(before) is None:
        # the edit broke a rule of another field (a duplicate name, a range that no longer
        # fits): refused at the field edited, naming the other one
        raise FieldRefused(path, problem.message)
    # the scenario was already incomplete elsewhere: store the edit, the problem stays shown


def describe_value(path: str, value: Any) -> str:
    """`Set Users to 2,000` (for the Undo menu)."""
    try:
        label = field_info(path).label
    except KeyError:
        label = path
    m = _WORKLOAD_PATH.match(path)
    if value is None:
        shown = "automatic" if path.endswith(("gpu_count", ".tp")) else "empty"
    elif isinstance(value, bool):
        shown = "on" if value else "off"
    elif isinstance(value, int | float):
        shown = f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1000 else f"{value:g}"
    elif isinstance(value, list):
        shown = ", ".join(str(v) for v in value) or "any"
    else:
        shown = str(value)
    prefix = f"workload {int(m.group(1)) + 1} " if m else ""
    return f"Set {prefix}{label} to {shown}"


def edit_field(ws: Workspace, scenario_id: int, path: str, value: Any) -> Outcome:
    """Set one field of a stored scenario (see the module docstring for what is refused)."""
    before = scenario_store.get(ws.db, scenario_id)
    if get_path(before, path, _MISSING) == value:
        raise NothingChanged(path)
    after = set_path(before, path, value)
    _check(before, after, path)
    return _store(ws, scenario_id, after, describe_value(path, value))


class NothingChanged(UserError):
    """The edit sets a field to the value it already has (nothing to store or undo)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: unchanged")
        self.path = path


_MISSING = object()


# --- workloads ------------------------------------------------------------------------------


def _remap_workload_paths(data: dict[str, Any], mapping: dict[int, int | None]) -> None:
    """Point uncertainty keys and assumptions at the workloads' new positions (None: gone)."""

    def moved(path: str) -> str | None:
        m = _WORKLOAD_PATH.match(path)
        if not m:
            return path
        new = mapping.get(int(m.group(1)), int(m.group(1)))
        return None if new is None else f"workloads[{new}]{m.group(2)}"

    ranges = data.get("uncertainty")
    if isinstance(ranges, dict):
        data["uncertainty"] = {new: body for key, body in ranges.items()
                               if (new := moved(key)) is not None}
    notes = data.get("assumptions")
    if isinstance(notes, list):
        kept = []
        for note in notes:
            field = note.get("field", "") if isinstance(note, dict) else ""
            new = moved(field) if field else field
            if new is not None:
                kept.append({**note, "field": new} if field else note)
        data["assumptions"] = kept


def add_workload(ws: Workspace, scenario_id: int, workload: dict[str, Any]) -> Outcome:
    """Append a workload (named uniquely) to a scenario."""
    data = copy.deepcopy(scenario_store.get(ws.db, scenario_id))
    workloads = list(data.get("workloads") or [])
    if len(workloads) >= MAX_WORKLOADS:
        raise FieldRefused("workloads", f"at most {MAX_WORKLOADS} workloads per scenario")
    names = {w.get("name") for w in workloads if isinstance(w, dict)}
    base = str(workload.get("name") or workload.get("template") or "workload")
    name, n = base, 2
    while name in names:
        name, n = f"{base}-{n}", n + 1
    data["workloads"] = [*workloads, {**workload, "name": name}]
    return _store(ws, scenario_id, data, f"Add workload {name}")


def remove_workload(ws: Workspace, scenario_id: int, index: int) -> Outcome:
    """Remove workload `index` (a scenario keeps at least one), with its ranges and notes."""
    data = copy.deepcopy(scenario_store.get(ws.db, scenario_id))
    workloads = list(data.get("workloads") or [])
    if len(workloads) <= 1:
        raise FieldRefused("workloads", "a scenario needs at least one workload")
    if not 0 <= index < len(workloads):
        raise FieldRefused(f"workloads[{index}]", "does not exist")
    gone = workloads.pop(index)
    data["workloads"] = workloads
    mapping: dict[int, int | None] = {index: None}
    mapping.update({i: i - 1 for i in range(index + 1, len(workloads) + 1)})
    _remap_workload_paths(data, mapping)
    name = gone.get("name", index + 1) if isinstance(gone, dict) else index + 1
    return _store(ws, scenario_id, data, f"Remove workload {name}")


# --- uncertainty ranges -------------------------------------------------------------------------


def set_range(ws: Workspace, scenario_id: int, path: str, low: float, high: float,
              likely: float | None = None, distribution: str = "triangular") -> Outcome:
    """Give a numeric field a low/likely/high range (replacing any range it had)."""
    data = copy.deepcopy(scenario_store.get(ws.db, scenario_id))
    ranges = dict(data.get("uncertainty") or {})
    body: dict[str, Any] = {"low": low, "likely": likely, "high": high,
                            "distribution": distribution}
    ranges[path] = body
    data["uncertainty"] = ranges
    problem = scenario_problem(data)
    where = f'uncertainty["{path}"]'
    if problem is not None and (problem.path == where or problem.path.startswith(where + ".")):
        raise FieldRefused(problem.path, problem.rule)
    label = field_info_label(path)
    return _store(ws, scenario_id, data, f"Set the range of {label}")


def remove_range(ws: Workspace, scenario_id: int, path: str) -> Outcome:
    data = copy.deepcopy(scenario_store.get(ws.db, scenario_id))
    ranges = dict(data.get("uncertainty") or {})
    if path not in ranges:
        raise FieldRefused(f'uncertainty["{path}"]', "has no range")
    del ranges[path]
    data["uncertainty"] = ranges
    return _store(ws, scenario_id, data, f"Remove the range of {field_info_label(path)}")


def field_info_label(path: str) -> str:
    try:
        return field_info(path).label
    except KeyError:
        return path
