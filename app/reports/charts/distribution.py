"""The Monte Carlo distribution of the on-premise TCO, with its P10, P50 and P90."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.operations.chart_data import DistributionData
from app.reports.charts import palette
from app.reports.charts.axes import CompactAxis, UsdAxis
from app.reports.charts.base import Chart, brush, pen
from app.reports.formatting import percent, usd_short

TITLE = "Uncertainty: on-premise TCO over the Monte Carlo draws"


class DistributionChart(Chart):
    """A histogram of the TCO draws with P10/P90 (dashed) and P50 (solid) markers, and the
    probability that owning is cheaper than each alternative (from `DistributionData`)."""

    export_stem = "tco-distribution"

    def __init__(self, data: DistributionData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.plot = self.make_plot("On-premise TCO (USD)", "Share of draws (%)",
                                   {"left": CompactAxis("left"), "bottom": UsdAxis("bottom")})
        self.plot.showGrid(x=False, y=True, alpha=palette.GRID_ALPHA)
        self.build_layout([self.plot], legend_columns=3)
        if data is not None:
            self.set_data(data)

    def draw(self, data: DistributionData) -> None:
        if not data.counts:
            self.set_subtitle(_subtitle(data) if data.p50_usd is not None else "")
            self.show_note(data.note)
            return
        edges = np.asarray(data.bin_edges_usd)
        counts = np.asarray(data.counts, dtype=float)
        share = 100.0 * counts / max(counts.sum(), 1.0)
        bars = pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], y0=np.zeros_like(share),
                               height=share, brush=brush(palette.HISTOGRAM),
                               pen=pen("#FFFFFF", 1.0))
        self.plot.addItem(bars)
        self.legend_entry(bars, f"{data.draws:,} draws")
        top = float(share.max())
        for value, name, style, colour, height in (
            (data.p10_usd, "P10", Qt.PenStyle.DashLine, palette.P10_P90, 0.86),
            (data.p50_usd, "P50", Qt.PenStyle.SolidLine, palette.P50, 0.96),
            (data.p90_usd, "P90", Qt.PenStyle.DashLine, palette.P10_P90, 0.86),
        ):
            if value is None:
                continue
            line = pg.InfiniteLine(pos=value, angle=90, pen=pen(colour, style=style),
                                   label=name,
                                   labelOpts={"position": height, "color": palette.TEXT,
                                              "fill": (255, 255, 255, 200), "anchors":
                                              [(0.5, 0), (0.5, 0)]})
            self.plot.addItem(line, ignoreBounds=True)
            if name != "P90":
                self.legend_entry(pg.PlotDataItem([0, 1], [0, 0], pen=pen(colour, style=style)),
                                  "P50" if name == "P50" else "P10 and P90")
        self.plot.setXRange(float(edges[0]), float(edges[-1]), padding=0.02)
        self.plot.setYRange(0.0, top * 1.25 or 1.0, padding=0)
        self.set_subtitle(_subtitle(data))


def _subtitle(data: DistributionData) -> str:
    parts = [f"P10 {usd_short(data.p10_usd)} · P50 {usd_short(data.p50_usd)} · "
             f"P90 {usd_short(data.p90_usd)}"]
    if data.p_onprem_cheaper_than_api is not None:
        parts.append(f"P(cheaper than API) {percent(data.p_onprem_cheaper_than_api)}")
    if data.p_onprem_cheaper_than_rental is not None:
        parts.append(f"P(cheaper than rental) {percent(data.p_onprem_cheaper_than_rental)}")
    return " · ".join(parts)
