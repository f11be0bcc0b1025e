"""The main window: default workspace, navigation, workspace files, About, no tracebacks."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene
from pytestqt.qtbot import QtBot

from app.errors import UserError
from app.operations.workspace_ops import open_workspace
from app.paths import default_workspace_path
from app.storage import scenario_store
from app.storage.settings import load_settings
from app.storage.workspace import Workspace
from app.ui import launch, messages
from app.ui.main_window import SCREENS, MainWindow
from app.ui.views.catalog_view import CatalogView
from app.ui.views.scenarios_view import ScenariosView
from tests.ui.conftest import take_message


def test_pyside_removeitem_keeps_none_refcount(qapp: object) -> None:
    """Guard against PySide6 6.12.0, which aborts with pyqtgraph (see STACK.md)."""
    scene = QGraphicsScene()
    items = [QGraphicsRectItem(0, 0, 1, 1) for _ in range(500)]
    for item in items:
        scene.addItem(item)
    before = sys.getrefcount(None)
    for item in items:
        scene.removeItem(item)
    assert sys.getrefcount(None) - before > -400


def test_opens_the_default_workspace_seeded_with_the_catalog(qtbot: QtBot) -> None:
    ws = open_workspace(None)
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert ws.path == default_workspace_path()
    assert window.windowTitle() == messages.WINDOW_TITLE.format(workspace=ws.path.name)
    catalog = window.catalog_view()
    assert catalog.proxy.rowCount() == len(ws.catalog.entries["models"]) > 0
    status = window.status_text()
    assert str(ws.path) in status
    assert messages.STATUS_CATALOG.format(version=ws.catalog.version) in status
    assert messages.STATUS_OFFLINE in status
    assert window.width() >= 1280 and window.height() >= 800
    window.close()
    ws.close()


def test_window_lists_scenarios_and_catalog(qtbot: QtBot, window: MainWindow,
                                            ws: Workspace) -> None:
    scenario_store.insert(ws.db, {"name": "Pilot on two GPUs", "schema_version": 1})
    scenarios = window.show_screen("Scenarios")
    assert isinstance(scenarios, ScenariosView)
    scenarios.refresh()
    assert "Pilot on two GPUs" in scenarios.names()
    catalog = window.show_screen("Catalog")
    assert isinstance(catalog, CatalogView)
    catalog.set_kind("accelerators")
    assert catalog.proxy.rowCount() == len(ws.catalog.entries["accelerators"])
    catalog.search.setText("H100")
    assert 0 < catalog.proxy.rowCount() < len(ws.catalog.entries["accelerators"])


def test_keyboard_navigation_between_screens(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    for number, screen_type in reversed(list(enumerate(SCREENS, start=1))):
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + number),
                       Qt.KeyboardModifier.ControlModifier)
        assert isinstance(window.current_screen(), screen_type)
    assert [a.shortcut().toString() for a in window.screen_actions] == \
        [f"Ctrl+{n}" for n in range(1, len(SCREENS) + 1)]
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert [s.toString() for s in window.redo_action.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_smoke_visits_every_screen_and_saves_pictures(window: MainWindow, tmp_path: Path) -> None:
    visited = list(window.visit_all_screens(tmp_path / "shots"))
    assert visited == [s.title for s in SCREENS]
    pictures = sorted((tmp_path / "shots").glob("*.png"))
    assert len(pictures) == len(SCREENS)
    assert all(p.stat().st_size > 5000 for p in pictures)


def test_a_non_workspace_file_is_refused_and_the_workspace_stays_open(
        qtbot: QtBot, window: MainWindow, ws: Workspace, tmp_path: Path) -> None:
    not_a_workspace = tmp_path / "notes.txt"
    not_a_workspace.write_text("hello", encoding="utf-8")
    assert window.open_workspace_path(not_a_workspace) is False
    box = take_message(qtbot, window)
    assert box.windowTitle() == messages.OPEN_WORKSPACE_TITLE
    assert box.text() == f"{not_a_workspace}: is not an Enclave workspace (not an SQLite file)"
    assert "Traceback" not in box.text() and box.detailedText() == ""
    box.close()
    assert window.workspace is ws
    assert ws.db.execute("SELECT count(*) FROM catalog").fetchone()[0] > 0  # still open
    assert not_a_workspace.read_text(encoding="utf-8") == "hello"

    assert window.open_workspace_path(tmp_path / "gone.sqlite") is False
    box = take_message(qtbot, window)
    assert box.text() == messages.WORKSPACE_MISSING.format(path=tmp_path / "gone.sqlite")
    box.close()
    assert window.workspace is ws


def test_new_open_and_save_a_copy(qtbot: QtBot, window: MainWindow, ws: Workspace,
                                  tmp_path: Path) -> None:
    scenario_store.insert(ws.db, {"name": "Only in the first", "schema_version": 1})
    copy_path = tmp_path / "copy.enclave.sqlite"
    assert window.save_copy_to(copy_path)
    assert window.workspace is ws

    second = tmp_path / "second.enclave.sqlite"
    assert window.new_workspace_path(second)
    assert window.workspace.path == second
    assert window.scenarios_view().names() == []
    assert window.catalog_view().model.rowCount() > 0
    assert window.windowTitle() == messages.WINDOW_TITLE.format(workspace=second.name)
    assert not window.undo.stack.canUndo()

    assert window.new_workspace_path(second) is False  # never overwrites
    box = take_message(qtbot, window)
    assert box.text() == messages.WORKSPACE_EXISTS.format(path=second)
    box.close()

    assert window.open_workspace_path(copy_path)
    assert window.scenarios_view().names() == ["Only in the first"]
    recent = load_settings().recent_workspaces
    assert recent[:3] == (str(copy_path.resolve()), str(second.resolve()), str(ws.path.resolve()))
    window.clear_recent()
    assert load_settings().recent_workspaces == ()


def test_about_shows_versions_and_the_offline_guarantee(window: MainWindow) -> None:
    import numpy
    import PySide6
    from PySide6.QtCore import qVersion

    dialog = window.show_about()
    text = dialog.text()
    for expected in (f"Enclave: {__import__('app').__version__}", f"Qt: {qVersion()}",
                     f"PySide6: {PySide6.__version__}", f"numpy: {numpy.__version__}",
                     "pyqtgraph: 0.14.0", f"Reference catalog: {window.workspace.catalog.version}",
                     "SQLite: 3."):
        assert expected in text
    assert messages.ABOUT_OFFLINE in text
    assert messages.ABOUT_FONTS in text
    assert dialog.licence.isHidden()
    dialog.licence_button.click()
    assert not dialog.licence.isHidden()
    assert "Bitstream" in dialog.licence.toPlainText()
    dialog.close()


def test_layout_and_preferences_persist(qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    window.show_screen("Catalog")
    window.catalog_view().set_kind("servers")
    window.close()
    settings = load_settings()
    assert settings.last_screen == "Catalog"
    assert settings.catalog_kind == "servers"
    assert settings.window_geometry
    again = MainWindow(ws)
    qtbot.addWidget(again)
    again.restore_layout()
    assert isinstance(again.current_screen(), CatalogView)
    assert again.catalog_view().current_kind == "servers"


def test_an_exception_escaping_a_slot_becomes_a_message(qtbot: QtBot, window: MainWindow,
                                                       qapp: QApplication) -> None:
    saved = sys.excepthook
    try:
        launch._install_excepthook(window, qapp, smoke=False)
        try:
            raise RuntimeError("slot bug")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        box = take_message(qtbot, window)
        assert box.windowTitle() == messages.INTERNAL_ERROR_TITLE
        assert box.text() == messages.INTERNAL_ERROR_TEXT.format(doing=messages.DOING_AN_ACTION)
        assert "RuntimeError: slot bug" in box.informativeText()
        assert "Traceback" in box.detailedText()
        box.close()
        sys.excepthook(UserError, UserError("name: must not be empty"), None)
        box = take_message(qtbot, window)
        assert (box.windowTitle(), box.text()) == (messages.APP_NAME, "name: must not be empty")
        box.close()
    finally:
        sys.excepthook = saved


def test_smoke_command_exits_zero_and_saves_every_screen(tmp_path: Path) -> None:
    """`enclave --smoke` in its own process (its event loop quits, which a test app must not)."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--smoke", "--workspace",
         str(tmp_path / "smoke.enclave.sqlite"), "--screenshots", str(tmp_path / "shots")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"smoke: visited {s.title}" for s in SCREENS]
    assert "Traceback" not in done.stderr
    assert len(list((tmp_path / "shots").glob("*.png"))) == len(SCREENS)
    assert not load_settings().window_geometry  # --smoke leaves preferences alone


