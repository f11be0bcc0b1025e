"""The flows an analyst goes through on the Dashboard: open, create from a template, edit
(with refused input), undo/redo, watch the KPIs move, and cancel a long evaluation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.operations.live_eval import FULL_DRAWS
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.views.dashboard_view import DashboardView
from app.ui.views.field_editors import TextRow
from tests.ui.conftest import next_evaluation

WAIT_MS = 20_000


def _dashboard(window: MainWindow) -> DashboardView:
    view = window.show_screen("Dashboard")
    assert isinstance(view, DashboardView)
    return view


def _card(view: DashboardView, key: str) -> str:
    return view.kpis.cards[key].value.text()


def test_opens_a_demo_and_shows_kpis_constraints_and_six_charts(qtbot: QtBot,
                                                                 demo_window: MainWindow) -> None:
    view = _dashboard(demo_window)
    qtbot.waitUntil(lambda: view.content is not None, timeout=WAIT_MS)
    demos = len(scenario_store.list_rows(demo_window.workspace.db))
    assert view.picker.count() == demos >= 3 and view.scenario_id is not None
    assert _card(view, "fits") == "Yes"
    assert _card(view, "gpus").isdigit()
    assert _card(view, "tco_usd").startswith("$")
    for key, card in view.kpis.cards.items():
        assert "Formula:" in card.toolTip(), key
    assert view.constraints.toggle.text().startswith("Constraint checks:")
    assert len(view.charts) == 6
    drawn = [card.chart.data is not None for card in view.cards]
    assert not all(drawn)  # charts out of view wait until they are scrolled to
    view.results_scroll.verticalScrollBar().setValue(
        view.results_scroll.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: view.cards[-1].chart.data is not None, timeout=3000)
    view.flush_charts()
    assert all(chart.data is not None for chart in view.charts)
    assert all(card.isVisible() for card in view.cards)
    assert messages.DASHBOARD_STATUS.split("{")[0] in view.status.text()


def test_new_from_template_edit_refuse_undo_redo(qtbot: QtBot, window: MainWindow,
                                                 ws: Workspace) -> None:
    scenarios = window.scenarios_view()
    window.show_screen("Scenarios")
    dialog = scenarios.ask_new()
    dialog.edit.setText("Pilot chat")
    dialog.templates.setCurrentRow(0)  # Chat assistant
    assert dialog.template_id() == "chat"
    index = dialog.accelerator.findData("nvidia-rtx-pro-6000-blackwell-workstation-96gb")
    dialog.accelerator.setCurrentIndex(index)  # a card with a catalog price
    dialog.ok_button.click()
    view = window.current_screen()
    assert isinstance(view, DashboardView)  # the new scenario opens in the editor
    sid = scenario_store.find(ws.db, "Pilot chat")
    assert view.scenario_id == sid
    content = next_evaluation(qtbot, view)
    assert content.live.problem is None
    # no server is built for this card: its price and base power are the user's to give
    assert content.live.missing_costs == ("costs.server_price_usd", "costs.server_base_power_w")
    editor = view.editor
    assert editor.row("costs.server_price_usd").error.text() == messages.EDITOR_MISSING_COST
    assert _card(view, "tco_usd") == "—"

    assert editor.edit("costs.server_price_usd", "12k")
    next_evaluation(qtbot, view)
    assert editor.edit("costs.server_base_power_w", "800")
    after_price = next_evaluation(qtbot, view)
    assert after_price.live.missing_costs == ()
    assert _card(view, "tco_usd").startswith("$")
    gpus_before = _card(view, "gpus")

    # invalid input: refused at the field with its rule, nothing stored or evaluated
    users = editor.row("workloads[0].users")
    assert isinstance(users, TextRow)
    stored = scenario_store.get(ws.db, sid)["workloads"][0]["users"]
    assert not editor.edit("workloads[0].users", "0")
    assert users.error.text() == "must be at least 1" and users.error.isVisible()
    assert not editor.edit("workloads[0].users", "lots")
    assert users.error.text().startswith("must be a number")
    assert scenario_store.get(ws.db, sid)["workloads"][0]["users"] == stored
    assert not view.live.timer.isActive() and not view.live.running

    # a valid edit: saved, undoable, and the KPIs follow
    assert editor.edit("workloads[0].users", "20,000")
    assert not users.error.isVisible()
    assert scenario_store.get(ws.db, sid)["workloads"][0]["users"] == 20000
    next_evaluation(qtbot, view)
    assert int(_card(view, "gpus")) > int(gpus_before)
    assert window.undo_action.text().replace("&", "") == "Undo Set workload 1 Users to 20,000"

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    users.line.setFocus()  # Ctrl+Z in the saved field undoes the scenario edit
    qtbot.keyClick(users.line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert users.text() == f"{stored:,}"
    next_evaluation(qtbot, view)
    assert _card(view, "gpus") == gpus_before
    qtbot.keyClick(users.line, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert users.text() == "20,000"
    next_evaluation(qtbot, view)
    assert int(_card(view, "gpus")) > int(gpus_before)


def test_percent_fields_and_ranges(qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    window.scenarios_view().create_from_template("Ranges", "rag", accelerator=
                                                 "nvidia-rtx-pro-6000-blackwell-workstation-96gb")
    view = _dashboard(window)
    sid = scenario_store.find(ws.db, "Ranges")
    next_evaluation(qtbot, view)
    editor = view.editor
    growth = editor.row("workloads[0].growth_per_year")
    assert growth is not None and growth.unit.text() == "%/year"
    assert growth.text() == "20"  # 0.2 shown in percent
    assert not editor.edit("costs.residual_fraction", "100")
    assert editor.row("costs.residual_fraction").error.text() == "must be less than 100 %"
    assert editor.edit("costs.residual_fraction", "10")
    assert scenario_store.get(ws.db, sid)["costs"]["residual_fraction"] == pytest.approx(0.1)
    editor.edit("costs.server_price_usd", "12000")
    editor.edit("costs.server_base_power_w", "800")
    next_evaluation(qtbot, view)

    editor.ranges.add_range("costs.energy_usd_per_kwh")
    ranges = scenario_store.get(ws.db, sid)["uncertainty"]
    assert ranges["costs.energy_usd_per_kwh"]["low"] == pytest.approx(0.0825 * 0.8)
    content = next_evaluation(qtbot, view)
    assert content.charts is not None and content.charts.tornado.rows
    line = editor.ranges.lines["costs.energy_usd_per_kwh"]
    line.low.setText("0.2")  # above high: refused with the rule at the range
    line.low.editingFinished.emit()
    assert "high" in line.error.text() and "low" in line.error.text()
    assert scenario_store.get(ws.db, sid)["uncertainty"] == ranges


def test_a_broken_scenario_is_not_evaluated_and_its_field_is_marked(
        qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    sid = scenario_store.insert(ws.db, {"schema_version": 1, "name": "Half done",
                                        "workloads": [{"name": "chat", "model": "llama-3.1-8b",
                                                       "users": 10}],
                                        "deployment": {"accelerator": "nvidia-l40s-48gb"}})
    view = _dashboard(window)
    view.open_scenario(sid)
    content = next_evaluation(qtbot, view)
    assert content.live.result is None and content.live.problem is not None
    path = content.live.problem.path
    assert path == "workloads[0].requests_per_user_per_day"
    assert view.editor.row(path).error.text() == "is required for a chat workload"
    assert view.problem.isVisible() and "Requests per user" in view.problem.text()
    assert view.editor.edit(path, "12")  # fixing it evaluates again
    content = next_evaluation(qtbot, view)
    assert content.live.problem is None or content.live.problem.path != path
    assert not view.editor.row(path).error.isVisible()


def test_full_precision_shows_progress_and_can_be_cancelled(qtbot: QtBot,
                                                            demo_window: MainWindow) -> None:
    view = _dashboard(demo_window)
    qtbot.waitUntil(lambda: view.content is not None, timeout=WAIT_MS)
    before = view.content
    demo_window.tasks.show_after_ms = 0
    view.full_button.click()
    indicator = demo_window.tasks.indicator
    qtbot.waitUntil(lambda: indicator.isVisible(), timeout=5000)
    assert f"{FULL_DRAWS:,} draws" in indicator.label.toolTip()
    with qtbot.waitSignal(view.live.cancelled, timeout=5000):
        qtbot.mouseClick(indicator.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=5000)
    assert view.content is before  # the cancelled run never replaces what is shown
    assert "cancelled" in demo_window.statusBar().currentMessage()


def test_editor_can_be_hidden_for_a_full_width_dashboard(qtbot: QtBot,
                                                         demo_window: MainWindow) -> None:
    view = _dashboard(demo_window)
    qtbot.waitUntil(lambda: view.content is not None, timeout=WAIT_MS)
    view.toggle_editor()
    assert not view.editor.isVisible()
    assert view.editor_button.text() == messages.DASHBOARD_SHOW_EDITOR
    qtbot.waitUntil(lambda: view._columns == 2, timeout=3000)  # two columns of charts
    view.toggle_editor()
    assert view.editor.isVisible()


def test_bad_input_a_new_user_might_type(qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    window.scenarios_view().create_from_template("Typos", "chat")
    view = _dashboard(window)
    sid = scenario_store.find(ws.db, "Typos")
    editor = view.editor
    before = scenario_store.snapshot(ws.db, sid)
    model = editor.row("workloads[0].model")
    model.combo.setEditText("gpt-4-local")  # not a catalog model
    model._typed()
    assert model.error.text() == messages.EDITOR_NOT_IN_CATALOG.format(value="gpt-4-local")
    assert not editor.edit("name", "   ")
    assert editor.row("name").error.text() == "is required"
    assert not editor.edit("costs.horizon_months", "0")
    assert editor.row("costs.horizon_months").error.text() == "must be at least 1"
    assert not editor.edit("workloads[0].slo_percentile", "100")
    assert editor.row("workloads[0].slo_percentile").error.text() == "must be less than 100 %"
    assert not editor.edit("deployment.redundancy", "two")
    assert scenario_store.snapshot(ws.db, sid) == before  # nothing stored
    assert window.undo_action.text().replace("&", "").startswith("Undo New scenario Typos")

    model.choose("llama-3.1-8b")  # a real pick clears the mark and is saved
    assert not model.error.isVisible()
    assert scenario_store.get(ws.db, sid)["workloads"][0]["model"] == "llama-3.1-8b"


def test_deleting_the_open_scenario_empties_the_dashboard(qtbot: QtBot, window: MainWindow,
                                                          ws: Workspace) -> None:
    scenarios = window.scenarios_view()
    scenarios.create_from_template("Short-lived", "batch")
    view = _dashboard(window)
    sid = scenario_store.find(ws.db, "Short-lived")
    assert view.scenario_id == sid
    window.show_screen("Scenarios")
    scenarios.select_id(sid)
    scenarios.delete_selected()
    assert view.scenario_id is None and not view.editor.isEnabled()
    assert view.picker.count() == 0
    window.undo_action.trigger()  # the scenario comes back and can be opened again
    assert view.picker.count() == 1


def test_a_workload_kind_brings_its_own_section(qtbot: QtBot, window: MainWindow,
                                                ws: Workspace) -> None:
    window.scenarios_view().create_from_template("Kinds", "chat")
    view = _dashboard(window)
    sid = scenario_store.find(ws.db, "Kinds")
    editor = view.editor
    assert editor.row("workloads[0].embedding.chunk_tokens") is None
    editor.add_workload("embedding")
    assert editor.workload_tabs.count() == 2
    chunk = editor.row("workloads[1].embedding.chunk_tokens")
    assert chunk is not None and chunk.unit.text() == "tokens/chunk"
    assert editor.edit("workloads[1].embedding.chunk_tokens", "256")
    stored = scenario_store.get(ws.db, sid)["workloads"][1]["embedding"]
    assert stored["chunk_tokens"] == 256
    assert editor.row("deployment.gpu_sharing") is not None
    window.undo_action.trigger()
    window.undo_action.trigger()  # the added workload goes away with its section
    assert editor.workload_tabs.count() == 1
    assert editor.row("workloads[1].embedding.chunk_tokens") is None
