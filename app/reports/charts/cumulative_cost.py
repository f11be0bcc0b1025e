"""Cumulative cost of owning vs calling a cloud API vs renting GPUs, month by month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.operations.chart_data import CumulativeCostData
from app.reports.charts import palette
from app.reports.charts.axes import MonthAxis, UsdAxis
from app.reports.charts.base import Chart, brush, pen
from app.reports.formatting import month, usd_short

TITLE = "Cumulative cost: own vs API vs rent"
STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
          Qt.PenStyle.DashDotLine)


class CumulativeCostChart(Chart):
    """On-premise cumulative cost with its P10–P90 band, the cloud API and GPU rental paths,
    and the break-even months (from `CumulativeCostData`)."""

    export_stem = "cumulative-cost"

    def __init__(self, data: CumulativeCostData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.plot = self.make_plot("Month", "Cumulative cost (USD)",
                                   {"left": UsdAxis("left"), "bottom": MonthAxis("bottom")})
        self.build_layout([self.plot], legend_columns=4)
        self.drawn: _Drawn | None = None
        if data is not None:
            self.set_data(data)

    def draw(self, data: CumulativeCostData) -> None:
        self.drawn = None
        if not data.months:
            self.set_subtitle("")
            self.show_note(data.note)
            return
        x = np.asarray(data.months, dtype=float)
        plot = self.plot
        band = None
        if data.onprem_p10_usd is not None and data.onprem_p90_usd is not None:
            edge = pen(palette.ONPREM, 1.0)
            edge.setColor(edge.color().lighter(170))
            low = pg.PlotCurveItem(x, np.asarray(data.onprem_p10_usd), pen=edge)
            high = pg.PlotCurveItem(x, np.asarray(data.onprem_p90_usd), pen=edge)
            fill = pg.FillBetweenItem(low, high, brush=brush(palette.ONPREM, palette.BAND_ALPHA))
            plot.addItem(low)
            plot.addItem(high)
            plot.addItem(fill)
            self.legend_entry(pg.BarGraphItem(x=[0], height=[1], width=1, pen=None,
                                              brush=brush(palette.ONPREM, palette.BAND_ALPHA)),
                              "On-premise P10–P90")
            band = (low, high)
        onprem = plot.plot(x, np.asarray(data.onprem_usd), pen=pen(palette.ONPREM))
        self.legend_entry(onprem, "On-premise")
        api = rental = None
        if data.api_usd is not None:
            api = plot.plot(x, np.asarray(data.api_usd), pen=pen(palette.API))
            self.legend_entry(api, "Cloud API")
        if data.rental_usd is not None:
            rental = plot.plot(x, np.asarray(data.rental_usd), pen=pen(palette.RENTAL))
            self.legend_entry(rental, "Rented GPUs")
        lines = []
        for when, colour in _break_evens(data):
            if when is not None:
                line = pg.InfiniteLine(pos=when, angle=90,
                                       pen=pen(colour, palette.THIN_PEN_WIDTH, Qt.PenStyle.DotLine))
                plot.addItem(line, ignoreBounds=True)
                lines.append(line)
        self._set_ranges(data)
        self.drawn = _Drawn(_parts(data), band, onprem, api, rental, tuple(lines))

    def update_drawn(self, data: CumulativeCostData) -> bool:
        drawn = self.drawn
        if drawn is None or _parts(data) != drawn.parts:
            return False
        x = np.asarray(data.months, dtype=float)
        if drawn.band is not None:
            low, high = drawn.band
            low.setData(x, np.asarray(data.onprem_p10_usd))
            high.setData(x, np.asarray(data.onprem_p90_usd))
        drawn.onprem.setData(x, np.asarray(data.onprem_usd))
        if drawn.api is not None:
            drawn.api.setData(x, np.asarray(data.api_usd))
        if drawn.rental is not None:
            drawn.rental.setData(x, np.asarray(data.rental_usd))
        whens = [when for when, _ in _break_evens(data) if when is not None]
        for line, when in zip(drawn.break_evens, whens, strict=True):
            line.setPos(when)
        self._set_ranges(data)
        return True

    def _set_ranges(self, data: CumulativeCostData) -> None:
        x = data.months
        self.plot.setXRange(float(x[0]) - 0.5, float(x[-1]) + 0.5, padding=0)
        self.plot.setYRange(0.0, _top(data), padding=0.04)
        self.set_subtitle(_subtitle(data))


@dataclass(frozen=True)
class _Drawn:
    """The items of the last drawing, moved in place while the same series are drawn."""

    parts: tuple[bool, ...]
    band: tuple[pg.PlotCurveItem, pg.PlotCurveItem] | None
    onprem: pg.PlotDataItem
    api: pg.PlotDataItem | None
    rental: pg.PlotDataItem | None
    break_evens: tuple[pg.InfiniteLine, ...]


def _parts(data: CumulativeCostData) -> tuple[bool, ...]:
    """Which series and break-even lines `data` draws."""
    return (bool(data.months), data.onprem_p10_usd is not None and data.onprem_p90_usd is not None,
            data.api_usd is not None, data.rental_usd is not None,
            *(when is not None for when, _ in _break_evens(data)))


def _break_evens(data: CumulativeCostData) -> tuple[tuple[int | None, str], ...]:
    return ((data.break_even_month_vs_api, palette.API),
            (data.break_even_month_vs_rental, palette.RENTAL))


def _top(data: CumulativeCostData) -> float:
    tops = [max(data.onprem_usd)]
    for series in (data.api_usd, data.rental_usd, data.onprem_p90_usd):
        if series:
            tops.append(max(series))
    return float(max(tops)) or 1.0


def _subtitle(data: CumulativeCostData) -> str:
    parts = [f"On-premise {usd_short(data.onprem_usd[-1])} over {len(data.months)} months"]
    if data.api_usd is not None:
        parts.append(f"break-even vs API: {month(data.break_even_month_vs_api)}")
    if data.rental_usd is not None:
        parts.append(f"vs rental: {month(data.break_even_month_vs_rental)}")
    return " · ".join(parts)


class CumulativeCostOverlayChart(Chart):
    """Several scenarios' on-premise cumulative costs (Compare), one colour and dash each; the
    first scenario's API path is drawn thin for reference."""

    export_stem = "cumulative-cost-compare"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Cumulative on-premise cost by scenario", parent)
        self.plot = self.make_plot("Month", "Cumulative cost (USD)",
                                   {"left": UsdAxis("left"), "bottom": MonthAxis("bottom")})
        self.build_layout([self.plot], legend_columns=2)

    def set_series(self, items: Sequence[tuple[str, CumulativeCostData]]) -> None:
        """Draw each (scenario name, data) pair."""
        self.set_data(list(items))

    def draw(self, items: list[tuple[str, CumulativeCostData]]) -> None:
        drawn = [(name, d) for name, d in items if d.months]
        if not drawn:
            self.show_note(items[0][1].note if items else "Choose scenarios to compare.")
            return
        top = 0.0
        for i, (name, d) in enumerate(drawn):
            colour = palette.SCENARIO_COLOURS[i % len(palette.SCENARIO_COLOURS)]
            item = self.plot.plot(np.asarray(d.months, dtype=float), np.asarray(d.onprem_usd),
                                  pen=pen(colour, style=STYLES[i % len(STYLES)]))
            self.legend_entry(item, name)
            top = max(top, max(d.onprem_usd))
        skipped = [name for name, d in items if not d.months]
        self.set_subtitle(("Not drawn (no cost evaluated): " + ", ".join(skipped))
                          if skipped else "")
        self.plot.setYRange(0.0, top or 1.0, padding=0.04)
