"""Known answers for the time-value-of-money primitives."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.finance import (
    FEW_COLUMNS,
    capital_recovery_factor,
    capital_recovery_payment,
    monthly_discount_factors,
    present_value,
    running_max,
    running_sum,
    shift_months,
    straight_line_per_month,
    trailing_window_sum,
)


def test_crf_matches_the_loan_table() -> None:
    # USD 100,000 at 6 % APR over 36 months costs USD 3,042.19 a month (standard amortisation).
    payment = 100_000 * capital_recovery_factor(0.06 / 12, 36)
    assert round(float(payment), 2) == 3042.19


def test_crf_formula_by_hand() -> None:
    i, n = 0.07 / 12, 60
    by_hand = i * (1 + i) ** n / ((1 + i) ** n - 1)
    assert float(capital_recovery_factor(i, n)) == pytest.approx(by_hand, rel=1e-15)


def test_crf_at_zero_rate_is_one_over_n() -> None:
    assert float(capital_recovery_factor(0.0, 48)) == pytest.approx(1 / 48)


def test_crf_is_vectorized_over_rates() -> None:
    rates = np.array([[0.0, 0.005, 0.01]])
    crf = capital_recovery_factor(rates, 12)
    assert crf.shape == (1, 3)
    assert float(crf[0, 1]) == pytest.approx(0.005 * 1.005**12 / (1.005**12 - 1))


def test_payment_with_residual_is_capital_recovery_with_salvage() -> None:
    # CR = (P − S)(A/P, i, n) + S i ; P = 300,000, S = 60,000, i = 0.5 %, n = 36.
    i, n = 0.005, 36
    crf = i * (1 + i) ** n / ((1 + i) ** n - 1)
    expected = (300_000 - 60_000) * crf + 60_000 * i
    assert float(capital_recovery_payment(300_000, 60_000, i, n)) == pytest.approx(expected)
    assert round(float(capital_recovery_payment(300_000, 0, i, n)), 2) == round(300_000 * crf, 2)


def test_straight_line_with_residual() -> None:
    # (300,000 − 10 % residual) over 60 months = 4,500.00 a month.
    assert float(straight_line_per_month(300_000, 0.10, 60)) == pytest.approx(4500.0)


def test_discount_factors_effective_annual() -> None:
    v = monthly_discount_factors(0.12, 13)
    assert v.shape == (13, 1)
    assert float(v[0, 0]) == 1.0
    assert float(v[12, 0]) == pytest.approx(1 / 1.12)
    assert float(v[6, 0]) == pytest.approx(1.12**-0.5)


def test_present_value_by_hand() -> None:
    flows = np.array([100.0, 100.0, 100.0])
    by_hand = sum(100.0 * 1.1 ** (-m / 12) for m in range(3))
    assert float(present_value(flows, 0.1)[0, 0]) == pytest.approx(by_hand)


def test_running_sum_and_max_match_numpy() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(24, 5))
    np.testing.assert_allclose(running_sum(x), np.cumsum(x, axis=0))
    np.testing.assert_allclose(running_max(x), np.maximum.accumulate(x, axis=0))


def test_trailing_window_and_shift() -> None:
    units = np.zeros((10, 1))
    units[0, 0], units[3, 0] = 2.0, 1.0
    window = trailing_window_sum(units, 4)[:, 0]
    assert window.tolist() == [2, 2, 2, 3, 1, 1, 1, 0, 0, 0]
    assert shift_months(units, 3)[:, 0].tolist() == [0, 0, 0, 2, 0, 0, 1, 0, 0, 0]
    assert shift_months(units, 12).sum() == 0


@pytest.mark.parametrize("draws", [1, FEW_COLUMNS, FEW_COLUMNS + 1, 500])
def test_running_sum_and_max_add_month_by_month_for_any_number_of_draws(draws: int) -> None:
    # one numpy call for a few draws, a call per month for many: the same numbers either way
    values = np.random.default_rng(draws).normal(size=(60, draws))
    sums, peaks = values.copy(), values.copy()
    for m in range(1, 60):
        sums[m] = sums[m - 1] + values[m]
        peaks[m] = np.maximum(peaks[m - 1], values[m])
    assert np.array_equal(running_sum(values), sums)
    assert np.array_equal(running_max(values), peaks)
