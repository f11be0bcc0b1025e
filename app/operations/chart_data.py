"""What each chart shows, as plain frozen data built from an `EvaluationResult` (Qt-free).

The dashboard, Compare and the PDF report draw the same six charts from these objects
(`app.reports.charts` has one widget per class here):

=========================  ==================================================================
`MemoryWaterfallData`      one GPU's memory: capacity → reserved → runtime overhead →
                           activations → weights → KV cache in use → free (GiB)
`LoadCurveData`            one replica's output tokens/s, TTFT and TPOT at the SLO percentile
                           against running sequences, with the SLO targets
`CumulativeCostData`       cumulative USD per month: on-premise (with its P10–P90 band), cloud
                           API, rented GPUs, and the break-even months
`CostBreakdownData`        on-premise cost per year of the horizon, by category (USD)
`TornadoData`              the swing of a KPI as each uncertain input goes low → high
`DistributionData`         histogram of the on-premise TCO over the Monte Carlo draws
=========================  ==================================================================

Every object carries a `note`: empty when the chart has data, else the reason it is empty
(e.g. the model does not fit, so no cost was evaluated), which the chart shows in its place.
All builders are cheap (well under a millisecond): they only reshape what the evaluation
already computed. `dashboard_charts` builds all six.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.engine.scenario import Workload
from app.operations.evaluate import EvaluationResult
from app.operations.scenario_fields import field_label
from app.operations.sizing import WorkloadSizing

NOT_FITTING = "The model does not fit in memory: performance and cost were not evaluated."
NO_UNCERTAINTY = "No uncertainty ranges in this scenario: add low/high ranges to inputs."
NO_WORKLOAD = "This scenario has no workload to chart."
NO_SLO_LOAD = "The sized replica misses the SLO even at light load."
NOT_LLM = ("{name} is {kind} workload, sized without a memory waterfall or a load curve "
           "(those are drawn for LLM workloads): {figures}")

HISTOGRAM_BINS = 40
CATEGORY_LABELS = {
    "accelerators": "Accelerators",
    "servers": "Servers",
    "network": "Network",
    "storage": "Storage",
    "integration": "Integration",
    "facility": "Facility",
    "energy": "Energy",
    "hosting": "Hosting",
    "support": "Support",
    "software": "Software",
    "staff": "Staff",
    "other": "Other",
}
WATERFALL_LABELS = {
    "capacity": "Capacity",
    "reserved": "Reserved",
    "runtime overhead": "Runtime",
    "activations": "Activations",
    "weights": "Weights",
    "KV cache": "KV cache",
    "free": "Free",
}
KPI_LABELS = {
    "tco_usd": "On-premise TCO (USD)",
    "npv_usd": "NPV vs API (USD)",
    "npv_vs_api_usd": "NPV vs API (USD)",
    "npv_vs_rental_usd": "NPV vs rental (USD)",
    "cost_per_million_tokens_usd": "Cost per 1M tokens (USD)",
    "capex_usd": "CapEx (USD)",
    "opex_usd_per_month": "OpEx (USD/month)",
    "break_even_month_vs_api": "Break-even vs API (month)",
    "break_even_month_vs_rental": "Break-even vs rental (month)",
}


# --- memory ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the waterfall, in GiB: it spans `bottom_gib`..`top_gib`.

    kind: `total` (capacity, drawn from 0), `used` (a deduction) or `free` (what is left;
    negative when the deployment does not fit).
    """

    label: str
    gib: float
    bottom_gib: float
    top_gib: float
    kind: str


@dataclass(frozen=True)
class MemoryWaterfallData:
    workload: str
    accelerator: str
    layout: str  # e.g. "TP 2 × PP 1"
    capacity_gib: float
    steps: tuple[WaterfallStep, ...]
    fits: bool
    concurrency_per_replica: float | None
    note: str = ""


