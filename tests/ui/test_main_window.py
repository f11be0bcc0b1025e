"""The main window opens on a workspace and shows its scenarios and catalog."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene
from pytestqt.qtbot import QtBot

from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui.main_window import MainWindow
from app.ui.views.catalog_view import CatalogView
from app.ui.views.scenarios_view import ScenariosView


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    yield workspace  # type: ignore[misc]
    workspace.close()


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


def test_window_lists_scenarios_and_catalog(qtbot: QtBot, ws: Workspace) -> None:
    scenario_store.insert(ws.db, {"name": "Pilot on two GPUs", "schema_version": 1})
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    scenarios = window.show_screen("Scenarios")
    assert isinstance(scenarios, ScenariosView)
    scenarios.refresh()
    names = [scenarios.proxy.index(r, 0).data() for r in range(scenarios.proxy.rowCount())]
    assert "Pilot on two GPUs" in names
    catalog = window.show_screen("Catalog")
    assert isinstance(catalog, CatalogView)
    assert catalog.proxy.rowCount() == len(ws.catalog.models)
    catalog.kind.setCurrentIndex(catalog.kind.findData("accelerators"))
    assert catalog.proxy.rowCount() == len(ws.catalog.entries["accelerators"])
    catalog.search.setText("H100")
    assert 0 < catalog.proxy.rowCount() < len(ws.catalog.entries["accelerators"])
    assert "no network connections" in window.status_label.text()
    assert str(ws.path) in window.status_label.text()


def test_smoke_visits_every_screen_and_saves_pictures(qtbot: QtBot, ws: Workspace,
                                                      tmp_path: Path) -> None:
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    visited = list(window.visit_all_screens(tmp_path / "shots"))
    assert visited == [s.title for s in window.screens]  # type: ignore[attr-defined]
    pictures = sorted((tmp_path / "shots").glob("*.png"))
    assert len(pictures) == len(window.screens)
    assert all(p.stat().st_size > 5000 for p in pictures)
