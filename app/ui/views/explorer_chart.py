"""FrontChart: the explorer's Pareto front as an interactive scatter (pyqtgraph).

x = cost per 1M output tokens (USD), y = TPOT (ms), both on log axes (the front spans orders of
magnitude); colour = TTFT (ms) with a colour bar. Symbols: circle = every rule passes, triangle
= allowed with warnings, cross = fails a rule (only shown with the "any" filter); a hollow
symbol = the GPU price is estimated. A dashed step line is the cost–TPOT trade-off (the 2-D
front). Hover shows a point's figures; a click emits `point_clicked(index)` with the
configuration's index in the swept space. The chart holds a reference to the space and the
front's indices, never a copy of the figures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from app.operations.explore import SweptSpace
from app.ui import messages
from app.ui.style import ACCENT, BORDER, MUTED

SYMBOLS = ("o", "t1", "x")  # by constraint status code: pass, warn, fail
POINT_SIZE = 12
SELECTED_SIZE = 22
COLOUR_MAP = "viridis"


class PlainLogAxis(pg.AxisItem):  # type: ignore[misc]
    """Log-axis tick labels as plain numbers (4, 10, 20, 1k), not 4·10⁰; over more than about
    a decade only the 1, 2 and 5 ticks are labelled, so labels never run together."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        low, high = self.range if self.range else (0.0, 1.0)
        sparse = abs(high - low) > 1.3
        out = []
        for v in values:
            x = 10.0 ** v
            mantissa = round(x / 10.0 ** math.floor(math.log10(x) + 1e-9), 6)
            out.append("" if sparse and mantissa not in (1.0, 2.0, 5.0) else _plain(x))
        return out


def _plain(x: float) -> str:
    if x >= 1000:
        return f"{x / 1000:g}k"
    if x >= 1:
        return f"{x:.0f}"
    return f"{x:.2g}"


