"""The main window: navigation on the left, one screen at a time on the right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app import __version__
from app.storage.workspace import Workspace
from app.ui.views.catalog_view import CatalogView
from app.ui.views.scenarios_view import ScenariosView


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.setWindowTitle(f"Enclave — {workspace.path.name}")
        self.resize(1280, 800)
        self.nav = QListWidget()
        self.nav.setFixedWidth(180)
        self.nav.setObjectName("navigation")
        self.stack = QStackedWidget()
        self.screens: list[QWidget] = [ScenariosView(workspace), CatalogView(workspace)]
        for screen in self.screens:
            self.nav.addItem(str(getattr(screen, "title", type(screen).__name__)))
            self.stack.addWidget(screen)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        catalog = workspace.catalog
        self.status_label = status = QLabel(
            f"Workspace: {workspace.path}   ·   Catalog {catalog.version}   ·   "
            f"Enclave {__version__}   ·   Offline: no network connections are ever made"
        )
        status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(status, 1)

    def show_screen(self, title: str) -> QWidget:
        for row, screen in enumerate(self.screens):
            if getattr(screen, "title", "") == title:
                self.nav.setCurrentRow(row)
                return screen
        raise KeyError(title)

    def visit_all_screens(self, screenshots: Path | None) -> Iterator[str]:
        """Show each screen in turn (saving `NN-title.png` to `screenshots`)."""
        if screenshots:
            screenshots.mkdir(parents=True, exist_ok=True)
        for row, screen in enumerate(self.screens):
            self.nav.setCurrentRow(row)
            QCoreApplication.processEvents()
            title = str(getattr(screen, "title", row))
            if screenshots:
                slug = title.lower().replace(" ", "-")
                self.grab().save(str(screenshots / f"{row + 1:02d}-{slug}.png"))
            yield title
