"""Tornado: how far a KPI moves as each uncertain input goes from its low to its high value."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from app.operations.chart_data import TornadoData
from app.reports.charts import palette
from app.reports.charts.axes import CategoryAxis, UsdAxis
from app.reports.charts.base import FONT_FAMILY, TICK_PT, Chart, brush, pen
from app.reports.formatting import usd_short

TITLE = "Sensitivity (tornado)"
MAX_ROWS = 10
BAR_HEIGHT = 0.62
MAX_LABEL_CHARS = 40
LABEL_SHARE = 0.42  # the input names take at most this share of the chart's width


class TornadoChart(Chart):
    """One row per uncertain input (largest swing on top): the bar runs from the KPI with the
    input at its low value to the KPI at its high value, across the base value (from
    `TornadoData`)."""

    export_stem = "tornado"

    def __init__(self, data: TornadoData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.axis = CategoryAxis("left")
        self.plot = self.make_plot("", "", {"left": self.axis, "bottom": UsdAxis("bottom")})
        self.plot.showGrid(x=True, y=False, alpha=palette.GRID_ALPHA)
        self.build_layout([self.plot], legend_columns=3)
        if data is not None:
            self.set_data(data)

    def draw(self, data: TornadoData) -> None:
        self.set_title(f"{TITLE}: {data.kpi_label}")
        self.plot.setLabel("bottom", data.kpi_label, color=palette.TEXT, **{"font-size": "9pt"})
        rows = [r for r in data.rows if r.kpi_at_low is not None and r.kpi_at_high is not None]
        rows = rows[:MAX_ROWS]
        values = [v for r in rows for v in (r.kpi_at_low, r.kpi_at_high) if v is not None]
        if not rows or data.base_value is None:
            self.axis.set_labels([])
            self.axis.setWidth(None)
            self.set_subtitle("")
            self.show_note(data.note or "No input moves this KPI.")
            return
        base = data.base_value
        # top row = largest swing: rows are drawn from the bottom (y = 0) up
        ordered = list(reversed(rows))
        metrics = QFontMetrics(QFont(FONT_FAMILY, TICK_PT))
        room = int(LABEL_SHARE * max(self.width(), 320))
        labels = [metrics.elidedText(_short(r.label), Qt.TextElideMode.ElideRight, room - 16)
                  for r in ordered]
        self.axis.set_labels(labels)
        widest = max(metrics.horizontalAdvance(t) for t in labels) + 16
        self.axis.setWidth(int(min(widest, room)))
        font = QFont(FONT_FAMILY, 7)
        still = max(abs(base) * 1e-6, 1e-9)
        for y, row in enumerate(ordered):
            assert row.kpi_at_low is not None and row.kpi_at_high is not None
            if row.swing <= still:
                text = pg.TextItem("no effect", color=palette.MUTED_TEXT, anchor=(0.0, 0.5))
                text.setFont(font)
                text.setPos(base, y)
                self.plot.addItem(text)
                continue
            for value, colour, input_value in ((row.kpi_at_low, palette.TORNADO_LOW, row.low),
                                               (row.kpi_at_high, palette.TORNADO_HIGH, row.high)):
                left, right = sorted((base, value))
                bar = pg.BarGraphItem(x0=[left], x1=[right], y=[y], height=BAR_HEIGHT,
                                      brush=brush(colour), pen=pen("#FFFFFF", 1.0))
                self.plot.addItem(bar)
                text = pg.TextItem(_input_text(input_value), color=palette.MUTED_TEXT,
                                   anchor=(0.0 if value >= base else 1.0, 0.5))
                text.setFont(font)
                text.setPos(value, y)
                self.plot.addItem(text)
        base_line = pg.InfiniteLine(pos=base, angle=90, pen=pen(palette.TEXT, 1.5,
                                                                Qt.PenStyle.SolidLine))
        self.plot.addItem(base_line, ignoreBounds=True)
        for colour, name in ((palette.TORNADO_LOW, "Input at its low value"),
                             (palette.TORNADO_HIGH, "Input at its high value")):
            self.legend_entry(pg.BarGraphItem(x=[0], height=[1], width=1, pen=None,
                                              brush=brush(colour)), name)
        self.legend_entry(pg.PlotDataItem([0, 1], [0, 0], pen=pen(palette.TEXT, 1.5)),
                          f"Base {usd_short(base)}")
        low, high = min(*values, base), max(*values, base)
        span = max(high - low, abs(base) * 0.02, 1.0)
        self.plot.setXRange(low - 0.3 * span, high + 0.3 * span, padding=0)
        self.plot.setYRange(-0.6, len(rows) - 0.4, padding=0)
        hidden = len([r for r in data.rows if r.swing > 0]) - len(rows)
        self.set_subtitle("Each input from low to high, all others at their base values"
                          + (f" · {hidden} smaller inputs not shown" if hidden > 0 else ""))


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _input_text(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"
