"""Explorer screen: sweep in the background, filter, read the Excluded panel, pick a point,
create a scenario from it (undoable), and the front chart as an image."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.catalog.efficiency import load_efficiency
from app.operations import scenario_edit, scenario_ops
from app.operations.constraints_check import explain_exclusions
from app.operations.explore import SweptSpace, sweep_space
from app.operations.explore_request import request_for_model
from app.operations.scenario_files import demo_folder
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.views.explorer_chart import FrontChart
from app.ui.views.explorer_view import ExplorerView
from tests.ui.conftest import take_message
from tests.ui.image_compare import assert_image_matches

ASCEND = "rag-ascend-910b"


def _view(window: MainWindow) -> ExplorerView:
    view = window.show_screen("Explorer")
    assert isinstance(view, ExplorerView)
    return view


def _add_demo(window: MainWindow, ws: Workspace, stem: str = ASCEND) -> int:
    data = json.loads((demo_folder() / f"{stem}.json").read_text(encoding="utf-8"))
    outcome = window.undo.run(lambda: scenario_ops.insert_scenario(ws, data, "Add the demo"))
    return int(outcome.change.ids[0])


def _sweep(qtbot: QtBot, view: ExplorerView) -> None:
    view.space = None
    handle = view.run_sweep()
    assert handle is not None
    qtbot.waitUntil(lambda: view.space is not None, timeout=60_000)


def _accelerators_in_table(view: ExplorerView) -> set[str]:
    return {str(view.proxy.index(r, 0).data()) for r in range(view.proxy.rowCount())}


def test_ascend_demo_front_holds_allowed_hardware_and_the_panel_says_why(
        qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    scenario_id = _add_demo(window, ws)
    view = _view(window)
    view.select_source(scenario_id)
    assert view.source_scenario is not None
    assert view.tokens_in.value() == 4000 and not view.tokens_in.isEnabled()
    assert view.tpot_target.value() == 60
    _sweep(qtbot, view)

    requirements = view.source_scenario.requirements
    allowed = {ws.catalog.accelerators[a].name
               for a in explain_exclusions(requirements, ws.catalog).allowed_accelerators}
    names = _accelerators_in_table(view)
    assert names and names <= allowed
    assert not any(n.startswith(("NVIDIA", "AMD", "Intel")) for n in names)

    panel = view.excluded.toPlainText()
    assert "The others are excluded because:" in panel
    assert "55 of 59 catalog accelerators are excluded by the site's requirements" in panel
    assert "hardware-origin" in panel and "export-control" in panel
    assert "NVIDIA H100 SXM 80GB: hardware-origin: NVIDIA is in US, not an allowed origin " \
           "(China)" in panel
    assert "source:" in panel and "as of" in panel
    assert "Huawei Ascend 910B 64GB" in panel

    result = view.result_label.text()
    assert "363,440 configurations" in result and "338,800 excluded" in result
    assert view.chart is not None
    assert view.chart.scatter.data.size == view.proxy.rowCount()


def test_filters_select_points_and_create_a_scenario_with_undo(
        qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    scenario_id = _add_demo(window, ws)
    view = _view(window)
    view.select_source(scenario_id)
    _sweep(qtbot, view)
    space = view.space
    assert space is not None and view.selection is not None
    everything = view.proxy.rowCount()

    view.vendor_filter.setCurrentIndex(view.vendor_filter.findData("Cambricon"))
    assert _accelerators_in_table(view) == {"Cambricon MLU370-X8 48GB"}
    view.vendor_filter.setCurrentIndex(0)
    view.max_gpus.setValue(1)  # N+1 redundancy needs two copies at least
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 0)  # once the typing pauses
    assert view.chart_stack.currentWidget() is view.empty
    assert view.empty.text() == messages.EXPLORER_EMPTY_FRONT
    assert "need more than 1 GPUs for the peak demand" in view.excluded.toPlainText()
    view.max_gpus.setValue(8)
    view.apply_filters()
    assert (space.fleet_gpus[view.selection.front] <= 8).all()
    view.max_gpus.setValue(0)
    view.apply_filters()
    view.constraint_filter.setCurrentIndex(view.constraint_filter.findData("any"))
    assert any(n.startswith("NVIDIA") for n in _accelerators_in_table(view))
    view.constraint_filter.setCurrentIndex(0)
    view.tpot_target.setValue(20)
    qtbot.waitUntil(lambda: "TPOT ≤ 20 ms" in view.result_label.text())
    assert (space.tpot_ms[view.selection.front] <= 20).all()
    assert "TPOT ≤ 20 ms" in view.result_label.text()
    view.tpot_target.setValue(60)
    view.apply_filters()
    assert view.proxy.rowCount() == everything

    # select the third row: the chart rings it and the basis shows it
    view.table.selectRow(2)
    point = int(view.proxy.index(2, 0).data(Qt.ItemDataRole.UserRole + 2))
    assert view.selected_point() == point
    assert view.basis.toPlainText().startswith(f"{int(space.gpu_count[point])} × ")
    assert "per GPU-hour" in view.basis_text and "Constraints" in view.basis_text
    assert view.chart is not None
    tip = view.chart.tip_for(point)
    assert space.accelerators[int(space.accelerator[point])].name in tip
    assert "per 1M output tokens" in tip

    before = len(scenario_store.list_rows(ws.db))
    assert view.create_button.isEnabled()
    assert view.create_from_selected() is None
    rows = scenario_store.list_rows(ws.db)
    assert len(rows) == before + 1
    created = next(r for r in rows if r.id != scenario_id)
    assert created.accelerator_id == space.accelerators[int(space.accelerator[point])].id
    assert window.undo_action.text().replace("&", "").startswith("Undo Create ")
    window.undo_action.trigger()
    assert len(scenario_store.list_rows(ws.db)) == before
    window.redo_action.trigger()
    assert [r.id for r in scenario_store.list_rows(ws.db) if r.id != scenario_id] == [created.id]
    # the new scenario is offered as a source right away
    assert view.source.findData(created.id) >= 0


def test_clicking_a_point_in_the_chart_selects_it(qtbot: QtBot, window: MainWindow,
                                                  ws: Workspace) -> None:
    view = _view(window)
    assert view.source.currentData() == -1  # no scenarios: a model and token lengths
    view.model.setCurrentIndex(view.model.findData("llama-3.1-8b"))
    view.tokens_in.setValue(512)
    _sweep(qtbot, view)
    assert not view.create_button.isEnabled()
    assert view.create_button.toolTip() == messages.EXPLORER_CREATE_NEEDS_SCENARIO
    space, selection = view.space, view.selection
    assert space is not None and selection is not None
    target = int(selection.front[-1])
    chart = view.chart
    assert chart is not None
    qtbot.waitUntil(chart.isVisible)
    x, y = chart.point_position(target)
    pos = chart.mapFromScene(x, y)
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))
    assert view.selected_point() == target
    rows = view.table.selectionModel().selectedRows()
    assert rows and int(view.proxy.data(rows[0], Qt.ItemDataRole.UserRole + 2)) == target


def test_a_scenario_that_cannot_be_swept_is_named_and_cancel_is_quiet(
        qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    blank = window.undo.run(lambda: scenario_ops.create_scenario(ws, "Blank"))
    view = _view(window)
    view.select_source(int(blank.change.ids[0]))
    assert view.source.currentText() == "Blank"
    assert view.source_error.isVisible() and "Blank: cannot be swept yet" in \
        view.source_error.text()
    assert view.run_sweep() is None
    box = take_message(qtbot, window)
    assert "Blank: cannot be swept yet" in box.text()
    box.accept()

    view.select_source(None)
    handle = view.run_sweep()
    assert handle is not None
    handle.cancel()
    qtbot.waitUntil(lambda: handle.worker_returned, timeout=30_000)
    assert view.space is None


@pytest.fixture(scope="module")
def synthetic_space() -> SweptSpace:
    """A small real space whose figures are replaced by fixed ones, so the chart's picture
    does not move when the engine's estimates are refined."""
    from app.catalog.loader import Catalog

    catalog = Catalog.shipped()
    request = dataclasses.replace(request_for_model("llama-3.1-8b", 512, 128),
                                  gpu_counts=(1,), batches=(1, 4, 16))
    space = sweep_space(request, catalog, load_efficiency()[0])
    n = space.size
    k = np.arange(n, dtype=np.float64)
    cost = 0.2 * 1.35 ** (k % 24)
    tpot = 60.0 / (1.0 + (k % 24) * 0.35)
    return dataclasses.replace(
        space, cost_per_million_tokens_usd=cost, tpot_ms=tpot,
        ttft_ms=150.0 + 90.0 * (k % 7), price_estimated=(k % 5 == 0),
        status=(k % 3 == 0).astype(np.int8))


def test_front_chart_image(qtbot: QtBot, synthetic_space: SweptSpace) -> None:
    chart = FrontChart()
    qtbot.addWidget(chart)
    chart.resize(760, 420)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_front(synthetic_space, np.arange(24, dtype=np.int64))
    chart.select_point(5)
    qtbot.wait(100)  # the colour bar's image is laid out on the next events
    assert_image_matches(chart.grab().toImage(), "explorer-front-chart")


def test_a_scenario_edited_while_the_explorer_is_hidden_is_read_again_when_shown(
        window: MainWindow, ws: Workspace) -> None:
    scenario_id = _add_demo(window, ws)
    view = _view(window)
    view.select_source(scenario_id)
    window.show_screen("Dashboard")
    assert not view.isVisible()
    window.undo.run(lambda: scenario_ops.rename_scenario(ws, scenario_id, "Renamed"))
    window.undo.run(lambda: scenario_edit.edit_field(ws, scenario_id, "workloads[0].name",
                                                     "Edited workload"))
    _view(window)
    assert view.source.currentText() == "Renamed"
    assert view.workload.itemText(0) == "Edited workload"
