"""Monte Carlo over uncertain inputs, percentiles of every KPI, and a tornado ranking.

Every range on a scenario field (`low`, `likely`, `high`) is drawn independently, all draws at
once as numpy arrays, from a seeded generator (same seed, same answer):
- triangular(low, likely, high);
- PERT: low + (high − low) × Beta(α, β), α = 1 + 4 (likely − low)/(high − low),
  β = 1 + 4 (high − likely)/(high − low)  (Malcolm et al. 1959; the mean is
  (low + 4 likely + high) / 6).
The cost model then runs once per block of draws (each block is itself vectorized; blocks
bound the arrays' size); the first blocks also keep their monthly series, for the cost bands.
Sizing stays at the likely values: drawn demand above the initial fleet triggers staged
purchases inside the cost model.

Percentiles: P10/P50/P90 by linear interpolation; break-even months and fleet counts use the
inverted empirical CDF, with "never" (NaN) counted as later than any month and reported as None.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from app.engine.cost import CostDetail, CostOutcome, CostStructure, run_cost_model
from app.engine.cost_inputs import ApiPrice, scenario_params
from app.engine.finance import FloatArray, running_sum
from app.engine.scenario import Scenario, ScenarioError, UncertainInput
from app.engine.scenario_parse import value_at

DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 20_261
# 4,096 draws x 60 months x 8 bytes ≈ 2 MB a series: in L3, not in a core's 1 MB L2, yet
# measured faster than 2,048 (half the numpy calls per draw; same answers, draws independent)
BLOCK_DRAWS = 4_096
BAND_DRAWS = 4_096  # P10/P90 of a month's cumulative cost to about ±1 %: enough for a chart
PERCENTILES = (10.0, 50.0, 90.0)
ALIASES = {"npv_usd": "npv_vs_api_usd"}  # same per-draw values under two names
SAMPLED_KPIS = ("tco_usd", "api_tco_usd", "rental_tco_usd")
DISCRETE_KPIS = (
    "break_even_month_vs_api",
    "break_even_month_vs_rental",
    "gpus_final",
    "gpus_initial",
    "servers_initial",
)


@dataclass(frozen=True)
class Percentiles:
    """P10, P50, P90 of one KPI (None: not applicable, or "never" for a break-even)."""

    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class TornadoBar:
    """The KPI with one input at its low and at its high value, all others at their base."""

    path: str
    low: float
    high: float
    kpi_at_low: float | None
    kpi_at_high: float | None
    swing: float


@dataclass(frozen=True)
class MonteCarloResult:
    draws: int
    seed: int
    inputs: tuple[str, ...]
    percentiles: dict[str, Percentiles]
    p_onprem_cheaper_than_api: float | None
    p_onprem_cheaper_than_rental: float | None
    bands: dict[str, FloatArray]  # series name -> (3, months): P10, P50, P90 per month
    # per-draw values of the TCO KPIs (SAMPLED_KPIS), for distribution charts; one value when
    # the scenario has no ranges
    samples: dict[str, FloatArray] = field(default_factory=dict)


def base_value(scenario: Scenario, u: UncertainInput) -> float:
    """The value used when the input is not drawn: the (resolved) field, else `likely`."""
    value = value_at(scenario, u.path)
    if value is None:
        if u.likely is None:
            raise ScenarioError(
                f'uncertainty["{u.path}"].likely: is required because the field has no value'
            )
        return float(u.likely)
    return float(value)


def mode_value(scenario: Scenario, u: UncertainInput) -> float:
    """The distribution's mode: `likely`, else the field's value (which must lie in the range)."""
    if u.likely is not None:
        return float(u.likely)
    value = base_value(scenario, u)
    if not u.low <= value <= u.high:
        raise ScenarioError(
            f'uncertainty["{u.path}"]: the field\'s value {value:g} lies outside low..high; '
            "give likely or widen the range"
        )
    return value


def draw(u: UncertainInput, mode: float, draws: int, rng: np.random.Generator) -> FloatArray:
    """`draws` samples of one input (shape (draws,))."""
    low, high = float(u.low), float(u.high)
    if high <= low:
        return np.full(draws, low)
    if u.distribution == "pert":
        alpha = 1.0 + 4.0 * (mode - low) / (high - low)
        beta = 1.0 + 4.0 * (high - mode) / (high - low)
        return low + (high - low) * rng.beta(alpha, beta, size=draws)
    return rng.triangular(low, mode, high, size=draws)


def draw_inputs(scenario: Scenario, draws: int, seed: int) -> dict[str, FloatArray]:
    """Draws for every uncertain input of the scenario, in declaration order."""
    rng = np.random.default_rng(seed)
    return {u.path: draw(u, mode_value(scenario, u), draws, rng) for u in scenario.uncertainty}


def percentiles(values: FloatArray, discrete: bool = False) -> Percentiles:
    """P10/P50/P90 of per-draw values; NaN counts as +∞ for discrete KPIs, else as missing."""
    low, high = values.min(), values.max()  # two passes, cheaper than a partition
    if low == high:  # did not vary (or a single draw): no partition needed
        v = float(low) if np.isfinite(low) else None
        return Percentiles(v, v, v)
    if discrete:
        data = np.where(np.isnan(values), np.inf, values)
        q = np.percentile(data, PERCENTILES, method="inverted_cdf")
    else:
        finite = values[~np.isnan(values)]
        if finite.size == 0:
            return Percentiles(None, None, None)
        q = np.percentile(finite, PERCENTILES)
    return _as_percentiles(q)


def kpi_percentiles(kpis: Mapping[str, FloatArray]) -> dict[str, Percentiles]:
    """`percentiles` of every KPI (discrete: those in DISCRETE_KPIS), the same values with one
    numpy call for all the KPIs of a kind rather than one per KPI: with few draws (while the
    user edits) the per-call overhead of `np.percentile` was most of the time."""
    found: dict[str, Percentiles] = {}
    rows: dict[bool, list[tuple[str, FloatArray]]] = {False: [], True: []}  # by discrete
    for name, values in kpis.items():
        discrete = name in DISCRETE_KPIS
        low, high = values.min(), values.max()
        if low == high or (not discrete and np.isnan(low)):  # constant, or has gaps
            found[name] = percentiles(values, discrete)
        else:
            rows[discrete].append((name, np.where(np.isnan(values), np.inf, values)
                                   if discrete else values))
    for discrete, batch in rows.items():
        if batch:
            q = np.percentile(np.stack([values for _, values in batch]), PERCENTILES, axis=1,
                              method="inverted_cdf" if discrete else "linear",
                              overwrite_input=True)
            for (name, _), column in zip(batch, q.T, strict=True):
                found[name] = _as_percentiles(column)
    return {name: found[name] for name in kpis}


def _as_percentiles(q: FloatArray) -> Percentiles:
    out = [float(v) if np.isfinite(v) else None for v in q]
    return Percentiles(out[0], out[1], out[2])


def _probability_cheaper(onprem: FloatArray, alt: FloatArray) -> float | None:
    if np.isnan(alt).all():
        return None
    return float(np.mean(onprem < alt))


def monte_carlo(
    scenario: Scenario,
    structure: CostStructure,
    workload_api: Sequence[ApiPrice | None] = (),
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    bands: bool = True,
    workers: int | None = None,
) -> MonteCarloResult:
    """P10/P50/P90 of every cost KPI over `draws` draws of the scenario's uncertain inputs.

    `p_onprem_cheaper_than_*` compare nominal TCO over the horizon, draw by draw. `workers`
    threads evaluate blocks of draws (default: one per CPU core); the answer does not depend
    on it.
    """
    if draws < 1:
        raise ScenarioError("draws: must be at least 1")
    samples = draw_inputs(scenario, draws, seed)
    block = BLOCK_DRAWS if samples else draws
    starts = range(0, draws if samples else 1, block)
    band_draws = min(BAND_DRAWS, draws) if samples else 1

    def run_block(start: int) -> CostOutcome:
        part = {path: values[start : start + block] for path, values in samples.items()}
        # the first draws also give the monthly series for the bands (same run, no second one)
        return run_cost_model(structure, scenario_params(scenario, part, workload_api),
                              detail=bands and start < band_draws, by_year=False)

    # Blocks are independent and numpy releases the GIL inside each array operation, so the
    # blocks run on every core; `map` keeps their order, so results do not depend on it.
    threads = max(1, min(workers or os.cpu_count() or 1, len(starts)))
    if threads == 1:
        blocks = [run_block(start) for start in starts]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            blocks = list(pool.map(run_block, starts))
    kpis = {name: np.concatenate([b.kpis[name] for b in blocks]) for name in blocks[0].kpis}
    result = kpi_percentiles({name: v for name, v in kpis.items() if name not in ALIASES})
    result.update({alias: result[name] for alias, name in ALIASES.items()})
    band_series: dict[str, FloatArray] = {}
    if bands:
        band_series = _bands([b.detail for b in blocks if b.detail is not None], band_draws)
    return MonteCarloResult(
        draws=draws,
        seed=seed,
        inputs=tuple(samples),
        percentiles=result,
        p_onprem_cheaper_than_api=_probability_cheaper(kpis["tco_usd"], kpis["api_tco_usd"]),
        p_onprem_cheaper_than_rental=_probability_cheaper(kpis["tco_usd"], kpis["rental_tco_usd"]),
        bands=band_series,
        samples={name: kpis[name] for name in SAMPLED_KPIS if name in kpis},
    )


def _bands(details: Sequence[CostDetail], draws: int) -> dict[str, FloatArray]:
    """P10/P50/P90 per month of the three cumulative cost curves, from the first `draws`
    draws (the monthly series of the first blocks)."""
    series = {
        "onprem_cumulative_usd": [d.onprem_usd for d in details],
        "api_cumulative_usd": [d.api_usd for d in details],
        "rental_cumulative_usd": [d.rental_usd for d in details],
    }
    return {
        name: np.percentile(running_sum(np.concatenate(parts, axis=1)[:, :draws]), PERCENTILES,
                            axis=1)
        for name, parts in series.items()
    }


def tornado(
    scenario: Scenario,
    structure: CostStructure,
    workload_api: Sequence[ApiPrice | None] = (),
    kpi: str = "tco_usd",
) -> list[TornadoBar]:
    """Swing of `kpi` as each uncertain input moves low → high (others at base), largest first.

    All 2K one-at-a-time cases run as one vectorized evaluation (row 2k: input k low; 2k+1: high).
    """
    ranges = list(scenario.uncertainty)
    if not ranges:
        return []
    rows = 2 * len(ranges)
    overrides: dict[str, FloatArray] = {}
    for k, u in enumerate(ranges):
        column = overrides.setdefault(u.path, np.full(rows, base_value(scenario, u)))
        column[2 * k], column[2 * k + 1] = u.low, u.high
    outcome = run_cost_model(structure, scenario_params(scenario, overrides, workload_api))
    if kpi not in outcome.kpis:
        raise ScenarioError(f"kpi: must be one of {', '.join(sorted(outcome.kpis))}")
    values = outcome.kpis[kpi]
    bars = []
    for k, u in enumerate(ranges):
        at_low, at_high = values[2 * k], values[2 * k + 1]
        swing = abs(at_high - at_low)
        bars.append(
            TornadoBar(
                path=u.path,
                low=float(u.low),
                high=float(u.high),
                kpi_at_low=None if np.isnan(at_low) else float(at_low),
                kpi_at_high=None if np.isnan(at_high) else float(at_high),
                swing=0.0 if np.isnan(swing) else float(swing),
            )
        )
    return sorted(bars, key=lambda b: b.swing, reverse=True)