def memory_waterfall(result: EvaluationResult, workload: int = 0) -> MemoryWaterfallData:
    """Per-GPU memory of the sized replica of `workload`, at its sized concurrency.

    Steps come from the capacity engine (`MemoryBudget.waterfall`): capacity − reserved −
    runtime overhead − activations − weights − KV cache in use = free.
    """
    accelerator = accelerator_name(result)
    if workload >= len(result.workloads):
        return MemoryWaterfallData("", accelerator, "", 0.0, (), False, None, NO_WORKLOAD)
    sizing = result.workloads[workload]
    if sizing.kind != "llm":
        return MemoryWaterfallData(sizing.name, accelerator, "", 0.0, (), sizing.fits, None,
                                   _not_llm(sizing))
    basis = sizing.basis
    raw = [(str(label), float(gib)) for label, gib in basis.get("memory_waterfall", [])]
    steps: list[WaterfallStep] = []
    level = 0.0
    capacity = 0.0
    for label, gib in raw:
        name = WATERFALL_LABELS.get(label, label)
        if label == "capacity":
            capacity = level = gib
            steps.append(WaterfallStep(name, gib, 0.0, gib, "total"))
        elif label == "free":
            steps.append(WaterfallStep(name, gib, min(gib, 0.0), max(gib, 0.0), "free"))
        else:
            used = -gib if math.isfinite(gib) else 0.0
            steps.append(WaterfallStep(name, used, level - used, level, "used"))
            level -= used
    concurrency = basis.get("concurrency_per_replica")
    tp, pp = basis.get("tp", 1), basis.get("pp", 1)
    return MemoryWaterfallData(
        workload=sizing.name,
        accelerator=accelerator,
        layout=f"TP {tp} × PP {pp}",
        capacity_gib=capacity,
        steps=tuple(steps),
        fits=sizing.fits,
        concurrency_per_replica=_finite(concurrency),
    )


def accelerator_name(result: EvaluationResult) -> str:
    """The accelerator's catalog name (its id when the evaluation did not record one)."""
    for source in result.basis.get("catalog_sources", ()):
        if source.get("kind") == "accelerator":
            return str(source.get("name") or result.scenario.deployment.accelerator)
    return result.scenario.deployment.accelerator


# --- serving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadCurveData:
    """One replica under rising load (Poisson arrivals), exactly as the capacity engine sized it.

    `concurrency` is the mean number of running sequences per replica at each request rate the
    sizing tried (0.5 % to 99.9 % of the replica's capacity); `ttft_ms`/`tpot_ms` are at the
    workload's SLO percentile as the sizing checks them (TPOT: the engine's p99 per-request
    mean when the percentile is ≥ 95). `slo_concurrency` is the highest load meeting both
    targets (the sized operating limit), None when the targets cannot be met.
    """

    workload: str
    gpus_per_replica: int
    percentile: float
    concurrency: tuple[float, ...]
    output_tokens_per_s: tuple[float, ...]
    ttft_ms: tuple[float, ...]
    tpot_ms: tuple[float, ...]
    ttft_target_ms: float | None
    tpot_target_ms: float | None
    slo_concurrency: float | None
    note: str = ""


def load_curve(result: EvaluationResult, workload: int = 0) -> LoadCurveData:
    """Throughput and latency of the sized replica of `workload` against its concurrency.

    From the rate grid the sizing evaluated (`WorkloadSizing.load_grid`, from
    `capacity.size_deployment`), sorted by concurrency; no extra engine run.
    """
    scenario = result.scenario
    if workload >= len(result.workloads) or workload >= len(scenario.workloads):
        return _empty_curve("", NO_WORKLOAD)
    w = scenario.workloads[workload]
    sizing = result.workloads[workload]
    if sizing.kind != "llm":
        return _empty_curve(w.name, _not_llm(sizing), w)
    if not sizing.fits:
        return _empty_curve(w.name, NOT_FITTING, w)
    grid = sizing.load_grid
    concurrency = np.asarray(grid.get("concurrency", ()), dtype=np.float64)
    tokens = np.asarray(grid.get("output_tokens_per_s", ()), dtype=np.float64)
    ttft = np.asarray(grid.get("ttft_ms", ()), dtype=np.float64)
    tpot = np.asarray(grid.get("tpot_ms", ()), dtype=np.float64)
    order = np.argsort(concurrency, kind="stable")
    order = order[np.isfinite(concurrency[order]) & np.isfinite(tokens[order])]
    return LoadCurveData(
        workload=w.name,
        gpus_per_replica=sizing.capacity.gpus_per_replica,
        percentile=w.slo_percentile,
        concurrency=_floats(concurrency[order]),
        output_tokens_per_s=_floats(tokens[order]),
        ttft_ms=_floats(ttft[order]),
        tpot_ms=_floats(tpot[order]),
        ttft_target_ms=w.ttft_target_ms,
        tpot_target_ms=w.tpot_target_ms,
        slo_concurrency=_finite(sizing.basis.get("concurrency_per_replica"))
        if sizing.meets_slo else None,
        note="" if sizing.meets_slo else NO_SLO_LOAD,
    )


