"""Small scenarios whose costs are computed by hand in the test, matched to the cent."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine.cost import CATEGORIES
from app.engine.demand import WorkloadCapacity
from app.engine.scenario import Scenario
from tests.engine.costcases import run, scenario

CENT = 0.005


def test_straight_line_depreciation_with_residual() -> None:
    # 8 × 25,000 + 100,000 = 300,000 of hardware, 10 % residual, 60-month life, 36 months shown.
    s = scenario(costs={"capex_treatment": "depreciation", "residual_fraction": 0.10})
    out = run(s)
    monthly = 300_000 * (1 - 0.10) / 60  # 4,500.00
    assert monthly == 4500.0
    assert out.detail is not None
    np.testing.assert_allclose(out.detail.onprem_usd[:, 0], monthly, atol=CENT)
    assert out.kpis["tco_usd"][0] == pytest.approx(36 * 4500.00, abs=CENT)  # 162,000.00
    assert out.category_usd["accelerators"][0] == pytest.approx(200_000 * 0.9 / 60 * 36, abs=CENT)
    assert out.category_usd["servers"][0] == pytest.approx(100_000 * 0.9 / 60 * 36, abs=CENT)
    assert out.kpis["capex_usd"][0] == pytest.approx(300_000.0)


def test_monthly_energy() -> None:
    # (8 GPUs × 700 W × 0.5 + 1 server × 2,000 W) = 4.8 kW; × PUE 1.5 = 7.2 kW;
    # × 730 h = 5,256 kWh; × USD 0.10 = USD 525.60 a month.
    s = scenario(costs={"load_factor": 0.5, "pue": 1.5, "energy_usd_per_kwh": 0.10,
                        "horizon_months": 12})
    out = run(s)
    assert out.detail is not None
    assert out.category_usd["energy"][0] == pytest.approx(12 * 525.60, abs=CENT)  # 6,307.20
    year_one = out.detail.category_usd_by_year["energy"][0, 0]
    assert year_one == pytest.approx(6307.20, abs=CENT)
    month_two = out.detail.onprem_usd[1, 0]  # nothing is bought after month 1
    assert month_two == pytest.approx(525.60, abs=CENT)


def _break_even_case(**costs: float) -> Scenario:
    # On-premise: 300,000 cash in month 1, then staff 120,000/year = 10,000 a month.
    # API: 2,000 users × 10 requests × 240 days / 12 = 400,000 requests a month, each with
    # 1,000 tokens in at USD 20/M and 1,000 out at USD 80/M: 400 × 20 + 400 × 80 = 40,000 a month.
    return scenario(
        workload={"users": 2000, "requests_per_user_per_day": 10},
        costs={"staff_fte": 1, "staff_loaded_usd_per_year": 120_000, **costs},
        alternatives={"api_input_usd_per_mtok": 20, "api_output_usd_per_mtok": 80,
                      "rental_usd_per_gpu_hour": 2.5},
    )


def test_break_even_crossing_month() -> None:
    out = run(_break_even_case())
    assert out.detail is not None
    np.testing.assert_allclose(out.detail.api_usd[:, 0], 40_000.0, atol=CENT)
    # Σ on-prem after m months = 300,000 + 10,000 m; Σ API = 40,000 m; equal at m = 10.
    crossing = next(m for m in range(1, 37) if 300_000 + 10_000 * m <= 40_000 * m)
    assert crossing == 10
    assert out.kpis["break_even_month_vs_api"][0] == crossing
    # Rental: 8 GPUs × 730 h × 2.50 = 14,600 a month plus the same staff (10,000):
    # 300,000 + 10,000 m ≤ 24,600 m from m = 21.
    rental_crossing = next(m for m in range(1, 37) if 300_000 + 10_000 * m <= 24_600 * m)
    assert rental_crossing == 21
    assert out.kpis["break_even_month_vs_rental"][0] == rental_crossing


def test_break_even_never_is_nan() -> None:
    s = _break_even_case(horizon_months=9)
    out = run(s)
    assert math.isnan(out.kpis["break_even_month_vs_api"][0])


def test_npv_two_months_to_the_cent() -> None:
    # Effective annual rate 1.01^12 − 1, so month 1 (m = 1 from 0) is discounted by 1/1.01.
    # Month 0: API 40,000 − on-prem 310,000; month 1: 40,000 − 10,000.
    # NPV = −270,000 + 30,000 / 1.01 = −240,297.03.
    s = _break_even_case(horizon_months=2, discount_rate_per_year=1.01**12 - 1)
    out = run(s)
    assert round(float(out.kpis["npv_usd"][0]), 2) == -240_297.03


def test_npv_matches_a_loop_over_months() -> None:
    rate = 0.09
    s = _break_even_case(discount_rate_per_year=rate)
    out = run(s)
    flows = [40_000 - (310_000 if m == 0 else 10_000) for m in range(36)]
    by_hand = sum(f / (1 + rate) ** (m / 12) for m, f in enumerate(flows))
    assert float(out.kpis["npv_usd"][0]) == pytest.approx(by_hand, abs=CENT)


def test_financing_level_payment_through_the_term() -> None:
    # 300,000 financed at 6 % APR over 36 months: 3 × 3,042.19 loan table = 9,126.58 a month,
    # then nothing in months 37-48 (life 5 years, no refresh inside the horizon).
    s = scenario(costs={"capex_treatment": "financing", "financing_rate_per_year": 0.06,
                        "financing_term_months": 36, "horizon_months": 48})
    out = run(s)
    assert out.detail is not None
    i, n = 0.005, 36
    payment = 300_000 * i * (1 + i) ** n / ((1 + i) ** n - 1)
    assert round(payment, 2) == 9126.58
    np.testing.assert_allclose(out.detail.onprem_usd[:36, 0], payment, atol=CENT)
    np.testing.assert_allclose(out.detail.onprem_usd[36:, 0], 0.0, atol=CENT)
    assert out.kpis["tco_usd"][0] == pytest.approx(36 * payment, abs=CENT)


def test_financing_with_residual() -> None:
    s = scenario(costs={"capex_treatment": "financing", "financing_rate_per_year": 0.06,
                        "financing_term_months": 36, "residual_fraction": 0.2})
    out = run(s)
    assert out.detail is not None
    i, n = 0.005, 36
    crf = i * (1 + i) ** n / ((1 + i) ** n - 1)
    payment = (300_000 - 60_000) * crf + 60_000 * i
    assert out.detail.onprem_usd[0, 0] == pytest.approx(payment, abs=CENT)


def test_refresh_at_end_of_life_trades_in_the_residual() -> None:
    # Life 2 years: buy in month 1, replace in months 25 and 49, each time trading in the
    # retired hardware at 25 %: 300,000 × (1 − 0.25) = 225,000.
    s = scenario(costs={"hardware_life_years": 2, "residual_fraction": 0.25,
                        "horizon_months": 60})
    out = run(s)
    assert out.detail is not None
    series = out.detail.onprem_usd[:, 0]
    assert series[0] == pytest.approx(300_000.0)
    assert series[24] == pytest.approx(225_000.0)
    assert series[48] == pytest.approx(225_000.0)
    assert np.count_nonzero(series) == 3
    assert out.kpis["capex_purchases_usd"][0] == pytest.approx(3 * 300_000.0)


def test_depreciation_continues_through_a_refresh() -> None:
    s = scenario(costs={"capex_treatment": "depreciation", "hardware_life_years": 2,
                        "residual_fraction": 0.25, "horizon_months": 60})
    out = run(s)
    assert out.detail is not None
    np.testing.assert_allclose(out.detail.onprem_usd[:, 0], 300_000 * 0.75 / 24, atol=CENT)


def test_support_hosting_software_and_staff() -> None:
    # support 12 %/yr of 300,000 = 3,000/month; hosting 100 USD/kW × (8 × 0.7 + 2.0) kW = 760;
    # software 375 × 8 = 3,000; staff 2 × 90,000 / 12 = 15,000; other 250.
    s = scenario(costs={"support_fraction_per_year": 0.12, "hosting_usd_per_kw_month": 100,
                        "software_usd_per_gpu_month": 375, "staff_fte": 2,
                        "staff_loaded_usd_per_year": 90_000, "other_usd_per_month": 250})
    out = run(s)
    months = 36
    assert out.category_usd["support"][0] == pytest.approx(3000.0 * months, abs=CENT)
    assert out.category_usd["hosting"][0] == pytest.approx(760.0 * months, abs=CENT)
    assert out.category_usd["software"][0] == pytest.approx(3000.0 * months, abs=CENT)
    assert out.category_usd["staff"][0] == pytest.approx(15_000.0 * months, abs=CENT)
    assert out.category_usd["other"][0] == pytest.approx(250.0 * months, abs=CENT)
    assert out.kpis["opex_usd_per_month"][0] == pytest.approx(3000 + 760 + 3000 + 15_000 + 250)


def test_one_off_items_and_network_storage() -> None:
    s = scenario(costs={"network_usd_per_server": 20_000, "storage_usd": 30_000,
                        "integration_usd": 50_000, "facility_usd": 70_000})
    out = run(s)
    assert out.detail is not None
    assert out.detail.onprem_usd[0, 0] == pytest.approx(300_000 + 20_000 + 30_000 + 50_000 + 70_000)
    assert out.kpis["capex_usd"][0] == pytest.approx(470_000.0)
    assert out.category_usd["network"][0] == pytest.approx(20_000.0)


def test_staged_purchases_follow_demand_growth() -> None:
    # Peak = 1,000 users × 9 requests / (10 h × 3,600 s) × 1,000 tokens = 250 tokens/s, doubling
    # each year; one replica (1 GPU) serves 100 tokens/s, no spare: ceil(2.5 × 2^(m/12)) GPUs.
    s = scenario(
        workload={"requests_per_user_per_day": 9, "active_hours_per_day": 10,
                  "growth_per_year": 1.0},
        deployment={"gpu_count": None, "redundancy": "none"},
        costs={"horizon_months": 36},
    )
    cap = WorkloadCapacity(gpus_per_replica=1, replica_tokens_per_s=100.0, replicas=3)
    out = run(s, capacity=cap, gpus_per_server=4, initial_gpus=3)
    assert out.detail is not None
    by_hand = [math.ceil(2.5 * 2 ** (m / 12) - 1e-9) for m in range(36)]
    assert out.detail.gpus[:, 0].tolist() == by_hand
    servers = [math.ceil(g / 4) for g in by_hand]
    assert out.detail.servers[:, 0].tolist() == servers
    first_purchase = next(m for m in range(1, 36) if by_hand[m] > by_hand[m - 1])
    bought = by_hand[first_purchase] - by_hand[first_purchase - 1]
    new_servers = servers[first_purchase] - servers[first_purchase - 1]
    assert out.detail.onprem_usd[first_purchase, 0] == pytest.approx(
        bought * 25_000 + new_servers * 100_000
    )


def test_redundancy_and_whole_servers() -> None:
    # 250 tokens/s at 100 per replica → 3 replicas, N+2 → 5 GPUs, whole 4-GPU servers → 8 GPUs.
    s = scenario(
        workload={"requests_per_user_per_day": 9, "active_hours_per_day": 10},
        deployment={"gpu_count": None, "redundancy": "n+2", "whole_servers": True},
    )
    cap = WorkloadCapacity(gpus_per_replica=1, replica_tokens_per_s=100.0, replicas=5)
    out = run(s, capacity=cap, gpus_per_server=4, initial_gpus=1)
    assert out.detail is not None
    assert out.detail.gpus[0, 0] == 8
    assert out.detail.servers[0, 0] == 2
    loose = run(s, capacity=cap, gpus_per_server=8, initial_gpus=1)
    assert loose.detail is not None and loose.detail.gpus[0, 0] == 8  # one 8-GPU server
    s_none = scenario(
        workload={"requests_per_user_per_day": 9, "active_hours_per_day": 10},
        deployment={"gpu_count": None, "redundancy": "n+2"},
    )
    exact = run(s_none, capacity=cap, gpus_per_server=8, initial_gpus=1)
    assert exact.detail is not None and exact.detail.gpus[0, 0] == 5  # 3 + 2 spare


def test_headroom_redundancy() -> None:
    # 250 tokens/s → 3 replicas; 50 % headroom → ceil(4.5) = 5.
    s = scenario(
        workload={"requests_per_user_per_day": 9, "active_hours_per_day": 10},
        deployment={"gpu_count": None, "redundancy": "50%"},
    )
    cap = WorkloadCapacity(gpus_per_replica=1, replica_tokens_per_s=100.0, replicas=5)
    out = run(s, capacity=cap, gpus_per_server=8, initial_gpus=1)
    assert out.detail is not None
    assert out.detail.gpus[0, 0] == 5


def test_cost_per_million_tokens_and_utilisation() -> None:
    s = _break_even_case()
    out = run(s)
    tokens = 36 * 400_000 * 2000  # months × requests × (1,000 in + 1,000 out)
    assert out.kpis["tokens"][0] == pytest.approx(tokens)
    tco = 300_000 + 36 * 10_000
    assert out.kpis["cost_per_million_tokens_usd"][0] == pytest.approx(tco / (tokens / 1e6))
    assert out.kpis["api_cost_per_million_tokens_usd"][0] == pytest.approx(
        36 * 40_000 / (tokens / 1e6)
    )


def test_cached_input_price() -> None:
    # Half the 400 M input tokens at the cached USD 2/M instead of USD 20/M: 400 × (10 + 1) + 400 × 80.
    s = scenario(
        workload={"users": 2000},
        alternatives={"api_input_usd_per_mtok": 20, "api_output_usd_per_mtok": 80,
                      "api_cached_input_usd_per_mtok": 2, "api_cached_input_fraction": 0.5},
    )
    out = run(s)
    assert out.detail is not None
    assert out.detail.api_usd[0, 0] == pytest.approx(400 * 11 + 400 * 80)


def test_breakdown_sums_to_tco_and_by_year_sums_to_category() -> None:
    s = _break_even_case(support_fraction_per_year=0.1, energy_usd_per_kwh=0.2,
                         hardware_life_years=2, residual_fraction=0.3)
    out = run(s)
    assert out.detail is not None
    total = sum(out.category_usd[c][0] for c in CATEGORIES)
    assert total == pytest.approx(out.kpis["tco_usd"][0], abs=CENT)
    for c in CATEGORIES:
        assert out.detail.category_usd_by_year[c][:, 0].sum() == pytest.approx(
            out.category_usd[c][0], abs=CENT
        )
    assert out.detail.onprem_usd.sum() == pytest.approx(out.kpis["tco_usd"][0], abs=CENT)
