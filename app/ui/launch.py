"""Start the GUI: application object, shipped fonts, the workspace, the main window.

`--smoke` shows the window, visits every screen (saving a PNG of each with `--screenshots DIR`)
and exits 0; CI and the packaged build use it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import UserError
from app.paths import resources_dir


def load_fonts() -> str:
    """Register the shipped DejaVu fonts so screen and PDF look the same everywhere."""
    family = ""
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families and families[0] == "DejaVu Sans":
            family = families[0]
    return family or "DejaVu Sans"


def make_app() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Enclave")
    app.setOrganizationName("Enclave")
    app.setFont(QFont(load_fonts(), 10))
    return app


def run_gui(args: argparse.Namespace) -> int:
    from app.operations.workspace_ops import open_workspace
    from app.ui.main_window import MainWindow

    app = make_app()
    try:
        workspace = open_workspace(args.workspace)
    except UserError as exc:
        if args.smoke:
            raise
        QMessageBox.critical(None, "Enclave: cannot open the workspace", str(exc))
        return 2
    window = MainWindow(workspace)
    window.show()
    if args.smoke:
        shots = Path(args.screenshots) if args.screenshots else None
        QTimer.singleShot(0, lambda: _smoke(window, shots, app))
    code = app.exec()
    workspace.close()
    return code


def _smoke(window: object, shots: Path | None, app: QApplication) -> None:
    from app.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        for name in window.visit_all_screens(shots):
            print(f"smoke: visited {name}")
    finally:
        app.quit()