def _not_llm(sizing: WorkloadSizing) -> str:
    figures = []
    if math.isfinite(sizing.memory_per_instance_bytes):
        figures.append(f"{sizing.memory_per_instance_bytes / 2**30:.1f} GiB per GPU of one "
                       "instance")
    if math.isfinite(sizing.capacity_per_s):
        figures.append(f"{sizing.capacity_per_s:,.1f} {sizing.rate_unit} per instance")
    if math.isfinite(sizing.latency_ms):
        figures.append(f"{sizing.latency_ms:,.0f} ms per request when idle")
    kind = {"embedding": "an embedding", "finetune": "a fine-tuning"}.get(
        sizing.kind, f"a {sizing.kind}")
    return NOT_LLM.format(name=sizing.name, kind=kind,
                          figures="; ".join(figures) or "see the workload's figures")


def llm_workloads(result: EvaluationResult) -> tuple[int, ...]:
    """Positions of the workloads the memory and load charts can draw (LLMs)."""
    return tuple(i for i, s in enumerate(result.workloads) if s.kind == "llm")


def _empty_curve(name: str, note: str, w: Workload | None = None) -> LoadCurveData:
    ttft = w.ttft_target_ms if w else None
    tpot = w.tpot_target_ms if w else None
    return LoadCurveData(name, 0, w.slo_percentile if w else 95.0, (), (), (), (), ttft, tpot,
                         None, note)


# --- cost -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CumulativeCostData:
    """Cumulative cost (USD) at the end of months 1..M; alternatives None when not compared."""

    months: tuple[int, ...]
    onprem_usd: tuple[float, ...]
    api_usd: tuple[float, ...] | None
    rental_usd: tuple[float, ...] | None
    onprem_p10_usd: tuple[float, ...] | None
    onprem_p90_usd: tuple[float, ...] | None
    break_even_month_vs_api: int | None
    break_even_month_vs_rental: int | None
    note: str = ""


def cumulative_cost(result: EvaluationResult) -> CumulativeCostData:
    series = result.series
    if not series:
        return CumulativeCostData((), (), None, None, None, None, None, None, NOT_FITTING)
    api = [p.api_cumulative_usd for p in series]
    rental = [p.rental_cumulative_usd for p in series]
    band = result.uncertainty.bands.get("onprem_cumulative_usd") if result.uncertainty else None
    varies = band is not None and bool(np.any(band[2] - band[0] > 1e-6 * np.abs(band[1]).max()))
    return CumulativeCostData(
        months=tuple(p.month for p in series),
        onprem_usd=tuple(p.onprem_cumulative_usd for p in series),
        api_usd=None if any(v is None for v in api) else tuple(float(v or 0.0) for v in api),
        rental_usd=None if any(v is None for v in rental) else tuple(float(v or 0.0)
                                                                      for v in rental),
        onprem_p10_usd=_floats(band[0]) if band is not None and varies else None,
        onprem_p90_usd=_floats(band[2]) if band is not None and varies else None,
        break_even_month_vs_api=result.kpis.break_even_month_vs_api,
        break_even_month_vs_rental=result.kpis.break_even_month_vs_rental,
    )


@dataclass(frozen=True)
class CostCategory:
    name: str  # engine category id, e.g. "accelerators"
    label: str
    kind: str  # capital | operating
    usd_by_year: tuple[float, ...]
    usd: float


@dataclass(frozen=True)
class CostBreakdownData:
    """On-premise cost per year (the last year may be partial: `year_months`)."""

    years: tuple[str, ...]
    year_months: tuple[int, ...]
    categories: tuple[CostCategory, ...]  # only those with a cost, largest first
    total_usd: float
    note: str = ""


def cost_breakdown(result: EvaluationResult) -> CostBreakdownData:
    lines = result.cost_breakdown
    if not lines:
        return CostBreakdownData((), (), (), 0.0, NOT_FITTING)
    months = len(result.series)
    years = max(len(line.usd_by_year) for line in lines)
    year_months = tuple(min(12, months - 12 * y) for y in range(years))
    labels = tuple(
        f"Year {y + 1}" if m == 12 else f"Year {y + 1} ({m} mo)" for y, m in enumerate(year_months)
    )
    kept = [
        CostCategory(c.category, CATEGORY_LABELS.get(c.category, c.category), c.kind,
                     tuple(c.usd_by_year), c.usd)
        for c in lines
        if abs(c.usd) > 0.0 or any(abs(v) > 0.0 for v in c.usd_by_year)
    ]
    kept.sort(key=lambda c: -abs(c.usd))
    return CostBreakdownData(labels, year_months, tuple(kept), sum(c.usd for c in lines))


