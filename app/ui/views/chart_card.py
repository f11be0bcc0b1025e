"""A chart in a card, with its export menu (PNG/SVG, also on right-click).

Separate from the other dashboard parts so that pyqtgraph is imported only when a screen first
shows charts (it adds a third of a second to the start).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from app.reports.charts.base import Chart
from app.ui.chart_actions import export_button, install_export_actions


class ChartCard(QFrame):
    """A chart with its export menu (PNG/SVG, also on right-click)."""

    def __init__(self, chart: Chart, status: Callable[[str], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        self.chart = chart
        actions = install_export_actions(chart, status, self)
        self.menu_button = export_button(chart, actions)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addStretch(1)
        bar.addWidget(self.menu_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(chart, 1)
        chart.setMinimumHeight(300)
        self.pending: object | None = None

    def show_data(self, data: object) -> None:
        """Draw `data` now when the chart is in view, else when it is scrolled into view
        (redrawing charts nobody sees would slow every edit down)."""
        self.pending = data
        if self.in_view():
            self.flush()

    def in_view(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def flush(self) -> None:
        if self.pending is not None:
            data, self.pending = self.pending, None
            self.chart.set_data(data)
