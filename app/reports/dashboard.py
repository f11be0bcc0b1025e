"""Everything the dashboard shows for one version of a scenario, as plain data (Qt-free).

`dashboard_content(data, catalog, ...)` is the function the GUI runs off its thread after an
edit: the live evaluation (`app.operations.live_eval`), the six charts' data, the KPI cards and
the constraint checks. Cost charts are emptied with the reason while a price is missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.catalog.loader import Catalog
from app.engine.efficiency import EfficiencyTable
from app.engine.uncertainty import DEFAULT_SEED
from app.operations import chart_data as cd
from app.operations.constraints import ConstraintCheck
from app.operations.evaluate import EvaluationResult
from app.operations.live_eval import EDITING_DRAWS, LiveEvaluation, SizingCache, evaluate_stored
from app.operations.progress import CancelToken, ProgressCallback
from app.operations.scenario_fields import field_label
from app.reports.kpi_cards import ENTER_COSTS, KpiCard, kpi_cards, not_evaluated_cards
from app.reports.workload_cards import WorkloadsArea, workloads_area
from app.reports.workload_facts import has_workloads_area


@dataclass(frozen=True)
class DashboardContent:
    live: LiveEvaluation
    cards: tuple[KpiCard, ...]
    charts: cd.DashboardCharts | None
    constraints: tuple[ConstraintCheck, ...]
    notes: tuple[str, ...]
    workload: int = 0  # the workload the memory and load charts show
    workloads: WorkloadsArea | None = None  # several workloads, or any that is not an LLM


def missing_costs_note(missing: tuple[str, ...]) -> str:
    names = ", ".join(field_label(p) for p in missing)
    return f"Costs are not shown until you enter {names} (the catalog has no sourced value)."


def dashboard_content(data: Any, catalog: Catalog, *, draws: int = EDITING_DRAWS,
                      seed: int = DEFAULT_SEED, workload: int = -1,
                      cache: SizingCache | None = None,
                      efficiency: EfficiencyTable | None = None,
                      aliases: Mapping[str, str] | None = None,
                      progress: ProgressCallback | None = None,
                      cancel: CancelToken | None = None) -> DashboardContent:
    live = evaluate_stored(data, catalog, draws=draws, seed=seed, cache=cache,
                           efficiency=efficiency, aliases=aliases, progress=progress,
                           cancel=cancel)
    result = live.result
    if result is None:
        reason = live.problem.message if live.problem else "not evaluated"
        return DashboardContent(live, not_evaluated_cards(reason), None, (), (), workload)
    drawable = cd.llm_workloads(result)
    if workload < 0:  # not chosen yet: the first LLM workload
        workload = drawable[0] if drawable else 0
    index = min(workload, max(len(result.workloads) - 1, 0))
    charts = cd.dashboard_charts(result, index)
    notes = list(result.basis.get("notes", ()))
    if live.missing_costs and result.kpis.fits:  # not fitting: costs are not evaluated anyway
        note = missing_costs_note(live.missing_costs)
        notes.insert(0, note)
        charts = dataclasses.replace(
            charts,
            cumulative=cd.CumulativeCostData((), (), None, None, None, None, None, None, note),
            breakdown=cd.CostBreakdownData((), (), (), 0.0, note),
            tornado=dataclasses.replace(charts.tornado, rows=(), note=note),
            distribution=dataclasses.replace(charts.distribution, bin_edges_usd=(), counts=(),
                                             note=note),
        )
    missing = tuple(field_label(p, with_unit=False) for p in live.missing_costs)
    if not result.kpis.fits:
        missing = ()
    cards = kpi_cards(result, missing)
    return DashboardContent(live, cards, charts, result.constraints, tuple(notes), index,
                            _workloads(result, catalog))


def _workloads(result: EvaluationResult, catalog: Catalog) -> WorkloadsArea | None:
    if not has_workloads_area(result):
        return None
    names = []
    for w in result.scenario.workloads:
        try:
            names.append(catalog.model(w.model).name)
        except KeyError:
            names.append(w.model)
    try:
        gpu = catalog.accelerator(result.scenario.deployment.accelerator)
        memory, accelerator = gpu.memory_bytes, gpu.name
    except KeyError:
        memory, accelerator = 0.0, cd.accelerator_name(result)
    return workloads_area(result, tuple(names), memory, accelerator)


__all__ = ["ENTER_COSTS", "DashboardContent", "dashboard_content", "missing_costs_note"]
