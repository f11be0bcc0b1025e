"""Find and evaluate the scenarios a report is about (Qt-free; long work with progress).

`find_subjects` runs on the thread that owns the workspace (it reads the database: the
scenarios, the workspace's efficiency factors with their site refits, and cached results);
`evaluate_subjects` is a pure function of plain data, safe in a worker thread; `store_results`
runs on the workspace's thread again and keeps what was evaluated (`results_cache`), so the
next report of the same scenarios skips the evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from app.catalog.loader import Catalog
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import Scenario
from app.engine.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
from app.operations import results_cache
from app.operations.evaluate import EvaluationResult, evaluate
from app.operations.progress import CancelToken, ProgressCallback, no_progress
from app.operations.scenario_files import demo_scenario_paths, find_scenario_anywhere
from app.operations.site_efficiency import workspace_efficiency
from app.reports.subject import ReportSubject, subject_of
from app.storage import scenario_store


@dataclass(frozen=True)
class FoundScenario:
    """A scenario to report on: where it came from and when it was last saved; for a workspace
    scenario its row id, its cache key and the cached result when there is one; the efficiency
    factors the workspace evaluates with (None: the shipped ones)."""

    scenario: Scenario
    origin: str
    saved: str
    scenario_id: int | None = None
    cache_key: str = ""
    cached: EvaluationResult | None = None
    efficiency: EfficiencyTable | None = None
    aliases: tuple[tuple[str, str], ...] = ()


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


def find_subjects(db: Database, references: Sequence[str], *, catalog: Catalog | None = None,
                  draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> list[FoundScenario]:
    """Each reference: a scenario file, a workspace scenario by name, or a demo. With the
    workspace's `catalog`, workspace scenarios come with their cache key and cached result."""
    table, aliases = workspace_efficiency(db)
    basis = None
    if catalog is not None:
        basis = results_cache.CacheBasis(results_cache.catalog_sha256(catalog),
                                         results_cache.factors_sha256(table, aliases),
                                         draws, seed)
    out = []
    for ref in references:
        scenario, origin = find_scenario_anywhere(db, ref)
        scenario_id = (scenario_store.find(db, origin.split(":", 1)[1])
                       if origin.startswith("workspace:") else None)
        key, cached = "", None
        if basis is not None and scenario_id is not None:
            key = results_cache.inputs_sha256(scenario, basis)
            cached = results_cache.lookup(db, scenario_id, key)
        out.append(FoundScenario(scenario, origin, saved_date(db, origin), scenario_id, key,
                                 cached, table, tuple(sorted(aliases.items()))))
    return out


def evaluate_subjects(found: Sequence[FoundScenario], catalog: Catalog, *,
                      draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                      progress: ProgressCallback = no_progress,
                      cancel: CancelToken | None = None) -> list[ReportSubject]:
    """Evaluate every scenario that has no cached result (long work: reports progress, stops
    when cancelled)."""
    cancel = cancel or CancelToken()
    subjects = []
    for i, f in enumerate(found):
        cancel.raise_if_cancelled()
        progress(i / max(len(found), 1), f"Evaluating {f.scenario.name}")
        result = f.cached or evaluate(f.scenario, catalog, draws=draws, seed=seed,
                                      efficiency=f.efficiency, aliases=dict(f.aliases))
        subjects.append(subject_of(result, catalog, f.origin, f.saved))
    progress(1.0, "Evaluated")
    return subjects


def store_results(db: Database, found: Sequence[FoundScenario],
                  subjects: Sequence[ReportSubject]) -> int:
    """Keep the results just evaluated for workspace scenarios; how many rows were written
    (none on a read-only workspace)."""
    written = 0
    for f, s in zip(found, subjects, strict=True):
        if f.scenario_id is not None and f.cache_key and f.cached is None:
            written += results_cache.store(db, f.scenario_id, f.cache_key, s.result)
    return written