def test_a_read_only_workspace_says_so_in_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    with open_workspace(path):
        pass
    with open_workspace(path, read_only=True) as ro:
        window = MainWindow(ro)
        qtbot.addWidget(window)
        assert window.windowTitle().endswith(messages.WINDOW_TITLE_READ_ONLY)
        assert window.notice_label.text() == ro.notice
        assert "read-only" in ro.notice
        window.tasks.shutdown()
        window.close()


def test_a_refreshed_reference_catalog_is_named_in_the_window(qtbot: QtBot,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "older.sqlite"
    with open_workspace(path) as ws:  # as an older release left it: one stale value
        with ws.db.atomic():
            ws.db.execute("UPDATE catalog SET data=json_set(data, '$.memory_gb', 1) "
                          "WHERE kind='accelerators' AND id=(SELECT min(id) FROM catalog "
                          "WHERE kind='accelerators')")
            ws.db.execute("UPDATE meta SET value='older' WHERE key='shipped_catalog_sha256'")
    with open_workspace(path) as ws:
        window = MainWindow(ws)
        qtbot.addWidget(window)
        text = window.notice_label.text()
        assert text.startswith("Reference catalog updated to ")
        assert text.endswith("(entries refreshed: 1, added: 0; your edits kept: 0)")
        assert not window.notice_label.isHidden()
        window.tasks.shutdown()
        window.close()
