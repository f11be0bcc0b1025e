"""The dashboard's "Workloads and shared fleet" area: for a scenario with several workloads or
any that is not an LLM, a table of every workload on the shared fleet, the fleet GPU by GPU
(`PoolPlacementChart`), the pool's facts, one card per embedder, reranker, guard model and
fine-tune (a fine-tune with its memory per GPU as a small chart), and the co-location caveat.

A view of `reports.workload_cards.WorkloadsArea` (computed off the GUI thread with the rest of
the dashboard). An edit redraws only what changed: equal data is skipped, the table updates
the rows that differ, cards are rebuilt only when the set of workloads changes, and charts
draw when scrolled into view (`ChartCard`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.reports.charts.finetune_memory import HEIGHT_PX, FinetuneMemoryChart
from app.reports.charts.pool_chart import WORKLOAD_COLOURS, PoolPlacementChart
from app.reports.workload_cards import COLUMNS, WorkloadsArea
from app.reports.workload_kind_cards import KindCard
from app.ui import messages
from app.ui.escaping import plain_label
from app.ui.models.workload_table import HEADERS, WorkloadTableModel
from app.ui.views.chart_card import ChartCard
from app.ui.views.dashboard_parts import KpiCardWidget
from app.ui.views.screen_parts import FoldToggle

BREAKS = re.compile(r"\s+|(?<=[-/])")  # where Qt may wrap a line: spaces, after - and /
CELL_INSET = 18  # a cell's padding (style sheet) and text margins, both sides, and a margin
MIN_COLUMN = 112  # a workload's column in the turned table: `training tok/s` on one line
ROW_PADDING = 12
FIGURE_PX = 190  # a figure card's width when laying them out in columns
POOL_CHART_PX = 330
WRAPPING = ("workload", "model", "gpu_share", "peak", "cost_share")  # the others break lines


class WorkloadTableView(QTableView):
    """The workload table at its full height (the results area scrolls, not the table), its
    columns fitted to the width: long cells wrap rather than scroll sideways."""

    def __init__(self, model: WorkloadTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workloadTable")
        self.setModel(model)
        self.workload_model = model
        self._fitting = False
        self._shape: tuple[object, ...] = ()
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                                                  | Qt.AlignmentFlag.AlignVCenter)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                                                    | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setIconSize(self.iconSize().scaled(10, 10, Qt.AspectRatioMode.KeepAspectRatio))
        model.modelReset.connect(self._reset)
        model.dataChanged.connect(lambda *_: self.fit())

    def _widths(self) -> tuple[list[int], list[int], list[int]]:
        """(one line, natural, narrowest) width of each column of the one-row-per-workload
        layout: every cell on one line; its lines unbroken; the wrapping columns wrapped."""
        model = self.workload_model
        cells = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        heads = QFontMetrics(bold)
        one_line, natural, narrowest = [], [], []
        for key, label in COLUMNS:
            head = max(heads.horizontalAdvance(line)
                       for line in HEADERS.get(key, label).split("\n")) + 16
            lines = [line for row in model.rows
                     for line in row.cell(key).screen_text.split("\n")]
            pad = CELL_INSET + (16 if key == "workload" else 2)  # padding, margins, swatch
            longest = max((cells.horizontalAdvance(line) for line in lines), default=0) + pad
            word = max((cells.horizontalAdvance(w) for line in lines
                        for w in BREAKS.split(line) if w), default=0) + pad
            natural.append(max(head, longest))
            one_line.append(max([head, *(cells.horizontalAdvance(row.cell(key).text) + pad
                                        for row in model.rows)]))
            # a wrapping column gives up a quarter of its width at most: beyond that the
            # table reads better turned (one column per workload)
            narrowest.append(max(head, word, round(natural[-1] * 0.75)) if key in WRAPPING
                             else natural[-1])
        return one_line, natural, narrowest

    def _one_line_columns(self) -> list[int]:
        """Widths of the turned table's columns with every text on one line: the figures'
        labels, then one column per workload."""
        cells = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        labels = max(QFontMetrics(bold).horizontalAdvance(label) for _, label in COLUMNS[1:])
        pad = CELL_INSET + 2
        return [labels + pad, *(max(cells.horizontalAdvance(c.text) for c in row.cells[1:]) + pad
                                for row in self.workload_model.rows)]

    def _reset(self) -> None:
        if not self._fitting:  # other workloads: lay out afresh
            self._shape = ()
            self.fit()

    def fit(self) -> None:
        """One row per workload when its narrowest layout fits the width (wrapping columns
        shrunk in proportion), else one column per workload; rows to their wrapped text, and
        the table's height to its rows."""
        if self._fitting:
            return
        self._fitting = True
        try:
            self._fit()
        finally:
            self._fitting = False

    def _fit(self) -> None:
        model = self.workload_model
        if not model.rows:
            return
        available = max(self.width() - 2 * self.frameWidth(), 200)
        # An edit mostly changes a few figures by a digit or so: the layout stays, and laying
        # the rows out again (the costly part) is skipped while every text keeps its length.
        shape = (available, tuple(len(c.text) for row in model.rows for c in row.cells))
        if shape == self._shape:
            return
        self._shape = shape
        one_line, natural, narrowest = self._widths()
        transposed = sum(narrowest) > available
        long_labels = False
        columns: list[int] = []
        if transposed:  # one line per cell when the widest of each workload's cells fits
            columns = self._one_line_columns()
            wide = sum(columns) <= available
            lines = max(max(self.fontMetrics().horizontalAdvance(line)
                            for c in row.cells[1:] for line in c.screen_text.split("\n"))
                        for row in model.rows) + CELL_INSET + 2
            long_labels = wide or (available - columns[0]) // len(model.rows) >= lines
        else:
            wide = sum(one_line) <= available
        model.set_layout(transposed, wide, long_labels)
        if wide:
            natural = narrowest = one_line
        header = self.horizontalHeader()
        if transposed:
            self.verticalHeader().show()
            labels = max(self.verticalHeader().sizeHint().width(), self.verticalHeader().width())
            each = (available - labels - 4) // len(model.rows)
            # Many workloads in a narrow area: columns keep a readable width and the table
            # scrolls sideways (hiding the editor, Ctrl+E, makes room).
            overflow = each < MIN_COLUMN
            if wide:  # each workload's column holds its longest line; the rest is spread
                spare = max(available - labels - 4 - sum(columns[1:]), 0) // len(model.rows)
                widths = [width + spare for width in columns[1:]]
            else:
                widths = [max(each, MIN_COLUMN)] * len(model.rows)
            for c, width in enumerate(widths):
                self.setColumnWidth(c, width)
            header.setStretchLastSection(not overflow)
        else:
            overflow = False
            header.setStretchLastSection(False)
            self.verticalHeader().hide()
            widths = list(natural)
            excess = sum(natural) - available
            room = sum(n - w for n, w in zip(natural, narrowest, strict=True))
            for c in range(len(widths)):
                give = natural[c] - narrowest[c]
                if excess > 0:
                    widths[c] = natural[c] - (round(excess * give / room) if room else 0)
                elif COLUMNS[c][0] in WRAPPING:  # spread what is left
                    widths[c] += (-excess) // len(WRAPPING)
                widths[c] = max(widths[c], narrowest[c])
            for c, width in enumerate(widths):
                self.setColumnWidth(c, width)
        self._fit_rows()
        height = header.height() + sum(self.rowHeight(r) for r in range(model.rowCount()))
        if overflow:
            height += self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height + 2 * self.frameWidth() + 2)

    def _fit_rows(self) -> None:
        """Each row as tall as its most wrapped cell. Qt's own measure (resizeRowsToContents)
        leaves out the style sheet's cell padding and can come out a line short; this wraps
        each text at the width the cell paints it in (padding and text margins off)."""
        model = self.workload_model
        metrics = self.fontMetrics()
        line = metrics.lineSpacing() + 1  # the delegate's text layout spaces lines a little more
        flags = int(Qt.TextFlag.TextWordWrap)
        for r in range(model.rowCount()):
            label = model.headerData(r, Qt.Orientation.Vertical) if model.transposed else None
            tallest = str(label).count("\n") + 1 if label else 1
            for c in range(model.columnCount()):
                text = str(model.data(model.index(r, c)) or "")
                width = max(self.columnWidth(c) - CELL_INSET, 20)
                box = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, text)
                tallest = max(tallest, round(box.height() / line))
            self.setRowHeight(r, tallest * line + ROW_PADDING)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()


