"""About Enclave: versions of everything that computes or draws, the offline guarantee, and the
licence of the bundled fonts."""

from __future__ import annotations

import html
import platform
import sqlite3
from importlib import metadata

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.paths import resources_dir
from app.storage.migrations import SCHEMA_VERSION
from app.ui import messages


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_rows(catalog_version: str) -> list[tuple[str, str]]:
    """(component, version) for the About box; reads package metadata, imports nothing heavy."""
    return [
        ("Enclave", __version__),
        ("Reference catalog", catalog_version or "—"),
        ("Workspace format", str(SCHEMA_VERSION)),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("pyqtgraph", _dist_version("pyqtgraph")),
        ("numpy", _dist_version("numpy")),
        ("SQLite", sqlite3.sqlite_version),
        ("sqlite-utils", _dist_version("sqlite-utils")),
        ("Python", platform.python_version()),
    ]


def font_licence_text() -> str:
    path = resources_dir() / "fonts" / "LICENSE-DejaVu.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return "The DejaVu licence file is missing from this installation."


class AboutDialog(QDialog):
    def __init__(self, catalog_version: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(messages.ABOUT_TITLE)
        self.rows = version_rows(catalog_version)
        title = QLabel(f"Enclave {html.escape(__version__)}")
        title.setObjectName("heading")
        tagline = QLabel(messages.ABOUT_TAGLINE)
        tagline.setObjectName("summary")
        table = "".join(f"<tr><td style='padding-right:18px; color:#5f6b7a'>{html.escape(k)}"
                        f"</td><td><b>{html.escape(v)}</b></td></tr>" for k, v in self.rows)
        self.versions = QLabel(f"<table cellspacing='0' cellpadding='2'>{table}</table>")
        self.versions.setObjectName("versions")
        offline_box = QFrame()
        offline_box.setObjectName("offlineBox")
        offline_box.setStyleSheet("QFrame#offlineBox { background: #eaf3ea; "
                                  "border: 1px solid #b9d7b9; border-radius: 6px; }")
        offline_layout = QVBoxLayout(offline_box)
        offline_title = QLabel(f"<b>{html.escape(messages.ABOUT_OFFLINE_HEADING)}</b>")
        self.offline = QLabel(messages.ABOUT_OFFLINE)
        self.offline.setWordWrap(True)
        offline_layout.addWidget(offline_title)
        offline_layout.addWidget(self.offline)
        self.fonts = QLabel(messages.ABOUT_FONTS)
        self.fonts.setWordWrap(True)
        self.licence = QPlainTextEdit(font_licence_text())
        self.licence.setReadOnly(True)
        self.licence.setFixedHeight(200)
        self.licence.hide()
        self.licence_button = QPushButton(messages.ABOUT_SHOW_LICENCE)
        self.licence_button.setCheckable(True)
        self.licence_button.toggled.connect(self._toggle_licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(tagline)
        layout.addWidget(self.versions)
        layout.addWidget(offline_box)
        layout.addWidget(self.fonts)
        layout.addWidget(self.licence_button)
        layout.addWidget(self.licence)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _toggle_licence(self, shown: bool) -> None:
        self.licence.setVisible(shown)
        self.resize(self.width(), self.sizeHint().height())

    def text(self) -> str:
        """Everything the dialog says, as plain text (for tests and copy/paste)."""
        versions = "\n".join(f"{k}: {v}" for k, v in self.rows)
        return f"{versions}\n{self.offline.text()}\n{self.fonts.text()}"
