"""GUI test fixtures: a fresh workspace, the main window on it, and message-box helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.operations.workspace_ops import open_workspace
from app.reports.dashboard import DashboardContent
from app.storage.workspace import Workspace
from app.ui.launch import configure_app
from app.ui.main_window import MainWindow
from app.ui.views.dashboard_view import DashboardView


@pytest.fixture(autouse=True)
def _enclave_look(qapp: QApplication) -> None:
    """Shipped fonts and the style sheet, as the real app has them (screenshots match)."""
    configure_app(qapp)


@pytest.fixture
def ws(tmp_path: Path, qapp: QApplication) -> Iterator[Workspace]:
    # Without the demo scenarios, so each test sees only the scenarios it creates.
    workspace = open_workspace(tmp_path / "ws.enclave.sqlite", with_demos=False)
    yield workspace
    workspace.close()


@pytest.fixture
def window(qtbot: QtBot, ws: Workspace) -> Iterator[MainWindow]:
    win = MainWindow(ws)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.tasks.shutdown()
    win.workspace.close()


@contextmanager
def demo_window_on(qtbot: QtBot, tmp_path: Path,
                   size: tuple[int, int] | None = None) -> Iterator[MainWindow]:
    """A shown window on a new workspace with the shipped demo scenarios (resized first to
    `size`), closed afterwards."""
    ws = open_workspace(tmp_path / "demo.enclave.sqlite")
    win = MainWindow(ws)
    win.persist_layout = False
    if size is not None:
        win.resize(*size)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.workspace.close()


@pytest.fixture
def demo_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """A window on a workspace with the shipped demo scenarios."""
    with demo_window_on(qtbot, tmp_path) as win:
        yield win


def next_evaluation(qtbot: QtBot, view: DashboardView, timeout_ms: int = 20_000
                    ) -> DashboardContent:
    """Wait for the dashboard's next evaluation and return what it showed."""
    with qtbot.waitSignal(view.live.evaluated, timeout=timeout_ms) as blocker:
        pass
    content = blocker.args[0]
    assert isinstance(content, DashboardContent)
    return content


def message_boxes(parent: QWidget | None = None) -> list[QMessageBox]:
    """Message boxes currently shown (children of `parent`, or anywhere)."""
    boxes = parent.findChildren(QMessageBox) if parent is not None else [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    return [b for b in boxes if b.isVisible()]


def take_message(qtbot: QtBot, parent: QWidget | None = None) -> QMessageBox:
    """Wait for exactly one message box, and return it (still open)."""
    qtbot.waitUntil(lambda: len(message_boxes(parent)) == 1, timeout=5000)
    return message_boxes(parent)[0]
