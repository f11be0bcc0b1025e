"""Scenarios screen: new, duplicate, rename, delete with undo; double-click opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.storage import messages as store_messages
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.dialogs.name_dialog import NameDialog
from app.ui.main_window import MainWindow
from app.ui.views.scenarios_view import ScenariosView


def _view(window: MainWindow) -> ScenariosView:
    view = window.show_screen("Scenarios")
    assert isinstance(view, ScenariosView)
    return view


def test_new_duplicate_rename_delete_and_undo(qtbot: QtBot, window: MainWindow,
                                              ws: Workspace) -> None:
    view = _view(window)
    assert view.summary.text() == messages.SCENARIOS_EMPTY
    dialog = view.ask_new()
    assert dialog.edit.text() == messages.SCENARIO_NAME_DEFAULT
    dialog.edit.setText("   ")
    assert dialog.error.text() == store_messages.SCENARIO_NAME_EMPTY
    assert not dialog.ok_button.isEnabled()
    dialog.edit.setText("Pilot")
    dialog.ok_button.click()
    assert view.names() == ["Pilot"]
    assert view.summary.text() == messages.SCENARIOS_SUMMARY.format(count="1 scenario")
    pilot = view.selected_id()
    assert pilot is not None

    view.duplicate_selected()
    assert sorted(view.names()) == ["Pilot", "Pilot (copy)"]
    assert view.selected_id() != pilot

    view.select_id(pilot)
    rename = view.ask_rename()
    assert rename is not None
    rename.edit.setText("pilot (COPY)")
    assert rename.error.text() == store_messages.SCENARIO_NAME_TAKEN.format(name="pilot (COPY)")
    assert not rename.ok_button.isEnabled()
    rename.edit.setText("Pilot, phase 1")
    rename.ok_button.click()
    assert sorted(view.names()) == ["Pilot (copy)", "Pilot, phase 1"]

    view.select_id(pilot)
    view.delete_action.trigger()
    assert view.names() == ["Pilot (copy)"]
    assert window.undo_action.text().replace("&", "") == "Undo Delete Pilot, phase 1"
    window.undo_action.trigger()
    assert sorted(view.names()) == ["Pilot (copy)", "Pilot, phase 1"]
    assert view.selected_id() == pilot
    window.undo_action.trigger()  # rename
    window.undo_action.trigger()  # duplicate
    window.undo_action.trigger()  # new
    assert view.names() == []
    for _ in range(4):
        window.redo_action.trigger()
    assert view.names() == ["Pilot (copy)"]


def test_double_click_opens_the_scenario(qtbot: QtBot, window: MainWindow,
                                         ws: Workspace) -> None:
    scenario_id = scenario_store.insert(ws.db, {"name": "Chat for 400 users", "schema_version": 1,
                                                "workloads": [{"model": "llama-3.1-70b"}]})
    view = _view(window)
    view.refresh()
    view.select_id(scenario_id)
    assert '"model": "llama-3.1-70b"' in view.preview.toPlainText()
    index = view.proxy.index(0, 0)
    opened: list[int] = []
    view.open_scenario.connect(opened.append)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [scenario_id]  # once, not once per signal
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened == [scenario_id, scenario_id]
    assert view.preview.isReadOnly()


def test_screen_shortcuts_work_from_the_navigation(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    _view(window)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialogs = [d for d in window.findChildren(NameDialog) if d.isVisible()]
    assert [d.windowTitle() for d in dialogs] == [messages.SCENARIO_NEW_TITLE]
    dialogs[0].reject()