class KindCardWidget(QFrame):
    """One embedder, reranker, guard model or fine-tune: its title and figures (KPI cards with
    formula tooltips), and a fine-tune's memory per GPU chart."""

    def __init__(self, card: KindCard, status: Callable[[str], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kindCard")
        self.key = (card.index, card.kind, tuple(f.key for f in card.figures))
        self.title = plain_label(card.title)
        self.title.setObjectName("kindTitle")
        self.title.setWordWrap(True)
        self.figures = {f.key: KpiCardWidget(f.key) for f in card.figures}
        for widget in self.figures.values():
            widget.setProperty("compact", True)
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        self.columns = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        self.memory_card: ChartCard | None = None
        if card.memory is not None:
            chart = FinetuneMemoryChart()
            self.memory_card = ChartCard(chart, status)
            self.memory_card.setObjectName("innerChartCard")
            chart.setMinimumHeight(HEIGHT_PX)
            chart.setMaximumHeight(HEIGHT_PX)
            layout.addWidget(self.memory_card)
        self.set_columns(3)
        self.show_card(card)

    def set_columns(self, most: int) -> None:
        """As few rows as `most` columns allow, and the figures spread evenly over them."""
        count = max(len(self.figures), 1)
        rows = -(-count // max(most, 1))
        columns = -(-count // rows)
        if columns == self.columns:
            return
        self.columns = columns
        for widget in self.figures.values():
            self.grid.removeWidget(widget)
        for i, widget in enumerate(self.figures.values()):
            self.grid.addWidget(widget, i // columns, i % columns)
        for col in range(8):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)

    def show_card(self, card: KindCard) -> None:
        self.title.setText(card.title)
        for figure in card.figures:
            self.figures[figure.key].show_card(figure)
        if self.memory_card is not None and card.memory is not None:
            self.memory_card.show_data(card.memory)


class WorkloadsPanel(QFrame):
    """The area (see the module docstring); `show_area(None)` hides it."""

    def __init__(self, status: Callable[[str], None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workloadsPanel")
        self.status = status
        self.area: WorkloadsArea | None = None
        self.body = QWidget()
        self.toggle = FoldToggle(self.body, messages.DASHBOARD_WORKLOADS)
        self.headline = plain_label()
        self.headline.setObjectName("workloadsHeadline")
        self.headline.setWordWrap(True)
        self.headline.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.headline, 1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)

        self.model = WorkloadTableModel(WORKLOAD_COLOURS)
        self.table = WorkloadTableView(self.model)
        body.addWidget(self.table)

        self.pool_chart = PoolPlacementChart()
        self.pool_card = ChartCard(self.pool_chart, status)
        self.pool_card.setObjectName("innerChartCard")
        self.pool_chart.setMinimumHeight(POOL_CHART_PX)
        self.facts = QLabel()
        self.facts.setObjectName("poolFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.pool_row = QHBoxLayout()
        self.pool_row.setSpacing(10)
        self.pool_row.addWidget(self.pool_card, 3)
        self.pool_row.addWidget(self.facts, 2)
        self.facts_beside = True
        body.addLayout(self.pool_row)

        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(8)
        body.addLayout(self.cards_box)
        self.cards: list[KindCardWidget] = []

        self.caveat = plain_label()
        self.caveat.setObjectName("caveat")
        self.caveat.setWordWrap(True)
        self.basis = plain_label()
        self.basis.setObjectName("basisNote")
        self.basis.setWordWrap(True)
        body.addWidget(self.caveat)
        body.addWidget(self.basis)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.body)
        self.hide()

    def chart_cards(self) -> list[ChartCard]:
        """Every chart card in the area (drawn when scrolled into view)."""
        return [self.pool_card, *(c.memory_card for c in self.cards if c.memory_card)]

    def show_area(self, area: WorkloadsArea | None) -> None:
        if area is None:
            self.area = None
            self.hide()
            return
        self.show()
        if area == self.area:
            return
        self.area = area
        self.headline.setText(area.headline)
        self.model.set_rows(area.rows)
        if area.pool is not None:
            self.pool_card.show()
            self.pool_card.show_data(area.pool)
        else:
            self.pool_card.hide()
        facts = "".join(f"<tr><td style='padding:1px 8px 3px 0; color:#5f6b7a'>{_escape(k)}</td>"
                        f"<td style='padding:1px 0 3px 0'>{_escape(v)}</td></tr>"
                        for k, v in area.facts)
        text = (f"<b>{_escape(messages.DASHBOARD_POOL_FACTS)}</b>"
                f"<table cellspacing='0'>{facts}</table>" if facts else "")
        if self.facts.text() != text:
            self.facts.setText(text)
        self.facts.setVisible(bool(facts))
        self._show_cards(area.cards)
        self.caveat.setText(area.caveat)
        self.basis.setText(area.basis)
        self.basis.setVisible(bool(area.basis))

    def _show_cards(self, cards: Sequence[KindCard]) -> None:
        keys = [(c.index, c.kind, tuple(f.key for f in c.figures)) for c in cards]
        if keys != [w.key for w in self.cards]:
            for widget in self.cards:
                self.cards_box.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
            self.cards = [KindCardWidget(c, self.status) for c in cards]
            for widget in self.cards:
                self.cards_box.addWidget(widget)
            self._lay_out(self.width())
            return
        for widget, card in zip(self.cards, cards, strict=True):
            widget.show_card(card)

    def _lay_out(self, width: int) -> None:
        for widget in self.cards:
            widget.set_columns(max(2, (width - 40) // FIGURE_PX))
        beside = width >= 900
        if beside != self.facts_beside:
            self.facts_beside = beside
            self.pool_row.setDirection(QHBoxLayout.Direction.LeftToRight if beside
                                       else QHBoxLayout.Direction.TopToBottom)
            # side by side the chart takes 3/5 of the width; stacked, each its own height
            self.pool_row.setStretch(0, 3 if beside else 0)
            self.pool_row.setStretch(1, 2 if beside else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._lay_out(event.size().width())


def _escape(text: str) -> str:
    return html.escape(text)
