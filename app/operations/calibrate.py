"""Turn measured benchmark rows into calibration cases and refit efficiency factors (Qt-free).

Rows are dicts in the estimate-case format plus `metric` (one of
`app.engine.calibration.METRICS`) and `value`. Rows that cannot be resolved, or that measure
something the time model does not predict (memory), are reported back, not fitted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.catalog.loader import Catalog
from app.engine.calibration import METRICS, CalibrationCases, FitResult, GroupKey, fit_groups
from app.engine.configs import build_configs
from app.engine.efficiency import ANY, EfficiencyFactors, EfficiencyTable
from app.operations.estimate import ParsedCase, RowError, case_workload, parse_row


@dataclass(frozen=True)
class CaseSet:
    """Calibration cases, the input rows they came from, and the rows left out (with why)."""

    cases: CalibrationCases
    rows: list[int]
    parsed: list[ParsedCase]
    skipped: list[tuple[int, str]]


def case_set(
    rows: Sequence[dict[str, str]],
    catalog: Catalog,
    table: EfficiencyTable,
    aliases: dict[str, str],
) -> CaseSet:
    """Resolve rows into calibration cases grouped by (engine family, hardware class)."""
    parsed: list[ParsedCase] = []
    kept: list[int] = []
    metric: list[int] = []
    measured: list[float] = []
    skipped: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        name = (row.get("metric") or "").strip()
        try:
            value = float(row.get("value") or "nan")
        except ValueError:
            value = math.nan
        if name not in METRICS:
            skipped.append((i, f"metric '{name}' is not a time metric"))
            continue
        if not math.isfinite(value) or value <= 0:
            skipped.append((i, "value must be a positive number"))
            continue
        try:
            parsed.append(parse_row(i, row, catalog, table, aliases))
        except RowError as exc:
            skipped.append((i, str(exc)))
            continue
        kept.append(i)
        metric.append(METRICS.index(name))
        measured.append(value)
    configs, _ = build_configs([p.deployment for p in parsed], table)
    workload = case_workload(parsed)
    groups = [(p.deployment.engine, p.deployment.accelerator.hardware_class) for p in parsed]
    cases = CalibrationCases(
        configs=configs,
        workload=workload,
        metric=np.array(metric, dtype=np.intp),
        measured=np.array(measured, dtype=np.float64),
        group=groups,
    )
    return CaseSet(cases=cases, rows=kept, parsed=parsed, skipped=skipped)


def refit(
    cases: CalibrationCases, table: EfficiencyTable, min_rows: int = 8
) -> tuple[EfficiencyTable, list[FitResult]]:
    """Fit (engine, class) groups, then (engine, *) and (*, *) pooled groups as fallbacks.

    Each level starts from the table's current factors for that group (or its fallback) so a
    refit from a site's few logs moves the shipped factors only as far as the data asks.
    """
    results: list[FitResult] = []
    groups: dict[GroupKey, EfficiencyFactors] = dict(table.groups)
    levels = (
        lambda key: key,
        lambda key: (key[0], ANY),
        lambda key: (ANY, ANY),
    )
    for relabel in levels:
        labelled = CalibrationCases(
            configs=cases.configs,
            workload=cases.workload,
            metric=cases.metric,
            measured=cases.measured,
            group=[relabel(k) for k in cases.group],
        )
        start = {key: _start(table, key) for key in set(labelled.group)}
        result = fit_groups(labelled, start, table.default, min_rows=min_rows)
        groups.update(result.groups)
        results.append(result)
    return table.with_groups(groups), results


def _start(table: EfficiencyTable, key: GroupKey) -> EfficiencyFactors:
    found = table.groups.get(key)
    if found is not None:
        return found
    start = table.engine(key[0]).fit_start if key[0] != ANY else None
    if start is not None and not table.groups:
        return start
    if key[1] == ANY:
        return table.resolve(key[0], "unknown-class").factors if key[0] != ANY else table.default
    return table.resolve(*key).factors
