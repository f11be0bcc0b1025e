"""The PDF renderer: a `Report` on A4 pages with Qt's own PDF path (see STACK.md §3).

- `QPdfWriter` at 96 dpi (pyqtgraph scenes render correctly only at screen resolution), page
  margins 0: the header, footer and "page i of N" are drawn here.
- The flow is one `QTextDocument` (HTML from `app.reports.html`, DejaVu fonts shipped with the
  app and embedded by Qt as TrueType subsets; table headers repeat on every page); it is
  paginated by hand: page p shows the document's band [p × H, (p + 1) × H).
- Charts are inline text objects: a `ChartArt` draws itself into the rectangle the layout gives
  it, so vectors go straight into the PDF painter (no image XObject).
- Everything here works in a worker thread as long as the fonts were registered on the GUI
  thread first (`ensure_fonts`) and the chart art is ready-made (`chart_pictures`).
- A failure while painting still ends the painter (`try/finally`), or Qt would crash at exit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRect,
    QRectF,
    QSizeF,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QPyTextObject,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from app import __version__
from app.paths import resources_dir
from app.reports.html import INK, STYLE_SHEET, chart_marker, report_html
from app.reports.model import Chart, Report

DPI = 96
MM = DPI / 25.4
PAGE_W = round(210 * MM)  # 794 px
PAGE_H = round(297 * MM)  # 1123 px
MARGIN_LEFT = 18 * MM
MARGIN_RIGHT = 18 * MM
MARGIN_TOP = 21 * MM
MARGIN_BOTTOM = 18 * MM
# Whole pixels: the text layout works in fixed point, and a fractional page height drifts
# against p × H after a few dozen pages (a heading at the top of page 12 computed as page 11).
CONTENT_W = int(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT)
CONTENT_H = int(PAGE_H - MARGIN_TOP - MARGIN_BOTTOM)
FONT_FAMILY = "DejaVu Sans"
BODY_PT = 9.0
CHART_TYPE = int(QTextFormat.ObjectTypes.UserObject) + 1
CHART_INDEX = int(QTextFormat.Property.UserProperty) + 1
MUTED = QColor("#5f6b7a")
RULE = QColor("#c9d0d9")
KEEP_PASSES = 2  # keep-with-next passes: each moves headings, then the layout is redone
KEEP_TABLE_SHARE = 0.45  # a heading keeps a table shorter than this share of a page whole


class ChartArt(Protocol):
    """Something that draws one chart into a rectangle of a painter (vector)."""

    def draw(self, painter: QPainter, rect: QRectF) -> None: ...


_fonts_ready = False


def ensure_fonts() -> str:
    """Register the shipped DejaVu fonts once (call on the GUI thread); returns the family."""
    global _fonts_ready
    if not _fonts_ready:
        for path in sorted((resources_dir() / "fonts").glob("DejaVu*.ttf")):
            QFontDatabase.addApplicationFont(str(path))
        _fonts_ready = True
    return FONT_FAMILY


def report_font(point_size: float) -> QFont:
    """DejaVu Sans without ligatures: "fi" and "ff" stay two letters, so text copied or
    searched in the PDF reads as typed ("Sign-off", not "Sign-o\ufb00")."""
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(point_size)
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def page_of_y(y: float) -> int:
    """The page (from 0) holding document height `y`, tolerant of fixed-point rounding."""
    return int((y + 0.01) // CONTENT_H)


def chart_size(chart: Chart) -> QSizeF:
    width = CONTENT_W * max(10, min(chart.width_pct, 100)) / 100.0
    return QSizeF(width, width * chart.aspect)


class _ChartObject(QPyTextObject):
    """Lays out and draws the inline chart objects of one document."""

    def __init__(self, charts: Sequence[Chart], art: Sequence[ChartArt]) -> None:
        super().__init__()
        self.charts = charts
        self.art = art

    def intrinsicSize(self, doc: QTextDocument, pos: int, fmt: QTextFormat) -> QSizeF:  # noqa: N802
        return chart_size(self.charts[int(fmt.property(CHART_INDEX))])

    def drawObject(self, painter: QPainter, rect: QRectF | QRect,  # noqa: N802
                   doc: QTextDocument,
                   pos: int, fmt: QTextFormat) -> None:
        index = int(fmt.property(CHART_INDEX))
        target = QRectF(rect)
        # A chart is never split: it is laid out whole on one page. The page above it may
        # still be asked to draw it (its line box touches the band); a recorded chart sets its
        # own clip, so it would spill below the footer: draw it only on its own page.
        if painter.hasClipping() and not painter.clipBoundingRect().adjusted(
                -1, -1, 1, 1).contains(target):
            return
        painter.save()
        try:
            self.art[index].draw(painter, target)
        finally:
            painter.restore()


@dataclass(frozen=True)
class Layout:
    """Where each section starts (page numbers from 1), how many pages there are, and where
    the contents list wants each section's page number (document coordinates)."""

    pages: int
    section_pages: dict[str, int]
    toc_cells: dict[str, QRectF]


