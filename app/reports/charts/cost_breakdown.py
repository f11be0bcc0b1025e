"""On-premise cost per year, stacked by category."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from app.operations.chart_data import CostBreakdownData
from app.reports.charts import palette
from app.reports.charts.axes import CategoryAxis, UsdAxis
from app.reports.charts.base import Chart, brush, pen
from app.reports.formatting import usd_short

TITLE = "On-premise cost by year and category"
BAR_WIDTH = 0.6


class CostBreakdownChart(Chart):
    """Stacked bars: one per year of the horizon, one colour per cost category (the same
    colour in every chart), largest category at the bottom (from `CostBreakdownData`)."""

    export_stem = "cost-breakdown"

    def __init__(self, data: CostBreakdownData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.axis = CategoryAxis("bottom")
        self.plot = self.make_plot("", "Cost per year (USD)",
                                   {"left": UsdAxis("left"), "bottom": self.axis})
        self.plot.showGrid(x=False, y=True, alpha=palette.GRID_ALPHA)
        self.build_layout([self.plot], legend_columns=5)
        if data is not None:
            self.set_data(data)

    def draw(self, data: CostBreakdownData) -> None:
        if not data.categories:
            self.axis.set_labels([])
            self.set_subtitle("")
            self.show_note(data.note)
            return
        self.axis.set_labels(list(data.years))
        x = np.arange(len(data.years), dtype=float)
        bottom = np.zeros(len(data.years))
        for category in data.categories:
            values = np.zeros(len(data.years))
            values[: len(category.usd_by_year)] = category.usd_by_year
            colour = palette.CATEGORY.get(category.name, palette.CATEGORY_FALLBACK)
            bars = pg.BarGraphItem(x=x, y0=bottom, height=values, width=BAR_WIDTH,
                                   brush=brush(colour), pen=pen("#FFFFFF", 1.0))
            self.plot.addItem(bars)
            self.legend_entry(bars, category.label)
            bottom = bottom + values
        totals = bottom
        for i, total in enumerate(totals):
            label = pg.TextItem(usd_short(float(total)), color=palette.TEXT, anchor=(0.5, 1.0))
            label.setPos(float(i), float(max(total, 0.0)))
            self.plot.addItem(label)
        self.plot.setXRange(-0.6, len(data.years) - 0.4, padding=0)
        self.plot.setYRange(min(0.0, float(totals.min())), float(totals.max()) * 1.12 or 1.0,
                            padding=0)
        capital = sum(c.usd for c in data.categories if c.kind == "capital")
        self.set_subtitle(f"Total {usd_short(data.total_usd)} · capital {usd_short(capital)}, "
                          f"operating {usd_short(data.total_usd - capital)}")
