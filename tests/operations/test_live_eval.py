"""The live dashboard's evaluation: never on bad input, cached sizing, missing prices."""

from __future__ import annotations

import pytest

from app.operations import chart_data as cd
from app.operations.live_eval import SizingCache, evaluate_stored
from app.operations.progress import Cancelled, CancelToken
from app.reports.dashboard import dashboard_content
from tests.operations.catalog_fixture import scenario_dict, test_catalog


def test_a_scenario_breaking_a_rule_never_reaches_the_engine() -> None:
    data = scenario_dict(costs={"pue": 0.5})
    live = evaluate_stored(data, test_catalog())
    assert live.result is None
    assert live.problem is not None
    assert (live.problem.path, live.problem.rule) == ("costs.pue", "must be at least 1")


def test_sizing_is_reused_when_only_costs_change() -> None:
    catalog, cache = test_catalog(), SizingCache()
    first = evaluate_stored(scenario_dict(uncertainty={}), catalog, draws=200, cache=cache)
    cheaper = evaluate_stored(scenario_dict(costs={"energy_usd_per_kwh": 0.05}, uncertainty={}),
                              catalog, draws=200, cache=cache)
    assert (cache.misses, cache.hits) == (1, 1)
    assert first.result is not None and cheaper.result is not None
    assert cheaper.result.kpis.tco_usd < first.result.kpis.tco_usd
    assert cheaper.result.kpis.gpus == first.result.kpis.gpus
    more_users = scenario_dict(workloads=[{**scenario_dict()["workloads"][0], "users": 9000}],
                               uncertainty={})
    bigger = evaluate_stored(more_users, catalog, draws=200, cache=cache)
    assert cache.misses == 2  # a workload edit sizes again
    assert bigger.result is not None and bigger.result.kpis.gpus > first.result.kpis.gpus


def test_a_demand_edit_reuses_the_serving_grid_and_gives_the_same_answer() -> None:
    catalog, cache = test_catalog(), SizingCache()
    chat = scenario_dict()["workloads"][0]
    evaluate_stored(scenario_dict(), catalog, draws=200, cache=cache)
    measured = cache.serving_grid_runs
    assert measured == 1
    for edit in ({"users": 2900}, {"peak_factor": 3.0}, {"ttft_target_ms": 700},
                 {"slo_percentile": 99}):
        data = scenario_dict(workloads=[{**chat, **edit}])
        cached = evaluate_stored(data, catalog, draws=200, cache=cache)
        fresh = evaluate_stored(data, catalog, draws=200)
        assert cache.serving_grid_runs == measured  # sized again from the remembered grid
        assert cached.result is not None and fresh.result is not None
        assert cached.result.kpis == fresh.result.kpis
        assert cached.result.workloads == fresh.result.workloads
    longer = scenario_dict(workloads=[{**chat, "input_tokens": 3000}])
    evaluate_stored(longer, catalog, draws=200, cache=cache)
    assert cache.serving_grid_runs == measured + 1  # other token lengths: measured again


def test_a_price_nobody_gave_shows_performance_and_asks_for_it() -> None:
    # the fixture's "unpriced" GPU has neither a price nor a TDP in the catalog
    data = scenario_dict(deployment={"accelerator": "test-gpu-unpriced"},
                         costs={"gpu_price_usd": None})
    data["workloads"][0]["weights"] = "bf16"
    data["workloads"][0]["kv_cache"] = "bf16"
    live = evaluate_stored(data, test_catalog(), draws=200)
    assert live.problem is None and live.result is not None
    assert live.missing_costs == ("costs.gpu_price_usd", "costs.gpu_power_w")
    assert live.result.kpis.fits and live.result.kpis.gpus > 0
    content = dashboard_content(data, test_catalog(), draws=200)
    assert content.charts is not None
    assert content.charts.cumulative.months == ()
    assert "GPU price (USD/GPU)" in content.charts.cumulative.note
    assert content.charts.load.concurrency  # performance is still shown
    tco = next(c for c in content.cards if c.key == "tco_usd")
    assert tco.value == "—" and "GPU price" in tco.detail


def test_a_rule_the_engine_finds_comes_back_at_its_field() -> None:
    data = scenario_dict()
    data["workloads"][0]["model"] = "test-embedder"
    live = evaluate_stored(data, test_catalog(), draws=200)
    assert live.result is None and live.problem is not None
    assert live.problem.path == "workloads[0].model"


def test_a_cancelled_run_stops() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        evaluate_stored(scenario_dict(), test_catalog(), draws=200, cancel=token)


def test_dashboard_content_has_eleven_cards_with_formula_inputs_and_sources() -> None:
    content = dashboard_content(scenario_dict(), test_catalog(), draws=500)
    keys = [c.key for c in content.cards]
    assert keys == ["fits", "gpus", "servers", "ttft_ms", "tpot_ms", "throughput", "tco_usd",
                    "cost_per_million_tokens_usd", "break_even_month_vs_api",
                    "break_even_month_vs_rental", "p_onprem_cheaper"]
    for card in content.cards:
        assert "Formula:" in card.tooltip, card.key
        assert card.value and card.value != "—", card.key
    gpus = next(c for c in content.cards if c.key == "gpus")
    assert "Inputs:" in gpus.tooltip and "Sources:" in gpus.tooltip
    assert "Test GPU 80GB" in gpus.tooltip  # the catalog entry behind the figure
    fits = content.cards[0]
    assert (fits.value, fits.tone) == ("Yes", "good")
    assert content.charts is not None and content.charts.cumulative.months
    assert content.constraints


def test_workload_index_picks_the_charted_workload() -> None:
    data = scenario_dict()
    second = {**data["workloads"][0], "name": "second", "users": 100}
    data["workloads"] = [data["workloads"][0], second]
    content = dashboard_content(data, test_catalog(), draws=200, workload=1)
    assert content.charts is not None and content.workload == 1
    assert content.charts.memory.workload == "second"
    far = dashboard_content(data, test_catalog(), draws=200, workload=7)
    assert far.workload == 1  # clamped, not an error
    assert isinstance(far.charts, cd.DashboardCharts)


def test_encoder_workloads_get_a_note_and_the_charts_default_to_an_llm() -> None:
    data = scenario_dict(uncertainty={})
    data["workloads"] = [{"name": "embed", "template": "embedding", "model": "test-embedder",
                          "users": 200, "requests_per_user_per_day": 20, "input_tokens": 300,
                          "output_tokens": 0, "ttft_target_ms": None, "tpot_target_ms": None},
                         data["workloads"][0]]
    content = dashboard_content(data, test_catalog(), draws=200)
    assert content.live.problem is None, content.live.problem
    assert content.workload == 1 and content.charts is not None  # the chat workload
    assert content.charts.memory.workload == "chat"
    result = content.live.result
    assert result is not None and cd.llm_workloads(result) == (1,)
    memory = cd.memory_waterfall(result, 0)
    assert memory.steps == () and memory.note.startswith("embed is an embedding workload")
    assert "GiB per GPU" in memory.note
    assert cd.load_curve(result, 0).note == memory.note
