"""Chart art for the PDF: each report chart drawn once, on the GUI thread, as vectors.

`chart_art(charts)` returns one `ChartArt` per chart, to hand to `pdf.ReportDocument` (which
may then run in a worker thread). `render_chart` is the one place that turns a chart's data
into a drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from app.reports.model import Chart
from app.reports.pdf import FONT_FAMILY, ChartArt, ensure_fonts


class PlaceholderArt:
    """A framed box naming the chart: stands in until the chart classes are available."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart

    def draw(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QPen(QColor("#9fb4d3"), 1.0, Qt.PenStyle.DashLine))
        painter.setBrush(QColor("#f4f6fa"))
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        font = QFont(FONT_FAMILY)
        font.setPointSizeF(8.0)
        painter.setFont(font)
        painter.setPen(QColor("#5f6b7a"))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), f"[{self.chart.kind}]")


def render_chart(chart: Chart) -> ChartArt:
    """The drawing of one chart (GUI thread)."""
    return PlaceholderArt(chart)


def chart_art(charts: Sequence[Chart]) -> list[ChartArt]:
    ensure_fonts()
    return [render_chart(c) for c in charts]
