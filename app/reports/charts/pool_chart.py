"""The shared fleet GPU by GPU: one bar per GPU, stacked by workload and slot."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QWidget

from app.operations.pool_chart_data import PoolGpu, PoolPlacementData, PoolSegment
from app.reports.charts import palette
from app.reports.charts.axes import CategoryAxis
from app.reports.charts.base import FONT_FAMILY, Chart, brush, pen

TITLE = "The shared GPU pool: what runs on each GPU"
BAR_WIDTH = 0.78
LABEL_PT = 7
# One colour per workload, in scenario order (Okabe–Ito, then repeated lighter).
WORKLOAD_COLOURS = (palette.BLUE, palette.ORANGE, palette.BLUISH_GREEN, palette.REDDISH_PURPLE,
                    palette.SKY_BLUE, palette.VERMILLION, palette.YELLOW)
FREE = "#EDEFF2"
EXTRA = "#D5DAE1"
SHARING_NAMES = {"mig": "MIG partitions", "time-slicing": "time-slicing", "none": "whole GPUs"}


class PercentAxis(pg.AxisItem):  # type: ignore[misc]
    """0 %, 25 %, … 100 % of one GPU."""

    def __init__(self, orientation: str = "left", **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float,  # noqa: N802
                                                                             list[float]]]:
        return [(0.25, [v for v in (0.0, 0.25, 0.5, 0.75, 1.0)
                        if minVal - 1e-9 <= v <= maxVal + 1e-9])]

    def tickStrings(self, values: list[float], scale: float, spacing: float  # noqa: N802
                    ) -> list[str]:
        return [f"{v * 100:.0f}%" for v in values]


def label_font() -> QFont:
    """Labels without ligatures, so "Off-peak" reads as typed when copied from the PDF."""
    font = QFont(FONT_FAMILY, LABEL_PT)
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def workload_colour(data: PoolPlacementData, name: str) -> str:
    index = data.workloads.index(name) if name in data.workloads else len(data.workloads)
    return WORKLOAD_COLOURS[index % len(WORKLOAD_COLOURS)]


class PoolPlacementChart(Chart):
    """Each GPU of the month-1 fleet as a bar of its share (0–100 %), one coloured block per
    placed instance (whole GPU, MIG partition, time-sliced share, or a periodic job's
    dedicated GPU), labelled with its slot where there is room; grey: unallocated or extra
    GPUs (from `PoolPlacementData`)."""

    export_stem = "pool-placement"

    def __init__(self, data: PoolPlacementData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.axis = CategoryAxis("bottom")
        self.plot = self.make_plot("GPU (month-1 fleet)", "Share of the GPU (%)",
                                   {"bottom": self.axis, "left": PercentAxis("left")})
        self.plot.showGrid(x=False, y=True, alpha=palette.GRID_ALPHA)
        self.build_layout([self.plot], legend_columns=4)
        if data is not None:
            self.set_data(data)

    def draw(self, data: PoolPlacementData) -> None:
        if not data.gpus:
            self.axis.set_labels([])
            self.set_subtitle("")
            self.show_note(data.note or "No GPU in the fleet.")
            return
        many = len(data.gpus) > 24
        self.axis.set_labels([str(g.index + 1) if not many or g.index % 4 == 0 else ""
                              for g in data.gpus])
        font = label_font()
        metrics = QFontMetricsF(font)
        px_per_unit = self._pixels_per_unit(len(data.gpus))
        for gpu in data.gpus:
            self._draw_gpu(data, gpu, font, metrics, px_per_unit)
        for name in data.workloads:
            if any(s.workload == name for g in data.gpus for s in g.segments):
                self.legend_entry(_swatch(workload_colour(data, name)), name)
        if any(g.role == "shared" and g.used_share < 0.999 for g in data.gpus):
            self.legend_entry(_swatch(FREE), "Not allocated")
        if any(g.role == "extra" for g in data.gpus):
            self.legend_entry(_swatch(EXTRA), "Extra GPU (whole servers)")
        top = 1.04
        if data.off_peak:
            top = self._draw_off_peak(data, font)
        self.plot.setXRange(-0.6, len(data.gpus) - 0.4, padding=0)
        # From a little below 0: pyqtgraph drops a tick label that would cross the axis' end.
        self.plot.setYRange(-0.04, top, padding=0)
        self.set_subtitle(subtitle(data))

    def _draw_off_peak(self, data: PoolPlacementData, font: QFont) -> float:
        """A dashed bracket over the serving GPUs: the periodic jobs that run in their idle
        hours (no GPU of their own). Returns the top of the y range that holds it."""
        serving = [g.index for g in data.gpus if g.role in ("whole", "shared")]
        if not serving:
            return 1.04
        left, right = serving[0] - BAR_WIDTH / 2, serving[-1] + BAR_WIDTH / 2
        level = 1.08
        bracket = pg.PlotDataItem([left, left, right, right], [1.03, level, level, 1.03],
                                  pen=pen(palette.MUTED_TEXT, 1.2, Qt.PenStyle.DashLine))
        self.plot.addItem(bracket)
        text = pg.TextItem(off_peak_text(data), color=palette.TEXT, anchor=(0.5, 1.0))
        text.setFont(font)
        text.setPos(QPointF((left + right) / 2, level + 0.01))
        self.plot.addItem(text)
        return 1.2

    def _pixels_per_unit(self, bars: int) -> float:
        width = self.plot.getViewBox().width()
        if width <= 1:
            width = max(self.width() - 90, 200)
        return float(width) / (bars + 0.2)

    def _draw_gpu(self, data: PoolPlacementData, gpu: PoolGpu, font: QFont,
                  metrics: QFontMetricsF, px_per_unit: float) -> None:
        x0, x1 = gpu.index - BAR_WIDTH / 2, gpu.index + BAR_WIDTH / 2
        segments = list(gpu.segments)
        if gpu.role == "shared" and gpu.used_share < 0.999:
            segments.append(PoolSegment("", "free", 0, 1.0 - gpu.used_share, gpu.used_share,
                                        None))
        for seg in segments:
            colour = (EXTRA if seg.slot == "extra" else FREE if seg.slot == "free"
                      else workload_colour(data, seg.workload))
            bar = pg.BarGraphItem(x0=[x0], x1=[x1], y0=[seg.bottom], y1=[seg.bottom + seg.share],
                                  brush=brush(colour), pen=pen("#FFFFFF", 1.5))
            self.plot.addItem(bar)
            text = _segment_label(seg)
            room_w = BAR_WIDTH * px_per_unit - 4
            room_h = seg.share * self._pixels_per_share() - 2
            if text and metrics.horizontalAdvance(text) <= room_w and metrics.height() <= room_h:
                dark = seg.slot in ("extra", "free") or colour in (palette.YELLOW,
                                                                     palette.SKY_BLUE,
                                                                     palette.ORANGE)
                label = pg.TextItem(text, color=palette.TEXT if dark else "#FFFFFF",
                                    anchor=(0.5, 0.5))
                label.setFont(font)
                label.setPos(QPointF(gpu.index, seg.bottom + seg.share / 2))
                self.plot.addItem(label)

    def _pixels_per_share(self) -> float:
        height = self.plot.getViewBox().height()
        if height <= 1:
            height = max(self.height() - 150, 120)
        return float(height) / 1.04


def _swatch(colour: str) -> pg.BarGraphItem:
    return pg.BarGraphItem(x=[0], height=[1], width=1, pen=None, brush=brush(colour))


def _segment_label(seg: PoolSegment) -> str:
    if seg.slot == "whole":
        return f"r{seg.instance + 1}"
    if seg.slot == "extra":
        return "extra"
    if seg.slot == "free":
        return ""
    if seg.slot == "dedicated":
        return "periodic"
    return seg.slot


def off_peak_text(data: PoolPlacementData) -> str:
    """`Off-peak, in the idle hours of GPUs 1–7: weekly-lora 53, embedder 0.8 GPU-h/month`."""
    serving = [g.index + 1 for g in data.gpus if g.role in ("whole", "shared")]
    span = f"GPU {serving[0]}" if len(serving) == 1 else f"GPUs {serving[0]}–{serving[-1]}"
    jobs = ", ".join(f"{j.workload} {_hours(j.gpu_hours_per_month)}"
                     for j in sorted(data.off_peak, key=lambda j: -j.gpu_hours_per_month))
    return f"Off-peak in the idle hours of {span}: {jobs} GPU-h/month"


def _hours(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def subtitle(data: PoolPlacementData) -> str:
    """`8 × NVIDIA H100 SXM 80GB: 6 whole, 1 shared through MIG partitions, 1 extra`."""
    roles = {role: sum(1 for g in data.gpus if g.role == role)
             for role in ("whole", "shared", "periodic", "extra")}
    head = f"{len(data.gpus)} × {data.accelerator}"
    shape = [f"{roles['whole']} whole"] if roles["whole"] else []
    if roles["shared"]:
        shape.append(f"{roles['shared']} shared through "
                     f"{SHARING_NAMES.get(data.sharing, data.sharing)}")
    if roles["periodic"]:
        shape.append(f"{roles['periodic']} for periodic jobs")
    if roles["extra"]:
        shape.append(f"{roles['extra']} extra")
    return f"{head}: {', '.join(shape)}" if shape else head

