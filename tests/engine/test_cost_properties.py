"""Invariants of the cost model over random scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.cost import CATEGORIES, run_cost_model
from app.engine.cost_inputs import cost_structure, scenario_params
from app.engine.demand import WorkloadCapacity
from tests.engine.costcases import scenario

money = st.floats(min_value=0, max_value=1e6, allow_nan=False)
fraction = st.floats(min_value=0, max_value=0.95, allow_nan=False)

cases = st.fixed_dictionaries(
    {
        "treatment": st.sampled_from(["cash", "depreciation", "financing"]),
        "life": st.sampled_from([1, 2, 3, 5]),
        "refresh": st.booleans(),
        "residual": fraction,
        "horizon": st.integers(min_value=1, max_value=84),
        "term": st.integers(min_value=1, max_value=60),
        "rate": st.floats(min_value=0, max_value=0.3),
        "discount": st.floats(min_value=0, max_value=0.3),
        "gpu_price": money,
        "server_price": money,
        "network": money,
        "storage": money,
        "integration": money,
        "support": st.floats(min_value=0, max_value=0.3),
        "energy": st.floats(min_value=0, max_value=0.5),
        "pue": st.floats(min_value=1, max_value=3),
        "load": st.floats(min_value=0.01, max_value=1),
        "growth": st.floats(min_value=-0.5, max_value=3),
        "users": st.integers(min_value=1, max_value=100_000),
        "spare": st.integers(min_value=0, max_value=3),
        "gpus_per_replica": st.sampled_from([1, 2, 4, 8]),
        "gpus_per_server": st.sampled_from([1, 2, 4, 8]),
        "whole": st.booleans(),
    }
)


def _outcome(c: dict[str, object]):  # type: ignore[no-untyped-def]
    s = scenario(
        workload={"users": c["users"], "growth_per_year": c["growth"]},
        deployment={"gpu_count": None, "redundancy": f"n+{c['spare']}",
                    "whole_servers": c["whole"]},
        costs={
            "capex_treatment": c["treatment"], "hardware_life_years": c["life"],
            "refresh_at_end_of_life": c["refresh"], "residual_fraction": c["residual"],
            "horizon_months": c["horizon"], "financing_term_months": c["term"],
            "financing_rate_per_year": c["rate"], "discount_rate_per_year": c["discount"],
            "gpu_price_usd": c["gpu_price"], "server_price_usd": c["server_price"],
            "network_usd_per_server": c["network"], "storage_usd": c["storage"],
            "integration_usd": c["integration"], "support_fraction_per_year": c["support"],
            "energy_usd_per_kwh": c["energy"], "pue": c["pue"], "load_factor": c["load"],
            "staff_fte": 1, "staff_loaded_usd_per_year": 100_000,
        },
        alternatives={"api_input_usd_per_mtok": 1.0, "api_output_usd_per_mtok": 4.0,
                      "rental_usd_per_gpu_hour": 2.0},
    )
    cap = WorkloadCapacity(gpus_per_replica=int(c["gpus_per_replica"]),  # type: ignore[call-overload]
                           replica_tokens_per_s=500.0, replicas=1)
    structure = cost_structure(s, [cap], int(c["gpus_per_server"]),  # type: ignore[call-overload]
                               int(c["gpus_per_replica"]))  # type: ignore[call-overload]
    return run_cost_model(structure, scenario_params(s), detail=True)


@settings(max_examples=150, deadline=None)
@given(cases)
def test_breakdown_sums_to_tco(c: dict[str, object]) -> None:
    out = _outcome(c)
    tco = out.kpis["tco_usd"][0]
    total = sum(out.category_usd[k][0] for k in CATEGORIES)
    assert np.isclose(total, tco, rtol=1e-9, atol=1e-6)
    assert out.detail is not None
    assert np.isclose(out.detail.onprem_usd.sum(), tco, rtol=1e-9, atol=1e-6)
    for k in CATEGORIES:
        by_year = out.detail.category_usd_by_year[k][:, 0].sum()
        assert np.isclose(by_year, out.category_usd[k][0], rtol=1e-9, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(cases)
def test_cumulative_series_never_decrease(c: dict[str, object]) -> None:
    out = _outcome(c)
    assert out.detail is not None
    for series in (out.detail.onprem_cumulative_usd, out.detail.api_cumulative_usd,
                   out.detail.rental_cumulative_usd):
        steps = np.diff(series[:, 0])
        assert (steps >= -1e-6).all(), steps.min()
    assert (np.diff(out.detail.gpus[:, 0]) >= 0).all()


@settings(max_examples=100, deadline=None)
@given(cases)
def test_present_value_never_exceeds_nominal(c: dict[str, object]) -> None:
    out = _outcome(c)
    # Discounting at a rate >= 0 never raises a cost (relative tolerance: sums of 1e9 USD).
    assert out.kpis["pv_onprem_usd"][0] <= out.kpis["tco_usd"][0] * (1 + 1e-12) + 1e-6
    assert out.kpis["pv_api_usd"][0] <= out.kpis["api_tco_usd"][0] * (1 + 1e-12) + 1e-6
