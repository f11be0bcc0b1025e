"""Chart data from an evaluation: known answers and the physics each chart must respect."""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import numpy as np
import pytest

from app.engine.scenario import Scenario
from app.operations import chart_data as cd
from app.operations.evaluate import EvaluationResult, evaluate
from tests.operations.catalog_fixture import scenario_dict, test_catalog

DRAWS = 1500


def _result(**sections: Any) -> EvaluationResult:
    return _cached(json.dumps(sections, sort_keys=True))


@cache
def _cached(key: str) -> EvaluationResult:
    return evaluate(Scenario.from_dict(scenario_dict(**json.loads(key))), test_catalog(),
                    draws=DRAWS, seed=7)


def base() -> EvaluationResult:
    return _result()


def not_fitting() -> EvaluationResult:
    # BF16 70B weights (141 GB) on one 24 GB GPU at tp 1: cannot fit
    return _result(deployment={"accelerator": "test-gpu-24gb", "tp": 1},
                   workloads=[{"name": "chat", "model": "test-70b", "weights": "bf16",
                               "kv_cache": "bf16", "users": 100,
                               "requests_per_user_per_day": 5, "input_tokens": 500,
                               "output_tokens": 100}],
                   uncertainty={})


def test_waterfall_steps_take_capacity_down_to_what_is_free() -> None:
    data = cd.memory_waterfall(base())
    labels = [s.label for s in data.steps]
    assert labels == ["Capacity", "Reserved", "Runtime", "Activations", "Weights", "KV cache",
                      "Free"]
    capacity = data.steps[0]
    # the fixture GPU has "80 GB" (binary: 80 GiB), less what its class cannot use
    assert 0.9 * 80 < capacity.gib <= 80.0
    assert data.capacity_gib == capacity.gib and capacity.bottom_gib == 0.0
    used = [s for s in data.steps if s.kind == "used"]
    free = data.steps[-1]
    assert capacity.gib - sum(s.gib for s in used) == pytest.approx(free.gib, abs=1e-9)
    level = capacity.gib  # each deduction starts where the previous one ended
    for s in used:
        assert s.gib >= 0.0 and s.top_gib == pytest.approx(level)
        level = s.bottom_gib
    assert free.top_gib == pytest.approx(level)
    weights = next(s for s in used if s.label == "Weights")
    # 70.55 B params in FP8 (8 bit) split over 2 GPUs, embeddings kept at 16 bit: 33-36 GiB
    assert 31.0 < weights.gib < 36.0
    assert data.fits and data.layout == "TP 2 × PP 1"


def test_load_curve_respects_queueing_physics() -> None:
    data = cd.load_curve(base())
    x = np.asarray(data.concurrency)
    assert x.size >= 20 and np.all(np.diff(x) >= 0)  # sorted by concurrency
    # more load: more output, and never faster answers
    assert np.all(np.diff(data.output_tokens_per_s) >= -1e-6 * max(data.output_tokens_per_s))
    assert np.all(np.diff(data.tpot_ms) >= -1e-6)
    assert np.all(np.diff(data.ttft_ms) >= -1e-6)
    assert data.gpus_per_replica == 2 and data.percentile == 95.0
    assert data.ttft_target_ms == 2000.0 and data.tpot_target_ms == 100.0  # format defaults
    # at the sized operating limit both latencies meet their targets
    assert data.slo_concurrency is not None and x[0] <= data.slo_concurrency <= x[-1]
    ttft = np.interp(data.slo_concurrency, x, data.ttft_ms)
    tpot = np.interp(data.slo_concurrency, x, data.tpot_ms)
    assert ttft <= 2000.0 * 1.02 and tpot <= 100.0 * 1.02
    assert data.note == ""


def test_cumulative_cost_ends_at_the_tco_and_never_falls() -> None:
    r = base()
    data = cd.cumulative_cost(r)
    assert data.months == tuple(range(1, 61))
    assert data.onprem_usd[-1] == pytest.approx(r.kpis.tco_usd)
    assert data.api_usd is not None and data.api_usd[-1] == pytest.approx(r.kpis.api_tco_usd)
    assert data.rental_usd is not None
    assert data.rental_usd[-1] == pytest.approx(r.kpis.rental_tco_usd)
    for series in (data.onprem_usd, data.api_usd, data.rental_usd):
        assert np.all(np.diff(series) >= -1e-6)
    assert data.onprem_p10_usd is not None and data.onprem_p90_usd is not None
    assert np.all(np.asarray(data.onprem_p10_usd) <= np.asarray(data.onprem_p90_usd) + 1e-6)
    assert data.break_even_month_vs_api == r.kpis.break_even_month_vs_api


