"""Lifetime cost of owning a deployment, against a cloud API and rented GPUs.

Everything is computed for M months × n draws at once (numpy broadcasting): every input is a
row of shape (1, n) — n = 1 for one evaluation, n = draws for Monte Carlo — and every series has
shape (M, n), months first so that running sums over months are contiguous vector adds, or
(M, 1) when it does not vary between draws. Months are 0..M−1 here (1..M when shown). Demand and staged purchases: `app.engine.demand`; on-premise cost terms and their
formulas: `app.engine.cost_terms`; discounting conventions: `app.engine.finance`.

Alternatives, per month m:
    api[m]    = Σ_w (tokens_in_w[m] × ((1 − f) p_in + f p_cached) + tokens_out_w[m] × p_out) / 1e6
                (p in USD per 1M tokens, f = share of input billed at the cached price)
    rental[m] = gpus[m] × USD/GPU-hour × billed hours per month
                (+ software, staff and other costs when the rental path includes operations)
The rented fleet mirrors the owned one month by month (same accelerator count). Tokens, the
API path and the cost per 1M tokens count the workloads in `capacities` (the generative LLMs);
workloads co-located beside them (`pooled_gpus`: encoders, fine-tuning) add GPUs, not tokens.

Break-even month: the first month (1-based) from which the on-premise cumulative cost stays at
or below the alternative's; NaN ("never") when on-premise is still dearer in the last month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from app.engine.cost_terms import (
    CAPITAL_CATEGORIES,
    CATEGORIES,
    OPERATING_CATEGORIES,
    Drivers,
    Term,
    capital_items,
    category_by_year,
    category_totals,
    monthly_total,
    onprem_terms,
)
from app.engine.demand import (
    HOURS_PER_MONTH,
    WorkloadCapacity,
    WorkloadDemand,
    plan_fleet,
    workload_demand,
)
from app.engine.finance import (
    FloatArray,
    monthly_discount_factors,
    running_sum,
    running_sum_in_place,
)

__all__ = [
    "CAPITAL_CATEGORIES",
    "CATEGORIES",
    "HOURS_PER_MONTH",
    "OPERATING_CATEGORIES",
    "CostDetail",
    "CostOutcome",
    "CostStructure",
    "Params",
    "WorkloadCapacity",
    "run_cost_model",
]

TOKENS_PER_MILLION = 1e6

Params = Mapping[str, FloatArray]
"""Numeric inputs by dotted scenario path, each a row of shape (1, n)."""


@dataclass(frozen=True)
class CostStructure:
    """The parts of a cost model that are the same in every draw."""

    months: int
    capex_treatment: str
    life_months: int
    refresh: bool
    financing_term_months: int
    gpus_per_server: int
    initial_gpus: int
    capacities: tuple[WorkloadCapacity, ...]
    spare_replicas: int = 0
    headroom_fraction: float = 0.0
    scale_with_growth: bool = True
    whole_servers: bool = False
    has_api: bool = False
    has_rental: bool = False
    rental_includes_operations: bool = True
    pooled_gpus: int = 0
    pooled_peak_gpu_equivalents: float = 0.0
    pooled_mean_gpu_equivalents: float = 0.0


@dataclass(frozen=True)
class CostDetail:
    """Monthly series, shape (M, n): months first, then draws (usually 1); USD unless named."""

    onprem_usd: FloatArray
    api_usd: FloatArray
    rental_usd: FloatArray
    gpus: FloatArray
    servers: FloatArray
    tokens: FloatArray
    category_usd_by_year: dict[str, FloatArray]

    @property
    def onprem_cumulative_usd(self) -> FloatArray:
        return running_sum(self.onprem_usd)

    @property
    def api_cumulative_usd(self) -> FloatArray:
        return running_sum(self.api_usd)

    @property
    def rental_cumulative_usd(self) -> FloatArray:
        return running_sum(self.rental_usd)


@dataclass(frozen=True)
class CostOutcome:
    """Per-draw results, each of shape (n,). NaN means "not applicable" or "never"."""

    kpis: dict[str, FloatArray]
    category_usd: dict[str, FloatArray]
    detail: CostDetail | None = field(default=None)


def _api_monthly(
    p: Params, demands: list[WorkloadDemand], indices: list[int]
) -> tuple[FloatArray, FloatArray]:
    """API cost per month (M, n|1) and over the horizon (1, n|1)."""
    cached = p["alternatives.api_cached_input_fraction"]
    monthly: FloatArray | None = None
    total: FloatArray = np.zeros((1, 1))
    for i, d in zip(indices, demands, strict=True):
        w = f"workloads[{i}]."
        input_price = (1.0 - cached) * p[w + "api_input_usd_per_mtok"] + cached * p[
            w + "api_cached_input_usd_per_mtok"
        ]
        per_month = (
            d.input_tokens_per_month * input_price
            + d.output_tokens_per_month * p[w + "api_output_usd_per_mtok"]
        ) / TOKENS_PER_MILLION
        part = d.growth * per_month
        monthly = part if monthly is None else monthly + part
        total = total + d.growth_total * per_month
    assert monthly is not None
    return monthly, total


def _break_even_month(onprem: FloatArray, alternative: FloatArray, n: int) -> FloatArray:
    """First 1-based month from which Σ on-prem ≤ Σ alternative for good; NaN = never. → (n,).

    With L the last 1-based month in which on-premise is cumulatively dearer (0 if none), the
    break-even month is L + 1, and "never" when L is the last month.
    """
    gap = onprem - alternative
    if gap.shape[1] != n:
        gap = np.broadcast_to(gap, (gap.shape[0], n)).copy()
    running_sum_in_place(gap)
    months = gap.shape[0]
    month_numbers = np.arange(1, months + 1, dtype=np.int16)[:, None]
    last_dearer = ((gap > 0.0) * month_numbers).max(axis=0)
    return np.where(last_dearer == months, np.nan, last_dearer + 1.0)


def _row(values: FloatArray, n: int) -> FloatArray:
    """A (1, k) result as shape (n,) (k is 1 or n)."""
    flat = np.asarray(values, dtype=np.float64)[0]
    return flat if flat.shape[0] == n else np.full(n, flat[0])


def _pv(monthly: FloatArray, discount: FloatArray) -> FloatArray:
    """Σ_m monthly[m] × v[m], shape (1, n|1)."""
    if discount.shape[1] == 1:
        return np.asarray(discount[:, 0] @ monthly, dtype=np.float64)[None, :]
    weighted = np.einsum("ij,ij->j", *np.broadcast_arrays(monthly, discount))
    return np.asarray(weighted, dtype=np.float64)[None, :]


def run_cost_model(
    s: CostStructure, p: Params, detail: bool = False, by_year: bool = True
) -> CostOutcome:
    """Evaluate the cost model for every draw in `p` (columns of shape (n, 1) or (1, 1)).

    KPIs per draw (USD unless named otherwise): tco_usd, api_tco_usd, rental_tco_usd,
    pv_onprem_usd, pv_api_usd, pv_rental_usd, npv_usd (= PV of API − PV of on-premise:
    positive when owning saves money), npv_vs_rental_usd, capex_usd (capital bought in month 1),
    capex_purchases_usd (all capital bought over the horizon, refreshes included),
    opex_usd_per_month (mean), tokens (input + output over the horizon),
    cost_per_million_tokens_usd (TCO / tokens × 1e6), api_cost_per_million_tokens_usd,
    break_even_month_vs_api / _vs_rental, utilisation_mean (GPU-hours the mean demand needs /
    GPU-hours installed), utilisation_peak (max over months of peak demand / installed GPUs),
    gpus_initial, gpus_final, servers_initial.

    `detail` adds the monthly series; `by_year` (with `detail`) the breakdown per year.
    """
    n = max([v.shape[1] for v in p.values()] + [1])
    months = s.months
    indices = [
        i if cap.workload_index is None else cap.workload_index
        for i, cap in enumerate(s.capacities)
    ]
    demands = [
        workload_demand(p, i, cap.tokens_kind, months)
        for i, cap in zip(indices, s.capacities, strict=True)
    ]
    fleet = plan_fleet(
        demands,
        s.capacities,
        months=months,
        initial_gpus=s.initial_gpus,
        gpus_per_server=s.gpus_per_server,
        spare_replicas=s.spare_replicas,
        headroom_fraction=s.headroom_fraction,
        scale_with_growth=s.scale_with_growth,
        whole_servers=s.whole_servers,
        pooled_gpus=s.pooled_gpus,
        pooled_peak_gpu_equivalents=s.pooled_peak_gpu_equivalents,
        pooled_mean_gpu_equivalents=s.pooled_mean_gpu_equivalents,
    )
    drivers = Drivers(
        fleet.gpus,
        fleet.servers,
        life_months=s.life_months,
        refresh=s.refresh,
        financing_term_months=s.financing_term_months,
    )
    terms = onprem_terms(s.capex_treatment, drivers, p)
    onprem = monthly_total(terms, drivers)
    categories = category_totals(terms, drivers)
    tco = sum((categories[c] for c in CATEGORIES), np.zeros((1, 1)))
    operating = sum((categories[c] for c in OPERATING_CATEGORIES), np.zeros((1, 1)))
    discount = monthly_discount_factors(p["costs.discount_rate_per_year"], months)
    pv_onprem = _pv(onprem, discount)

    nan_series = np.full((months, 1), np.nan)
    api, api_total = (
        _api_monthly(p, demands, indices) if s.has_api else (nan_series, np.full((1, 1), np.nan))
    )
    rental, rental_total = nan_series, np.full((1, 1), np.nan)
    if s.has_rental:
        hourly = (
            p["alternatives.rental_usd_per_gpu_hour"] * p["alternatives.rental_hours_per_month"]
        )
        rental_terms: list[Term] = [("rental", hourly, "gpus")]
        if s.rental_includes_operations:
            rental_terms += [t for t in terms if t[0] in ("software", "staff", "other")]
        rental = monthly_total(rental_terms, drivers)
        rental_total = sum(
            (r * drivers.total(name) for _, r, name in rental_terms), np.zeros((1, 1))
        )

    kpis: dict[str, FloatArray] = {
        "tco_usd": _row(tco, n),
        "pv_onprem_usd": _row(pv_onprem, n),
    }
    for name, series, total in (("api", api, api_total), ("rental", rental, rental_total)):
        pv = _pv(series, discount)
        kpis[f"{name}_tco_usd"] = _row(total, n)
        kpis[f"pv_{name}_usd"] = _row(pv, n)
        kpis[f"npv_vs_{name}_usd"] = _row(pv - pv_onprem, n)
        kpis[f"break_even_month_vs_{name}"] = (
            np.full(n, np.nan) if np.isnan(total).all() else _break_even_month(onprem, series, n)
        )
    kpis["npv_usd"] = kpis["npv_vs_api_usd"]

    initial = sum(
        (price * drivers[base + ".new"][:1] for _, price, base in capital_items(p)),
        np.zeros((1, 1)),
    )
    purchases = sum(
        (price * drivers.total(base + ".bought") for _, price, base in capital_items(p)),
        np.zeros((1, 1)),
    )
    tokens_total = sum(
        ((d.input_tokens_per_month + d.output_tokens_per_month) * d.growth_total for d in demands),
        np.zeros((1, 1)),
    )
    gpu_months = drivers.total("gpus")
    kpis["capex_usd"] = _row(initial, n)
    kpis["capex_purchases_usd"] = _row(purchases, n)
    kpis["opex_usd_per_month"] = _row(operating / months, n)
    kpis["tokens"] = _row(tokens_total, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        millions = tokens_total / TOKENS_PER_MILLION
        kpis["cost_per_million_tokens_usd"] = _row(tco / millions, n)
        kpis["api_cost_per_million_tokens_usd"] = _row(api_total / millions, n)
        kpis["utilisation_mean"] = _row(fleet.mean_gpu_equivalents_total / gpu_months, n)
        peak = (fleet.peak_gpu_equivalents / fleet.gpus).max(axis=0, keepdims=True)
        kpis["utilisation_peak"] = _row(peak, n)
    kpis["gpus_initial"] = _row(fleet.gpus[:1], n)
    kpis["gpus_final"] = _row(fleet.gpus[-1:], n)
    kpis["servers_initial"] = _row(fleet.servers[:1], n)

    extra = None
    if detail:
        tokens = sum(
            ((d.input_tokens_per_month + d.output_tokens_per_month) * d.growth for d in demands),
            np.zeros((months, 1)),
        )

        def full(a: FloatArray) -> FloatArray:
            return np.broadcast_to(a, (a.shape[0], n)).copy()

        extra = CostDetail(
            onprem_usd=full(onprem),
            api_usd=full(api),
            rental_usd=full(rental),
            gpus=full(fleet.gpus),
            servers=full(fleet.servers),
            tokens=full(tokens),
            category_usd_by_year=(
                {c: full(v) for c, v in category_by_year(terms, drivers).items()} if by_year else {}
            ),
        )
    return CostOutcome(
        kpis=kpis,
        category_usd={c: _row(v, n) for c, v in categories.items()},
        detail=extra,
    )
