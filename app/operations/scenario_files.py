"""Read and write scenario JSON files, and find the shipped demo scenarios.

Reading validates everything (`Scenario.from_dict`) and reports one `UserError` naming the file
and the field, e.g. `chat.json: workloads[0].users: must be at least 1`. Writing is atomic:
a temporary file in the same folder, flushed and fsynced, then `os.replace`, so a crash leaves
either the old file or the new one, never half of either.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from app.engine.scenario import Scenario, ScenarioError
from app.errors import UserError
from app.json_file import read_json_file
from app.paths import resources_dir
from app.storage import scenario_store
from app.storage.files import save_user_file

MAX_SCENARIO_BYTES = 5_000_000
SCENARIO_SUFFIX = ".json"


class ScenarioFileError(UserError):
    """A scenario file that cannot be read, decoded or validated; names the file."""


def read_scenario_file(path: Path) -> Scenario:
    """Read and validate one scenario file."""
    data = read_json_file(path, MAX_SCENARIO_BYTES, ScenarioFileError, "a scenario")
    try:
        return Scenario.from_dict(data)
    except ScenarioError as exc:
        raise ScenarioFileError(f"{path.name}: {exc}") from None


def scenario_json(scenario: Scenario) -> str:
    """The file text: indented JSON, UTF-8, trailing newline."""
    return json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False) + "\n"


def write_scenario_file(path: Path, scenario: Scenario) -> None:
    """Write a scenario atomically (temp file, fsync, rename, fsync of the folder)."""
    write_text_atomic(path, scenario_json(scenario))


def write_text_atomic(path: Path, text: str) -> None:
    save_user_file(path, text)


def demo_folder() -> Path:
    return resources_dir() / "scenarios" / "demo"


def demo_scenario_paths() -> dict[str, Path]:
    """Shipped demo scenarios by file stem, sorted."""
    folder = demo_folder()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob(f"*{SCENARIO_SUFFIX}"))}


def find_scenario(reference: str) -> tuple[Scenario, str]:
    """A scenario from a file path, or a demo by file stem or scenario name (case-insensitive).

    Returns the scenario and where it came from. Workspace names are looked up before this
    (`find_scenario_anywhere`), so a miss here is a miss everywhere.
    """
    path = Path(reference)
    if path.suffix.lower() == SCENARIO_SUFFIX or path.exists():
        if not path.exists():
            raise ScenarioFileError(f"{path.name}: no such file")
        return read_scenario_file(path), str(path)
    demos = demo_scenario_paths()
    wanted = reference.strip().lower()
    for stem, demo_path in demos.items():
        if stem.lower() == wanted:
            return read_scenario_file(demo_path), f"demo:{stem}"
    for stem, demo_path in demos.items():
        scenario = read_scenario_file(demo_path)
        if scenario.name.strip().lower() == wanted:
            return scenario, f"demo:{stem}"
    known = ", ".join(demos) or "none"
    raise UserError(
        f"scenario '{reference}': no such file, workspace scenario (`enclave scenario list` "
        f"names them) or demo (demos: {known})"
    )


def find_in_workspace(db: Database, reference: str) -> tuple[Scenario, str] | None:
    """A scenario saved in a workspace under that name (case-insensitive), or None."""
    scenario_id = scenario_store.find(db, reference.strip())
    if scenario_id is None:
        return None
    data = scenario_store.get(db, scenario_id)
    try:
        return Scenario.from_dict(data), f"workspace:{data.get('name', reference)}"
    except UserError as exc:
        raise UserError(f"scenario '{reference}' in the workspace: {exc}") from None


def find_scenario_anywhere(db: Database, reference: str) -> tuple[Scenario, str]:
    """A scenario file path, else a workspace scenario by name, else a demo."""
    if Path(reference).suffix.lower() != SCENARIO_SUFFIX and not Path(reference).exists():
        found = find_in_workspace(db, reference)
        if found is not None:
            return found
    return find_scenario(reference)