def _log10(values: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.log10(np.maximum(values, 1e-9))
    return result


class FrontChart(pg.PlotWidget):  # type: ignore[misc]
    point_clicked = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent=parent, background="w",
                         axisItems={"bottom": PlainLogAxis("bottom"),
                                    "left": PlainLogAxis("left")})
        self.setObjectName("frontChart")
        self.setMinimumHeight(260)
        plot = self.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.18)
        plot.setLogMode(x=True, y=True)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(pg.mkPen(BORDER))
            axis.setTextPen(pg.mkPen("#26313d"))
        plot.setLabel("bottom", messages.EXPLORER_AXIS_COST, units="USD", **{"color": "#26313d"})
        plot.setLabel("left", messages.EXPLORER_AXIS_TPOT, units="ms", **{"color": "#26313d"})
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        plot.getAxis("left").enableAutoSIPrefix(False)
        # viridis without its palest yellow end, which vanishes on white as a hollow symbol
        self.colour_map = pg.colormap.get(COLOUR_MAP).getSubset(0.0, 0.85)
        self.trade_off = pg.PlotCurveItem(pen=pg.mkPen(MUTED, width=1.5,
                                                       style=Qt.PenStyle.DashLine))
        plot.addItem(self.trade_off)
        self.scatter = pg.ScatterPlotItem(hoverable=True, tip=self._tip,
                                          hoverSize=POINT_SIZE + 4,
                                          hoverPen=pg.mkPen("#17202b", width=2))
        self.scatter.sigClicked.connect(self._clicked)
        plot.addItem(self.scatter)
        self.highlight = pg.ScatterPlotItem(size=SELECTED_SIZE, pen=pg.mkPen(ACCENT, width=3),
                                            brush=None, symbol="o")
        plot.addItem(self.highlight)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=self.colour_map,
                                          interactive=False,
                                          width=14)
        self.colour_bar.axis.setTextPen(pg.mkPen("#26313d"))
        self.colour_bar.axis.setWidth(62)  # room for 5-digit ticks beside the label
        self.colour_bar.axis.setLabel(messages.EXPLORER_AXIS_TTFT, color="#26313d")
        plot.layout.addItem(self.colour_bar, 2, 5)
        # Above the plot, in the title row: inside the axes it would cover points.
        self.legend = pg.LegendItem(labelTextColor="#26313d", colCount=4, frame=False)
        plot.layout.removeItem(plot.titleLabel)  # no title: the row holds the legend
        plot.layout.addItem(self.legend, 0, 0, 1, 6)  # spans the axes and the colour bar
        self._legend_items: list[Any] = []
        self._space: SweptSpace | None = None
        self._front: np.ndarray = np.empty(0, dtype=np.int64)
        self.selected: int | None = None

    # --- data -------------------------------------------------------------------------------

    def set_front(self, space: SweptSpace | None, front: np.ndarray) -> None:
        self._space = space
        self._front = front if space is not None else np.empty(0, dtype=np.int64)
        self.selected = None
        self.highlight.setData([], [])
        if space is None or self._front.size == 0:
            self.scatter.setData([], [])
            self.trade_off.setData([], [])
            self._build_legend(set(), False)
            return
        f = self._front
        cost = space.cost_per_million_tokens_usd[f]
        tpot = space.tpot_ms[f]
        ttft = space.ttft_ms[f]
        low, high = float(np.min(ttft)), float(np.max(ttft))
        if not high > low:
            high = low + 1.0
        self.colour_bar.setLevels(values=(low, high))
        colours = self.colour_map.map((ttft - low) / (high - low), mode="qcolor")
        estimated = space.price_estimated[f]
        status = space.status[f]
        spots = []
        for k in range(f.size):
            colour = QColor(colours[k])
            hollow = bool(estimated[k])
            spots.append({
                "pos": (math.log10(max(float(cost[k]), 1e-9)),
                        math.log10(max(float(tpot[k]), 1e-9))),
                "data": int(f[k]),
                "size": POINT_SIZE,
                "symbol": SYMBOLS[int(status[k])],
                "brush": pg.mkBrush("w") if hollow else pg.mkBrush(colour),
                "pen": pg.mkPen(colour, width=2.6) if hollow else pg.mkPen("#17202b", width=0.8),
            })
        self.scatter.setData(spots)
        steps = _trade_off(cost, tpot)
        self.trade_off.setData(_log10(steps[0]), _log10(steps[1]))
        self._build_legend(set(int(s) for s in status), bool(estimated.any()))
        self._fit_view(_log10(cost), _log10(tpot))

    def _fit_view(self, x: np.ndarray, y: np.ndarray) -> None:
        """Show every point with a margin (set, not auto-ranged, so the picture is stable)."""
        view = self.getPlotItem().getViewBox()
        view.disableAutoRange()
        ranges = []
        for values in (x, y):
            low, high = float(values.min()), float(values.max())
            margin = max(high - low, 0.3) * 0.08
            ranges.append((low - margin, high + margin))
        view.setRange(xRange=ranges[0], yRange=ranges[1], padding=0)

    def _build_legend(self, statuses: set[int], estimated: bool) -> None:
        self.legend.clear()
        self._legend_items.clear()
        if not statuses:
            return
        grey = pg.mkBrush("#8a96a6")
        texts = (messages.EXPLORER_LEGEND_PASS, messages.EXPLORER_LEGEND_WARN,
                 messages.EXPLORER_LEGEND_FAIL)
        for code in sorted(statuses):
            item = pg.ScatterPlotItem(symbol=SYMBOLS[code], brush=grey, size=POINT_SIZE,
                                      pen=pg.mkPen("#17202b", width=0.8))
            self._legend_items.append(item)
            self.legend.addItem(item, texts[code])
        if estimated:
            item = pg.ScatterPlotItem(symbol="o", brush=pg.mkBrush("w"), size=POINT_SIZE,
                                      pen=pg.mkPen("#8a96a6", width=2.6))
            self._legend_items.append(item)
            self.legend.addItem(item, messages.EXPLORER_LEGEND_ESTIMATED)
        self._legend_items.append(self.trade_off)
        self.legend.addItem(self.trade_off, messages.EXPLORER_LEGEND_TRADEOFF)

    def select_point(self, index: int | None) -> None:
        """Ring the configuration `index` (or none)."""
        self.selected = index
        if index is None or self._space is None:
            self.highlight.setData([], [])
            return
        s = self._space
        self.highlight.setData([math.log10(max(float(s.cost_per_million_tokens_usd[index]),
                                                1e-9))],
                               [math.log10(max(float(s.tpot_ms[index]), 1e-9))])

    def point_position(self, index: int) -> tuple[float, float]:
        """Scene position of a configuration's spot (for tests and hover)."""
        s = self._space
        assert s is not None
        view = self.getPlotItem().getViewBox()
        point = view.mapViewToScene(pg.Point(
            math.log10(float(s.cost_per_million_tokens_usd[index])),
            math.log10(float(s.tpot_ms[index]))))
        return float(point.x()), float(point.y())

    # --- interaction ------------------------------------------------------------------------

    def tip_for(self, index: int) -> str:
        s = self._space
        if s is None:
            return ""
        row = s.row(index)
        return messages.EXPLORER_TIP.format(
            name=row["accelerator_name"], gpus=row["gpu_count"], tp=row["tp"], pp=row["pp"],
            weights=row["weights"], kv=row["kv_cache"], engine=row["engine"],
            batch=row["batch"], cost=float(s.cost_per_million_tokens_usd[index]),
            estimated=" (GPU price estimated)" if row["price_estimated"] else "",
            tpot=float(s.tpot_ms[index]), ttft=float(s.ttft_ms[index]),
            tokens=float(s.output_tokens_per_s[index]), fleet=row["fleet_gpus"],
            status=row["constraint_status"])

    def _tip(self, x: float, y: float, data: Any) -> str:
        return self.tip_for(int(data))

    def _clicked(self, _item: Any, points: Any, _event: Any = None) -> None:
        if len(points):
            self.point_clicked.emit(int(points[0].data()))


def _trade_off(cost: np.ndarray, tpot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cost–TPOT staircase: points no other beats on both, joined by steps."""
    order = np.lexsort((tpot, cost))
    best = np.inf
    xs: list[float] = []
    ys: list[float] = []
    for k in order:
        if tpot[k] < best:
            if xs:
                xs.append(float(cost[k]))
                ys.append(best)
            xs.append(float(cost[k]))
            ys.append(float(tpot[k]))
            best = float(tpot[k])
    return np.array(xs), np.array(ys)
