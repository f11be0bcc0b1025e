"""Compare screen: two to four scenarios side by side.

Tick scenarios in the list (at most four); they are evaluated together off the GUI thread
(2,000 Monte Carlo draws each) and shown as a KPI table, the best value of each row in green
and the worst in red by the KPI's direction, with each value's difference from the first
scenario, and as overlaid charts (cumulative on-premise cost; throughput and TPOT per
replica). Edits to a compared scenario re-run the comparison.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.operations.change import SCENARIO, Change
from app.operations.live_eval import SizingCache
from app.operations.site_efficiency import workspace_efficiency
from app.reports.compare_table import CompareTable, compare_table
from app.reports.dashboard import DashboardContent, dashboard_content
from app.storage import scenario_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.tasks import TaskHandle
from app.ui.views.screen_parts import Screen, screen_heading, screen_layout

MAX_COMPARED = 4
COMPARE_DRAWS = 2_000
BEST_BG = "#e3f3e6"
WORST_BG = "#fbe4e4"


HEADER_CHARS = 24


def _short(name: str) -> str:
    """A column title that fits: the start of the name (the full name is in the tooltip)."""
    return name if len(name) <= HEADER_CHARS else name[: HEADER_CHARS - 1].rstrip() + "…"


class CompareView(Screen):
    title = "Compare"

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.cache = SizingCache()
        self.handle: TaskHandle | None = None
        self.table_data: CompareTable | None = None
        self._charts_built = False
        self._dirty = True
        heading = screen_heading(self.title)
        self.summary = QLabel(messages.COMPARE_HINT)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("compareList")
        self.list.itemChanged.connect(self._ticked)
        self.list.setMinimumWidth(220)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        pick = QLabel(messages.COMPARE_PICK)
        pick.setObjectName("hint")
        pick.setWordWrap(True)
        side_layout.addWidget(pick)
        side_layout.addWidget(self.list, 1)
        side_layout.addWidget(self.message)

        self.table = QTableWidget()
        self.table.setObjectName("compareTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.notes = QLabel()
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.legend = QLabel(messages.COMPARE_LEGEND)
        self.legend.setObjectName("hint")
        self.legend.setWordWrap(True)
        self.results = QWidget()
        self.results.setObjectName("results")
        self.table.hide()
        self.legend.hide()
        self.results_layout = QVBoxLayout(self.results)
        self.results_layout.setContentsMargins(0, 0, 8, 8)
        self.results_layout.setSpacing(8)
        self.results_layout.addWidget(self.notes)
        self.results_layout.addWidget(self.legend)
        self.results_layout.addWidget(self.table)
        self.charts_row = QHBoxLayout()
        self.results_layout.addLayout(self.charts_row)
        self.results_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.results)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 830])
        splitter.setChildrenCollapsible(False)
        layout = screen_layout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        ctx.events.changed.connect(self._on_change)
        self.fill_list()
        self._preselect()

    # --- choosing ---------------------------------------------------------------------------

    def fill_list(self) -> None:
        chosen = set(self.chosen_ids())
        with QSignalBlocker(self.list):
            self.list.clear()
            for row in scenario_store.list_rows(self.workspace.db):
                item = QListWidgetItem(row.name)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if row.id in chosen
                                   else Qt.CheckState.Unchecked)
                item.setToolTip(row.name)
                self.list.addItem(item)

    def _preselect(self) -> None:
        """The first two scenarios, so the screen shows a comparison straight away."""
        with QSignalBlocker(self.list):
            for i in range(min(2, self.list.count())):
                self.list.item(i).setCheckState(Qt.CheckState.Checked)
        self._ticked(None)

    def chosen_ids(self) -> list[int]:
        return [int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def choose(self, scenario_ids: list[int]) -> None:
        """Tick exactly these scenarios (at most four) and compare them."""
        with QSignalBlocker(self.list):
            for i in range(self.list.count()):
                item = self.list.item(i)
                on = int(item.data(Qt.ItemDataRole.UserRole)) in scenario_ids
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._ticked(None)

    def _ticked(self, item: QListWidgetItem | None) -> None:
        chosen = self.chosen_ids()
        if item is not None and len(chosen) > MAX_COMPARED:
            with QSignalBlocker(self.list):
                item.setCheckState(Qt.CheckState.Unchecked)
            self.message.setText(messages.COMPARE_TOO_MANY.format(count=MAX_COMPARED))
            self.message.show()
            return
        self.message.hide()
        self._dirty = True
        if self.isVisible():
            self.compare()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.compare()

    # --- evaluating -------------------------------------------------------------------------

    def compare(self) -> None:
        """Evaluate the ticked scenarios (off the GUI thread) and show them."""
        if self.handle is not None and self.handle.running:
            self.handle.cancel()
        self._dirty = False
        chosen = self.chosen_ids()
        if len(chosen) < 2:
            self.summary.setText(messages.COMPARE_HINT)
            self._show(None, [])
            return
        stored = []
        for scenario_id in chosen:
            try:
                stored.append(scenario_store.get(self.workspace.db, scenario_id))
            except Exception:  # noqa: BLE001 - deleted meanwhile: the list refreshes
                continue
        catalog, cache = self.workspace.catalog, self.cache
        efficiency, aliases = workspace_efficiency(self.workspace.db)

        def work(progress: Any, cancel: Any) -> list[tuple[str, DashboardContent]]:
            out = []
            for i, data in enumerate(stored):
                progress(i / len(stored), str(data.get("name", "")))
                out.append((str(data.get("name", "")),
                            dashboard_content(data, catalog, draws=COMPARE_DRAWS, cache=cache,
                                              efficiency=efficiency, aliases=aliases,
                                              cancel=cancel)))
            return out

        self.summary.setText(messages.COMPARE_RUNNING.format(count=len(stored)))
        self.handle = self.ctx.tasks.run(work, messages.COMPARE_TASK, on_done=self._evaluated,
                                         quiet_cancel=True)

    def _evaluated(self, items: list[tuple[str, DashboardContent]]) -> None:
        names = [name for name, _ in items]
        results = [content.live.result for _, content in items]
        problems = ["" if c.live.problem is None else c.live.problem.message
                    for _, c in items]
        table = compare_table(names, results, problems)
        self.summary.setText(messages.COMPARE_SUMMARY.format(
            count=len(items), draws=f"{COMPARE_DRAWS:,}"))
        self._show(table, items)

    # --- showing ----------------------------------------------------------------------------

    def _build_charts(self) -> None:
        if self._charts_built:
            return
        from app.reports.charts.cumulative_cost import CumulativeCostOverlayChart
        from app.reports.charts.load_curve import LoadCurveOverlayChart
        from app.ui.views.chart_card import ChartCard

        self.cumulative = CumulativeCostOverlayChart()
        self.load = LoadCurveOverlayChart()
        self.chart_cards = [ChartCard(self.cumulative, self.ctx.status),
                            ChartCard(self.load, self.ctx.status)]
        for card in self.chart_cards:
            card.setMinimumHeight(340)
        self.results_layout.insertWidget(self.results_layout.count() - 1, self.chart_cards[0])
        self.results_layout.insertWidget(self.results_layout.count() - 1, self.chart_cards[1])
        self._charts_built = True

    def _show(self, table: CompareTable | None,
              items: list[tuple[str, DashboardContent]]) -> None:
        self.table_data = table
        self.table.clear()
        if table is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.notes.hide()
            self.legend.hide()
            self.table.hide()
            if self._charts_built:
                for card in self.chart_cards:
                    card.hide()
            return
        self.legend.show()
        self.table.show()
        self.table.setColumnCount(len(table.names))
        self.table.setRowCount(len(table.rows))
        self.table.setHorizontalHeaderLabels([_short(name) for name in table.names])
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.setVerticalHeaderLabels([row.label for row in table.rows])
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row.texts):
                shown = text + (f"  ({row.deltas[c]})" if row.deltas[c] else "")
                cell = QTableWidgetItem(shown)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.best[c]:
                    cell.setBackground(QBrush(QColor(BEST_BG)))
                    cell.setToolTip(messages.COMPARE_BEST.format(direction=row.direction))
                elif row.worst[c]:
                    cell.setBackground(QBrush(QColor(WORST_BG)))
                    cell.setToolTip(messages.COMPARE_WORST.format(direction=row.direction))
                self.table.setItem(r, c, cell)
        header_height = self.table.horizontalHeader().height() or 30
        self.table.setFixedHeight(header_height + 26 * len(table.rows) + 4)
        for c, name in enumerate(table.names):
            head = self.table.horizontalHeaderItem(c)
            if head is not None:
                head.setToolTip(name)
        self.notes.setText("\n".join(table.notes))
        self.notes.setVisible(bool(table.notes))
        self._build_charts()
        charts = [(name, c.charts) for name, c in items]
        self.cumulative.set_series([(name, ch.cumulative) for name, ch in charts if ch])
        self.load.set_series([(name, ch.load) for name, ch in charts if ch])
        for card in self.chart_cards:
            card.show()

    def _on_change(self, change: Change) -> None:
        if change.kind != SCENARIO:
            return
        chosen = set(self.chosen_ids())
        self.fill_list()
        if chosen & {int(i) for i in change.ids if i.isdigit()} or \
                set(self.chosen_ids()) != chosen:
            self._dirty = True
            if self.isVisible():
                self.compare()

    def settle_for_screenshot(self, limit_s: float = 20.0) -> None:
        """Wait (at most `limit_s`) for the comparison in progress (`--smoke --screenshots`)."""
        end = time.monotonic() + limit_s
        while (self._dirty or (self.handle is not None and self.handle.running)) \
                and time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)
        QCoreApplication.processEvents()

    def shutdown(self) -> None:
        if self.handle is not None and self.handle.running:
            self.handle.cancel()
