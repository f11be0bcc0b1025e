"""Create a scenario from a front point: a valid copy with the point's deployment, undoable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.catalog.efficiency import load_efficiency
from app.engine.scenario import Scenario
from app.operations.evaluate import evaluate
from app.operations.explore import ExploreFilters, select, sweep_space
from app.operations.explore_request import request_from_scenario
from app.operations.explore_scenario import ExplorePoint, create_scenario_from_point
from app.operations.scenario_files import find_scenario
from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite", with_demos=False)
    yield workspace
    workspace.close()


def _points(ws: Workspace, source: Scenario, priced_only: bool = False) -> list[ExplorePoint]:
    space = sweep_space(request_from_scenario(source, ws.catalog), ws.catalog,
                        load_efficiency()[0])
    selection = select(space, ExploreFilters(priced_only=priced_only))
    return [ExplorePoint.from_space(space, int(i)) for i in selection.front]


def test_create_from_point_with_undo_and_redo(ws: Workspace) -> None:
    source = find_scenario("rag-ascend-910b")[0]
    point = next(p for p in _points(ws, source) if p.accelerator != "huawei-ascend-910b-64gb")
    created = create_scenario_from_point(ws, source, point)
    scenario_id = int(created.change.ids[0])
    stored = Scenario.from_dict(scenario_store.get(ws.db, scenario_id))
    assert stored.name.startswith(source.name[:40]) and point.accelerator_name in stored.name
    d = stored.deployment
    assert (d.accelerator, d.tp, d.pp, d.engine, d.gpu_count) == (
        point.accelerator, point.tp, point.pp, point.engine, None)
    w = stored.workloads[0]
    assert (w.weights, w.kv_cache) == (point.weights, point.kv_cache)
    assert stored.costs.gpu_price_usd is None and stored.costs.gpu_power_w is None
    assert "costs.gpu_price_usd" not in {u.path for u in stored.uncertainty}
    assert stored.assumptions[0].field == "deployment.accelerator"
    assert "chosen in the explorer" in stored.assumptions[0].note
    assert stored.requirements == source.requirements and stored.costs.pue == source.costs.pue

    again = create_scenario_from_point(ws, source, point)  # the name is made unique
    second = scenario_store.get(ws.db, int(again.change.ids[0]))["name"]
    assert second == f"{stored.name} (2)"

    undone = again.inverse()
    undone_first = created.inverse()
    assert scenario_store.list_rows(ws.db) == []
    undone_first.inverse()
    undone.inverse()
    rows = {r.id: r.name for r in scenario_store.list_rows(ws.db)}
    assert rows == {scenario_id: stored.name, int(again.change.ids[0]): second}


def test_a_point_on_the_same_hardware_keeps_its_costs_and_evaluates(ws: Workspace) -> None:
    source = find_scenario("secure-chat-h100")[0]
    point = next(p for p in _points(ws, source, priced_only=True)
                 if p.accelerator == "nvidia-h100-sxm-80gb")
    assert not point.price_estimated
    created = create_scenario_from_point(ws, source, point)
    stored = Scenario.from_dict(scenario_store.get(ws.db, int(created.change.ids[0])))
    assert stored.deployment.server == source.deployment.server
    assert stored.costs == source.costs
    result = evaluate(stored, ws.catalog, draws=200)
    assert result.kpis.fits and result.kpis.gpus >= point.tp * point.pp
