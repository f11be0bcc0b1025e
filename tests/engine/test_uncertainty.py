"""Monte Carlo: percentiles, reproducibility, distributions and the tornado."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.cost import run_cost_model
from app.engine.cost_inputs import scenario_params
from app.engine.finance import running_sum
from app.engine.scenario import ScenarioError, UncertainInput
from app.engine.uncertainty import (
    BAND_DRAWS,
    DISCRETE_KPIS,
    PERCENTILES,
    draw,
    draw_inputs,
    kpi_percentiles,
    monte_carlo,
    percentiles,
    tornado,
)
from tests.engine.costcases import scenario, structure

ALTERNATIVES = {"api_input_usd_per_mtok": 2.0, "api_output_usd_per_mtok": 10.0,
                "rental_usd_per_gpu_hour": 2.5}
RANGES = {
    "costs.gpu_price_usd": {"low": 20_000, "high": 40_000},
    "costs.energy_usd_per_kwh": {"low": 0.05, "likely": 0.1, "high": 0.3, "distribution": "pert"},
    "costs.staff_loaded_usd_per_year": {"low": 80_000, "high": 200_000},
    "workloads[0].users": {"low": 500, "high": 3000},
    "workloads[0].growth_per_year": {"low": 0.0, "likely": 0.2, "high": 1.0},
    "alternatives.api_output_usd_per_mtok": {"low": 5, "high": 20},
}


def _uncertain_case():  # type: ignore[no-untyped-def]
    return scenario(
        deployment={"gpu_count": None, "redundancy": "n+1"},
        costs={"energy_usd_per_kwh": 0.1, "staff_fte": 1, "staff_loaded_usd_per_year": 120_000},
        alternatives=ALTERNATIVES,
        uncertainty=RANGES,
    )


def test_percentiles_are_ordered_for_every_kpi() -> None:
    s = _uncertain_case()
    result = monte_carlo(s, structure(s), draws=20_000, seed=7)
    assert result.inputs == tuple(RANGES)
    assert len(result.percentiles) > 15
    for name, p in result.percentiles.items():
        values = [v for v in (p.p10, p.p50, p.p90) if v is not None]
        assert values == sorted(values), name
    tco = result.percentiles["tco_usd"]
    assert tco.p10 is not None and tco.p90 is not None and tco.p10 < tco.p90
    assert 0.0 <= (result.p_onprem_cheaper_than_api or 0.0) <= 1.0


def test_no_uncertainty_gives_equal_percentiles_at_the_deterministic_value() -> None:
    s = scenario(costs={"energy_usd_per_kwh": 0.1}, alternatives=ALTERNATIVES)
    result = monte_carlo(s, structure(s), draws=1000)
    deterministic = run_cost_model(structure(s), scenario_params(s)).kpis
    for name in ("tco_usd", "npv_usd", "api_tco_usd", "cost_per_million_tokens_usd"):
        p = result.percentiles[name]
        assert p.p10 == p.p50 == p.p90 == pytest.approx(deterministic[name][0])
    assert result.p_onprem_cheaper_than_api in (0.0, 1.0)


def test_same_seed_same_answer_other_seed_other_answer() -> None:
    s = _uncertain_case()
    a = monte_carlo(s, structure(s), draws=5000, seed=1)
    b = monte_carlo(s, structure(s), draws=5000, seed=1)
    c = monte_carlo(s, structure(s), draws=5000, seed=2)
    assert a.percentiles == b.percentiles
    assert a.percentiles["tco_usd"] != c.percentiles["tco_usd"]


def test_threads_do_not_change_the_answer() -> None:
    s = _uncertain_case()
    one = monte_carlo(s, structure(s), draws=9000, seed=4, workers=1)
    two = monte_carlo(s, structure(s), draws=9000, seed=4, workers=2)
    assert one.percentiles == two.percentiles
    assert one.p_onprem_cheaper_than_api == two.p_onprem_cheaper_than_api


def test_monte_carlo_mean_follows_the_input_mean() -> None:
    # TCO is linear in the GPU price: 8 GPUs × a symmetric triangular price around 30,000.
    s = scenario(uncertainty={"costs.gpu_price_usd": {"low": 20_000, "high": 40_000,
                                                      "likely": 30_000}})
    result = monte_carlo(s, structure(s), draws=50_000, seed=3)
    base = 8 * 30_000 + 100_000
    p50 = result.percentiles["tco_usd"].p50
    assert p50 is not None and abs(p50 - base) < 8 * 300


@pytest.mark.parametrize("distribution", ["triangular", "pert"])
def test_distributions_stay_in_range_with_the_right_mean(distribution: str) -> None:
    u = UncertainInput(path="costs.pue", low=1.2, likely=1.3, high=2.0, distribution=distribution)
    x = draw(u, 1.3, 200_000, np.random.default_rng(0))
    assert x.min() >= 1.2 and x.max() <= 2.0
    mean = (1.2 + 1.3 + 2.0) / 3 if distribution == "triangular" else (1.2 + 4 * 1.3 + 2.0) / 6
    assert x.mean() == pytest.approx(mean, abs=0.003)


def test_a_point_range_is_constant() -> None:
    u = UncertainInput(path="costs.pue", low=1.5, high=1.5)
    assert (draw(u, 1.5, 10, np.random.default_rng(0)) == 1.5).all()


def test_likely_must_cover_the_fields_value() -> None:
    s = scenario(costs={"pue": 1.0}, uncertainty={"costs.pue": {"low": 1.2, "high": 1.8}})
    with pytest.raises(ScenarioError, match=r'uncertainty\["costs.pue"\]: .*outside low..high'):
        monte_carlo(s, structure(s), draws=10)


def test_tornado_swing_by_hand_and_ranking() -> None:
    # Fixed fleet of 8 GPUs, cash: the GPU price moves TCO by exactly 8 × (40,000 − 20,000).
    s = scenario(
        costs={"staff_fte": 1, "staff_loaded_usd_per_year": 100_000, "horizon_months": 12},
        uncertainty={
            "costs.gpu_price_usd": {"low": 20_000, "high": 40_000},
            "costs.staff_loaded_usd_per_year": {"low": 90_000, "high": 110_000},
            "costs.pue": {"low": 1.0, "high": 2.0},
        },
    )
    bars = tornado(s, structure(s), kpi="tco_usd")
    assert [b.path for b in bars] == [
        "costs.gpu_price_usd", "costs.staff_loaded_usd_per_year", "costs.pue"
    ]
    assert bars[0].swing == pytest.approx(8 * 20_000)
    assert bars[0].kpi_at_low == pytest.approx(8 * 20_000 + 100_000 + 100_000)
    assert bars[1].swing == pytest.approx(20_000)
    assert bars[2].swing == 0.0  # energy is free in this case


def test_tornado_rejects_an_unknown_kpi() -> None:
    s = scenario(uncertainty={"costs.pue": {"low": 1.0, "high": 2.0}})
    with pytest.raises(ScenarioError, match="kpi: must be one of"):
        tornado(s, structure(s), kpi="happiness")


def test_bands_bracket_the_cumulative_series() -> None:
    s = _uncertain_case()
    result = monte_carlo(s, structure(s), draws=4000, seed=5)
    band = result.bands["onprem_cumulative_usd"]
    assert band.shape == (3, 36)
    assert (band[0] <= band[1] + 1e-9).all() and (band[1] <= band[2] + 1e-9).all()


@pytest.mark.parametrize("draws", [300, 5_000])
def test_bands_are_the_percentiles_of_the_first_draws_cumulative_series(draws: int) -> None:
    # the bands come from the KPI run's first blocks: the same as running the first draws again
    s = _uncertain_case()
    result = monte_carlo(s, structure(s), draws=draws, seed=5)
    first = {path: v[:BAND_DRAWS] for path, v in draw_inputs(s, draws, 5).items()}
    detail = run_cost_model(structure(s), scenario_params(s, first), detail=True).detail
    assert detail is not None
    expected = np.percentile(running_sum(detail.onprem_usd), PERCENTILES, axis=1)
    np.testing.assert_allclose(result.bands["onprem_cumulative_usd"], expected, rtol=1e-12)


def test_kpi_percentiles_equal_one_call_per_kpi() -> None:
    rng = np.random.default_rng(3)
    kpis = {"tco_usd": rng.random(800) * 1e6, "tokens": np.full(800, 4.0),
            "api_tco_usd": np.where(rng.random(800) < 0.1, np.nan, rng.random(800)),
            "rental_tco_usd": np.full(800, np.nan)}
    for name in DISCRETE_KPIS:
        kpis[name] = np.floor(rng.random(800) * 40)
    kpis["break_even_month_vs_api"][::5] = np.nan
    kpis["gpus_initial"][:] = 8.0
    assert kpi_percentiles(kpis) == {
        name: percentiles(v, name in DISCRETE_KPIS) for name, v in kpis.items()}


def test_staged_purchases_respond_to_drawn_demand() -> None:
    # One replica per GPU serving 100 tokens/s: more users in a draw means more GPUs bought.
    from app.engine.demand import WorkloadCapacity

    s = scenario(
        workload={"requests_per_user_per_day": 9, "active_hours_per_day": 10},
        deployment={"gpu_count": None, "redundancy": "none"},
        uncertainty={"workloads[0].users": {"low": 1000, "high": 4000, "likely": 1000}},
    )
    cap = WorkloadCapacity(gpus_per_replica=1, replica_tokens_per_s=100.0, replicas=3)
    result = monte_carlo(s, structure(s, capacity=cap, initial_gpus=3), draws=2000, seed=1)
    gpus = result.percentiles["gpus_final"]
    assert gpus.p10 is not None and gpus.p90 is not None
    assert gpus.p10 >= 3 and gpus.p90 > gpus.p10
