"""From a resolved scenario to the cost model's fixed structure and per-draw parameters.

"Resolved" means every value the scenario left to the catalog (prices, power, API and rental
rates) has been filled in (`app.operations.resolve` does that, recording the sources). Parameters
are keyed by the scenario's dotted paths, so an uncertainty range on `costs.pue` simply replaces
that one column by its draws.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from app.engine.cost import CostStructure, WorkloadCapacity
from app.engine.finance import MONTHS_PER_YEAR, FloatArray
from app.engine.scenario import Scenario, ScenarioError
from app.engine.scenario_parse import numeric_paths, value_at

API_PRICE_FIELDS = (
    "api_input_usd_per_mtok",
    "api_output_usd_per_mtok",
    "api_cached_input_usd_per_mtok",
)


@dataclass(frozen=True)
class ApiPrice:
    """A hosted API's prices in USD per 1M tokens (cached input defaults to the input price)."""

    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None = None


@dataclass(frozen=True)
class Redundancy:
    """Spare replicas per workload (N+K) and fractional capacity headroom."""

    spare_replicas: int = 0
    headroom_fraction: float = 0.0


def parse_redundancy(text: str) -> Redundancy:
    """`none` → no spare; `n+K` → K spare replicas; `P%` → P/100 extra capacity."""
    text = text.strip().lower()
    if text == "none":
        return Redundancy()
    spare = re.fullmatch(r"n\+(\d+)", text)
    if spare:
        return Redundancy(spare_replicas=int(spare.group(1)))
    percent = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
    if percent:
        return Redundancy(headroom_fraction=float(percent.group(1)) / 100.0)
    raise ScenarioError(f'deployment.redundancy: must be "none", "n+K" or "P%", not \'{text}\'')


def scenario_has_api(
    scenario: Scenario,
    workload_api: Sequence[ApiPrice | None],
    indices: Sequence[int] | None = None,
) -> bool:
    """True when every workload in `indices` (default: all) has an API price (its own, or the
    scenario's alternative); False when `indices` is empty (nothing an API would serve)."""
    alt = scenario.alternatives
    shared = alt.api_input_usd_per_mtok is not None and alt.api_output_usd_per_mtok is not None
    own = list(workload_api) + [None] * (len(scenario.workloads) - len(workload_api))
    chosen = range(len(own)) if indices is None else indices
    return bool(chosen) and all(own[i] is not None or shared for i in chosen)


def cost_structure(
    scenario: Scenario,
    capacities: Sequence[WorkloadCapacity],
    gpus_per_server: int,
    initial_gpus: int,
    workload_api: Sequence[ApiPrice | None] = (),
    *,
    pooled_gpus: int = 0,
    pooled_peak_gpu_equivalents: float = 0.0,
    pooled_mean_gpu_equivalents: float = 0.0,
) -> CostStructure:
    """The draw-independent structure of the scenario's cost model.

    `capacities` are the workloads the cost model sizes month by month (generative LLMs; each
    names its scenario position in `workload_index`); `pooled_*` are the GPUs and GPU
    equivalents of the workloads co-located beside them (see `app.engine.demand.plan_fleet`).
    """
    c = scenario.costs
    redundancy = parse_redundancy(scenario.deployment.redundancy)
    indices = [
        i if cap.workload_index is None else cap.workload_index
        for i, cap in enumerate(capacities)
    ]
    return CostStructure(
        months=c.horizon_months,
        capex_treatment=c.capex_treatment,
        life_months=life_months(scenario),
        refresh=c.refresh_at_end_of_life,
        financing_term_months=c.financing_term_months,
        gpus_per_server=gpus_per_server,
        initial_gpus=initial_gpus,
        capacities=tuple(capacities),
        spare_replicas=redundancy.spare_replicas,
        headroom_fraction=redundancy.headroom_fraction,
        scale_with_growth=scenario.deployment.scale_with_growth,
        whole_servers=scenario.deployment.whole_servers,
        has_api=scenario_has_api(scenario, workload_api, indices),
        has_rental=scenario.alternatives.rental_usd_per_gpu_hour is not None,
        rental_includes_operations=scenario.alternatives.rental_includes_operations,
        pooled_gpus=pooled_gpus,
        pooled_peak_gpu_equivalents=pooled_peak_gpu_equivalents,
        pooled_mean_gpu_equivalents=pooled_mean_gpu_equivalents,
    )


def scenario_params(
    scenario: Scenario,
    overrides: Mapping[str, FloatArray] | None = None,
    workload_api: Sequence[ApiPrice | None] = (),
) -> dict[str, FloatArray]:
    """Every numeric field as a row (1, n); `overrides` (path → draws, shape (n,)) win.

    Adds per-workload API price keys (`workloads[i].api_input_usd_per_mtok`, ...): the
    workload's own catalog price if it names a cloud API, else the scenario's alternative (the
    same array, so a range on `alternatives.api_output_usd_per_mtok` moves every such workload).
    """
    overrides = overrides or {}
    params = dict(_base_columns(scenario))
    for path, values in overrides.items():
        if path not in params and path not in _numeric_path_set(scenario):
            raise KeyError(f"{path} is not a numeric scenario field")
        params[path] = np.asarray(values, dtype=np.float64).reshape(1, -1)
    alt_input = "alternatives.api_input_usd_per_mtok"
    alt_cached = "alternatives.api_cached_input_usd_per_mtok"
    if alt_input in params and alt_cached not in params:
        params[alt_cached] = params[alt_input]
    for i in range(len(scenario.workloads)):
        own = workload_api[i] if i < len(workload_api) else None
        for name in API_PRICE_FIELDS:
            key = f"workloads[{i}].{name}"
            if own is not None:
                value = {
                    "api_input_usd_per_mtok": own.input_usd_per_mtok,
                    "api_output_usd_per_mtok": own.output_usd_per_mtok,
                    "api_cached_input_usd_per_mtok": own.cached_input_usd_per_mtok
                    if own.cached_input_usd_per_mtok is not None
                    else own.input_usd_per_mtok,
                }[name]
                params[key] = np.full((1, 1), value)
            elif f"alternatives.{name}" in params:
                params[key] = params[f"alternatives.{name}"]
    return params


@lru_cache(maxsize=32)
def _numeric_path_set(scenario: Scenario) -> frozenset[str]:
    return frozenset(numeric_paths(scenario))


@lru_cache(maxsize=32)
def _base_columns(scenario: Scenario) -> Mapping[str, FloatArray]:
    """Every numeric field that has a value, as a read-only (1, 1) array (cached per scenario)."""
    columns: dict[str, FloatArray] = {}
    for path in numeric_paths(scenario):
        value = value_at(scenario, path)
        if value is not None:
            column = np.full((1, 1), float(value))
            column.flags.writeable = False
            columns[path] = column
    return MappingProxyType(columns)



def life_months(scenario: Scenario) -> int:
    """Hardware life in whole months (years × 12, rounded half up)."""
    return max(1, math.floor(scenario.costs.hardware_life_years * MONTHS_PER_YEAR + 0.5))
