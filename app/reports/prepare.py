"""Find and evaluate the scenarios a report is about (Qt-free; long work with progress).

`find_subjects` runs on the thread that owns the workspace (it reads the database);
`evaluate_subjects` is a pure function of plain data, safe in a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from app.catalog.loader import Catalog
from app.engine.scenario import Scenario
from app.engine.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
from app.operations.evaluate import evaluate
from app.operations.progress import CancelToken, ProgressCallback, no_progress
from app.operations.scenario_files import demo_scenario_paths, find_scenario_anywhere
from app.reports.subject import ReportSubject, subject_of
from app.storage import scenario_store


@dataclass(frozen=True)
class FoundScenario:
    """A scenario to report on: where it came from and when it was last saved."""

    scenario: Scenario
    origin: str
    saved: str


def saved_date(db: Database, origin: str) -> str:
    """YYYY-MM-DD the scenario was last saved: its workspace row, or its file's date."""
    if origin.startswith("workspace:"):
        found = scenario_store.find(db, origin.split(":", 1)[1])
        if found is not None:
            row = db.execute("SELECT updated_at FROM scenarios WHERE id=?", [found]).fetchone()
            return str(row[0])[:10] if row and row[0] else ""
        return ""
    path = demo_scenario_paths().get(origin[5:]) if origin.startswith("demo:") else Path(origin)
    try:
        return date.fromtimestamp(path.stat().st_mtime).isoformat() if path else ""
    except OSError:
        return ""


def find_subjects(db: Database, references: Sequence[str]) -> list[FoundScenario]:
    """Each reference: a scenario file, a workspace scenario by name, or a demo."""
    out = []
    for ref in references:
        scenario, origin = find_scenario_anywhere(db, ref)
        out.append(FoundScenario(scenario, origin, saved_date(db, origin)))
    return out


def evaluate_subjects(found: Sequence[FoundScenario], catalog: Catalog, *,
                      draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                      progress: ProgressCallback = no_progress,
                      cancel: CancelToken | None = None) -> list[ReportSubject]:
    """Evaluate every scenario (long work: reports progress, stops when cancelled)."""
    cancel = cancel or CancelToken()
    subjects = []
    for i, f in enumerate(found):
        cancel.raise_if_cancelled()
        progress(i / max(len(found), 1), f"Evaluating {f.scenario.name}")
        result = evaluate(f.scenario, catalog, draws=draws, seed=seed)
        subjects.append(subject_of(result, catalog, f.origin, f.saved))
    progress(1.0, "Evaluated")
    return subjects
