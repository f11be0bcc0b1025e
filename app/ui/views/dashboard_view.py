"""Dashboard screen: the scenario editor beside live results (KPIs, constraints, six charts).

Pick a scenario (here, or by opening it on the Scenarios screen); every accepted edit is saved
and re-evaluated off the GUI thread (`live.LiveEvaluator`) with few Monte Carlo draws, and the
results replace the previous ones in place. "Full precision" re-runs with 100,000 draws. A
scenario that breaks a rule is not evaluated: the rule is shown at its field and above the
results, which stay at the last version that could be evaluated (greyed).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.operations.change import SCENARIO, Change
from app.operations.chart_data import llm_workloads
from app.operations.live_eval import EDITING_DRAWS, FULL_DRAWS
from app.operations.scenario_edit import Problem
from app.operations.scenario_fields import field_label
from app.reports.dashboard import DashboardContent
from app.reports.kpi_cards import not_evaluated_cards
from app.storage import scenario_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.live import LiveEvaluator
from app.ui.views.dashboard_parts import ConstraintPanel, KpiGrid
from app.ui.views.scenario_editor import ScenarioEditor
from app.ui.views.screen_parts import Screen, screen_action, screen_heading

TWO_COLUMNS_FROM_PX = 900
KPI_CARD_PX = 168
EDITOR_WIDTH = 430


class DashboardView(Screen):
    title = "Dashboard"

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.scenario_id: int | None = None
        self.content: DashboardContent | None = None
        self.live = LiveEvaluator(ctx, self)
        self.live.evaluated.connect(self.show_content)

        heading = screen_heading(self.title)
        self.picker = QComboBox()
        self.picker.setObjectName("scenarioPicker")
        self.picker.setMinimumContentsLength(30)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.activated.connect(lambda _i: self.open_scenario(self.picker.currentData()))
        self.full_button = QPushButton(messages.DASHBOARD_FULL)
        self.full_button.setToolTip(messages.DASHBOARD_FULL_TIP.format(
            draws=f"{FULL_DRAWS:,}", editing=f"{EDITING_DRAWS:,}"))
        self.full_button.clicked.connect(self.live.full_precision)
        self.editor_button = QPushButton(messages.DASHBOARD_HIDE_EDITOR)
        self.editor_button.setToolTip("Ctrl+E")
        self.editor_button.clicked.connect(self.toggle_editor)
        self.toggle_action = screen_action(self, messages.DASHBOARD_HIDE_EDITOR, "Ctrl+E",
                                           self.toggle_editor)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(16)
        pick_label = QLabel(messages.DASHBOARD_PICK_SCENARIO)
        top.addWidget(pick_label)
        top.addWidget(self.picker, 1)
        top.addWidget(self.full_button)
        top.addWidget(self.editor_button)
        self.status = QLabel()
        self.status.setObjectName("summary")
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 12, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addLayout(self.body, 1)
        self._built = False
        ctx.events.changed.connect(self._on_change)
        self._fill_picker()
        first = self.picker.itemData(0) if self.picker.count() else None
        self.scenario_id = int(first) if first is not None else None
        with QSignalBlocker(self.picker):
            self.picker.setCurrentIndex(self.picker.findData(self.scenario_id))

    def ensure_built(self) -> None:
        """Build the editor, results and charts the first time the screen is needed (they
        take half a second to build; the app starts faster without them)."""
        if self._built:
            return
        self._built = True
        ctx = self.ctx
        # pyqtgraph loads here, the first time charts are needed, not at start-up
        from app.reports.charts.cost_breakdown import CostBreakdownChart
        from app.reports.charts.cumulative_cost import CumulativeCostChart
        from app.reports.charts.distribution import DistributionChart
        from app.reports.charts.load_curve import LoadCurveChart
        from app.reports.charts.memory_waterfall import MemoryWaterfallChart
        from app.reports.charts.tornado import TornadoChart
        from app.ui.views.chart_card import ChartCard
        from app.ui.views.workloads_panel import WorkloadsPanel

        self.editor = ScenarioEditor(ctx)
        self.editor.setMinimumWidth(360)

        # results
        self.problem = QLabel()
        self.problem.setObjectName("problemBanner")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.empty = QLabel(messages.DASHBOARD_NO_SCENARIO)
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.kpis = KpiGrid(4)
        self.constraints = ConstraintPanel()
        self.workloads = WorkloadsPanel(ctx.status)
        self.notes = QLabel()
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        self.workload_picker = QComboBox()
        self.workload_picker.activated.connect(self._workload_chosen)
        self.workload_row = QWidget()
        row = QHBoxLayout(self.workload_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(messages.DASHBOARD_CHART_WORKLOAD))
        row.addWidget(self.workload_picker)
        row.addStretch(1)
        self.workload_row.hide()
        self.memory_chart = MemoryWaterfallChart()
        self.load_chart = LoadCurveChart()
        self.cumulative_chart = CumulativeCostChart()
        self.breakdown_chart = CostBreakdownChart()
        self.tornado_chart = TornadoChart()
        self.distribution_chart = DistributionChart()
        self.charts: list[Any] = [self.cumulative_chart, self.breakdown_chart,
                                    self.memory_chart, self.load_chart, self.tornado_chart,
                                    self.distribution_chart]
        self.cards = [ChartCard(chart, ctx.status) for chart in self.charts]
        self.chart_grid = QGridLayout()
        self.chart_grid.setSpacing(10)
        self._columns = 0
        results = QWidget()
        results.setObjectName("results")
        column = QVBoxLayout(results)
        column.setContentsMargins(4, 4, 12, 12)
        column.setSpacing(10)
        for widget in (self.empty, self.problem, self.kpis, self.workloads, self.constraints,
                       self.notes, self.workload_row):
            column.addWidget(widget)
        column.addLayout(self.chart_grid)
        column.addStretch(1)
        self.results_scroll = QScrollArea()
        self.results_scroll.setWidgetResizable(True)
        self.results_scroll.setWidget(results)
        self.results_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results = results
        self.results_scroll.viewport().installEventFilter(self)
        self.results_scroll.verticalScrollBar().valueChanged.connect(
            lambda _v: self._flush_visible())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.results_scroll)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([EDITOR_WIDTH, 700])
        self.splitter.setChildrenCollapsible(False)

        self.body.addWidget(self.splitter, 1)
        self._layout_charts()
        self._show_nothing()
        self.open_scenario(self.scenario_id)

    # --- scenario choice --------------------------------------------------------------------

    def _fill_picker(self) -> None:
        with QSignalBlocker(self.picker):
            self.picker.clear()
            for row in scenario_store.list_rows(self.workspace.db):
                self.picker.addItem(row.name, row.id)
            index = self.picker.findData(self.scenario_id)
            self.picker.setCurrentIndex(index)

    def open_scenario(self, scenario_id: int | None) -> None:
        """Edit and evaluate `scenario_id` (from the picker or the Scenarios screen)."""
        if not self._built:
            self.scenario_id = int(scenario_id) if scenario_id is not None else None
            self.ensure_built()
            return
        self.scenario_id = int(scenario_id) if scenario_id is not None else None
        with QSignalBlocker(self.picker):
            self.picker.setCurrentIndex(self.picker.findData(self.scenario_id))
        self.editor.show_problem(None)
        self.editor.load(self.scenario_id)
        self.editor.scroll_area.verticalScrollBar().setValue(0)
        self.results_scroll.verticalScrollBar().setValue(0)
        self.live.workload = -1
        self.content = None
        self._show_nothing()
        self.live.set_scenario(self.scenario_id)

    def _on_change(self, change: Change) -> None:
        if change.kind != SCENARIO:
            return
        self._fill_picker()
        if not self._built:
            if self.scenario_id is None or self.picker.findData(self.scenario_id) < 0:
                first = self.picker.itemData(0) if self.picker.count() else None
                self.scenario_id = int(first) if first is not None else None
            return
        if self.scenario_id is not None and str(self.scenario_id) in change.ids:
            self.editor.refresh()
            if self.editor.scenario_id is None:  # deleted
                self.open_scenario(None)
                return
            self.live.schedule()
        elif self.scenario_id is None and change.ids:
            found = self.picker.findData(int(change.ids[0]))
            if found >= 0:
                self.open_scenario(int(change.ids[0]))

    # --- results ----------------------------------------------------------------------------

    def _show_nothing(self) -> None:
        has = self.scenario_id is not None
        self.empty.setVisible(not has)
        self.kpis.show_cards(not_evaluated_cards(messages.DASHBOARD_NO_SCENARIO))
        self.status.setText("")
        for card in self.cards:
            card.setVisible(has)
        self.constraints.setVisible(False)
        self.workloads.show_area(None)
        self.notes.hide()
        self.problem.hide()
        self.full_button.setEnabled(has)

    def show_content(self, content: DashboardContent) -> None:
        """Show one evaluation (from the live evaluator)."""
        live = content.live
        self.editor.show_problem(live.problem)
        if live.problem is not None or live.result is None:
            problem = live.problem or Problem("", "not evaluated")
            self.problem.setText(
                messages.DASHBOARD_PROBLEM.format(field=field_label(problem.path) if problem.path
                                                  else "scenario", rule=problem.rule)
                + "\n" + messages.DASHBOARD_PROBLEM_HINT)
            self.problem.show()
            self.results.setProperty("stale", True)
            self._set_stale(True)
            if self.content is None:
                self.kpis.show_cards(content.cards)
            self.status.setText(messages.DASHBOARD_STATUS_STALE if self.content else "")
            return
        self.problem.hide()
        self._set_stale(False)
        self.content = content
        fits = live.result.kpis.fits
        self.editor.show_missing(live.missing_costs if fits else ())
        self.empty.hide()
        self.kpis.show_cards(content.cards)
        self.constraints.setVisible(True)
        self.constraints.show_checks(content.constraints)
        if content.notes:
            self.notes.setText("<b>" + messages.DASHBOARD_NOTES.format(count=len(content.notes))
                               + "</b><br>" + "<br>".join(f"• {n}" for n in content.notes))
            self.notes.show()
        else:
            self.notes.hide()
        self._show_workloads(content)
        self.workloads.show_area(content.workloads)
        for card in self.cards:
            card.setVisible(True)
        charts = content.charts
        if charts is not None:
            for card, data in zip(self.cards, (charts.cumulative, charts.breakdown,
                                               charts.memory, charts.load, charts.tornado,
                                               charts.distribution), strict=True):
                card.show_data(data)
        self.status.setText(messages.DASHBOARD_STATUS.format(
            draws=f"{live.draws:,}", ms=f"{live.seconds * 1000:,.0f}"))

    def chart_cards(self) -> list[Any]:
        """Every chart card: the six charts and those of the workloads area."""
        return [*self.cards, *self.workloads.chart_cards()]

    def _flush_visible(self) -> None:
        for card in self.chart_cards():
            if card.pending is not None and card.in_view():
                card.flush()

    def flush_charts(self) -> None:
        """Draw every chart now, seen or not (screenshots, export of the whole dashboard)."""
        for card in self.chart_cards():
            card.flush()

    def _set_stale(self, stale: bool) -> None:
        for widget in (self.kpis, self.workloads, *self.cards):
            widget.setEnabled(not stale)

    def _show_workloads(self, content: DashboardContent) -> None:
        """The LLM workloads whose memory and load curves can be drawn."""
        result = content.live.result
        drawable = llm_workloads(result) if result else ()
        self.workload_row.setVisible(len(drawable) > 1)
        with QSignalBlocker(self.workload_picker):
            self.workload_picker.clear()
            for i in drawable:
                assert result is not None
                self.workload_picker.addItem(result.workloads[i].name, i)
            self.workload_picker.setCurrentIndex(self.workload_picker.findData(content.workload))

    def _workload_chosen(self, index: int) -> None:
        data = self.workload_picker.itemData(index)
        self.live.workload = int(data) if data is not None else -1
        self.live.schedule()

    def settle_for_screenshot(self, limit_s: float = 15.0) -> None:
        """Wait (at most `limit_s`) for the evaluation in progress, so `--smoke --screenshots`
        pictures show results rather than a half-built screen."""
        self.ensure_built()
        end = time.monotonic() + limit_s
        while self.scenario_id is not None and (self.live.running or self.live.timer.isActive()
                                                or self.content is None) \
                and time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)
        QCoreApplication.processEvents()

    def shutdown(self) -> None:
        """The window is closing or the workspace is replaced: stop evaluating."""
        self.live.stop()

    # --- layout -----------------------------------------------------------------------------

    def toggle_editor(self) -> None:
        self.ensure_built()
        visible = not self.editor.isVisible()
        self.editor.setVisible(visible)
        text = messages.DASHBOARD_HIDE_EDITOR if visible else messages.DASHBOARD_SHOW_EDITOR
        self.editor_button.setText(text)
        self.toggle_action.setText(text)

    def _layout_charts(self) -> None:
        if not self._built:
            return
        width = self.results_scroll.viewport().width()
        columns = 2 if width >= TWO_COLUMNS_FROM_PX else 1
        self.kpis.set_columns(max(2, min(6, (width - 8) // KPI_CARD_PX)))
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards:
            self.chart_grid.removeWidget(card)
        for i, card in enumerate(self.cards):
            self.chart_grid.addWidget(card, i // columns, i % columns)
        for col in range(2):
            self.chart_grid.setColumnStretch(col, 1 if col < columns else 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._built and watched is self.results_scroll.viewport() \
                and event.type() == QEvent.Type.Resize:
            self._layout_charts()
            QTimer.singleShot(0, self._flush_visible)
        return False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_built()