def test_cost_breakdown_sums_to_the_tco_by_year_and_by_category() -> None:
    r = base()
    data = cd.cost_breakdown(r)
    assert data.years == ("Year 1", "Year 2", "Year 3", "Year 4", "Year 5")
    assert sum(c.usd for c in data.categories) == pytest.approx(r.kpis.tco_usd)
    assert data.total_usd == pytest.approx(r.kpis.tco_usd)
    by_year = np.sum([c.usd_by_year for c in data.categories], axis=0)
    assert by_year.sum() == pytest.approx(r.kpis.tco_usd)
    assert all(c.usd != 0 for c in data.categories)  # zero categories are left out
    swings = [abs(c.usd) for c in data.categories]
    assert swings == sorted(swings, reverse=True)
    assert {c.name for c in data.categories} >= {"accelerators", "servers", "staff", "energy"}


def test_partial_last_year_is_labelled_with_its_months() -> None:
    data = cd.cost_breakdown(_result(costs={"horizon_months": 30}))
    assert data.years == ("Year 1", "Year 2", "Year 3 (6 mo)")
    assert data.year_months == (12, 12, 6)


def test_tornado_rows_name_fields_and_rank_by_swing() -> None:
    r = base()
    data = cd.tornado(r)
    assert data.kpi == "tco_usd" and data.base_value == pytest.approx(r.kpis.tco_usd)
    assert [row.label for row in data.rows] and all(row.label for row in data.rows)
    labels = {row.path: row.label for row in data.rows}
    assert labels["costs.gpu_price_usd"] == "GPU price (USD/GPU)"
    assert labels["workloads[0].users"] == "Users"
    swings = [row.swing for row in data.rows]
    assert swings == sorted(swings, reverse=True)
    gpu = next(row for row in data.rows if row.path == "costs.gpu_price_usd")
    assert gpu.kpi_at_low is not None and gpu.kpi_at_high is not None
    assert gpu.kpi_at_low < data.base_value < gpu.kpi_at_high  # dearer GPUs, dearer TCO


def test_distribution_counts_every_draw_and_orders_its_percentiles() -> None:
    data = cd.distribution(base())
    assert sum(data.counts) == DRAWS == data.draws
    edges = np.asarray(data.bin_edges_usd)
    assert len(edges) == len(data.counts) + 1 and np.all(np.diff(edges) > 0)
    assert data.p10_usd is not None and data.p50_usd is not None and data.p90_usd is not None
    assert edges[0] <= data.p10_usd <= data.p50_usd <= data.p90_usd <= edges[-1]
    assert data.p_onprem_cheaper_than_api is not None
    assert 0.0 <= data.p_onprem_cheaper_than_api <= 1.0


def test_without_ranges_the_uncertainty_charts_say_so() -> None:
    r = _result(uncertainty={})
    assert cd.distribution(r).note == cd.NO_UNCERTAINTY and cd.distribution(r).counts == ()
    assert cd.tornado(r).note == cd.NO_UNCERTAINTY and cd.tornado(r).rows == ()
    cumulative = cd.cumulative_cost(r)
    assert cumulative.onprem_p10_usd is None and cumulative.months  # no band, still a curve


def test_a_model_that_does_not_fit_gives_empty_charts_with_the_reason() -> None:
    r = not_fitting()
    assert not r.kpis.fits
    charts = cd.dashboard_charts(r)
    for data in (charts.load, charts.cumulative, charts.breakdown, charts.tornado,
                 charts.distribution):
        assert data.note == cd.NOT_FITTING
    assert charts.cumulative.months == () and charts.breakdown.categories == ()
    memory = charts.memory
    assert not memory.fits
    assert memory.steps[-1].gib < 0  # the memory that is missing
    assert memory.steps[-1].kind == "free" and memory.steps[-1].bottom_gib < 0


def test_missing_workload_index_is_an_empty_chart_not_an_error() -> None:
    assert cd.memory_waterfall(base(), workload=3).note == cd.NO_WORKLOAD
    assert cd.load_curve(base(), workload=3).note == cd.NO_WORKLOAD


def test_accelerator_is_named_as_in_the_catalog() -> None:
    assert cd.accelerator_name(base()) == "Test GPU 80GB"
    assert cd.memory_waterfall(base()).accelerator == "Test GPU 80GB"


def test_chart_data_is_frozen_plain_data() -> None:
    charts = cd.dashboard_charts(base())
    for data in vars(charts).values():
        with pytest.raises(AttributeError):
            data.note = "changed"
        for value in vars(data).values():
            assert not isinstance(value, np.ndarray | list)
    assert all(math.isfinite(v) for v in charts.load.output_tokens_per_s)
