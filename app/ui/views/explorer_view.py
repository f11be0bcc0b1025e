"""Explorer screen: sweep a workload's option space, filter it, and pick from the Pareto front.

The sweep (`app.operations.explore.sweep_space`) runs through `ctx.tasks` (progress, Cancel);
the filters re-select from the swept space on the GUI thread in milliseconds. The chart and the
table show the same front and select together; the side panel shows the selected point's basis
(with "Create scenario from this point", an undoable operation) and, in the Excluded tab, why
the other hardware, models and configurations are not on the front.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import Scenario
from app.errors import UserError
from app.operations.change import SCENARIO, Change
from app.operations.explore import (
    ExploreFilters,
    Selection,
    SweptSpace,
    select,
    sweep_space,
)
from app.operations.explore_explain import Section, explain_selection, option_basis
from app.operations.explore_request import (
    ExploreRequest,
    generative_workloads,
    request_for_model,
    request_from_scenario,
)
from app.operations.explore_scenario import ExplorePoint, create_scenario_from_point
from app.operations.progress import CancelToken, ProgressCallback
from app.operations.site_efficiency import workspace_efficiency
from app.storage import scenario_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.alerts import show_message
from app.ui.models.front_table import COST_COLUMN, POINT_ROLE, SORT_ROLE, FrontTableModel
from app.ui.tasks import TaskHandle
from app.ui.views.screen_parts import Screen, screen_action, screen_heading, screen_layout

if TYPE_CHECKING:
    from app.ui.views.explorer_chart import FrontChart

REFILTER_DELAY_MS = 250
MODEL_SOURCE = -1  # the source combo's data for "a model and token lengths"
ALL_ENGINES = "*"


def sections_html(sections: tuple[Section, ...] | list[Section], small: tuple[str, ...] = ()
                  ) -> str:
    """Sections as simple HTML: a heading, paragraphs, and "- " lines as a list."""
    out = []
    for s in sections:
        size = ' style="font-size:8.5pt"' if s.title in small else ""
        out.append(f"<h4 style='margin:10px 0 4px 0'>{html.escape(s.title)}</h4><div{size}>")
        items: list[str] = []
        for line in s.lines:
            if line.startswith("- "):
                items.append(f"<li>{html.escape(line[2:])}</li>")
                continue
            if items:
                out.append("<ul style='margin:0 0 4px 0'>" + "".join(items) + "</ul>")
                items = []
            out.append(f"<p style='margin:2px 0'>{html.escape(line)}</p>")
        if items:
            out.append("<ul style='margin:0 0 4px 0'>" + "".join(items) + "</ul>")
        out.append("</div>")
    return "".join(out)


class ExplorerView(Screen):
    title = "Explorer"

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.space: SweptSpace | None = None
        self.selection: Selection | None = None
        self.source_scenario: Scenario | None = None
        self.source_for_space: Scenario | None = None  # the scenario the shown sweep is for
        self.excluded_text = ""
        self.basis_text = ""
        self.running: TaskHandle | None = None
        self._table: EfficiencyTable | None = None
        self._swept_with: tuple[Any, ...] | None = None

        heading = screen_heading(self.title)
        summary = QLabel(messages.EXPLORER_SUMMARY)
        summary.setObjectName("summary")
        summary.setWordWrap(True)

        # what to sweep for
        self.source = QComboBox()
        self.source.setObjectName("explorerSource")
        self.source.setMinimumWidth(320)
        self.workload = QComboBox()
        self.model = QComboBox()
        self.model.setMinimumWidth(180)
        self.tokens_in = QSpinBox(minimum=0, maximum=1_000_000, value=1000, singleStep=100)
        self.tokens_out = QSpinBox(minimum=1, maximum=1_000_000, value=200, singleStep=50)
        self.tokens_in.setGroupSeparatorShown(True)
        self.tokens_out.setGroupSeparatorShown(True)
        self.ttft_target = self._target_spin(10_000_000)
        self.tpot_target = self._target_spin(100_000)
        self.engine = QComboBox()
        self.run_action = screen_action(self, messages.EXPLORER_RUN, "Ctrl+R", self.run_sweep)
        self.run_button = QPushButton(messages.EXPLORER_RUN)
        self.run_button.setObjectName("primary")
        self.run_button.setToolTip(messages.EXPLORER_RUN_TIP)
        self.run_button.clicked.connect(self.run_action.trigger)
        self.source_error = QLabel()
        self.source_error.setObjectName("fieldError")
        self.source_error.setWordWrap(True)
        self.source_error.hide()

        self.engine.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        top = QHBoxLayout()
        top.addWidget(QLabel(messages.EXPLORER_SOURCE_LABEL))
        top.addWidget(self.source, 3)
        self.workload_label = QLabel(messages.EXPLORER_WORKLOAD_LABEL)
        top.addWidget(self.workload_label)
        top.addWidget(self.workload, 1)
        top.addWidget(QLabel(messages.EXPLORER_ENGINE_LABEL))
        top.addWidget(self.engine)
        top.addSpacing(6)
        top.addWidget(self.run_button)
        workload_row = QHBoxLayout()
        workload_row.addWidget(QLabel(messages.EXPLORER_MODEL_LABEL))
        workload_row.addWidget(self.model, 2)
        workload_row.addWidget(QLabel(messages.EXPLORER_TOKENS_IN))
        workload_row.addWidget(self.tokens_in)
        workload_row.addWidget(QLabel(messages.EXPLORER_TOKENS_OUT))
        workload_row.addWidget(self.tokens_out)

        # filters: they re-select from the swept space at once
        self.fit_filter = QCheckBox(messages.EXPLORER_FILTER_FIT)
        self.fit_filter.setChecked(True)
        self.slo_filter = QCheckBox(messages.EXPLORER_FILTER_SLO)
        self.slo_filter.setChecked(True)
        self.priced_filter = QCheckBox(messages.EXPLORER_FILTER_PRICED)
        self.priced_filter.setToolTip(messages.EXPLORER_FILTER_PRICED_TIP)
        self.constraint_filter = QComboBox()
        for key, text in messages.EXPLORER_CONSTRAINTS_CHOICES:
            self.constraint_filter.addItem(text, key)
        self.constraint_filter.setToolTip(messages.EXPLORER_CONSTRAINTS_TIP)
        self.constraint_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.vendor_filter = QComboBox()
        self.vendor_filter.setMinimumWidth(150)
        self.max_gpus = QSpinBox(minimum=0, maximum=100_000, value=0)
        self.max_gpus.setSpecialValueText(messages.EXPLORER_NO_LIMIT)
        self.max_gpus.setMinimumWidth(80)
        workload_row.addSpacing(12)
        workload_row.addWidget(QLabel(messages.EXPLORER_FILTER_VENDOR))
        workload_row.addWidget(self.vendor_filter, 1)
        workload_row.addSpacing(12)
        workload_row.addWidget(QLabel(messages.EXPLORER_FILTER_MAX_GPUS))
        workload_row.addWidget(self.max_gpus)
        filters = QHBoxLayout()
        filters.addWidget(self.fit_filter)
        filters.addSpacing(8)
        filters.addWidget(self.slo_filter)
        filters.addWidget(QLabel(messages.EXPLORER_TTFT_TARGET))
        filters.addWidget(self.ttft_target)
        filters.addWidget(QLabel(messages.EXPLORER_TPOT_TARGET))
        filters.addWidget(self.tpot_target)
        filters.addSpacing(8)
        filters.addWidget(self.priced_filter)
        filters.addSpacing(8)
        filters.addWidget(QLabel(messages.EXPLORER_FILTER_CONSTRAINTS))
        filters.addWidget(self.constraint_filter)
        filters.addStretch(1)

        self.result_label = QLabel()
        self.result_label.setObjectName("summary")
        self.result_label.setWordWrap(True)

        # chart and table
        # The chart (and pyqtgraph with it) is built on the first result: not at start-up.
        self.chart: FrontChart | None = None
        self.selected: int | None = None
        self.empty = QLabel(messages.EXPLORER_EMPTY)
        self.empty.setObjectName("hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.empty)
        self.model_table = FrontTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model_table)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("frontTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COST_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._table_selected())
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.chart_stack)
        left.addWidget(self.table)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setSizes([420, 240])
        left.setChildrenCollapsible(False)

        # side panel
        self.basis = QTextBrowser()
        self.basis.setObjectName("pointBasis")
        self.basis.setOpenLinks(False)
        self.basis.setPlaceholderText(messages.EXPLORER_NO_POINT)
        self.basis.document().setIndentWidth(16)
        self.create_button = QPushButton(messages.EXPLORER_CREATE)
        self.create_button.setToolTip(messages.EXPLORER_CREATE_TIP)
        self.create_button.clicked.connect(self.create_from_selected)
        self.create_button.setEnabled(False)
        point_tab = QWidget()
        point_layout = QVBoxLayout(point_tab)
        point_layout.setContentsMargins(6, 6, 6, 6)
        point_layout.addWidget(self.basis, 1)
        point_layout.addWidget(self.create_button)
        self.excluded = QTextBrowser()
        self.excluded.setObjectName("excludedPanel")
        self.excluded.setOpenLinks(False)
        self.excluded.setPlaceholderText(messages.EXPLORER_EMPTY)
        self.excluded.document().setIndentWidth(16)
        self.tabs = QTabWidget()
        self.tabs.addTab(point_tab, messages.EXPLORER_TAB_POINT)
        self.tabs.addTab(self.excluded, messages.EXPLORER_TAB_EXCLUDED)
        self.tabs.setMinimumWidth(340)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([680, 460])
        splitter.setChildrenCollapsible(False)

        layout = screen_layout(self)
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addLayout(top)
        layout.addWidget(self.source_error)
        layout.addLayout(workload_row)
        layout.addLayout(filters)
        layout.addWidget(self.result_label)
        layout.addWidget(splitter, 1)

        self._fill_models()
        self._fill_vendors([a.vendor for a in self.workspace.catalog.accelerators.values()])
        self._fill_sources()
        self.source.currentIndexChanged.connect(lambda _: self._source_changed())
        self.workload.currentIndexChanged.connect(lambda _: self._workload_changed())
        for widget in (self.model, self.engine):
            widget.currentIndexChanged.connect(lambda _: self._mark_stale())
        for spin in (self.tokens_in, self.tokens_out):
            spin.valueChanged.connect(lambda _: self._mark_stale())
        for box in (self.fit_filter, self.slo_filter, self.priced_filter):
            box.toggled.connect(lambda _: self.apply_filters())
        for combo in (self.constraint_filter, self.vendor_filter):
            combo.currentIndexChanged.connect(lambda _: self.apply_filters())
        # Typing a number re-filters once the typing pauses, not at every digit.
        self._refilter = QTimer(self)
        self._refilter.setSingleShot(True)
        self._refilter.setInterval(REFILTER_DELAY_MS)
        self._refilter.timeout.connect(self.apply_filters)
        for spin in (self.max_gpus, self.ttft_target, self.tpot_target):
            spin.valueChanged.connect(lambda _: self._refilter.start())
        self._sources_stale = False
        ctx.events.changed.connect(self._on_change)
        self._source_changed()

    @staticmethod
    def _target_spin(maximum: int) -> QSpinBox:
        spin = QSpinBox(minimum=0, maximum=maximum, value=0, suffix=" ms", singleStep=10)
        spin.setSpecialValueText(messages.EXPLORER_NO_TARGET)
        spin.setGroupSeparatorShown(True)
        spin.setToolTip(messages.EXPLORER_TARGET_TIP)
        spin.setMinimumWidth(90)
        return spin

    # --- choosing what to sweep ---------------------------------------------------------------

    def _fill_models(self) -> None:
        llms = sorted((m for m in self.workspace.catalog.models.values() if m.kind == "llm"),
                      key=lambda m: m.name.casefold())
        for m in llms:
            self.model.addItem(m.name, m.id)
        found = self.model.findData("llama-3.1-70b")
        self.model.setCurrentIndex(max(found, 0))

    def _fill_sources(self) -> None:
        keep = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        for row in scenario_store.list_rows(self.workspace.db):
            self.source.addItem(row.name, row.id)
        self.source.addItem(messages.EXPLORER_SOURCE_MODEL if self.source.count()
                            else messages.EXPLORER_NO_SCENARIOS, MODEL_SOURCE)
        index = self.source.findData(keep) if keep is not None else 0
        self.source.setCurrentIndex(max(index, 0))
        self.source.blockSignals(False)

    def select_source(self, scenario_id: int | None) -> None:
        """Sweep for a workspace scenario (None: a model and token lengths)."""
        if self._sources_stale:
            self._refresh_sources()
        index = self.source.findData(MODEL_SOURCE if scenario_id is None else scenario_id)
        if index >= 0:
            self.source.setCurrentIndex(index)

    def _source_changed(self) -> None:
        scenario_id = self.source.currentData()
        self.source_scenario = None
        self.source_error.hide()
        if scenario_id is not None and scenario_id != MODEL_SOURCE:
            try:
                data = scenario_store.get(self.workspace.db, int(scenario_id))
                self.source_scenario = Scenario.from_dict(data)
            except UserError as exc:
                self.source_error.setText(messages.EXPLORER_SCENARIO_INVALID.format(
                    name=self.source.currentText(), error=exc))
                self.source_error.show()
        scenario = self.source_scenario
        self.workload.blockSignals(True)
        self.workload.clear()
        if scenario is not None:
            for i in generative_workloads(scenario):
                self.workload.addItem(scenario.workloads[i].name, i)
        self.workload.blockSignals(False)
        by_scenario = scenario is not None
        self.workload.setVisible(by_scenario)
        self.workload_label.setVisible(by_scenario)
        for widget in (self.model, self.tokens_in, self.tokens_out):
            widget.setEnabled(not by_scenario)
        self._fill_engines()
        self._workload_changed()

    def _fill_engines(self) -> None:
        keep = self.engine.currentData()
        self.engine.blockSignals(True)
        self.engine.clear()
        engines = list(self._efficiency().engines)
        own = self.source_scenario.deployment.engine if self.source_scenario else None
        if own in engines:
            self.engine.addItem(messages.EXPLORER_ENGINE_SCENARIO.format(engine=own), own)
            engines.remove(str(own))
        for e in engines:
            self.engine.addItem(e, e)
        self.engine.addItem(messages.EXPLORER_ENGINE_ALL, ALL_ENGINES)
        index = self.engine.findData(keep) if keep is not None and not own else 0
        self.engine.setCurrentIndex(max(index, 0))
        self.engine.blockSignals(False)

    def _workload_changed(self) -> None:
        scenario = self.source_scenario
        index = self.workload.currentData()
        if scenario is not None and index is not None:
            w = scenario.workloads[int(index)]
            for widget, value in ((self.tokens_in, w.input_tokens or 1),
                                  (self.tokens_out, max(w.output_tokens or 0, 1)),
                                  (self.ttft_target, round(w.ttft_target_ms or 0)),
                                  (self.tpot_target, round(w.tpot_target_ms or 0))):
                widget.blockSignals(True)
                widget.setValue(value)
                widget.blockSignals(False)
            found = self.model.findData(w.model)
            if found >= 0:
                self.model.blockSignals(True)
                self.model.setCurrentIndex(found)
                self.model.blockSignals(False)
        self._mark_stale()

    def _efficiency(self) -> EfficiencyTable:
        if self._table is None:
            # shipped factors with this workspace's site refits on top
            self._table, _ = workspace_efficiency(self.ctx.workspace.db)
        return self._table

    def request(self) -> ExploreRequest:
        """What the controls ask to sweep for (UserError when it cannot be swept)."""
        engine = self.engine.currentData()
        engines = (tuple(self._efficiency().engines) if engine == ALL_ENGINES
                   else (str(engine),))
        if self.source.currentData() not in (None, MODEL_SOURCE):
            if self.source_scenario is None:
                raise UserError(self.source_error.text())
            index = self.workload.currentData()
            return request_from_scenario(self.source_scenario, self.workspace.catalog,
                                         None if index is None else int(index), engines)
        return request_for_model(str(self.model.currentData()), self.tokens_in.value(),
                                 self.tokens_out.value(), engines)

    def _choices(self) -> tuple[Any, ...]:
        return (self.source.currentData(), self.workload.currentData(),
                self.model.currentData(), self.tokens_in.value(), self.tokens_out.value(),
                self.engine.currentData())

    def _mark_stale(self) -> None:
        if self.space is not None:
            self._show_result_label()

    # --- sweeping ---------------------------------------------------------------------------

    def run_sweep(self) -> TaskHandle | None:
        """Start the sweep in the background (a running one is cancelled first)."""
        try:
            request = self.request()
        except UserError as exc:
            show_message(self.ctx.window, messages.TASK_FAILED_TITLE.format(
                title=messages.EXPLORER_RUN), str(exc))
            return None
        if self.running is not None and self.running.running:
            self.running.cancel()
        catalog = self.workspace.catalog  # read here: the worker never touches the workspace
        table = self._efficiency()
        filters = self.filters()
        source = self.source_scenario
        choices = self._choices()

        def work(progress: ProgressCallback, cancel: CancelToken) -> tuple[SweptSpace,
                                                                            Selection]:
            space = sweep_space(request, catalog, table, progress, cancel)
            return space, select(space, filters)

        def done(result: tuple[SweptSpace, Selection]) -> None:
            self._swept_with = choices
            self.show_result(result[0], result[1], source)

        model_name = self.model.currentText() or request.model_id
        self.running = self.ctx.tasks.run(
            work, messages.EXPLORER_TASK_TITLE.format(model=model_name), on_done=done)
        return self.running

    def filters(self) -> ExploreFilters:
        vendor = self.vendor_filter.currentData()
        return ExploreFilters(
            require_fit=self.fit_filter.isChecked(),
            require_slo=self.slo_filter.isChecked(),
            constraints=str(self.constraint_filter.currentData()),
            vendors=(str(vendor),) if vendor else (),
            max_gpus=self.max_gpus.value() or None,
            priced_only=self.priced_filter.isChecked(),
            targets=(self.ttft_target.value() or None, self.tpot_target.value() or None),
        )

    def show_result(self, space: SweptSpace, selection: Selection,
                    source: Scenario | None) -> None:
        self.space = space
        self.source_for_space = source
        self._fill_vendors([a.vendor for a in space.accelerators])
        self._show_selection(selection)

    def _fill_vendors(self, vendors: list[str]) -> None:
        keep = self.vendor_filter.currentData()
        self.vendor_filter.blockSignals(True)
        self.vendor_filter.clear()
        self.vendor_filter.addItem(messages.EXPLORER_ALL_VENDORS, "")
        for vendor in sorted(set(vendors), key=str.casefold):
            self.vendor_filter.addItem(vendor, vendor)
        self.vendor_filter.setCurrentIndex(max(self.vendor_filter.findData(keep or ""), 0))
        self.vendor_filter.blockSignals(False)

    def apply_filters(self) -> None:
        """Re-select the front from the swept space with the current filters."""
        self._refilter.stop()
        if self.space is None:
            return
        try:
            selection = select(self.space, self.filters())
        except UserError as exc:
            self.result_label.setText(str(exc))
            return
        self._show_selection(selection)

    def _show_selection(self, selection: Selection) -> None:
        space = self.space
        assert space is not None
        self.selection = selection
        chart = self._chart()
        chart.set_front(space, selection.front)
        self.model_table.set_front(space, selection.front)
        self.table.resizeColumnsToContents()
        for column in range(self.model_table.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 240))
        self.chart_stack.setCurrentWidget(chart)
        if selection.front.size == 0:
            self.empty.setText(messages.EXPLORER_EMPTY_FRONT)
            self.chart_stack.setCurrentWidget(self.empty)
        explanation = explain_selection(space, selection, self.workspace.catalog)
        self.excluded.setHtml(sections_html(explanation.sections,
                                            small=(explanation.sections[-1].title,)))
        self.excluded_text = explanation.text()
        self._show_result_label()
        self.select_point(int(selection.front[0]) if selection.front.size else None)

    def _chart(self) -> FrontChart:
        if self.chart is None:
            from app.ui.views.explorer_chart import FrontChart

            self.chart = FrontChart()
            self.chart.point_clicked.connect(self.select_point)
            self.chart_stack.addWidget(self.chart)
        return self.chart

    def _show_result_label(self) -> None:
        space, selection = self.space, self.selection
        if space is None or selection is None:
            return
        text = messages.EXPLORER_RESULT.format(
            configs=messages.count_noun(space.size, "configuration"), seconds=space.seconds,
            rate=space.configs_per_s, front=messages.count_noun(selection.front.size, "point"),
            excluded=f"{space.constraint_failing:,}")
        text += "\n" + messages.EXPLORER_RESULT_FOR.format(
            what=space.request.describe(selection.targets))
        if self._swept_with is not None and self._swept_with != self._choices():
            text += messages.EXPLORER_STALE
        self.result_label.setText(text)

    # --- the selected point -----------------------------------------------------------------

    def select_point(self, index: int | None) -> None:
        """Select configuration `index` (of the swept space) in the chart, table and basis."""
        self.selected = index
        if self.chart is not None:
            self.chart.select_point(index)
        row = self.model_table.row_of(index) if index is not None else None
        if row is not None:
            proxy_index = self.proxy.mapFromSource(self.model_table.index(row, 0))
            if self.table.currentIndex().row() != proxy_index.row():
                self.table.selectRow(proxy_index.row())
            self.table.scrollTo(proxy_index)
        self._show_basis(index)

    def selected_point(self) -> int | None:
        return self.selected

    def _table_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = int(self.proxy.data(rows[0], POINT_ROLE))
            if index != self.selected:
                self.select_point(index)

    def _show_basis(self, index: int | None) -> None:
        space = self.space
        if space is None or index is None:
            self.basis.setHtml("")
            self.create_button.setEnabled(False)
            return
        basis = option_basis(space, index, self._efficiency())
        self.basis.setHtml(f"<h3 style='margin:2px 0 6px 0'>{html.escape(basis.title)}</h3>"
                           + sections_html(basis.sections))
        self.basis_text = basis.text()
        can_create = self.source_for_space is not None
        self.create_button.setEnabled(can_create)
        self.create_button.setToolTip(messages.EXPLORER_CREATE_TIP if can_create
                                      else messages.EXPLORER_CREATE_NEEDS_SCENARIO)

    def create_from_selected(self) -> str | None:
        """Create a scenario from the selected point (undoable); the problem text, or None."""
        space, index = self.space, self.selected
        source = self.source_for_space
        if space is None or index is None or source is None:
            return None
        point = ExplorePoint.from_space(space, index)
        try:
            outcome = self.ctx.undo.run(
                lambda: create_scenario_from_point(self.workspace, source, point))
        except UserError as exc:
            show_message(self.ctx.window, messages.EXPLORER_CREATE_FAILED_TITLE, str(exc))
            return str(exc)
        name = outcome.change.description
        scenario_id = int(outcome.change.ids[0])
        stored = scenario_store.get(self.workspace.db, scenario_id)
        name = str(stored.get("name", name))
        self.ctx.status(messages.EXPLORER_CREATED.format(name=name))
        return None

    # --- workspace changes ------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        if change.kind != SCENARIO:
            return
        if not self.isVisible():
            # read again when shown: the Dashboard stores every field the user edits, and
            # re-reading the source scenario then cost each edit a millisecond for nothing
            self._sources_stale = True
            return
        self._refresh_sources()

    def _refresh_sources(self) -> None:
        self._sources_stale = False
        self._fill_sources()
        if self.source.currentData() != MODEL_SOURCE:
            self._source_changed()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._sources_stale:
            self._refresh_sources()
