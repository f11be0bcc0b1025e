"""Chart art for the PDF: each report chart drawn once, on the GUI thread, as vectors.

`chart_art(charts)` returns one `ChartArt` per chart, to hand to `pdf.ReportDocument` (which
may then run in a worker thread): the app's chart widget (`app.reports.charts`) is laid out
off screen at the size the page gives it and its scene is recorded into a `QPicture`, a list of
vector paint commands that replays into the PDF painter (no raster image). One widget per chart
kind and size is reused for every scenario, which keeps a long report quick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter, QPicture

from app.reports.charts.base import Chart as ChartWidget
from app.reports.charts.cost_breakdown import CostBreakdownChart
from app.reports.charts.cumulative_cost import CumulativeCostChart
from app.reports.charts.distribution import DistributionChart
from app.reports.charts.load_curve import LoadCurveChart
from app.reports.charts.memory_waterfall import MemoryWaterfallChart
from app.reports.charts.pool_chart import PoolPlacementChart
from app.reports.charts.tornado import TornadoChart
from app.reports.model import Chart
from app.reports.pdf import ChartArt, ensure_fonts

RECORD_WIDTH = 640  # px: the charts' design width (app.reports.charts.base.DEFAULT_SIZE)

CHART_CLASSES: dict[str, Callable[[], ChartWidget]] = {
    "memory_waterfall": MemoryWaterfallChart,
    "load_curve": LoadCurveChart,
    "cumulative_cost": CumulativeCostChart,
    "cost_breakdown": CostBreakdownChart,
    "tornado": TornadoChart,
    "distribution": DistributionChart,
    "pool_placement": PoolPlacementChart,
}


class PictureArt:
    """A recorded chart, replayed scaled into any rectangle."""

    def __init__(self, picture: QPicture, width: float, height: float) -> None:
        self.picture = picture
        self.width = width
        self.height = height

    def draw(self, painter: QPainter, rect: QRectF) -> None:
        painter.translate(rect.topLeft())
        painter.scale(rect.width() / self.width, rect.height() / self.height)
        painter.drawPicture(0, 0, self.picture)


def record(widget: ChartWidget, width: float, height: float) -> PictureArt:
    picture = QPicture()
    painter = QPainter()
    if not painter.begin(picture):
        raise RuntimeError("cannot record the chart")
    try:
        widget.render_to(painter, QRectF(0, 0, width, height))
    finally:
        painter.end()
    return PictureArt(picture, width, height)


def settle_axes(widget: ChartWidget) -> None:
    """pyqtgraph sizes an axis to its tick labels only while painting it: measure the labels
    (what painting would do, without drawing the plot), then let the layout take the widths."""
    scratch = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter()
    if not painter.begin(scratch):
        raise RuntimeError("cannot measure the chart's axes")
    try:
        for plot in widget.plots:
            for name in ("left", "bottom", "right", "top"):
                axis = plot.getAxis(name)
                if axis.isVisible():
                    axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    widget.settle()


def chart_art(charts: Sequence[Chart]) -> list[ChartArt]:
    """Every chart drawn (GUI thread), in order."""
    ensure_fonts()
    widgets: dict[tuple[str, int, int], ChartWidget] = {}
    out: list[ChartArt] = []
    try:
        for chart in charts:
            # Drawn at the size the charts are designed for (fonts, legends), then scaled
            # to the page: a picture scales as vectors.
            w, h = RECORD_WIDTH, round(RECORD_WIDTH * chart.aspect)
            key = (chart.kind, w, h)
            widget = widgets.get(key)
            if widget is None:
                widget = CHART_CLASSES[chart.kind]()
                # Never painted off screen, not even when first shown: the scene is recorded,
                # not the widget.
                widget.setUpdatesEnabled(False)
                widget.prepare_offscreen(w, h)
                widgets[key] = widget
            widget.set_data(chart.data)
            widget.settle()
            settle_axes(widget)
            out.append(record(widget, w, h))
    finally:
        for widget in widgets.values():
            widget.hide()
            widget.deleteLater()
    return out


def export_charts(charts: Sequence[Chart], folder: Path,
                  suffixes: Sequence[str] = (".svg", ".png")) -> list[Path]:
    """Every chart as files named after its key (GUI thread; atomic, via the chart classes)."""
    ensure_fonts()
    written = []
    for chart in charts:
        widget = CHART_CLASSES[chart.kind]()
        try:
            widget.prepare_offscreen(RECORD_WIDTH, round(RECORD_WIDTH * chart.aspect))
            widget.set_data(chart.data)
            widget.settle()
            settle_axes(widget)
            for suffix in suffixes:
                written.append(widget.export_file(folder / f"{chart.key}{suffix}"))
        finally:
            widget.hide()
            widget.deleteLater()
    return written
