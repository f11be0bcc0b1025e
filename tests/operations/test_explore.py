"""The explorer's constrained sweep, its filters and front, and the explanations (no Qt)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.constraint_types import SiteRequirements
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import Scenario
from app.errors import UserError
from app.operations.constraints_check import explain_exclusions
from app.operations.explore import (
    ExploreFilters,
    SweptSpace,
    front_rows,
    rejudge,
    select,
    sweep_space,
)
from app.operations.explore_explain import explain_selection, option_basis
from app.operations.explore_request import (
    gpu_hour_prices,
    request_for_model,
    request_from_scenario,
)
from app.operations.progress import Cancelled, CancelToken
from app.operations.scenario_files import find_scenario
from tests.engine.test_constraint_properties import restricted, sites

ASCEND_DEMO = "rag-ascend-910b"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="module")
def table() -> EfficiencyTable:
    return load_efficiency()[0]


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return find_scenario(ASCEND_DEMO)[0]


@pytest.fixture(scope="module")
def ascend(demo: Scenario, catalog: Catalog, table: EfficiencyTable) -> SweptSpace:
    return sweep_space(request_from_scenario(demo, catalog), catalog, table)


def test_the_demo_site_cannot_obtain_nvidia_datacenter_parts(demo: Scenario) -> None:
    r = demo.requirements
    assert r.jurisdiction == "CN"
    assert r.allowed_hardware_origins == ("China",)
    assert r.export_control_exposure == "avoid"


def test_ascend_front_holds_only_allowed_hardware(ascend: SweptSpace, demo: Scenario,
                                                  catalog: Catalog) -> None:
    selection = select(ascend)
    assert selection.front.size > 0
    allowed = set(explain_exclusions(demo.requirements, catalog).allowed_accelerators)
    assert {"huawei-ascend-910b-64gb", "huawei-ascend-910c-128gb"} <= allowed
    assert not any(a.startswith(("nvidia", "amd", "intel")) for a in allowed)
    on_front = {row["accelerator"] for row in front_rows(ascend, selection)}
    assert on_front and on_front <= allowed
    assert (ascend.status[selection.front] < 2).all()
    # every front point fits, meets the workload's targets and none dominates another
    f = selection.front
    assert ascend.fits[f].all()
    assert (ascend.ttft_ms[f] <= 2000).all() and (ascend.tpot_ms[f] <= 60).all()
    obj = np.column_stack([ascend.cost_per_million_tokens_usd[f], ascend.tpot_ms[f],
                           ascend.ttft_ms[f]])
    for a in obj:
        assert not np.any(np.all(obj <= a, axis=1) & np.any(obj < a, axis=1))
    costs = ascend.cost_per_million_tokens_usd[f]
    assert (np.diff(costs) >= 0).all()


def test_ascend_explanation_names_why_the_others_are_excluded(
        ascend: SweptSpace, catalog: Catalog) -> None:
    selection = select(ascend)
    text = explain_selection(ascend, selection, catalog).text()
    assert "The others are excluded because:" in text
    assert "hardware-origin" in text and "export-control" in text
    assert "NVIDIA H100 SXM 80GB: hardware-origin: NVIDIA is in US, not an allowed origin " \
           "(China)" in text
    assert "55 of 59 catalog accelerators are excluded" in text
    assert "source:" in text and "as of" in text
    # allowed hardware off the front is explained too, and the swept model's standing
    assert "Huawei Ascend 910B 64GB" in text and "dominated" in text
    assert "The swept model, Qwen3 32B, is allowed" in text
    excluded = selection.rule_failures
    assert excluded["hardware-origin"] == dict(selection.removed)["constraints"]


def test_counts_add_up(ascend: SweptSpace) -> None:
    selection = select(ascend)
    removed = sum(n for _, n in selection.removed)
    assert removed + selection.dominated + selection.front.size == ascend.size
    failures = ascend.rule_failures()
    assert failures["hardware-origin"] == ascend.constraint_failing
    assert ascend.size == 59 * 35 * 8 * 2 * 11  # accelerators × layouts × formats × KV × batch


def test_filters(ascend: SweptSpace) -> None:
    huawei = select(ascend, ExploreFilters(vendors=("Huawei (HiSilicon)",)))
    assert {ascend.accelerators[a].vendor for a in ascend.accelerator[huawei.front]} == {
        "Huawei (HiSilicon)"}
    small = select(ascend, ExploreFilters(max_gpus=8))
    assert (ascend.fleet_gpus[small.front] <= 8).all()
    everything = select(ascend, ExploreFilters(constraints="any"))
    assert (ascend.status[everything.front] == 2).any()  # NVIDIA parts, flagged as failing
    clean = select(ascend, ExploreFilters(constraints="clean"))
    assert clean.front.size == 0  # every allowed option warns (use restriction, support)
    looser = select(ascend, ExploreFilters(targets=(None, 200.0)))
    assert looser.kept_count > select(ascend).kept_count
    assert ascend.tpot_ms[looser.kept].max() > 60
    priced = select(ascend, ExploreFilters(priced_only=True))
    assert priced.front.size and not ascend.price_estimated[priced.kept].any()
    assert {ascend.accelerators[a].id for a in ascend.accelerator[priced.front]} == {
        "huawei-ascend-910b-64gb"}  # the only allowed part with a price (the scenario's)
    no_fit_filter = select(ascend, ExploreFilters(require_fit=False, require_slo=False))
    assert not ascend.fits[no_fit_filter.kept].all()
    with pytest.raises(UserError, match="constraints filter"):
        ExploreFilters(constraints="some")
    with pytest.raises(UserError, match="max GPUs"):
        ExploreFilters(max_gpus=0)


def test_demand_sizes_the_fleet_with_redundancy(ascend: SweptSpace) -> None:
    r = ascend.request
    assert r.peak_requests_per_s == pytest.approx(800 * 15 / (9 * 3600) * 2.5)
    assert r.spare_replicas == 1
    i = int(select(ascend).front[0])
    serving = math.ceil(r.peak_output_tokens_per_s / ascend.output_tokens_per_s[i] - 1e-9)
    assert ascend.fleet_gpus[i] == (serving + 1) * ascend.gpu_count[i]


def test_gpu_hours_are_priced_from_the_scenario_costs(demo: Scenario, catalog: Catalog) -> None:
    request = request_from_scenario(demo, catalog)
    prices = gpu_hour_prices(request, catalog)
    c = demo.costs
    own = prices.cost(catalog.accelerator("huawei-ascend-910b-64gb"))
    hardware = 16700 + (60000 + 15000) / 8
    expected = (hardware * (1 - 0.05) / (5 * 8760) + hardware * 0.08 / 8760
                + (400 * c.load_factor + 2500 / 8) / 1000 * 1.4 * 0.09)
    assert not own.estimated and own.usd_per_gpu_hour == pytest.approx(expected)
    rental = prices.cost(catalog.accelerator("nvidia-h100-sxm-80gb"))
    assert rental.estimated and rental.method == "rental-rate"
    assert rental.usd_per_gpu_hour == pytest.approx(1.85)  # the lowest catalog rate
    unpriced = prices.cost(catalog.accelerator("huawei-ascend-910c-128gb"))
    assert unpriced.estimated and unpriced.method == "fallback"


def test_option_basis_shows_every_source(ascend: SweptSpace, table: EfficiencyTable) -> None:
    i = int(select(ascend).front[0])
    basis = option_basis(ascend, i, table)
    text = basis.text()
    for heading in ("Configuration", "Results", "Demand", "Cost", "Efficiency factors",
                    "Catalog sources", "Constraints"):
        assert heading in text
    assert "mfu" in text and "as of" in text and "per GPU-hour" in text
    assert {c.rule for c in basis.constraints} >= {"hardware-origin", "export-control",
                                                   "precision-weights"}


def test_model_only_request_and_bad_input(catalog: Catalog, table: EfficiencyTable) -> None:
    request = request_for_model("llama-3.1-8b", 512, 128)
    small = dataclasses.replace(request, gpu_counts=(1, 2), batches=(1, 8, 64))
    space = sweep_space(small, catalog, table)
    selection = select(space)
    assert space.constraint_failing == 0 and selection.front.size > 0
    assert [stage for stage, _ in selection.removed] == ["fit", "constraints"]
    with pytest.raises(UserError, match="not in the catalog"):
        sweep_space(dataclasses.replace(small, model_id="nope"), catalog, table)
    with pytest.raises(UserError, match="embedding"):
        sweep_space(dataclasses.replace(small, model_id="bge-m3"), catalog, table)
    with pytest.raises(UserError, match="output-tokens"):
        request_for_model("llama-3.1-8b", 10, 0)


def test_cancel_stops_the_sweep(catalog: Catalog, table: EfficiencyTable) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        sweep_space(request_for_model("llama-3.1-8b", 512, 128), catalog, table, cancel=token)


# --- property: tightening a requirement never adds to what the front can offer -------------

@pytest.fixture(scope="module")
def small_space(catalog: Catalog, table: EfficiencyTable) -> SweptSpace:
    request = dataclasses.replace(request_for_model("qwen2.5-7b", 1000, 200),
                                  gpu_counts=(1, 2, 4), batches=(1, 8, 64, 256))
    return sweep_space(request, catalog, table)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), site=sites)
def test_tightening_a_requirement_never_adds_points_to_the_front(
        data: st.DataObject, site: SiteRequirements, small_space: SweptSpace) -> None:
    """A stricter site keeps a subset of the configurations, so its front holds no
    configuration the looser site did not allow, and no point better than the looser front.

    (A configuration the looser front left out as dominated can reach the stricter front when
    the configuration that dominated it is excluded; it was allowed before, and the looser
    front still has a point at least as good.)"""
    stricter = data.draw(restricted(site))
    loose = select(rejudge(small_space, site))
    tight = select(rejudge(small_space, stricter))
    assert not (tight.kept & ~loose.kept).any()
    assert loose.kept[tight.front].all()
    objectives = np.column_stack([small_space.cost_per_million_tokens_usd,
                                  small_space.tpot_ms, small_space.ttft_ms])
    loose_front = objectives[loose.front]
    for point in objectives[tight.front]:
        assert np.all(loose_front <= point, axis=1).any()
