"""Fit efficiency factors to measurements: a few physical factors per group, robustly.

Given measured cases (flat `ConfigArrays`, their `Workload`, which metric each row measured and
its value, and a group label per row), `fit_groups` finds for each group the `mfu`, `mbu` and
`layer_overhead_us` (and the prompt-step `prefill_overhead_us`) that minimise a robust loss of the log errors (soft-L1: quadratic for small
errors, linear for outliers), with a prior pulling towards the starting factors so a group whose
rows do not constrain a factor (e.g. only compute-bound rows say nothing about `mbu`; large
batches hide the per-layer overhead) keeps a physical value. The overhead prior is the
strongest: only rows where launch and host time show (small batches) move it far. Groups with fewer than `min_rows` rows are not fitted.

This is the same routine `enclave calibrate` uses on a site's own benchmark logs:

    cases = CalibrationCases(configs, workload, metric, measured, group)
    result = fit_groups(cases, start={key: factors, ...})
    result.groups   # {(engine, hardware_class): EfficiencyFactors}
    result.stats    # per group: rows, MdAPE before/after, residual quantiles

Metrics: `output_tokens_per_s`, `ttft_ms`, `tpot_ms`, `e2e_latency_s`, and the tail figures
`ttft_p99_ms`, `tpot_p99_ms` (as in `METRICS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.configs import Array, ConfigArrays, IntArray
from app.engine.efficiency import EfficiencyFactors
from app.engine.serving import ServingResult, Workload, serve

METRICS = (
    "output_tokens_per_s",
    "ttft_ms",
    "tpot_ms",
    "e2e_latency_s",
    "ttft_p99_ms",
    "tpot_p99_ms",
)
GroupKey = tuple[str, str]

MFU_RANGE = (0.03, 1.0)
MBU_RANGE = (0.08, 1.0)
OVERHEAD_US_RANGE = (0.5, 2000.0)
PREFILL_OVERHEAD_US_RANGE = (1.0, 5000.0)
SOFT_L1_SCALE = 0.1  # log-error where the loss turns from quadratic to linear (about 10 %)
DEFAULT_START = EfficiencyFactors(
    mfu=0.5, mbu=0.75, layer_overhead_us=50.0, prefill_overhead_us=100.0
)
# pull to the start per log-factor squared; the prompt-step overhead is only seen by
# first-token latencies at low load, so groups without them keep their physical start
PRIOR_WEIGHTS = np.array([0.02, 0.02, 0.3, 0.1])


@dataclass(frozen=True)
class CalibrationCases:
    """Measured rows: configurations, workloads, metric index, value and group per row."""

    configs: ConfigArrays
    workload: Workload
    metric: IntArray
    measured: Array
    group: Sequence[GroupKey]

    def subset(self, rows: IntArray) -> CalibrationCases:
        """Only `rows` (flat indices)."""
        return CalibrationCases(
            configs=self.configs.take(rows),
            workload=Workload(
                mode=np.asarray(self.workload.mode)[rows],
                load=np.asarray(self.workload.load)[rows],
                input_tokens=np.asarray(self.workload.input_tokens)[rows],
                output_tokens=np.asarray(self.workload.output_tokens)[rows],
            ),
            metric=self.metric[rows],
            measured=self.measured[rows],
            group=[self.group[i] for i in rows],
        )


@dataclass(frozen=True)
class GroupFit:
    """How one group was fitted and how well it reproduces its rows."""

    key: GroupKey
    factors: EfficiencyFactors
    rows: int
    mdape_before_pct: float
    mdape_after_pct: float
    ratio_p10: float
    ratio_p90: float


@dataclass(frozen=True)
class FitResult:
    """Fitted factors per group and their statistics."""

    groups: dict[GroupKey, EfficiencyFactors]
    stats: list[GroupFit]


def metric_values(result: ServingResult, metric: IntArray) -> Array:
    """The predicted value of each row's metric."""
    table = np.stack([np.asarray(getattr(result, name), dtype=np.float64) for name in METRICS])
    return table[np.clip(metric, 0, len(METRICS) - 1), np.arange(metric.shape[0])]


def predict(cases: CalibrationCases, configs: ConfigArrays | None = None) -> Array:
    """Predicted value of each case's measured metric."""
    with np.errstate(all="ignore"):
        result = serve(configs or cases.configs, cases.workload)
    return metric_values(result, cases.metric)


def mdape_pct(predicted: Array, measured: Array) -> float:
    """Median absolute percentage error, in percent (NaN predictions count as 100 %)."""
    error = np.abs(predicted - measured) / measured * 100.0
    return (
        float(np.median(np.where(np.isfinite(error), error, 100.0))) if error.size else float("nan")
    )


def _soft_l1(log_error: Array) -> float:
    z = log_error / SOFT_L1_SCALE
    return float(np.mean(2.0 * (np.sqrt(1.0 + z * z) - 1.0)))