# --- uncertainty --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TornadoRow:
    """The KPI with one input at its low and at its high value (all others at their base)."""

    path: str
    label: str
    low: float
    high: float
    kpi_at_low: float | None
    kpi_at_high: float | None
    swing: float


@dataclass(frozen=True)
class TornadoData:
    kpi: str
    kpi_label: str
    base_value: float | None  # the KPI with every input at its base value
    rows: tuple[TornadoRow, ...]  # largest swing first
    note: str = ""


def tornado(result: EvaluationResult) -> TornadoData:
    kpi = result.tornado_kpi
    label = KPI_LABELS.get(kpi, kpi)
    base = getattr(result.kpis, kpi, None) if kpi in result.kpis.__dataclass_fields__ else None
    if not result.kpis.fits:
        return TornadoData(kpi, label, None, (), NOT_FITTING)
    if not result.tornado:
        return TornadoData(kpi, label, _finite(base), (), NO_UNCERTAINTY)
    names = tuple(w.name for w in result.scenario.workloads)
    rows = tuple(
        TornadoRow(b.path, field_label(b.path, workload_names=names), b.low, b.high,
                   b.kpi_at_low, b.kpi_at_high, b.swing)
        for b in result.tornado
    )
    return TornadoData(kpi, label, _finite(base), rows)


@dataclass(frozen=True)
class DistributionData:
    """Histogram of the on-premise TCO over the draws (USD), with its percentiles."""

    kpi_label: str
    bin_edges_usd: tuple[float, ...]
    counts: tuple[int, ...]
    draws: int
    p10_usd: float | None
    p50_usd: float | None
    p90_usd: float | None
    deterministic_usd: float | None
    p_onprem_cheaper_than_api: float | None
    p_onprem_cheaper_than_rental: float | None
    note: str = ""


def distribution(result: EvaluationResult, bins: int = HISTOGRAM_BINS) -> DistributionData:
    label = KPI_LABELS["tco_usd"]
    mc = result.uncertainty
    if mc is None:
        return DistributionData(label, (), (), 0, None, None, None, None, None, None,
                                NOT_FITTING)
    values = np.asarray(mc.samples.get("tco_usd", np.zeros(0)), dtype=np.float64)
    values = values[np.isfinite(values)]
    p = mc.percentiles.get("tco_usd")
    common = dict(
        kpi_label=label,
        draws=mc.draws,
        p10_usd=p.p10 if p else None,
        p50_usd=p.p50 if p else None,
        p90_usd=p.p90 if p else None,
        deterministic_usd=result.kpis.tco_usd,
        p_onprem_cheaper_than_api=mc.p_onprem_cheaper_than_api,
        p_onprem_cheaper_than_rental=mc.p_onprem_cheaper_than_rental,
    )
    if values.size < 2 or float(values.max() - values.min()) <= 0.0:
        return DistributionData(bin_edges_usd=(), counts=(), note=NO_UNCERTAINTY,
                                **common)  # type: ignore[arg-type]
    counts, edges = np.histogram(values, bins=bins)
    return DistributionData(bin_edges_usd=_floats(edges),
                            counts=tuple(int(c) for c in counts),
                            **common)  # type: ignore[arg-type]


# --- all six ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardCharts:
    """The six charts of one evaluated scenario (for one workload's memory and load)."""

    memory: MemoryWaterfallData
    load: LoadCurveData
    cumulative: CumulativeCostData
    breakdown: CostBreakdownData
    tornado: TornadoData
    distribution: DistributionData


def dashboard_charts(result: EvaluationResult, workload: int = 0) -> DashboardCharts:
    return DashboardCharts(
        memory=memory_waterfall(result, workload),
        load=load_curve(result, workload),
        cumulative=cumulative_cost(result),
        breakdown=cost_breakdown(result),
        tornado=tornado(result),
        distribution=distribution(result),
    )


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _floats(values: object) -> tuple[float, ...]:
    return tuple(float(v) for v in np.ravel(np.asarray(values, dtype=np.float64)))
