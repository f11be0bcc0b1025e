"""Scenarios screen: Import… and Export… of bundles, the name-clash question, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.operations.bundles import export_scenarios, read_bundle_file
from app.operations.workspace_ops import demo_scenarios, open_workspace
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.views.scenarios_view import ScenariosView
from tests.ui.conftest import message_boxes, take_message

DEMOS = sorted(d["name"] for d in demo_scenarios())


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    with open_workspace(tmp_path / "other-site.sqlite") as other:
        out = tmp_path / "from-site-b.enclave.zip"
        export_scenarios(other, [r.id for r in scenario_store.list_rows(other.db)], out)
    return out


def _view(window: MainWindow) -> ScenariosView:
    view = window.show_screen("Scenarios")
    assert isinstance(view, ScenariosView)
    return view


def _box_with_title(window: MainWindow, title: str) -> QMessageBox:
    boxes = [b for b in message_boxes(window) if b.windowTitle() == title]
    assert len(boxes) == 1
    return boxes[0]


def test_import_selects_what_came_in_and_undo_takes_it_back(
        qtbot: QtBot, window: MainWindow, ws: Workspace, bundle_file: Path) -> None:
    view = _view(window)
    assert view.import_action.isEnabled() and not view.export_action.isEnabled()
    view.bundles.import_file(bundle_file)
    qtbot.waitUntil(lambda: sorted(view.names()) == DEMOS, timeout=5000)
    assert len(view.selected_ids()) == len(DEMOS)
    assert window.statusBar().currentMessage() == messages.STATUS_IMPORTED.format(
        count=f"{len(DEMOS)} scenarios", name=bundle_file.name)
    assert window.undo_action.text().replace("&", "") == (
        f"Undo Import {len(DEMOS)} scenarios from {bundle_file.name}")
    window.undo_action.trigger()
    assert view.names() == []
    window.redo_action.trigger()
    assert sorted(view.names()) == DEMOS


@pytest.mark.parametrize(("button", "expected"), [
    (messages.CLASH_RENAME, sorted(DEMOS + [f"{DEMOS[0]} (2)"])),
    (messages.CLASH_REPLACE, DEMOS),
    (messages.CLASH_SKIP, DEMOS),
])
def test_name_clashes_are_asked_about(qtbot: QtBot, window: MainWindow, ws: Workspace,
                                      bundle_file: Path, button: str,
                                      expected: list[str]) -> None:
    view = _view(window)
    existing = scenario_store.insert(ws.db, {"schema_version": 1, "name": DEMOS[0]})
    view.refresh()
    box = view.bundles.bundle_read(read_bundle_file(bundle_file))
    assert box is not None and box.isVisible()
    assert box.text() == messages.CLASH_TEXT.format(count="1 scenario", name=bundle_file.name)
    assert box.informativeText() == f"• {DEMOS[0]}"
    chosen = next(b for b in box.buttons() if b.text() == button)
    chosen.click()
    assert sorted(view.names()) == expected
    replaced = scenario_store.get(ws.db, existing)
    assert bool(replaced.get("workloads")) == (button == messages.CLASH_REPLACE)


def test_cancelling_the_question_imports_nothing(qtbot: QtBot, window: MainWindow,
                                                 ws: Workspace, bundle_file: Path) -> None:
    view = _view(window)
    scenario_store.insert(ws.db, {"schema_version": 1, "name": DEMOS[1]})
    box = view.bundles.bundle_read(read_bundle_file(bundle_file))
    assert box is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert [r.name for r in scenario_store.list_rows(ws.db)] == [DEMOS[1]]
    assert not window.undo.stack.canUndo()


def test_a_bad_bundle_is_reported_with_its_reason(qtbot: QtBot, window: MainWindow,
                                                  ws: Workspace, bundle_file: Path,
                                                  tmp_path: Path) -> None:
    view = _view(window)
    truncated = tmp_path / "cut.enclave.zip"
    truncated.write_bytes(bundle_file.read_bytes()[:-200])
    view.bundles.import_file(truncated)
    box = take_message(qtbot, window)
    assert box.windowTitle() == messages.IMPORT_BUNDLE_FAILED_TITLE
    assert box.text().startswith("cut.enclave.zip: is damaged or truncated")
    box.close()
    assert scenario_store.list_rows(ws.db) == []


def test_export_the_selected_scenarios(qtbot: QtBot, window: MainWindow, ws: Workspace,
                                       bundle_file: Path, tmp_path: Path) -> None:
    view = _view(window)
    view.bundles.run_import(read_bundle_file(bundle_file), "rename")
    view.select_ids([r.id for r in scenario_store.list_rows(ws.db)][:2])
    assert view.export_action.isEnabled()
    assert not view.rename_action.isEnabled()  # renaming needs exactly one
    out = tmp_path / "two.enclave.json"
    assert view.bundles.export_to(out)
    assert [s.name for s in read_bundle_file(out).scenarios] == DEMOS[:2]
    assert window.statusBar().currentMessage() == messages.STATUS_EXPORTED.format(
        count="2 scenarios", path=out)
    assert not view.bundles.export_to(tmp_path / "two.json")  # one scenario per plain file
    box = _box_with_title(window, messages.EXPORT_BUNDLE_FAILED_TITLE)
    assert "holds one scenario" in box.text()
    box.close()