def nelder_mead(
    objective: Callable[[Array], float], start: Array, step: float = 0.3, iterations: int = 300
) -> Array:
    """Minimise `objective` from `start` with the Nelder-Mead simplex (small dimensions)."""
    dim = start.shape[0]
    simplex = np.vstack([start] + [start + step * np.eye(dim)[i] for i in range(dim)])
    values = np.array([objective(p) for p in simplex])
    for _ in range(iterations):
        order = np.argsort(values)
        simplex, values = simplex[order], values[order]
        if values[-1] - values[0] < 1e-9 and np.ptp(simplex, axis=0).max() < 1e-6:
            break
        centroid = simplex[:-1].mean(axis=0)
        reflected = centroid + (centroid - simplex[-1])
        fr = objective(reflected)
        if fr < values[0]:
            expanded = centroid + 2.0 * (centroid - simplex[-1])
            fe = objective(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = centroid + 0.5 * (simplex[-1] - centroid)
            fc = objective(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
                values[1:] = [objective(p) for p in simplex[1:]]
    best: Array = np.asarray(simplex[int(np.argmin(values))], dtype=np.float64)
    return best


def _to_factors(theta: Array) -> EfficiencyFactors:
    mfu = float(np.clip(np.exp(theta[0]), *MFU_RANGE))
    mbu = float(np.clip(np.exp(theta[1]), *MBU_RANGE))
    overhead = float(np.clip(np.exp(theta[2]), *OVERHEAD_US_RANGE))
    prefill = float(np.clip(np.exp(theta[3]), *PREFILL_OVERHEAD_US_RANGE))
    return EfficiencyFactors(
        mfu=mfu, mbu=mbu, layer_overhead_us=overhead, prefill_overhead_us=prefill
    )


def _from_factors(f: EfficiencyFactors) -> Array:
    theta: Array = np.log(
        np.array(
            [
                f.mfu,
                f.mbu,
                max(f.layer_overhead_us, OVERHEAD_US_RANGE[0]),
                max(f.prefill_overhead_us, PREFILL_OVERHEAD_US_RANGE[0]),
            ]
        )
    )
    return theta


def _with(cases: CalibrationCases, f: EfficiencyFactors) -> ConfigArrays:
    n = cases.measured.shape[0]
    return cases.configs.with_efficiency(
        mfu=np.full(n, f.mfu),
        mbu=np.full(n, f.mbu),
        layer_overhead_s=np.full(n, f.layer_overhead_us * 1e-6),
        prefill_overhead_s=np.full(n, f.prefill_overhead_us * 1e-6),
    )


def fit_one(cases: CalibrationCases, start: EfficiencyFactors) -> EfficiencyFactors:
    """Factors for one group of cases, starting from (and weakly pulled towards) `start`."""
    theta0 = _from_factors(start)
    log_measured = np.log(cases.measured)

    def objective(theta: Array) -> float:
        predicted = predict(cases, _with(cases, _to_factors(theta)))
        log_error = np.log(np.where(np.isfinite(predicted) & (predicted > 0), predicted, 1e-30))
        log_error = np.clip(log_error - log_measured, -5.0, 5.0)
        penalty = float(np.sum(PRIOR_WEIGHTS * (theta - theta0) ** 2))
        top = EfficiencyFactors(
            1.0, 1.0, OVERHEAD_US_RANGE[1], prefill_overhead_us=PREFILL_OVERHEAD_US_RANGE[1]
        )
        bounds = float(np.sum(np.maximum(theta - _from_factors(top), 0) ** 2))
        return _soft_l1(log_error) + penalty + 10.0 * bounds

    return _to_factors(nelder_mead(objective, theta0))


def group_rows(cases: CalibrationCases) -> dict[GroupKey, IntArray]:
    """Row indices of each group label."""
    rows: dict[GroupKey, list[int]] = {}
    for i, key in enumerate(cases.group):
        rows.setdefault(key, []).append(i)
    return {k: np.array(v, dtype=np.intp) for k, v in rows.items()}


def fit_groups(
    cases: CalibrationCases,
    start: Mapping[GroupKey, EfficiencyFactors],
    default: EfficiencyFactors = DEFAULT_START,
    min_rows: int = 8,
) -> FitResult:
    """Fit every group with at least `min_rows` rows (see module docstring)."""
    groups: dict[GroupKey, EfficiencyFactors] = {}
    stats: list[GroupFit] = []
    for key, rows in sorted(group_rows(cases).items()):
        if rows.size < min_rows:
            continue
        sub = cases.subset(rows)
        initial = start.get(key, default)
        before = predict(sub, _with(sub, initial))
        fitted = fit_one(sub, initial)
        after = predict(sub, _with(sub, fitted))
        ratio = sub.measured / after
        groups[key] = fitted
        stats.append(
            GroupFit(
                key=key,
                factors=fitted,
                rows=int(rows.size),
                mdape_before_pct=mdape_pct(before, sub.measured),
                mdape_after_pct=mdape_pct(after, sub.measured),
                ratio_p10=float(np.nanpercentile(ratio, 10)),
                ratio_p90=float(np.nanpercentile(ratio, 90)),
            )
        )
    return FitResult(groups=groups, stats=stats)