class ReportDocument:
    """A laid-out report: `pages`, `paint_page(painter, i)`, `write_pdf`, `page_image`."""

    def __init__(self, report: Report, art: Sequence[ChartArt]) -> None:
        ensure_fonts()
        self.report = report
        html, charts = report_html(report)
        if len(art) != len(charts):
            raise ValueError(f"{len(charts)} charts in the report, {len(art)} drawn")
        self.charts = charts
        self.doc = QTextDocument()
        self.doc.setUndoRedoEnabled(False)
        self._device = QImage(8, 8, QImage.Format.Format_ARGB32)
        dots = round(DPI / 0.0254)
        self._device.setDotsPerMeterX(dots)
        self._device.setDotsPerMeterY(dots)
        self.doc.documentLayout().setPaintDevice(self._device)
        self.doc.setDefaultFont(report_font(BODY_PT))
        self.doc.setDefaultStyleSheet(STYLE_SHEET)
        self.doc.setDocumentMargin(0)
        self.doc.setPageSize(QSizeF(CONTENT_W, CONTENT_H))
        self._handler = _ChartObject(charts, art)
        self.doc.documentLayout().registerHandler(CHART_TYPE, self._handler)
        self.doc.setHtml(html)
        self._insert_charts()
        self.layout = self._paginate()

    def _insert_charts(self) -> None:
        """Replace the chart markers with chart objects, in one edit (one relayout)."""
        edit = QTextCursor(self.doc)
        edit.beginEditBlock()
        try:
            for i in range(len(self.charts)):
                cursor = self.doc.find(chart_marker(i))
                if cursor.isNull():
                    raise RuntimeError(f"chart marker {i} not found in the document")
                fmt = QTextCharFormat()
                fmt.setObjectType(CHART_TYPE)
                fmt.setProperty(CHART_INDEX, i)
                edit.setPosition(cursor.selectionStart())
                edit.setPosition(cursor.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
                edit.insertText("\ufffc", fmt)
        finally:
            edit.endEditBlock()

    def _anchors(self) -> tuple[dict[str, int], dict[str, QRectF]]:
        """Section id → page of its heading (`sec-<id>` anchors), and → the rectangle of its
        page-number cell in the contents (`toc-<id>` anchors)."""
        layout = self.doc.documentLayout()
        pages: dict[str, int] = {}
        cells: dict[str, QRectF] = {}
        block = self.doc.begin()
        while block.isValid():
            for fragment in _fragments(block):
                for name in fragment.charFormat().anchorNames():
                    rect = layout.blockBoundingRect(block)
                    if name.startswith("sec-"):
                        pages[name[4:]] = page_of_y(rect.top()) + 1
                    elif name.startswith("toc-"):
                        cells[name[4:]] = rect
            block = block.next()
        return pages, cells

    def _page_of(self, block: QTextBlock) -> int:
        return page_of_y(self.doc.documentLayout().blockBoundingRect(block).top())

    def _splits_short_table(self, heading: QTextBlock, following: QTextBlock) -> bool:
        """True when `following` starts a table shorter than `KEEP_TABLE_SHARE` of a page that
        runs over a page break (a row of cards, a short table): its heading moves, taking the
        table whole to the next page."""
        table = QTextCursor(following).currentTable()
        if table is None:
            return False
        layout = self.doc.documentLayout()
        top = layout.blockBoundingRect(heading).top()
        # The table's frame, not its last cell: the row is as tall as its tallest cell.
        bottom = layout.frameBoundingRect(table).bottom()
        return (bottom - top < CONTENT_H * KEEP_TABLE_SHARE
                and page_of_y(bottom - 0.5) > page_of_y(top))

    @staticmethod
    def _movable_heading(block: QTextBlock, levels: range = range(2, 6)) -> bool:
        fmt = block.blockFormat()
        return (block.isValid() and fmt.headingLevel() in levels
                and fmt.pageBreakPolicy() == QTextFormat.PageBreakFlag.PageBreak_Auto)

    def _lead_heading(self, block: QTextBlock) -> QTextBlock:
        """The first of the headings right above `block` (a section, scenario and table title
        in a row): moving it takes the others along in the same pass."""
        lead = block
        while self._movable_heading(lead.previous(), range(1, 6)):
            lead = lead.previous()
        return lead

    def _keep_with_next(self) -> bool:
        """Move headings (sections, scenarios, table and chart titles) whose next block starts
        on a later page, or whose short table runs over a page break, to the next page, in one
        edit, together with the headings right above them; True when anything moved."""
        stranded: dict[int, QTextBlock] = {}
        block = self.doc.begin()
        while block.isValid():
            following = block.next()
            if (self._movable_heading(block) and following.isValid()
                    and (self._page_of(following) > self._page_of(block)
                         or self._splits_short_table(block, following))):
                lead = self._lead_heading(block)
                stranded.setdefault(lead.blockNumber(), lead)
            block = following
        if not stranded:
            return False
        edit = QTextCursor(self.doc)
        edit.beginEditBlock()
        try:
            for block in stranded.values():
                edit.setPosition(block.position())
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                edit.setBlockFormat(fmt)
                # A heading below it moved in an earlier pass now comes along with it.
                following = block.next()
                if (following.isValid() and 2 <= following.blockFormat().headingLevel() <= 5
                        and following.blockFormat().pageBreakPolicy()
                        == QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore):
                    edit.setPosition(following.position())
                    below = following.blockFormat()
                    below.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_Auto)
                    edit.setBlockFormat(below)
        finally:
            edit.endEditBlock()
        return True

    def _paginate(self) -> Layout:
        for _ in range(KEEP_PASSES):
            self.doc.pageCount()  # lays the document out
            if not self._keep_with_next():
                break
        pages = self.doc.pageCount()
        sections, cells = self._anchors()
        return Layout(pages=pages, section_pages=sections, toc_cells=cells)

    @property
    def pages(self) -> int:
        return self.layout.pages

    def paint_page(self, painter: QPainter, index: int) -> None:
        """Page `index` (from 0) at 96 dpi page coordinates (794 × 1123)."""
        painter.save()
        try:
            painter.translate(MARGIN_LEFT, MARGIN_TOP - index * CONTENT_H)
            clip = QRectF(0, index * CONTENT_H, CONTENT_W, CONTENT_H)
            self.doc.drawContents(painter, clip)
        finally:
            painter.restore()
        self._decorate(painter, index)

    def _decorate(self, painter: QPainter, index: int) -> None:
        painter.save()
        try:
            font = report_font(7.0)
            painter.setFont(font)
            metrics = QFontMetricsF(font, painter.device())
            painter.setPen(QPen(MUTED))
            page_text = f"Page {index + 1} of {self.pages}"
            foot_y = PAGE_H - MARGIN_BOTTOM + 7 * MM
            if index > 0:
                head_y = MARGIN_TOP - 8 * MM
                right = self.report.scenario_names and f"{len(self.report.scenario_names)} " \
                    f"scenario{'s' if len(self.report.scenario_names) != 1 else ''}" or ""
                right_w = metrics.horizontalAdvance(right) + 12
                head = metrics.elidedText(self.report.header, Qt.TextElideMode.ElideRight,
                                          CONTENT_W - right_w)
                painter.drawText(QPointF(MARGIN_LEFT, head_y), head)
                painter.drawText(QPointF(PAGE_W - MARGIN_RIGHT
                                         - metrics.horizontalAdvance(right), head_y), right)
                painter.setPen(QPen(RULE, 0.8))
                painter.drawLine(QPointF(MARGIN_LEFT, head_y + 2.5 * MM),
                                 QPointF(PAGE_W - MARGIN_RIGHT, head_y + 2.5 * MM))
            else:
                self._contents_pages(painter)
            painter.setPen(QPen(RULE, 0.8))
            painter.drawLine(QPointF(MARGIN_LEFT, foot_y - 4 * MM),
                             QPointF(PAGE_W - MARGIN_RIGHT, foot_y - 4 * MM))
            painter.setPen(QPen(MUTED))
            painter.drawText(QPointF(MARGIN_LEFT, foot_y), self.report.footer)
            painter.drawText(QPointF(PAGE_W - MARGIN_RIGHT
                                     - metrics.horizontalAdvance(page_text), foot_y), page_text)
        finally:
            painter.restore()

    def _contents_pages(self, painter: QPainter) -> None:
        painter.save()
        try:
            painter.setFont(report_font(BODY_PT))
            painter.setPen(QPen(QColor(INK)))
            for section_id, cell in self.layout.toc_cells.items():
                page = self.layout.section_pages.get(section_id)
                if page is None:
                    continue
                rect = cell.translated(MARGIN_LEFT, MARGIN_TOP)
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight
                                           | Qt.AlignmentFlag.AlignVCenter), str(page))
        finally:
            painter.restore()

    def write_pdf(self) -> bytes:
        """The PDF as bytes (callers write the user's file with `save_user_file`)."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        writer.setResolution(DPI)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Portrait,
                                         QMarginsF(0, 0, 0, 0)))
        writer.setTitle(self.report.title)
        writer.setCreator(f"Enclave {__version__}")
        painter = QPainter()
        if not painter.begin(writer):
            raise RuntimeError("cannot start painting the PDF")
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for i in range(self.pages):
                if i:
                    writer.newPage()
                self.paint_page(painter, i)
        finally:
            painter.end()
        buffer.close()
        return bytes(data.data())

    def page_image(self, index: int, scale: float = 1.0) -> QImage:
        """One page as an image (`scale` 1 = 96 dpi), white background."""
        image = QImage(max(1, round(PAGE_W * scale)), max(1, round(PAGE_H * scale)),
                       QImage.Format.Format_RGB32)
        dots = round(DPI / 0.0254)
        image.setDotsPerMeterX(dots)
        image.setDotsPerMeterY(dots)
        image.fill(QColor("white"))
        painter = QPainter()
        if not painter.begin(image):
            raise RuntimeError("cannot paint the page image")
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.scale(scale, scale)
            self.paint_page(painter, index)
        finally:
            painter.end()
        return image


def _fragments(block: object) -> list:  # type: ignore[type-arg]
    out = []
    it = block.begin()  # type: ignore[attr-defined]
    while not it.atEnd():
        out.append(it.fragment())
        it += 1
    return out

