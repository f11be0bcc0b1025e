"""Evaluate a scenario: fit, size, lifetime cost against the alternatives, and uncertainty.

`evaluate(scenario, catalog)` resolves catalog references, sizes every workload (LLMs, encoders,
fine-tuning) and co-locates them on one fleet (`stack`), runs the cost model on that pooled fleet
once at the scenario's values (series, breakdown) and once per Monte Carlo draw (P10/P50/P90,
probability that owning is cheaper, tornado). The result is a frozen dataclass; `to_json()`
gives the `enclave evaluate --json` object (keys listed in DESIGN.md, plus more).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.cost import (
    CAPITAL_CATEGORIES,
    CATEGORIES,
    HOURS_PER_MONTH,
    CostOutcome,
    CostStructure,
    run_cost_model,
)
from app.engine.cost_inputs import cost_structure, scenario_params
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import Scenario
from app.engine.uncertainty import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    MonteCarloResult,
    TornadoBar,
    monte_carlo,
    tornado,
)
from app.operations.constraints import ConstraintCheck, check_constraints
from app.operations.error_bands import error_band
from app.operations.resolve import ResolvedScenario, resolve
from app.operations.site_efficiency import factor_basis
from app.operations.sizing import WorkloadSizing
from app.operations.stack import FleetPlan, StackSizing, size_stack
from app.operations.workload_results import with_costs, workload_json

FORMULAS = {
    "energy_usd_per_month": "(gpus × gpu_power_kW × load_factor + servers × server_base_kW) "
    "× PUE × 730 h × energy_usd_per_kwh",
    "hosting_usd_per_month": "(gpus × gpu_power_kW + servers × server_base_kW) "
    "× hosting_usd_per_kw_month",
    "support_usd_per_month": "support_fraction_per_year / 12 × installed hardware purchase value",
    "capital_cash": "price × units bought that month − residual × price × units retired",
    "capital_depreciation": "price × (1 − residual) / life_months per unit within its life",
    "capital_financing": "((1 − residual) × price × CRF(i, n) + residual × price × i) per unit "
    "within the term; CRF = i(1+i)^n / ((1+i)^n − 1), i = rate / 12",
    "api_usd_per_month": "Σ tokens_in × input price + tokens_out × output price (per 1M)",
    "rental_usd_per_month": "gpus × usd_per_gpu_hour × rental_hours_per_month",
    "npv_usd": "PV(API) − PV(on-premise), PV = Σ cost[m] × (1 + r)^(−m/12), m = 0..M−1",
    "break_even_month": "first month from which cumulative on-premise ≤ cumulative alternative",
    "cost_per_million_tokens_usd": "TCO / (input + output tokens of the generative workloads "
    "over the horizon) × 1e6",
    "cost_per_gpu_hour_usd": "TCO / (Σ months installed GPUs × 730 h)",
    "cost_share_usd": "TCO × workload GPU share / Σ GPU shares (gpu_pool attribution)",
    "pooled_fleet": "gpus[m] = max(initial, LLM replicas[m] × GPUs per replica + pooled_gpus)",
}


@dataclass(frozen=True)
class Kpis:
    """Headline figures (USD unless named otherwise; None when not applicable or never).

    Fleet figures are for month 1 (`gpus_final` for the last month) and cover every workload
    on the pooled fleet; latency is the worst generative workload's at its SLO percentile and
    sized load (None without one); `output_tokens_per_s` is what the installed fleet's LLM
    replicas sustain within the SLOs; tokens and the cost per 1M tokens are the generative
    workloads'; `cost_per_gpu_hour_usd` = TCO / installed GPU-hours; `power_kw` is nameplate
    (GPUs × TDP + servers × base power).
    """

    fits: bool
    meets_slo: bool
    gpus: int
    servers: int
    ttft_ms: float | None
    tpot_ms: float | None
    output_tokens_per_s: float | None
    power_kw: float | None
    capex_usd: float | None
    opex_usd_per_month: float | None
    tco_usd: float | None
    npv_usd: float | None
    cost_per_million_tokens_usd: float | None
    break_even_month_vs_api: int | None
    break_even_month_vs_rental: int | None
    api_tco_usd: float | None
    rental_tco_usd: float | None
    npv_vs_rental_usd: float | None
    api_cost_per_million_tokens_usd: float | None
    capex_purchases_usd: float | None
    utilisation_mean: float | None
    utilisation_peak: float | None
    gpus_final: int | None
    tokens: float | None
    cost_per_gpu_hour_usd: float | None = None


@dataclass(frozen=True)
class MonthPoint:
    """One month of the three cost paths (USD), month 1..M."""

    month: int
    onprem_usd: float
    api_usd: float | None
    rental_usd: float | None
    onprem_cumulative_usd: float
    api_cumulative_usd: float | None
    rental_cumulative_usd: float | None
    gpus: int
    servers: int
    tokens: float


@dataclass(frozen=True)
class CostLine:
    """One category of the on-premise TCO, in total and per year of the horizon."""

    category: str
    kind: str  # capital | operating
    usd: float
    usd_by_year: tuple[float, ...]


@dataclass(frozen=True)
class EvaluationResult:
    """Everything `evaluate` found. `workloads`: one result per scenario workload, in order, of
    every kind (`WorkloadSizing`; JSON keys in `workload_results`); `pool`: the shared fleet
    they were placed on (None when something does not fit)."""

    scenario: Scenario
    kpis: Kpis
    series: tuple[MonthPoint, ...]
    cost_breakdown: tuple[CostLine, ...]
    uncertainty: MonteCarloResult | None
    tornado: tuple[TornadoBar, ...]
    tornado_kpi: str
    constraints: tuple[ConstraintCheck, ...]
    workloads: tuple[WorkloadSizing, ...]
    basis: dict[str, Any] = field(default_factory=dict)
    pool: FleetPlan | None = None

    def to_json(self) -> dict[str, Any]:
        """The `enclave evaluate --json` object; NaN and infinities become null."""
        cleaned: dict[str, Any] = _clean(_result_json(self))
        return cleaned


def _value(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _month(x: float) -> int | None:
    return None if math.isnan(x) else int(x)


def evaluate(
    scenario: Scenario,
    catalog: Catalog,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    tornado_kpi: str = "tco_usd",
    efficiency: EfficiencyTable | None = None,
    aliases: Mapping[str, str] | None = None,
    stacker: Callable[[ResolvedScenario, EfficiencyTable, Mapping[str, str]],
                      StackSizing] = size_stack,
) -> EvaluationResult:
    """Full evaluation of one scenario against a catalog (see the module docstring).

    `efficiency` is the factor table to use: the workspace's
    (`site_efficiency.workspace_efficiency`) so that site-calibrated factors apply, or the
    shipped one when None. `stacker` sizes the workloads (the live dashboard passes a cached
    `size_stack`: sizing is the slow part and does not depend on costs).
    """
    if efficiency is None:
        efficiency, aliases = load_efficiency()
    aliases = aliases or {}
    resolved = resolve(scenario, catalog)
    stack = stacker(resolved, efficiency, aliases)
    sizings = stack.workloads
    fits = stack.fits
    fleet = stack.fleet
    sized_gpus = fleet.pool.gpus if fleet is not None else _standalone_gpus(sizings)
    fixed = scenario.deployment.gpu_count
    initial_gpus = fixed if fixed is not None else sized_gpus
    structure = cost_structure(
        resolved.scenario,
        [s.capacity for s in stack.generative],
        resolved.gpus_per_server,
        initial_gpus,
        resolved.workload_api,
        pooled_gpus=fleet.pooled_gpus if fleet else 0,
        pooled_peak_gpu_equivalents=fleet.pooled_peak_gpu_equivalents if fleet else 0.0,
        pooled_mean_gpu_equivalents=fleet.pooled_mean_gpu_equivalents if fleet else 0.0,
    )
    if fixed is not None:
        structure = _fixed_fleet(structure)
    constraints = check_constraints(resolved, catalog)
    basis = _basis(resolved, sizings, structure, sized_gpus)
    engine = (aliases or {}).get(scenario.deployment.engine, scenario.deployment.engine)
    basis["efficiency_factors"] = factor_basis(efficiency, engine,
                                               resolved.accelerator.hardware_class,
                                               resolved.accelerator.segment)
    if not fits or fleet is None:
        return _not_fitting(resolved, sizings, initial_gpus, constraints, basis, tornado_kpi)

    params = scenario_params(resolved.scenario, None, resolved.workload_api)
    outcome = run_cost_model(structure, params, detail=True)
    mc = monte_carlo(resolved.scenario, structure, resolved.workload_api, draws=draws, seed=seed)
    bars = tornado(resolved.scenario, structure, resolved.workload_api, kpi=tornado_kpi)
    kpis = _kpis(outcome, stack, resolved, fits)
    costed = with_costs(sizings, kpis.tco_usd, kpis.cost_per_gpu_hour_usd,
                        resolved.scenario.alternatives.rental_usd_per_gpu_hour)
    basis["error_bands"] = _error_bands(kpis, resolved, efficiency, aliases)
    return EvaluationResult(
        scenario=scenario,
        kpis=kpis,
        series=_series(outcome),
        cost_breakdown=_breakdown(outcome),
        uncertainty=mc,
        tornado=tuple(bars),
        tornado_kpi=tornado_kpi,
        constraints=constraints,
        workloads=costed,
        basis=basis,
        pool=fleet,
    )


def _standalone_gpus(sizings: tuple[WorkloadSizing, ...]) -> int:
    """GPUs when every instance (and every fine-tune run) has whole GPUs of its own."""
    return sum(max(s.capacity.replicas, 1 if s.kind == "finetune" else 0)
               * s.capacity.gpus_per_replica for s in sizings)


def _error_bands(kpis: Kpis, resolved: ResolvedScenario, table: EfficiencyTable,
                 aliases: Mapping[str, str]) -> dict[str, Any]:
    """Each latency/throughput KPI with its calibration band (`error_bands.error_band`)."""
    engine = resolved.scenario.deployment.engine
    engine = aliases.get(engine, engine)
    hardware_class = resolved.accelerator.hardware_class
    out: dict[str, Any] = {}
    for metric in ("ttft_ms", "tpot_ms", "output_tokens_per_s"):
        band = error_band(table, metric, getattr(kpis, metric), engine, hardware_class)
        if band is not None:
            out[metric] = band.to_json()
    return out


def _fixed_fleet(structure: CostStructure) -> CostStructure:
    """A fleet the user sized by hand stays at that size (staging applies to sized fleets)."""
    return replace(structure, scale_with_growth=False)


def _kpis(
    outcome: CostOutcome,
    stack: StackSizing,
    resolved: ResolvedScenario,
    fits: bool,
) -> Kpis:
    k = {name: float(values[0]) for name, values in outcome.kpis.items()}
    gpus = int(k["gpus_initial"])
    generative = stack.generative
    llm_gpus = sum(s.capacity.replicas * s.capacity.gpus_per_replica for s in generative)
    pooled = stack.fleet.pooled_gpus if stack.fleet else 0
    # Extra GPUs (whole servers, a hand-set count) run more LLM replicas in proportion.
    fleet_share = max(gpus - pooled, 0) / llm_gpus if llm_gpus else 0.0
    servers = int(k["servers_initial"])
    tdp = resolved.scenario.costs.gpu_power_w or 0.0
    base = resolved.scenario.costs.server_base_power_w or 0.0
    detail = outcome.detail
    gpu_hours = float(detail.gpus[:, 0].sum()) * HOURS_PER_MONTH if detail is not None else 0.0
    tco = _value(k["tco_usd"])
    return Kpis(
        fits=fits,
        meets_slo=all(s.meets_slo for s in stack.workloads),
        gpus=gpus,
        servers=servers,
        ttft_ms=max((s.ttft_ms for s in generative), default=None),
        tpot_ms=max((s.tpot_ms for s in generative), default=None),
        output_tokens_per_s=fleet_share * sum(s.output_tokens_per_s for s in generative)
        if generative else None,
        power_kw=(gpus * tdp + servers * base) / 1000.0,
        capex_usd=_value(k["capex_usd"]),
        opex_usd_per_month=_value(k["opex_usd_per_month"]),
        tco_usd=_value(k["tco_usd"]),
        npv_usd=_value(k["npv_usd"]),
        cost_per_million_tokens_usd=_value(k["cost_per_million_tokens_usd"]),
        break_even_month_vs_api=_month(k["break_even_month_vs_api"]),
        break_even_month_vs_rental=_month(k["break_even_month_vs_rental"]),
        api_tco_usd=_value(k["api_tco_usd"]),
        rental_tco_usd=_value(k["rental_tco_usd"]),
        npv_vs_rental_usd=_value(k["npv_vs_rental_usd"]),
        api_cost_per_million_tokens_usd=_value(k["api_cost_per_million_tokens_usd"]),
        capex_purchases_usd=_value(k["capex_purchases_usd"]),
        utilisation_mean=_value(k["utilisation_mean"]),
        utilisation_peak=_value(k["utilisation_peak"]),
        gpus_final=int(k["gpus_final"]),
        tokens=_value(k["tokens"]),
        cost_per_gpu_hour_usd=tco / gpu_hours if tco is not None and gpu_hours > 0 else None,
    )


def _series(outcome: CostOutcome) -> tuple[MonthPoint, ...]:
    d = outcome.detail
    assert d is not None
    onprem_cum = d.onprem_cumulative_usd[:, 0]
    api_cum = d.api_cumulative_usd[:, 0]
    rental_cum = d.rental_cumulative_usd[:, 0]
    return tuple(
        MonthPoint(
            month=m + 1,
            onprem_usd=float(d.onprem_usd[m, 0]),
            api_usd=_value(d.api_usd[m, 0]),
            rental_usd=_value(d.rental_usd[m, 0]),
            onprem_cumulative_usd=float(onprem_cum[m]),
            api_cumulative_usd=_value(api_cum[m]),
            rental_cumulative_usd=_value(rental_cum[m]),
            gpus=int(d.gpus[m, 0]),
            servers=int(d.servers[m, 0]),
            tokens=float(d.tokens[m, 0]),
        )
        for m in range(d.onprem_usd.shape[0])
    )


def _breakdown(outcome: CostOutcome) -> tuple[CostLine, ...]:
    d = outcome.detail
    assert d is not None
    return tuple(
        CostLine(
            category=c,
            kind="capital" if c in CAPITAL_CATEGORIES else "operating",
            usd=float(outcome.category_usd[c][0]),
            usd_by_year=tuple(float(v) for v in d.category_usd_by_year[c][:, 0]),
        )
        for c in CATEGORIES
    )


def _basis(
    resolved: ResolvedScenario,
    sizings: tuple[WorkloadSizing, ...],
    structure: CostStructure,
    sized_gpus: int,
) -> dict[str, Any]:
    notes = list(resolved.notes)
    fixed = resolved.scenario.deployment.gpu_count
    if fixed is not None and fixed < sized_gpus:
        notes.append(
            f"deployment.gpu_count ({fixed}) is below the {sized_gpus} GPUs the peak "
            "demand needs with redundancy: latency targets will be missed at peak"
        )
    notes.extend(_workload_notes(resolved, sizings))
    return {
        "sizing": {s.name: s.basis for s in sizings},
        "cost_model": {
            "capex_treatment": structure.capex_treatment,
            "horizon_months": structure.months,
            "life_months": structure.life_months,
            "refresh_at_end_of_life": structure.refresh,
            "financing_term_months": structure.financing_term_months,
            "gpus_per_server": structure.gpus_per_server,
            "staged_purchases": structure.scale_with_growth,
            "whole_servers": structure.whole_servers,
            "spare_replicas": structure.spare_replicas,
            "headroom_fraction": structure.headroom_fraction,
            "hours_per_month": 730.0,
            "formulas": FORMULAS,
        },
        "catalog_sources": [
            {
                "kind": s.kind,
                "id": s.id,
                "name": s.name,
                "source": s.source,
                "as_of": s.as_of,
                "filled": list(s.filled),
            }
            for s in resolved.sources
        ],
        "assumptions": [
            {"field": a.field, "note": a.note, "source": a.source}
            for a in resolved.scenario.assumptions
        ],
        "notes": notes,
    }


def _workload_notes(
    resolved: ResolvedScenario, sizings: tuple[WorkloadSizing, ...]
) -> list[str]:
    """Emulated precisions, missed targets, and what the pooled workloads leave out."""
    notes = []
    for s in sizings:
        i = s.index
        wanted = resolved.weights[i].compute_precision
        if s.kind != "finetune" and wanted not in resolved.accelerator.native_precisions:
            notes.append(
                f"workloads[{i}]: {resolved.accelerator.name} has no native {wanted}; "
                "its emulation path is assumed"
            )
        if not s.meets_slo and (s.fits or s.kind == "llm"):
            if s.kind == "llm":
                reason = s.basis.get("reason") or "the latency targets cannot be met"
                notes.append(f"workloads[{i}]: {reason}; sized at full offline throughput")
            elif s.kind == "finetune":
                notes.append(f"workloads[{i}]: {s.basis['reason']}")
            else:
                notes.append(
                    f"workloads[{i}]: one request takes {s.latency_ms:,.0f} ms on an idle "
                    "instance, over ttft_target_ms"
                )
    pooled = [s for s in sizings if s.kind != "llm"]
    if pooled:
        names = ", ".join(s.name for s in pooled)
        notes.append(
            f"co-located on the same fleet: {names}; the cost per 1M tokens and the cloud API "
            "path count the generative workloads' tokens only (an API user would still pay "
            "for these workloads elsewhere)"
        )
        grown = [s.name for s in pooled
                 if resolved.scenario.workloads[s.index].growth_per_year != 0]
        if grown:
            notes.append(
                f"{', '.join(grown)}: sized for month-1 demand and kept over the horizon "
                "(growth_per_year is not staged for encoders and fine-tuning)"
            )
    return notes


def _not_fitting(
    resolved: ResolvedScenario,
    sizings: tuple[WorkloadSizing, ...],
    gpus: int,
    constraints: tuple[ConstraintCheck, ...],
    basis: dict[str, Any],
    tornado_kpi: str,
) -> EvaluationResult:
    """A deployment whose model does not fit: performance and cost are not evaluated."""
    names = ", ".join(
        s.name + (f" ({s.basis['reason']})" if s.kind != "llm" and s.basis.get("reason") else "")
        for s in sizings if not s.fits
    )
    basis = {
        **basis,
        "notes": [*basis["notes"], f"does not fit in memory: {names}; cost is not evaluated"],
    }
    none: dict[str, Any] = {f: None for f in Kpis.__dataclass_fields__}
    none.update(
        fits=False,
        meets_slo=False,
        gpus=gpus,
        servers=math.ceil(gpus / max(resolved.gpus_per_server, 1)),
    )
    return EvaluationResult(
        scenario=resolved.original,
        kpis=Kpis(**none),
        series=(),
        cost_breakdown=(),
        uncertainty=None,
        tornado=(),
        tornado_kpi=tornado_kpi,
        constraints=constraints,
        workloads=sizings,
        basis=basis,
    )


def _result_json(r: EvaluationResult) -> dict[str, Any]:
    k = r.kpis
    mc = r.uncertainty
    uncertainty: dict[str, Any] = {
        "draws": mc.draws if mc else 0,
        "seed": mc.seed if mc else None,
        "inputs": list(mc.inputs) if mc else [],
        "tco_usd_p10": mc.percentiles["tco_usd"].p10 if mc else None,
        "tco_usd_p50": mc.percentiles["tco_usd"].p50 if mc else None,
        "tco_usd_p90": mc.percentiles["tco_usd"].p90 if mc else None,
        "p_onprem_cheaper_than_api": mc.p_onprem_cheaper_than_api if mc else None,
        "p_onprem_cheaper_than_rental": mc.p_onprem_cheaper_than_rental if mc else None,
        "percentiles": {
            name: {"p10": p.p10, "p50": p.p50, "p90": p.p90}
            for name, p in (mc.percentiles.items() if mc else ())
        },
        "bands": {
            name: {"p10": band[0].tolist(), "p50": band[1].tolist(), "p90": band[2].tolist()}
            for name, band in (mc.bands.items() if mc else ())
        },
        "tornado": {
            "kpi": r.tornado_kpi,
            "bars": [
                {
                    "input": b.path,
                    "low": b.low,
                    "high": b.high,
                    "kpi_at_low": b.kpi_at_low,
                    "kpi_at_high": b.kpi_at_high,
                    "swing": b.swing,
                }
                for b in r.tornado
            ],
        },
    }
    return {
        "scenario": r.scenario.name,
        "schema_version": r.scenario.schema_version,
        "kpis": {name: getattr(k, name) for name in Kpis.__dataclass_fields__},
        "series": [
            {name: getattr(p, name) for name in MonthPoint.__dataclass_fields__} for p in r.series
        ],
        "cost_breakdown": [
            {
                "category": c.category,
                "kind": c.kind,
                "usd": c.usd,
                "usd_by_year": list(c.usd_by_year),
            }
            for c in r.cost_breakdown
        ],
        "uncertainty": uncertainty,
        "constraints": [c.to_json() for c in r.constraints],
        "workloads": [workload_json(s) for s in r.workloads],
        "pool": r.pool.to_json() if r.pool is not None else None,
        "basis": r.basis,
    }


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf → None, numpy scalars → Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
