"""Sizing through the capacity engine: layout choice, redundancy, SLO misses, no-fit."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.engine.scenario import Scenario
from app.operations.resolve import resolve
from app.operations.sizing import WorkloadSizing, peak_requests_per_s, size_workloads
from tests.operations.catalog_fixture import scenario_dict, test_catalog


def _size(**sections: Any) -> WorkloadSizing:
    scenario = Scenario.from_dict(scenario_dict(**sections))
    return size_workloads(resolve(scenario, test_catalog()))[0]


def test_peak_request_rate_by_hand() -> None:
    # 2,000 users × 20 requests over 8 h, busiest hour at 2× the mean: 2.78 requests/s.
    w = Scenario.from_dict(scenario_dict()).workloads[0]
    assert peak_requests_per_s(w) == pytest.approx(2000 * 20 / (8 * 3600) * 2.0)


def test_the_layout_meeting_the_slo_with_fewest_gpus_wins() -> None:
    # 70.55 GB of FP8 weights leave almost no KV cache on one 80 GB GPU: single-GPU replicas
    # hold few sequences each, so two-GPU replicas need fewer GPUs in all.
    s = _size()
    assert s.fits and s.meets_slo
    candidates = s.basis["candidates"]
    assert len(candidates) == 4  # tp 1, 2, 4, 8 on an 8-slot server
    feasible = [c for c in candidates if c["meets_slo"]]
    best = min(feasible, key=lambda c: (c["gpus"], c["gpus_per_replica"]))
    assert s.capacity.gpus_per_replica == best["gpus_per_replica"] == s.basis["tp"]
    assert s.capacity.replicas * s.capacity.gpus_per_replica == best["gpus"]
    assert s.capacity.gpus_per_replica == 2
    pinned = _size(deployment={"tp": 4})
    assert pinned.capacity.gpus_per_replica == 4 and len(pinned.basis["candidates"]) == 1


def test_replicas_cover_the_peak_plus_redundancy() -> None:
    s = _size()
    serving = math.ceil(s.basis["peak_requests_per_s"]
                        / s.basis["sustainable_requests_per_s_per_replica"] - 1e-9)
    assert s.capacity.replicas == serving + 1  # N+1
    assert s.capacity.replica_tokens_per_s * serving >= s.peak_demand_tokens_per_s
    more = _size(deployment={"redundancy": "n+3"})
    assert more.capacity.replicas == serving + 3
    assert s.ttft_ms <= 2000 and s.tpot_ms <= 100


def test_more_users_need_more_replicas() -> None:
    few = _size()
    many = scenario_dict()
    many["workloads"][0]["users"] = 40_000
    s = size_workloads(resolve(Scenario.from_dict(many), test_catalog()))[0]
    assert s.capacity.replicas > few.capacity.replicas


def test_an_impossible_tpot_target_is_costed_at_offline_throughput() -> None:
    w = scenario_dict()["workloads"][0]
    s = _size(workloads=[{**w, "tpot_target_ms": 0.01}])
    assert s.fits and not s.meets_slo
    assert s.capacity.replicas >= 2 and s.capacity.replica_tokens_per_s > 0
    assert s.basis["reason"].startswith("misses the SLO")


def test_a_model_too_large_for_the_server_does_not_fit() -> None:
    s = _size(deployment={"accelerator": "test-gpu-24gb", "server": None, "gpus_per_server": 1},
              costs={"server_price_usd": 5000, "server_base_power_w": 300})
    assert not s.fits and not s.meets_slo
