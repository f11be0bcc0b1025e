"""The pool placement chart: drawn against a baseline, labelled, vector in a PDF, empty state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPageSize, QPainter, QPdfWriter
from pytestqt.qtbot import QtBot

from app.operations.pool_chart_data import (
    NO_POOL,
    OffPeakJob,
    PoolGpu,
    PoolPlacementData,
    PoolSegment,
)
from app.reports.charts.pool_chart import PoolPlacementChart, off_peak_text, subtitle
from tests.ui.image_compare import assert_image_matches

WIDTH, HEIGHT = 640, 360


def sample() -> PoolPlacementData:
    """Hand-written (a change in the engine never moves the baseline): two TP-2 LLM replicas,
    one MIG-shared GPU (embedder 2 × 1g, reranker 1 × 2g), one time-sliced GPU, one GPU for a
    periodic job and one extra GPU from a whole server."""
    whole = [PoolGpu(i, "whole", (PoolSegment("chat", "whole", i // 2, 1.0, 0.0, 70.0),))
             for i in range(4)]
    mig = PoolGpu(4, "shared", (
        PoolSegment("embedder", "1g.10gb", 0, 1 / 7, 0.0, 10.0),
        PoolSegment("embedder", "1g.10gb", 1, 1 / 7, 1 / 7, 10.0),
        PoolSegment("reranker", "2g.20gb", 0, 2 / 7, 2 / 7, 20.0)))
    sliced = PoolGpu(5, "shared", (
        PoolSegment("guard", "shared", 0, 0.4, 0.0, 22.7),
        PoolSegment("guard", "shared", 1, 0.4, 0.4, 22.7)))
    periodic = PoolGpu(6, "periodic", (PoolSegment("tune", "dedicated", 0, 1.0, 0.0, None),))
    extra = PoolGpu(7, "extra", (PoolSegment("", "extra", 0, 1.0, 0.0, None),))
    return PoolPlacementData(
        accelerator="Test GPU 80GB", gpu_memory_gb=80.0, sharing="mig",
        gpus=(*whole, mig, sliced, periodic, extra),
        workloads=("chat", "embedder", "reranker", "guard", "tune"), pool_gpus=7,
        off_peak=(OffPeakJob("embedder", 0.8),), idle_gpu_hours_per_month=3200.0)


def _chart(qtbot: QtBot, data: PoolPlacementData) -> PoolPlacementChart:
    chart = PoolPlacementChart()
    qtbot.addWidget(chart)
    chart.prepare_offscreen(WIDTH, HEIGHT)
    chart.set_data(data)
    chart.settle()
    return chart


def test_pool_chart_matches_its_baseline(qtbot: QtBot) -> None:
    chart = _chart(qtbot, sample())
    assert_image_matches(chart.to_image(1.0), "chart-pool-placement")


def test_pool_chart_is_labelled(qtbot: QtBot) -> None:
    chart = _chart(qtbot, sample())
    assert chart.title == "The shared GPU pool: what runs on each GPU"
    names = [label.text for _, label in chart.legend.items]
    assert names == ["chat", "embedder", "reranker", "guard", "tune", "Not allocated",
                     "Extra GPU (whole servers)"]
    assert chart.plot.getAxis("left").labelText == "Share of the GPU (%)"
    assert subtitle(sample()) == ("8 × Test GPU 80GB: 4 whole, 2 shared through MIG "
                                  "partitions, 1 for periodic jobs, 1 extra")
    assert off_peak_text(sample()) == ("Off-peak in the idle hours of GPUs 1–6: embedder 0.8 "
                                       "GPU-h/month")


def test_pool_chart_without_a_pool_says_why(qtbot: QtBot) -> None:
    empty = PoolPlacementData("Test GPU", 0.0, "none", (), ("chat",), 0, note=NO_POOL)
    chart = _chart(qtbot, empty)
    assert chart.note_items[0].toPlainText() == NO_POOL


def test_pool_chart_is_vector_in_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    chart = _chart(qtbot, sample())
    path = tmp_path / "pool.pdf"
    writer = QPdfWriter(str(path))
    writer.setResolution(96)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    try:
        chart.render_to(painter, QRectF(20, 20, WIDTH, HEIGHT))
    finally:
        painter.end()
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"/Subtype /Image" not in data
