"""What every chart shares: a title, styled plots, a legend, an empty-state note, and output.

Titles, subtitles and legend entries are shown as plain text (pyqtgraph's labels read HTML,
and they carry scenario and workload names as typed).

A chart is a `pyqtgraph.GraphicsLayoutWidget` built from one chart-data object
(`app.operations.chart_data`); `set_data(data)` redraws it. Rows of its layout: title (and an
optional subtitle), the plot(s), the legend.

Output (the same scene the user sees, so screen, PNG, SVG and PDF match):
- `render_to(painter, rect)` draws the chart as vectors into any QPainter (PDF, SVG, image);
- `to_image(scale)`, `svg_bytes()`, `png_bytes()`; `export_file(path)` writes `.png`/`.svg`
  atomically through `app.storage.files.save_user_file`.
A chart that is not on screen must be laid out first: `prepare_offscreen(width, height)`
(STACK.md §3: a PlotWidget never shown keeps a 640×480 scene). For a PDF use a QPdfWriter at
96 dpi, as the fonts are sized for the screen's resolution.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from app.errors import UserError
from app.reports.charts import palette
from app.storage.files import save_user_file

FONT_FAMILY = "DejaVu Sans"
TICK_PT = 8
LABEL_PT = "9pt"
TITLE_PT = "11pt"
SUBTITLE_PT = "9pt"
LEGEND_PT = "8pt"
DEFAULT_SIZE = QSize(640, 360)
EXPORT_SCALE = 2.0


class ChartExportError(UserError):
    """A chart file that cannot be written (unknown type, unwritable place)."""


_PEN_SCALE = [1.0]


@contextlib.contextmanager
def scaled_pens(factor: float) -> Iterator[None]:
    """Pens made by `pen()` inside the block are `factor` times wider: pyqtgraph's pens are
    cosmetic (pixels), so a PNG drawn at 2× its size needs 2× pens to keep its look."""
    _PEN_SCALE.append(factor)
    try:
        yield
    finally:
        _PEN_SCALE.pop()


def pen(colour: str, width: float = palette.PEN_WIDTH, style: Qt.PenStyle = Qt.PenStyle.SolidLine,
        ) -> QPen:
    p = pg.mkPen(colour, width=width * _PEN_SCALE[-1])
    p.setStyle(style)
    return p  # type: ignore[no-any-return]


def brush(colour: str, alpha: int = 255) -> Any:
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkBrush(c)


def tick_font() -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSize(TICK_PT)
    return font


class WrappingLabel(pg.LabelItem):  # type: ignore[misc]
    """A title or subtitle that wraps to the chart's width instead of widening the chart
    (pyqtgraph's LabelItem makes its text width the layout's minimum width)."""

    def updateMin(self) -> None:
        width = self.rect().width()
        if width > 40:
            self.item.setTextWidth(width)
        bounds = self.itemRect()
        self.setMinimumWidth(0)
        self.setMinimumHeight(bounds.height())
        self.setMaximumHeight(bounds.height())
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (0, bounds.height()),
            Qt.SizeHint.PreferredSize: (bounds.width(), bounds.height()),
            Qt.SizeHint.MaximumSize: (-1, bounds.height()),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


class Chart(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    """Base of the six charts (see the module docstring)."""

    export_stem = "chart"

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, show=False)
        self.setBackground(palette.BACKGROUND)
        self.setAntialiasing(True)
        self.setMinimumSize(320, 220)
        self.resize(DEFAULT_SIZE)
        self.ci.setContentsMargins(8, 6, 14, 6)
        self.ci.layout.setVerticalSpacing(2)
        self.title_item = WrappingLabel(html.escape(title), size=TITLE_PT, bold=True, color=palette.TEXT,
                                        justify="left")
        self.subtitle_item = WrappingLabel("", size=SUBTITLE_PT, color=palette.MUTED_TEXT,
                                           justify="left")
        self.legend = pg.LegendItem(labelTextSize=LEGEND_PT, labelTextColor=palette.TEXT,
                                    horSpacing=14, verSpacing=-4)
        self.plots: list[pg.PlotItem] = []
        self._title = title
        self.note_items: list[pg.TextItem] = []
        self.data: Any = None
        self._drawn = False
        self._drawn_pen_scale = 1.0
        self._legend_key: tuple[Any, ...] = ()
        self._legend_columns = 0
        self._max_legend_columns = 4
        self._pending_legend: list[tuple[Any, str]] = []

    # --- layout helpers (subclasses call them once, in __init__) ---------------------------

    def build_layout(self, plots: list[pg.PlotItem], legend_columns: int = 4) -> None:
        span = max(len(plots), 1)
        self.ci.addItem(self.title_item, row=0, col=0, colspan=span)
        self.ci.addItem(self.subtitle_item, row=1, col=0, colspan=span)
        for col, plot in enumerate(plots):
            self.ci.addItem(plot, row=2, col=col)
        self.ci.addItem(self.legend, row=3, col=0, colspan=span)
        self._max_legend_columns = legend_columns
        self.legend.setColumnCount(legend_columns)
        self.ci.layout.setRowStretchFactor(2, 1)
        self.plots = plots
        self.set_subtitle("")

    def make_plot(self, x_label: str, y_label: str, axes: dict[str, pg.AxisItem] | None = None
                  ) -> pg.PlotItem:
        # No context menus: built disabled rather than built and then removed (pyqtgraph's
        # view menu takes about 10 ms to build, every chart widget has one per plot).
        plot = pg.PlotItem(axisItems=axes or {}, enableMenu=False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.showGrid(x=True, y=True, alpha=palette.GRID_ALPHA)
        style = {"color": palette.TEXT, "font-size": LABEL_PT}
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setTickFont(tick_font())
            axis.setTextPen(pg.mkPen(palette.TEXT))
            axis.setPen(pg.mkPen(palette.MUTED_TEXT))
        plot.setLabel("bottom", x_label, **style)
        plot.setLabel("left", y_label, **style)
        plot.getViewBox().setDefaultPadding(0.02)
        note = pg.TextItem("", color=palette.MUTED_TEXT, anchor=(0.5, 0.5))
        note.setFont(QFont(FONT_FAMILY, 9))
        self.note_items.append(note)
        return plot

    def set_subtitle(self, text: str) -> None:
        self.subtitle_item.setText(html.escape(text), size=SUBTITLE_PT,
                                   color=palette.MUTED_TEXT)
        self.subtitle_item.setVisible(bool(text))
        if not text:
            self.subtitle_item.setMaximumHeight(0)
            self.subtitle_item.setMinimumHeight(0)

    def set_title(self, text: str) -> None:
        self._title = text
        self.title_item.setText(html.escape(text), size=TITLE_PT, bold=True,
                                color=palette.TEXT)

    @property
    def title(self) -> str:
        return self._title

    def set_data(self, data: Any) -> None:
        """Show `data` (the chart-data object of this chart); the same data again (equal
        frozen dataclasses) changes nothing and costs nothing."""
        if self._drawn and data == self.data:
            return
        self.data = data
        self.redraw()

    def redraw(self) -> None:
        if not (self._drawn and self.data is not None and self._drawn_pen_scale == _PEN_SCALE[-1]
                and self.update_drawn(self.data)):
            self._draw_afresh()
        # Apply the new view ranges now rather than inside the next paint: pyqtgraph moves the
        # plotted items there, which asks for a second paint of the plot area.
        self.scene().prepareForPaint()

    def _draw_afresh(self) -> None:
        self._drawn_pen_scale = _PEN_SCALE[-1]
        self._pending_legend = []
        self.reset()
        if self.data is not None:
            self.draw(self.data)
        self._drawn = True
        # rebuilding the legend is the slowest part of a redraw: keep it when it names the
        # same entries (their samples look the same: colours follow the names)
        key = (tuple(name for _, name in self._pending_legend), _PEN_SCALE[-1])
        if key != self._legend_key:
            self.legend.clear()
            for sample, name in self._pending_legend:
                self.legend.addItem(sample, html.escape(name))
            self._legend_key = key
            self._legend_columns = 0
            self.fit_legend()

    def fit_legend(self) -> None:
        """As many legend columns as fit the chart's width (up to the chart's own choice), so
        the legend never makes the chart wider than its window."""
        legend = getattr(self, "legend", None)  # resizeEvent runs inside the base __init__
        items = legend.items if legend is not None else []
        if not items:
            return
        widest = max(label.itemRect().width() for _, label in items) + 32  # + sample, spacing
        columns = int(max(1, min(self._max_legend_columns, (self.width() - 10) // widest)))
        if columns != self._legend_columns:
            self._legend_columns = columns
            self.legend.setColumnCount(columns)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not getattr(self, "closed", False):  # pyqtgraph's close() resizes a cleared scene
            self.fit_legend()

    def draw(self, data: Any) -> None:
        """Draw `data` on the emptied plots (each chart implements it)."""
        raise NotImplementedError

    def update_drawn(self, data: Any) -> bool:
        """Show `data` by moving the items drawn last (same series, same legend) instead of
        drawing them again, and say whether it could; a chart redrawn on every edit implements
        it, as making pyqtgraph items is most of the time of a redraw."""
        return False

    def reset(self) -> None:
        """Remove the previous data from the plots before drawing new data."""
        for plot, note in zip(self.plots, self.note_items, strict=False):
            plot.clear()
            plot.getAxis("left").setStyle(showValues=True)
            plot.getAxis("bottom").setStyle(showValues=True)
            plot.enableAutoRange()
            note.setText("")

    def show_note(self, text: str, plot_index: int = 0) -> None:
        """An empty chart: the reason in place of the data."""
        plot = self.plots[plot_index]
        note = self.note_items[plot_index]
        plot.disableAutoRange()
        plot.setXRange(0.0, 1.0, padding=0)
        plot.setYRange(0.0, 1.0, padding=0)
        plot.getAxis("left").setStyle(showValues=False)
        plot.getAxis("bottom").setStyle(showValues=False)
        note.setText(text)
        note.setPos(0.5, 0.5)
        plot.addItem(note, ignoreBounds=True)
        view_width = max(plot.getViewBox().width(), 200.0)
        note.setTextWidth(view_width * 0.9)

    def legend_entry(self, sample: Any, name: str) -> None:
        """Add a legend entry (during `draw`)."""
        self._pending_legend.append((sample, name))

    # --- output -------------------------------------------------------------------------------

    def prepare_offscreen(self, width: int, height: int) -> None:
        """Lay out a chart that is not on screen at `width`×`height` px (for PNG/SVG/PDF)."""
        if not self.isVisible():
            self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            self.show()
        self.resize(width, height)
        QApplication.processEvents()

    def render_to(self, painter: QPainter, target: QRectF) -> None:
        """Draw the chart into `target` of any painter (vector output on PDF/SVG painters)."""
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            self.scene().render(painter, target, QRectF(self.sceneRect()),
                                Qt.AspectRatioMode.IgnoreAspectRatio)
        finally:
            painter.restore()

    def to_image(self, scale: float = EXPORT_SCALE) -> QImage:
        """The chart as an image at `scale` × its size (device pixel ratio `scale`, so lines and
        text keep their proportions)."""
        size = self.size()
        image = QImage(int(size.width() * scale), int(size.height() * scale),
                       QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(QColor(palette.BACKGROUND))
        if scale != 1.0 and self.data is not None:
            with scaled_pens(scale):
                self.redraw()
            self.settle()
        painter = QPainter(image)
        try:
            self.render_to(painter, QRectF(0, 0, size.width(), size.height()))
        finally:
            painter.end()
            if scale != 1.0 and self.data is not None:
                self.redraw()
                self.settle()
        return image

    def settle(self) -> None:
        """Apply pending layout changes (legend and axis sizes) before rendering."""
        QApplication.processEvents()
        self.ci.layout.activate()

    def png_bytes(self, scale: float = EXPORT_SCALE) -> bytes:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image = self.to_image(scale)
        image.setDevicePixelRatio(1.0)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes
        buffer.close()
        return bytes(data.data())

    def svg_bytes(self) -> bytes:
        size = self.size()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setResolution(96)
        generator.setTitle(self._title)
        generator.setDescription("Enclave chart")
        painter = QPainter(generator)
        try:
            self.render_to(painter, QRectF(0, 0, size.width(), size.height()))
        finally:
            painter.end()
        buffer.close()
        return bytes(data.data())

    def export_file(self, path: Path | str) -> Path:
        """Write the chart to `path` (`.png` or `.svg`) atomically; UserError when it cannot."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".png":
            content = self.png_bytes()
        elif suffix == ".svg":
            content = self.svg_bytes()
        else:
            raise ChartExportError(f"{target.name}: charts are exported as .png or .svg")
        return save_user_file(target, content)

    def suggested_file_name(self, suffix: str) -> str:
        return f"{self.export_stem}{suffix}"
