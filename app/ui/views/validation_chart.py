"""ValidationScatter: predicted against measured for one metric, log-log, coloured by source.

The identity line, the ±25 % lines and the 2x lines are drawn under the points; each source is
one scatter series (site points twice when the workspace refit them: hollow with the shipped
factors, filled with the site's). Hovering a point shows its source, date and configuration;
clicking one emits `point_clicked(ValidationPoint)`.

pyqtgraph has no log mode for scatter items, so points are placed at log10 coordinates and the
axes are told to label them as powers of ten.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.operations.validation import (
    METRIC_LABELS,
    SITE_AFTER,
    SITE_BEFORE,
    ValidationPoint,
)
from app.ui import messages

SOURCE_COLOURS = ("#1f5fbf", "#2e7d32", "#6a3d9a", "#00838f", "#8d6e63", "#ad1457", "#5d4037",
                  "#455a64")
SITE_BEFORE_COLOUR = "#e08a00"
SITE_AFTER_COLOUR = "#c62828"
GUIDES = ((1.0, "#26313d", Qt.PenStyle.SolidLine, "measured = predicted"),
          (1.25, "#7d8896", Qt.PenStyle.DashLine, "±25 %"),
          (0.75, "#7d8896", Qt.PenStyle.DashLine, None),
          (2.0, "#b0b8c3", Qt.PenStyle.DotLine, "2×"),
          (0.5, "#b0b8c3", Qt.PenStyle.DotLine, None))


class LogAxis(pg.AxisItem):  # type: ignore[misc]
    """An axis over log10 values labelled with plain numbers (20, 300, 4,000)."""

    def logTickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        # Minor ticks of a short span would crowd: label only 1, 2 and 5 times a power of ten.
        return [tick_text(10.0 ** v) if math.isfinite(v) and _one_two_five(v) else ""
                for v in values]


def _one_two_five(log_value: float) -> bool:
    mantissa = 10.0 ** (log_value - math.floor(log_value + 1e-9))
    return any(abs(mantissa - m) < 1e-6 * m for m in (1.0, 2.0, 5.0))


def tick_text(value: float) -> str:
    """6 / 20 / 1,000 / 0.5: whole numbers without decimals, others with 2 significant."""
    if abs(value - round(value)) < 1e-6 * max(1.0, abs(value)):
        return f"{value:,.0f}"
    return f"{value:.2g}"


def tooltip(point: ValidationPoint) -> str:
    """What hovering a point shows: figures, error, source and configuration."""
    error = (point.predicted / point.measured - 1.0) * 100.0
    where = f"{point.source_label}" + (f", {point.date}" if point.date else "")
    lines = [f"{METRIC_LABELS.get(point.metric, point.metric)}: measured {point.measured:,.4g}, "
             f"predicted {point.predicted:,.4g} ({error:+.0f} %)",
             point.configuration, where]
    if point.url:
        lines.append(point.url[:140])
    return "\n".join(lines)


class ValidationScatter(QWidget):
    """The scatter of one metric (see the module docstring)."""

    point_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("validationScatter")
        self.plot_widget = pg.PlotWidget(
            background="w", axisItems={"bottom": LogAxis("bottom"), "left": LogAxis("left")})
        self.plot_widget.setMinimumSize(360, 300)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        for name in ("bottom", "left"):
            axis = self.plot.getAxis(name)
            axis.setLogMode(True)
            axis.setPen(pg.mkPen("#5f6b7a"))
            axis.setTextPen(pg.mkPen("#26313d"))
            axis.setTickFont(QFont("DejaVu Sans", 8))
            axis.setStyle(tickTextOffset=4)
        # Room for the tick labels and the axis titles (auto-sizing lets them overlap).
        self.plot.getAxis("left").setWidth(60)
        self.plot.getAxis("bottom").setHeight(42)
        self.legend = self.plot.addLegend(offset=(8, 8), labelTextColor="#26313d",
                                          brush=pg.mkBrush(255, 255, 255, 220),
                                          pen=pg.mkPen("#c9d0d9"))
        self.series: dict[str, Any] = {}
        self.points: list[ValidationPoint] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)

    def set_waiting(self, text: str) -> None:
        """An empty chart with `text` as its title (while predictions are computed)."""
        self.plot.clear()
        self.legend.clear()
        self.series = {}
        self.points = []
        self.legend.setVisible(False)
        self.plot.setTitle(text, color="#5f6b7a", size="10pt")
        self.plot.setXRange(0.0, 4.0, padding=0)
        self.plot.setYRange(0.0, 4.0, padding=0)

    def set_points(self, points: Sequence[ValidationPoint], metric: str,
                   show_before: bool = True) -> None:
        """Draw `points` of `metric` (others are ignored)."""
        self.plot.clear()
        self.legend.clear()
        self.series = {}
        self.points = [p for p in points if p.metric == metric]
        unit = METRIC_LABELS.get(metric, metric)
        self.plot.setLabel("bottom", messages.VALIDATION_AXIS_MEASURED.format(metric=unit))
        self.plot.setLabel("left", messages.VALIDATION_AXIS_PREDICTED.format(metric=unit))
        if not self.points:
            self.set_waiting(messages.VALIDATION_NO_POINTS)
            return
        self.plot.setTitle(None)
        self.legend.setVisible(True)
        values = [v for p in self.points for v in (p.measured, p.predicted, p.predicted_shipped)
                  if v > 0 and math.isfinite(v)]
        low, high = math.log10(min(values)) - 0.15, math.log10(max(values)) + 0.15
        span = np.array([low - 1.0, high + 1.0])
        for factor, colour, style, label in GUIDES:
            pen = pg.mkPen(colour, width=1.5 if factor == 1.0 else 1.2, style=style)
            line = pg.PlotCurveItem(span, span + math.log10(factor), pen=pen)
            self.plot.addItem(line)
            if label:
                self.legend.addItem(line, label)
        for name, members in self._groups(show_before):
            self._add_series(name, members)
        self.plot.setXRange(low, high, padding=0)
        self.plot.setYRange(low, high, padding=0)

    def _groups(self, show_before: bool) -> list[tuple[str, list[tuple[ValidationPoint, float]]]]:
        groups: dict[str, list[tuple[ValidationPoint, float]]] = {}
        for p in self.points:
            groups.setdefault(p.series, []).append((p, p.predicted))
            if show_before and p.series == SITE_AFTER:
                groups.setdefault(SITE_BEFORE, []).append((p, p.predicted_shipped))
        order = sorted(groups, key=lambda s: (s.startswith("site"), s != SITE_BEFORE, s))
        return [(name, groups[name]) for name in order]

    def _add_series(self, name: str, members: list[tuple[ValidationPoint, float]]) -> None:
        published = [s for s in sorted({p.series for p in self.points})
                     if not s.startswith("site")]
        if name == SITE_BEFORE:
            brush, pen, symbol = pg.mkBrush(None), pg.mkPen(SITE_BEFORE_COLOUR, width=1.6), "o"
        elif name.startswith("site"):
            brush, pen, symbol = pg.mkBrush(SITE_AFTER_COLOUR), pg.mkPen("w", width=0.8), "d"
        else:
            colour = QColor(SOURCE_COLOURS[published.index(name) % len(SOURCE_COLOURS)])
            colour.setAlpha(190)
            brush, pen, symbol = pg.mkBrush(colour), pg.mkPen("w", width=0.5), "o"
        item = pg.ScatterPlotItem(
            x=[math.log10(p.measured) for p, _ in members],
            y=[math.log10(v) for _, v in members],
            data=[p for p, _ in members], size=8 if name.startswith("site") else 7,
            symbol=symbol, brush=brush, pen=pen, hoverable=True,
            hoverPen=pg.mkPen("#17202b", width=2), hoverSize=11,
            tip=lambda x, y, data: tooltip(data), name=name)
        item.sigClicked.connect(self._clicked)
        self.plot.addItem(item)
        self.series[name] = item

    def _clicked(self, item: Any, points: Any, event: Any = None) -> None:
        if len(points):
            self.point_clicked.emit(points[0].data())
