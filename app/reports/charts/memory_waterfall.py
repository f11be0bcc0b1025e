"""Memory per GPU as a waterfall: capacity, what is taken from it, and what is left."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from app.operations.chart_data import MemoryWaterfallData
from app.reports.charts import palette
from app.reports.charts.axes import CategoryAxis
from app.reports.charts.base import FONT_FAMILY, Chart, brush, pen

TITLE = "Memory per GPU"
STEP_COLOURS = {
    "Capacity": palette.MEMORY["total"],
    "Reserved": palette.MEMORY["reserved"],
    "Runtime": palette.MEMORY["overhead"],
    "Activations": palette.MEMORY["overhead"],
    "Weights": palette.MEMORY["weights"],
    "KV cache": palette.MEMORY["kv"],
    "Free": palette.MEMORY["free"],
}
LEGEND = (
    ("Capacity", palette.MEMORY["total"]),
    ("Reserved by the engine", palette.MEMORY["reserved"]),
    ("Runtime and activations", palette.MEMORY["overhead"]),
    ("Weights", palette.MEMORY["weights"]),
    ("KV cache in use", palette.MEMORY["kv"]),
    ("Free", palette.MEMORY["free"]),
)
BAR_WIDTH = 0.62


class MemoryWaterfallChart(Chart):
    """Capacity → reserved → runtime → activations → weights → KV cache → free, in GiB per GPU
    (from `MemoryWaterfallData`)."""

    export_stem = "memory-per-gpu"

    def __init__(self, data: MemoryWaterfallData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.axis = CategoryAxis("bottom")
        self.plot = self.make_plot("", "Memory per GPU (GiB)", {"bottom": self.axis})
        self.plot.showGrid(x=False, y=True, alpha=palette.GRID_ALPHA)
        self.build_layout([self.plot], legend_columns=3)
        if data is not None:
            self.set_data(data)

    def draw(self, data: MemoryWaterfallData) -> None:
        self.set_title(f"{TITLE}: {data.workload}" if data.workload else TITLE)
        if not data.steps:
            self.axis.set_labels([])
            self.set_subtitle("")
            self.show_note(data.note)
            return
        labels = [s.label for s in data.steps]
        self.axis.set_labels(labels)
        font = QFont(FONT_FAMILY, 8)
        brushes, x0, y0, y1 = [], [], [], []
        link_x: list[float] = []
        link_y: list[float] = []
        for i, step in enumerate(data.steps):
            colour = STEP_COLOURS.get(step.label, palette.MEMORY["total"])
            if step.kind == "free" and step.gib < 0:
                colour = palette.MEMORY["short"]
            brushes.append(brush(colour))
            x0.append(i - BAR_WIDTH / 2)
            y0.append(step.bottom_gib)
            y1.append(step.top_gib)
            text = pg.TextItem(_gib(step.gib), color=palette.TEXT, anchor=(0.5, 1.0))
            text.setFont(font)
            text.setPos(QPointF(i, max(step.top_gib, step.bottom_gib)))
            self.plot.addItem(text)
            if i + 1 < len(data.steps) and step.kind != "free":
                level = step.bottom_gib if step.kind == "used" else step.top_gib
                link_x += [i + BAR_WIDTH / 2, i + 1 - BAR_WIDTH / 2]
                link_y += [level, level]
        self.plot.addItem(pg.BarGraphItem(x0=x0, x1=[x + BAR_WIDTH for x in x0], y0=y0, y1=y1,
                                          brushes=brushes, pen=pen("#FFFFFF", 1.0)))
        self.plot.addItem(pg.PlotDataItem(link_x, link_y, connect="pairs",
                                          pen=pen(palette.MUTED_TEXT, 1.0)))
        legend = list(LEGEND)
        if data.steps[-1].gib < 0:
            legend[-1] = ("Missing: does not fit", palette.MEMORY["short"])
        for name, colour in legend:
            self.legend_entry(pg.BarGraphItem(x=[0], height=[1], width=1, pen=None,
                                              brush=brush(colour)), name)
        low = min(0.0, min(s.bottom_gib for s in data.steps))
        self.plot.setXRange(-0.6, len(labels) - 0.4, padding=0)
        span = max(data.capacity_gib - low, 1.0)
        self.plot.setYRange(low - 0.02 * span, data.capacity_gib + 0.12 * span, padding=0)
        self.set_subtitle(_subtitle(data))


def _gib(value: float) -> str:
    if abs(value) >= 10:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _subtitle(data: MemoryWaterfallData) -> str:
    parts = [f"{data.accelerator}, {data.layout}"]
    if data.concurrency_per_replica is not None:
        parts.append(f"at {data.concurrency_per_replica:,.0f} running sequences per replica")
    if not data.fits:
        parts.append("does not fit")
    return " · ".join(parts)
