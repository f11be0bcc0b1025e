"""Export any chart to PNG or SVG from its context menu (and from a small menu button).

The chart writes the file itself (`Chart.export_file`, atomic, through `save_user_file`); this
module adds the GUI around it: the actions, the file dialog, and the messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from app.errors import UserError
from app.paths import user_data_dir
from app.reports.charts.base import Chart
from app.ui import messages
from app.ui.dialogs.alerts import show_message


def ask_save_path(parent: QWidget | None, suggested: str, file_filter: str) -> str:
    """The file the user picks ('' when cancelled); tests replace this function."""
    name, _ = QFileDialog.getSaveFileName(parent, messages.CHART_EXPORT_TITLE, suggested,
                                          file_filter)
    return name


def export_chart(chart: Chart, suffix: str, status: Callable[[str], None] | None = None,
                 parent: QWidget | None = None) -> Path | None:
    """Ask where, then write the chart as `suffix` (`.png`/`.svg`); None when cancelled or
    when it could not be written (the user is told why)."""
    folder = Path.home() if Path.home().is_dir() else user_data_dir()
    file_filter = messages.CHART_PNG_FILTER if suffix == ".png" else messages.CHART_SVG_FILTER
    name = ask_save_path(parent or chart, str(folder / chart.suggested_file_name(suffix)),
                         file_filter)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    try:
        written = chart.export_file(path)
    except UserError as exc:
        show_message(parent or chart, messages.CHART_EXPORT_FAILED_TITLE, str(exc))
        return None
    if status is not None:
        status(messages.STATUS_CHART_EXPORTED.format(path=written))
    return written


def install_export_actions(chart: Chart, status: Callable[[str], None] | None = None,
                           parent: QWidget | None = None) -> list[QAction]:
    """Right-click on the chart offers PNG and SVG export."""
    actions = []
    for text, suffix in ((messages.CHART_EXPORT_PNG, ".png"), (messages.CHART_EXPORT_SVG,
                                                                ".svg")):
        action = QAction(text, chart)
        action.triggered.connect(
            lambda _checked=False, s=suffix: export_chart(chart, s, status, parent))
        chart.addAction(action)
        actions.append(action)
    chart.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return actions


def export_button(chart: Chart, actions: list[QAction]) -> QToolButton:
    """A small "⋯" button offering the chart's export actions (for chart cards)."""
    button = QToolButton()
    button.setObjectName("chartMenu")
    button.setText("Export ▾")
    button.setToolTip(messages.CHART_MENU_TIP)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    for action in actions:
        menu.addAction(action)
    button.setMenu(menu)
    return button
