"""What a report is about: one evaluated scenario with its catalog references looked up."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.loader import Catalog
from app.operations.evaluate import EvaluationResult
from app.operations.resolve import ResolvedScenario, resolve


@dataclass(frozen=True)
class ReportSubject:
    """An evaluation result, its resolved scenario (catalog names, filled values), where the
    scenario came from (`origin`: a file, `workspace:NAME` or `demo:STEM`) and the date it was
    last saved (`saved`, YYYY-MM-DD; the as-of date of the values typed into it)."""

    result: EvaluationResult
    resolved: ResolvedScenario
    origin: str = ""
    saved: str = ""

    @property
    def name(self) -> str:
        return self.result.scenario.name


def subject_of(result: EvaluationResult, catalog: Catalog, origin: str = "",
               saved: str = "") -> ReportSubject:
    """Resolve the result's scenario against the catalog it was evaluated with."""
    return ReportSubject(result=result, resolved=resolve(result.scenario, catalog),
                         origin=origin, saved=saved)
