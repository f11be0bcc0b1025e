"""The undo stack and change hub: views refresh from `changed(Change)`; a step that no longer
matches the workspace is refused with a message and the history is cleared."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.operations import catalog_ops, scenario_ops
from app.operations.change import CATALOG, SCENARIO, Change
from app.storage import catalog_store, scenario_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.main_window import MainWindow
from tests.ui.conftest import take_message


def test_every_step_is_announced_once(qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    seen: list[Change] = []
    window.events.changed.connect(seen.append)
    window.undo.run(lambda: scenario_ops.create_scenario(ws, "Announced"))
    window.undo.undo()
    window.undo.redo()
    assert [(c.kind, c.description) for c in seen] == [(SCENARIO, "New scenario Announced")] * 3
    assert window.statusBar().currentMessage() == messages.STATUS_REDONE.format(
        what="New scenario Announced")
    assert "Announced" in window.scenarios_view().names()
    window.undo.undo()
    assert window.statusBar().currentMessage() == messages.STATUS_UNDONE.format(
        what="New scenario Announced")
    assert "Announced" not in window.scenarios_view().names()


def test_a_refused_operation_pushes_nothing(window: MainWindow, ws: Workspace) -> None:
    window.undo.run(lambda: scenario_ops.create_scenario(ws, "Once"))
    try:
        window.undo.run(lambda: scenario_ops.create_scenario(ws, "Once"))
    except scenario_store.ScenarioStoreError as exc:
        assert "already exists" in str(exc)
    assert window.undo.stack.count() == 1


def test_undo_after_an_outside_change_is_refused_and_clears_history(
        qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    entry = catalog_store.get_entry(ws.db, "servers", "nvidia-dgx-h100")
    assert entry is not None
    window.undo.run(lambda: catalog_ops.edit_entry(ws, "servers", {**entry, "rack_units": 9}))
    catalog_store.save_entry(ws.db, "servers", {**entry, "rack_units": 10})  # the CLI, say
    changes: list[Change] = []
    window.events.changed.connect(changes.append)
    window.undo_action.trigger()
    box = take_message(qtbot, window)
    assert box.windowTitle() == messages.UNDO_FAILED_TITLE
    assert "was changed outside this undo history" in box.text()
    box.close()
    qtbot.waitUntil(lambda: window.undo.stack.count() == 0, timeout=2000)
    assert catalog_store.get_entry(ws.db, "servers", "nvidia-dgx-h100")["rack_units"] == 10  # type: ignore[index]
    assert changes and changes[0].kind == CATALOG  # views still refresh to what is stored
