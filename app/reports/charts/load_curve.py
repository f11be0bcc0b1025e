"""Throughput and latency of one replica as its load rises, against the SLO targets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.operations.chart_data import LoadCurveData
from app.reports.charts import palette
from app.reports.charts.axes import CompactAxis, LogMsAxis
from app.reports.charts.base import Chart, pen
from app.reports.formatting import milliseconds

TITLE = "Throughput and latency vs load (one replica)"
STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
          Qt.PenStyle.DashDotLine)


def _percentile_text(data: LoadCurveData) -> str:
    return f"p{data.percentile:g}"


class LoadCurveChart(Chart):
    """Left: output tokens/s per replica; right: TTFT and TPOT at the SLO percentile on a log
    scale with their targets (dashed); both against running sequences per replica, with the
    highest load that meets the SLOs marked (from `LoadCurveData`)."""

    export_stem = "load-curve"

    def __init__(self, data: LoadCurveData | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.throughput = self.make_plot("Running sequences per replica",
                                         "Output tokens/s per replica",
                                         {"left": CompactAxis("left"),
                                          "bottom": CompactAxis("bottom")})
        self.latency = self.make_plot("Running sequences per replica", "Latency",
                                      {"left": LogMsAxis("left"),
                                       "bottom": CompactAxis("bottom")})
        self.latency.setLogMode(x=False, y=True)
        self.build_layout([self.throughput, self.latency], legend_columns=3)
        if data is not None:
            self.set_data(data)

    def draw(self, data: LoadCurveData) -> None:
        self.set_title(f"{TITLE}: {data.workload}" if data.workload else TITLE)
        pct = _percentile_text(data)
        self.latency.setLabel("left", f"Latency at {pct} (ms)")
        if not data.concurrency:
            self.set_subtitle("")
            self.show_note(data.note, 0)
            self.show_note(data.note, 1)
            return
        x = np.asarray(data.concurrency)
        tokens = self.throughput.plot(x, np.asarray(data.output_tokens_per_s),
                                      pen=pen(palette.THROUGHPUT))
        self.legend_entry(tokens, "Output tokens/s")
        ttft = self.latency.plot(x, np.asarray(data.ttft_ms), pen=pen(palette.TTFT))
        tpot = self.latency.plot(x, np.asarray(data.tpot_ms), pen=pen(palette.TPOT))
        self.legend_entry(ttft, f"TTFT {pct}")
        self.legend_entry(tpot, f"TPOT {pct}")
        end = shown_concurrency(data)
        shown = x <= end * 1.02
        latencies = np.concatenate([np.asarray(data.ttft_ms)[shown],
                                    np.asarray(data.tpot_ms)[shown]])
        lows, highs = [float(latencies.min())], [float(latencies.max())]
        for target, colour, name in ((data.ttft_target_ms, palette.TTFT, "TTFT target"),
                                     (data.tpot_target_ms, palette.TPOT, "TPOT target")):
            if target is not None and target > 0:
                line = pg.InfiniteLine(pos=math.log10(target), angle=0,
                                       pen=pen(colour, palette.PEN_WIDTH, Qt.PenStyle.DashLine))
                self.latency.addItem(line, ignoreBounds=True)
                sample = pg.PlotDataItem([0, 1], [0, 0],
                                         pen=pen(colour, palette.PEN_WIDTH, Qt.PenStyle.DashLine))
                self.legend_entry(sample, f"{name} {milliseconds(target)}")
                lows.append(target)
                highs.append(target)
        if data.slo_concurrency is not None:
            for plot in (self.throughput, self.latency):
                limit = pg.InfiniteLine(pos=data.slo_concurrency, angle=90,
                                        pen=pen(palette.LIMIT, palette.THIN_PEN_WIDTH,
                                                Qt.PenStyle.DotLine))
                plot.addItem(limit, ignoreBounds=True)
            sample = pg.PlotDataItem([0, 1], [0, 0], pen=pen(palette.LIMIT,
                                                             palette.THIN_PEN_WIDTH,
                                                             Qt.PenStyle.DotLine))
            self.legend_entry(sample, "Highest load within the SLOs")
        low = max(min(v for v in lows if v > 0), 1e-3)
        self.latency.setYRange(math.log10(low) - 0.08, math.log10(max(highs)) + 0.08, padding=0)
        self.throughput.setYRange(
            0.0, float(np.asarray(data.output_tokens_per_s)[shown].max()) or 1.0, padding=0.05)
        for plot in (self.throughput, self.latency):
            plot.setXRange(0.0, end * 1.02 or 1.0, padding=0)
        self.set_subtitle(_subtitle(data))


OVER_TARGET = 5.0  # the x axis ends where latency passes this multiple of its target


def shown_concurrency(data: LoadCurveData) -> float:
    """Where the x axis ends: past the SLO limit, until the latencies are far beyond their
    targets (so the region that matters is not squeezed against the axis)."""
    x = np.asarray(data.concurrency)
    ok = np.ones(x.size, dtype=bool)
    for values, target in ((data.ttft_ms, data.ttft_target_ms), (data.tpot_ms,
                                                                 data.tpot_target_ms)):
        if target:
            ok &= np.asarray(values) <= OVER_TARGET * target
    end = float(x[ok].max()) if ok.any() else float(x.max())
    if data.slo_concurrency is not None:
        end = max(end, 2.5 * data.slo_concurrency)
    return min(max(end, float(x.min()) + 1.0), float(x.max()))


def _subtitle(data: LoadCurveData) -> str:
    gpus = f"{data.gpus_per_replica} GPU" + ("s" if data.gpus_per_replica != 1 else "")
    parts = [f"One replica = {gpus}"]
    if data.slo_concurrency is not None:
        parts.append(f"SLOs hold up to {data.slo_concurrency:,.0f} running sequences")
    elif data.note:
        parts.append(data.note)
    return " · ".join(parts)


class LoadCurveOverlayChart(Chart):
    """Several scenarios' replicas (Compare): throughput and TPOT per replica vs load."""

    export_stem = "load-curve-compare"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Throughput and TPOT vs load, per replica, by scenario", parent)
        self.throughput = self.make_plot("Running sequences per replica",
                                         "Output tokens/s per replica",
                                         {"left": CompactAxis("left"),
                                          "bottom": CompactAxis("bottom")})
        self.latency = self.make_plot("Running sequences per replica", "TPOT (ms)",
                                      {"left": LogMsAxis("left"),
                                       "bottom": CompactAxis("bottom")})
        self.latency.setLogMode(x=False, y=True)
        self.build_layout([self.throughput, self.latency], legend_columns=2)

    def set_series(self, items: Sequence[tuple[str, LoadCurveData]]) -> None:
        """Draw each (scenario name, data) pair."""
        self.set_data(list(items))

    def draw(self, items: list[tuple[str, LoadCurveData]]) -> None:
        drawn = [(name, d) for name, d in items if d.concurrency]
        if not drawn:
            note = items[0][1].note if items else "Choose scenarios to compare."
            self.show_note(note, 0)
            self.show_note(note, 1)
            return
        for i, (name, d) in enumerate(drawn):
            colour = palette.SCENARIO_COLOURS[i % len(palette.SCENARIO_COLOURS)]
            style = STYLES[i % len(STYLES)]
            x = np.asarray(d.concurrency)
            item = self.throughput.plot(x, np.asarray(d.output_tokens_per_s),
                                        pen=pen(colour, style=style))
            self.latency.plot(x, np.asarray(d.tpot_ms), pen=pen(colour, style=style))
            self.legend_entry(item, f"{name} ({d.workload})")
        skipped = [name for name, d in items if not d.concurrency]
        self.set_subtitle(("Not drawn: " + ", ".join(skipped)) if skipped else "")
