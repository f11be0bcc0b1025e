"""Time-value-of-money primitives, vectorized over draws (numpy broadcasting).

Conventions (stated once, used everywhere):
- Series put months on the first axis: shape (M, n) for n draws, (M, 1) when they do not vary.
- Months are numbered 0..M-1 internally (month 1..M when shown). A month's cash flow is taken
  at the start of the month, so month 0 (the purchase) is not discounted.
- The discount rate is an effective annual rate `r`: the factor for month m is `(1 + r)^(-m/12)`.
- A financing rate is a nominal annual rate (APR) paid monthly: `i = rate / 12`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MONTHS_PER_YEAR = 12
FEW_COLUMNS = 64  # up to this many draws one numpy call over all months beats a call per month


def capital_recovery_factor(rate_per_period: FloatArray | float, periods: int) -> FloatArray:
    """CRF = i (1 + i)^n / ((1 + i)^n - 1): the level payment per period that repays 1 unit.

    `rate_per_period` i (fraction per period, ≥ 0, any shape), `periods` n ≥ 1. At i = 0 the
    limit 1/n is returned. Source: standard engineering-economics annuity factor (A/P, i, n).
    """
    if periods < 1:
        raise ValueError("periods must be at least 1")
    i = np.asarray(rate_per_period, dtype=np.float64)
    # Same value as i(1+i)^n / ((1+i)^n − 1), written as i / (1 − (1+i)^−n) with expm1/log1p
    # so that tiny rates do not cancel to 0/0.
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = i / -np.expm1(-periods * np.log1p(i))
    return np.where(i > 0.0, crf, 1.0 / periods)


def capital_recovery_payment(
    price: FloatArray | float,
    residual: FloatArray | float,
    rate_per_period: FloatArray | float,
    periods: int,
) -> FloatArray:
    """Level payment per period recovering `price` less a `residual` value received at the end.

    payment = (P − S) × CRF(i, n) + S × i, with P the price, S the residual (both USD) and i the
    rate per period; with S = 0 this is the plain loan payment P × CRF.
    """
    i = np.asarray(rate_per_period, dtype=np.float64)
    p = np.asarray(price, dtype=np.float64)
    s = np.asarray(residual, dtype=np.float64)
    return (p - s) * capital_recovery_factor(i, periods) + s * i


def straight_line_per_month(
    price: FloatArray | float, residual_fraction: FloatArray | float, life_months: int
) -> FloatArray:
    """Straight-line depreciation per month: P × (1 − ρ) / L (USD/month) over L months."""
    if life_months < 1:
        raise ValueError("life_months must be at least 1")
    p = np.asarray(price, dtype=np.float64)
    return p * (1.0 - np.asarray(residual_fraction, dtype=np.float64)) / life_months


def monthly_discount_factors(rate_per_year: FloatArray | float, months: int) -> FloatArray:
    """v[m] = (1 + r)^(−m / 12) for m = 0..months−1, months on the first axis.

    A scalar rate gives shape (months, 1); a row of rates, shape (1, n), gives (months, n).
    """
    r = np.asarray(rate_per_year, dtype=np.float64)
    m = np.arange(months, dtype=np.float64)[:, None] / MONTHS_PER_YEAR
    return np.asarray(np.exp(-np.log1p(r) * m), dtype=np.float64)


def present_value(monthly_usd: FloatArray, rate_per_year: FloatArray | float) -> FloatArray:
    """PV = Σ_m cost[m] × (1 + r)^(−m/12), months on the first axis; shape (1, n) (USD)."""
    flows = np.asarray(monthly_usd, dtype=np.float64)
    if flows.ndim == 1:
        flows = flows[:, None]
    factors = monthly_discount_factors(rate_per_year, flows.shape[0])
    return np.asarray((flows * factors).sum(axis=0, keepdims=True), dtype=np.float64)


def running_sum(series: FloatArray) -> FloatArray:
    """Cumulative sum over months (first axis), as a new array.

    One vector add per month across all draws: numpy's own `cumsum(axis=0)` walks each draw's
    column with a stride, which is several times slower for (60, 100000) arrays. With a few
    columns (one evaluation, a tornado) that one call is faster than a call per month; both
    add the same numbers in the same order.
    """
    return running_sum_in_place(np.array(series, dtype=np.float64, copy=True))


def running_sum_in_place(series: FloatArray) -> FloatArray:
    """`running_sum` overwriting its (writable, float64) argument, which it returns."""
    if _few_columns(series):
        return np.add.accumulate(series, axis=0, out=series)
    for m in range(1, series.shape[0]):
        np.add(series[m], series[m - 1], out=series[m])
    return series


def _few_columns(series: FloatArray) -> bool:
    return series.ndim < 2 or series.shape[1] <= FEW_COLUMNS


def geometric_growth(rate_per_year: FloatArray, months: int) -> FloatArray:
    """g[m] = (1 + rate)^(m / 12) for m = 0..months−1, months on the first axis.

    Built as a running product of the monthly factor (1 + rate)^(1/12): one multiplication per
    month across all draws instead of an exponential per element. A (1, n) row of rates gives
    (months, n).
    """
    monthly = np.exp(np.log1p(np.asarray(rate_per_year, dtype=np.float64)) / MONTHS_PER_YEAR)
    monthly = np.atleast_2d(monthly)
    out = np.empty((months, monthly.shape[1]))
    out[0] = 1.0
    for m in range(1, months):
        np.multiply(out[m - 1], monthly[0], out=out[m])
    return out


def running_max(series: FloatArray) -> FloatArray:
    """Running maximum over months (first axis), as a new array (see `running_sum`)."""
    out = np.array(series, dtype=np.float64, copy=True)
    if _few_columns(out):
        return np.maximum.accumulate(out, axis=0, out=out)
    for m in range(1, out.shape[0]):
        np.maximum(out[m], out[m - 1], out=out[m])
    return out


def trailing_window_sum(units: FloatArray, window: int) -> FloatArray:
    """Σ_{t = m−window+1..m} units[t] along the first axis (units still within a window).

    Used for assets in service within their life and for loans still being repaid.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    total = running_sum(units)
    if window < units.shape[0]:
        total[window:] -= total[:-window].copy()
    return total


def shift_months(units: FloatArray, months: int) -> FloatArray:
    """units delayed by `months` along the first axis, zero-filled at the start."""
    out = np.zeros_like(units)
    if months < units.shape[0]:
        out[months:] = units[: units.shape[0] - months]
    return out
