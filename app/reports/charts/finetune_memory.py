"""Memory per GPU of one fine-tuning run: one bar stacked by part, against the GPU's capacity."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from app.reports.charts import palette
from app.reports.charts.base import FONT_FAMILY, Chart, brush, pen
from app.reports.fmt import gb
from app.reports.workload_kind_cards import FinetuneMemoryData

TITLE = "Memory per GPU of one run"
PART_COLOURS = {
    "weights": palette.MEMORY["weights"],
    "gradients": palette.REDDISH_PURPLE,
    "optimizer states": palette.VERMILLION,
    "activations": palette.MEMORY["kv"],
    "overhead": palette.MEMORY["overhead"],
}
BAR_HEIGHT = 0.56
HEIGHT_PX = 250


class FinetuneMemoryChart(Chart):
    """Weights, gradients, optimizer states, activations and overhead on each GPU of a run, as
    one stacked bar in GB, with the GPU's capacity as a dashed line (`FinetuneMemoryData`)."""

    export_stem = "finetune-memory"

    def __init__(self, data: FinetuneMemoryData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.setMinimumSize(280, HEIGHT_PX - 20)
        self.plot = self.make_plot("Memory per GPU (GB)", "")
        self.plot.showGrid(x=True, y=False, alpha=palette.GRID_ALPHA)
        self.plot.hideAxis("left")
        self.build_layout([self.plot], legend_columns=3)
        if data is not None:
            self.set_data(data)

    def draw(self, data: FinetuneMemoryData) -> None:
        self.set_title(f"{TITLE}: {data.workload}")
        left = 0.0
        x0, x1, brushes = [], [], []
        for name, value in data.parts:
            x0.append(left)
            x1.append(left + value)
            brushes.append(brush(PART_COLOURS.get(name, palette.MEMORY["total"])))
            left += value
            self.legend_entry(_swatch(PART_COLOURS.get(name, palette.MEMORY["total"])),
                              f"{name} {gb(value * 1e9)}")
        total = left
        if not data.fits and total > data.capacity_gb:
            # the part beyond the GPU drawn over in red: what does not fit
            self.plot.addItem(pg.BarGraphItem(
                x0=[data.capacity_gb], x1=[total], y0=[-BAR_HEIGHT / 2 - 0.06],
                y1=[BAR_HEIGHT / 2 + 0.06], brush=brush(palette.MEMORY["short"], 90), pen=None))
        self.plot.addItem(pg.BarGraphItem(x0=x0, x1=x1, y0=[-BAR_HEIGHT / 2] * len(x0),
                                          y1=[BAR_HEIGHT / 2] * len(x0), brushes=brushes,
                                          pen=pen("#FFFFFF", 1.0)))
        line = pg.PlotDataItem([data.capacity_gb, data.capacity_gb], [-0.5, 0.62],
                               pen=pen(palette.LIMIT, 2.0, Qt.PenStyle.DashLine))
        self.plot.addItem(line)
        font = QFont(FONT_FAMILY, 8)
        top = max(total, data.capacity_gb)
        # left of the line where there is room for it, else right of it
        left_of_line = data.capacity_gb >= 0.3 * top
        label = pg.TextItem(f"GPU {gb(data.capacity_gb * 1e9)}", color=palette.TEXT,
                            anchor=(1.0 if left_of_line else -0.05, 0.5))
        label.setFont(font)
        label.setPos(QPointF(data.capacity_gb, 0.5))
        self.plot.addItem(label)
        self.legend_entry(pg.PlotDataItem([0, 1], [0, 0], pen=pen(palette.LIMIT, 2.0,
                                                                   Qt.PenStyle.DashLine)),
                          "GPU capacity")
        if not data.fits and total > data.capacity_gb:
            self.legend_entry(_swatch(palette.MEMORY["short"], 90), "beyond the GPU")
        self.plot.setXRange(-top * 0.01, top * 1.04, padding=0)  # from below 0: its tick shows
        self.plot.setYRange(-0.5, 0.7, padding=0)
        self.set_subtitle(subtitle(data))


def _swatch(colour: str, alpha: int = 255) -> pg.BarGraphItem:
    return pg.BarGraphItem(x=[0], height=[1], width=1, pen=None, brush=brush(colour, alpha))


def subtitle(data: FinetuneMemoryData) -> str:
    """`64.1 of 80.0 GB (80%) on each of 3 GPUs, ZeRO stage 3 · fewest GPUs that fit: 3`."""
    share = data.total_gb / data.capacity_gb if data.capacity_gb else 0.0
    gpus = f"{data.job_gpus} GPU{'s' if data.job_gpus != 1 else ''}"
    where = f"on each of {gpus}" if data.job_gpus != 1 else "on its one GPU"
    head = (f"{gb(data.total_gb * 1e9)} of {gb(data.capacity_gb * 1e9)} ({share:.0%}) {where}, "
            f"ZeRO stage {data.zero_stage}")
    fewest = (f"fewest GPUs that fit: {data.min_gpus_to_fit}" if data.min_gpus_to_fit
              else "no GPU count fits")
    return f"{head} · {fewest}" + ("" if data.fits else " · does not fit")
