"""The cost model on a pooled fleet: co-located GPUs are kept every month, tokens stay the LLM's."""

from __future__ import annotations

import copy
import math

import pytest

from app.engine.cost import run_cost_model
from app.engine.cost_inputs import cost_structure, scenario_params
from app.engine.demand import WorkloadCapacity
from app.engine.scenario import Scenario
from tests.engine.costcases import BASE


def _scenario() -> Scenario:
    """BASE (250 tokens/s at peak, doubling yearly) with an embedding workload listed first."""
    data = copy.deepcopy(BASE)
    data["workloads"][0].update(requests_per_user_per_day=9, active_hours_per_day=10,
                                growth_per_year=1.0)
    data["workloads"].insert(0, {"name": "embed", "template": "embedding", "model": "e",
                                 "users": 1, "requests_per_user_per_day": 1000,
                                 "input_tokens": 100})
    data["deployment"].update(gpu_count=None)
    data["costs"].update(horizon_months=36, energy_usd_per_kwh=0.1)
    data["alternatives"] = {"api_input_usd_per_mtok": 1.0, "api_output_usd_per_mtok": 2.0}
    return Scenario.from_dict(data)


def test_pooled_gpus_join_every_month_and_the_llm_keeps_its_index() -> None:
    s = _scenario()
    llm = WorkloadCapacity(gpus_per_replica=1, replica_tokens_per_s=100.0, replicas=3,
                           workload_index=1)
    pooled = cost_structure(s, [llm], 4, 5, pooled_gpus=2, pooled_peak_gpu_equivalents=0.5,
                            pooled_mean_gpu_equivalents=0.25)
    alone = cost_structure(s, [llm], 4, 3)
    p = scenario_params(s)
    with_pool = run_cost_model(pooled, p, detail=True)
    without = run_cost_model(alone, p, detail=True)
    assert with_pool.detail is not None and without.detail is not None
    by_hand = [math.ceil(2.5 * 2 ** (m / 12) - 1e-9) for m in range(36)]
    assert without.detail.gpus[:, 0].tolist() == by_hand
    assert with_pool.detail.gpus[:, 0].tolist() == [g + 2 for g in by_hand]
    # tokens and the API path are the LLM workload's (index 1), not the embedder's
    assert with_pool.kpis["tokens"][0] == pytest.approx(without.kpis["tokens"][0])
    tokens_per_month = 1000 * 9 * 240 / 12 * 2000
    assert with_pool.detail.tokens[0, 0] == pytest.approx(tokens_per_month)
    assert with_pool.kpis["api_tco_usd"][0] == pytest.approx(without.kpis["api_tco_usd"][0])
    assert with_pool.kpis["tco_usd"][0] > without.kpis["tco_usd"][0]
    # utilisation adds the pooled GPU equivalents
    gpu_months = sum(by_hand) + 2 * 36
    added = 0.25 * 36 / gpu_months
    assert with_pool.kpis["utilisation_mean"][0] == pytest.approx(
        without.kpis["utilisation_mean"][0] * sum(by_hand) / gpu_months + added)


def test_a_fleet_of_pooled_workloads_only() -> None:
    s = _scenario()
    only = cost_structure(s, [], 8, 2, pooled_gpus=2)
    out = run_cost_model(only, scenario_params(s), detail=True)
    assert out.detail is not None
    assert out.detail.gpus[:, 0].tolist() == [2.0] * 36
    assert out.kpis["tokens"][0] == 0 and math.isnan(out.kpis["api_tco_usd"][0])
    assert not math.isfinite(out.kpis["cost_per_million_tokens_usd"][0])
