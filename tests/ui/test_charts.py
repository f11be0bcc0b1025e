"""The six charts: drawn as images against baselines, labelled, exportable and printable."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgRenderer
from pytestqt.qtbot import QtBot

from app.errors import UserError
from app.reports.charts.base import Chart
from app.reports.charts.cost_breakdown import CostBreakdownChart
from app.reports.charts.cumulative_cost import CumulativeCostChart, CumulativeCostOverlayChart
from app.reports.charts.distribution import DistributionChart
from app.reports.charts.load_curve import LoadCurveChart, LoadCurveOverlayChart
from app.reports.charts.memory_waterfall import MemoryWaterfallChart
from app.reports.charts.tornado import TornadoChart
from tests.ui import chart_samples as samples
from tests.ui.image_compare import assert_image_matches, compare_arrays, image_to_array

WIDTH, HEIGHT = 640, 360
CHARTS: dict[str, tuple[type[Chart], Callable[[], Any]]] = {
    "chart-memory-waterfall": (MemoryWaterfallChart, samples.memory),
    "chart-memory-waterfall-short": (MemoryWaterfallChart, samples.memory_short),
    "chart-load-curve": (LoadCurveChart, samples.load),
    "chart-cumulative-cost": (CumulativeCostChart, samples.cumulative),
    "chart-cumulative-cost-empty": (CumulativeCostChart, samples.empty_cumulative),
    "chart-cost-breakdown": (CostBreakdownChart, samples.breakdown),
    "chart-tornado": (TornadoChart, samples.tornado),
    "chart-distribution": (DistributionChart, samples.distribution),
}


def _chart(qtbot: QtBot, cls: type[Chart], data: Any) -> Chart:
    chart = cls()
    qtbot.addWidget(chart)
    chart.prepare_offscreen(WIDTH, HEIGHT)
    chart.set_data(data)
    chart.settle()
    return chart


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_matches_its_baseline(qtbot: QtBot, name: str) -> None:
    cls, make = CHARTS[name]
    chart = _chart(qtbot, cls, make())
    assert_image_matches(chart.to_image(1.0), name)


def test_cumulative_cost_moved_in_place_looks_as_drawn_afresh(qtbot: QtBot) -> None:
    # an edit changes the numbers, not the series: the chart moves its items instead of
    # making them again, and must look the same as a chart that draws the new data
    first = samples.cumulative()
    second = dataclasses.replace(
        first, onprem_usd=tuple(v * 1.3 for v in first.onprem_usd),
        onprem_p10_usd=tuple(v * 1.2 for v in first.onprem_usd),
        onprem_p90_usd=tuple(v * 1.45 for v in first.onprem_usd),
        api_usd=tuple(v * 0.8 for v in first.api_usd or ()), break_even_month_vs_api=41)
    moved = _chart(qtbot, CumulativeCostChart, first)
    drawn = moved.drawn
    moved.set_data(second)
    moved.settle()
    assert moved.drawn is drawn is not None  # the same items
    fresh = _chart(qtbot, CumulativeCostChart, second)
    comparison = compare_arrays(image_to_array(moved.to_image(1.0)),
                                image_to_array(fresh.to_image(1.0)), pixel_tolerance=0)
    assert comparison.size_matches and comparison.differing_fraction == 0.0
    moved.set_data(dataclasses.replace(second, break_even_month_vs_rental=None))
    assert moved.drawn is not drawn  # a line less: drawn afresh


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_has_a_title_axis_labels_with_units_and_a_legend(qtbot: QtBot,
                                                                     name: str) -> None:
    cls, make = CHARTS[name]
    data = make()
    chart = _chart(qtbot, cls, data)
    assert chart.title
    if data.note:  # an empty chart says why instead of drawing
        assert chart.note_items[0].toPlainText() == data.note
        return
    assert chart.legend.items, "a legend"
    labels = [plot.getAxis(side).labelText for plot in chart.plots for side in ("left", "bottom")]
    assert any("(" in text and ")" in text for text in labels), labels  # a unit in brackets
    widths = [sample.opts["pen"].widthF() for sample, _ in chart.legend.items
              if isinstance(sample, pg.PlotDataItem) and sample.opts.get("pen") is not None]
    assert all(w >= 1.5 for w in widths)  # reference lines 1.5 px, data lines 2 px
    if widths:
        assert max(widths) >= 2.0


def test_exported_png_and_svg_are_valid_and_private(qtbot: QtBot, tmp_path: Path) -> None:
    chart = _chart(qtbot, CumulativeCostChart, samples.cumulative())
    png = chart.export_file(tmp_path / "cost.png")
    svg = chart.export_file(tmp_path / "cost.svg")
    image = QImage(str(png))
    assert (image.width(), image.height()) == (2 * WIDTH, 2 * HEIGHT)  # 2× for slides
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid()
    text = svg.read_text(encoding="utf-8")
    assert "Cumulative cost" in text and "<path" in text or "<polyline" in text
    if os.name == "posix":
        assert stat.S_IMODE(png.stat().st_mode) == 0o600
    with pytest.raises(UserError, match=r"\.png or \.svg"):
        chart.export_file(tmp_path / "cost.gif")
    assert not (tmp_path / "cost.gif").exists()


def test_png_export_keeps_line_weight_at_double_size(qtbot: QtBot) -> None:
    """Cosmetic pens would be 2 px in a 2× image (looking half as heavy): exports scale them."""
    chart = _chart(qtbot, CumulativeCostChart, samples.cumulative())
    from tests.ui.image_compare import image_to_array

    def api_line_rows(image: QImage) -> int:
        a = image_to_array(image)[:, :, :3].astype(int)
        column = a[:, a.shape[1] // 2]
        api = (0xD5, 0x5E, 0x00)
        return int(sum(1 for px in column if sum(abs(px[i] - api[i]) for i in range(3)) < 90))

    assert api_line_rows(chart.to_image(2.0)) >= 2 * api_line_rows(chart.to_image(1.0)) - 1
    # and the chart on screen is back to its own pens afterwards
    assert_image_matches(chart.to_image(1.0), "chart-cumulative-cost")


def test_charts_render_as_vectors_into_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    charts = [_chart(qtbot, cls, make()) for cls, make in CHARTS.values()]
    path = tmp_path / "charts.pdf"
    writer = QPdfWriter(str(path))
    writer.setResolution(96)  # STACK.md §3: the chart fonts are sized for 96 dpi
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    try:
        for i, chart in enumerate(charts):
            if i:
                writer.newPage()
            chart.render_to(painter, QRectF(20, 20, WIDTH, HEIGHT))
    finally:
        painter.end()
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(
        b"/Type /Page\r") + data.count(b"/Type /Page ") + data.count(b"/Type/Page") >= 1
    assert b"/Subtype /Image" not in data  # drawn as vectors, not pasted as pictures


def test_overlay_charts_draw_one_series_per_scenario(qtbot: QtBot) -> None:
    cumulative = CumulativeCostOverlayChart()
    qtbot.addWidget(cumulative)
    cumulative.prepare_offscreen(WIDTH, HEIGHT)
    cumulative.set_series([("A", samples.cumulative()), ("B", samples.cumulative()),
                           ("C", samples.empty_cumulative())])
    assert len(cumulative.plot.listDataItems()) == 2
    assert [label.text for _, label in cumulative.legend.items] == ["A", "B"]
    assert "C" in cumulative.subtitle_item.text
    load = LoadCurveOverlayChart()
    qtbot.addWidget(load)
    load.prepare_offscreen(WIDTH, HEIGHT)
    load.set_series([("A", samples.load()), ("B", samples.load())])
    assert len(load.throughput.listDataItems()) == 2 and len(load.latency.listDataItems()) == 2
    load.set_series([])
    assert load.note_items[0].toPlainText()


def test_redrawing_replaces_the_previous_data(qtbot: QtBot) -> None:
    chart = _chart(qtbot, CostBreakdownChart, samples.breakdown())
    first = len(chart.plot.items)
    for _ in range(5):
        chart.set_data(samples.breakdown())
    assert len(chart.plot.items) == first
    assert len(chart.legend.items) == len(samples.breakdown().categories)


def test_context_menu_exports_through_the_file_dialog(qtbot: QtBot, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import chart_actions, messages

    chart = _chart(qtbot, TornadoChart, samples.tornado())
    said: list[str] = []
    actions = chart_actions.install_export_actions(chart, said.append)
    assert [a.text() for a in chart.actions()] == [messages.CHART_EXPORT_PNG,
                                                   messages.CHART_EXPORT_SVG]
    asked: list[str] = []

    def pick(parent: object, suggested: str, file_filter: str) -> str:
        asked.append(suggested)
        return str(tmp_path / ("tornado-export" if file_filter == messages.CHART_PNG_FILTER
                               else "tornado.svg"))

    monkeypatch.setattr(chart_actions, "ask_save_path", pick)
    actions[0].trigger()  # a name without a suffix gets the right one
    actions[1].trigger()
    assert asked[0].endswith("tornado.png") and asked[1].endswith("tornado.svg")
    assert (tmp_path / "tornado-export.png").read_bytes().startswith(b"\x89PNG")
    assert QSvgRenderer(str(tmp_path / "tornado.svg")).isValid()
    assert said == [messages.STATUS_CHART_EXPORTED.format(path=tmp_path / "tornado-export.png"),
                    messages.STATUS_CHART_EXPORTED.format(path=tmp_path / "tornado.svg")]
    monkeypatch.setattr(chart_actions, "ask_save_path", lambda *a: "")  # cancelled
    assert chart_actions.export_chart(chart, ".png") is None


def test_an_unwritable_place_is_reported_not_raised(qtbot: QtBot, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import chart_actions, messages
    from tests.ui.conftest import take_message

    chart = _chart(qtbot, TornadoChart, samples.tornado())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(chart_actions, "ask_save_path",
                        lambda *a: str(blocker / "chart.png"))
    assert chart_actions.export_chart(chart, ".png") is None
    box = take_message(qtbot)
    assert box.windowTitle() == messages.CHART_EXPORT_FAILED_TITLE
    assert "chart.png" in box.text()
    box.close()
