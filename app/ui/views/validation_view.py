"""Validation screen: how close the estimates are to published and site measurements.

Left: predicted against measured for one metric (log-log, identity, ±25 % and 2x lines,
coloured by source; site points before and after the site refit). Right: the error table per
source and metric (n, MdAPE, share within 25 %, count beyond 2x) for the points the filters
keep (hardware, engine, model, source), and the details of the clicked point with its source
URL and date. "Import benchmark results…" reads a site log, refits the factors of its hardware
off the GUI thread and stores it as one undoable step; the screen then predicts again.

Predicting is done by a background task when the screen is first shown and after each change
to the catalog or the calibration; the worker gets the catalog, the factor table and the
stored points, never the workspace.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.catalog.benchmark_logs import SiteFacts
from app.errors import UserError
from app.operations.change import Change
from app.operations.site_calibration import (
    CalibrationPlan,
    apply_calibration,
    plan_calibration,
    read_site_log,
)
from app.operations.site_efficiency import workspace_efficiency
from app.operations.validation import (
    METRIC_LABELS,
    METRICS,
    PUBLISHED,
    PointFilter,
    ValidationData,
    ValidationPoint,
    error_rows,
    filtered,
    validation_data,
)
from app.storage import calibration_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.import_benchmark_dialog import ImportBenchmarkDialog
from app.ui.models.error_table import ErrorTableModel
from app.ui.views.screen_parts import Screen, screen_heading, screen_layout

REFRESH_KINDS = ("calibration", "catalog")


class ValidationView(Screen):
    title = "Validation"

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.data: ValidationData | None = None
        self.dirty = True
        self.loading = False
        self.dialog: ImportBenchmarkDialog | None = None
        self.last_plan: CalibrationPlan | None = None
        heading = screen_heading(self.title)
        self.summary = QLabel(messages.VALIDATION_LOADING)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)

        self.metric_combo = QComboBox()
        self.hardware_combo = QComboBox()
        self.engine_combo = QComboBox()
        self.model_combo = QComboBox()
        self.source_combo = QComboBox()
        for combo in (self.metric_combo, self.hardware_combo, self.engine_combo,
                      self.model_combo, self.source_combo):
            # Fixed widths that fit the usual names; the lists open as wide as their entries.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16 if combo is self.hardware_combo else 12)
            combo.view().setMinimumWidth(300)
            combo.currentIndexChanged.connect(lambda _=0: self.redraw())
        self.show_before = QCheckBox(messages.VALIDATION_SHOW_BEFORE)
        self.show_before.setChecked(True)
        self.show_before.hide()
        self.show_before.toggled.connect(lambda _=False: self.redraw())
        self.import_button = QPushButton(messages.IMPORT_BENCH_ACTION)
        self.import_button.setObjectName("importBenchmark")
        self.import_button.clicked.connect(lambda _=False: self.import_benchmark())
        self.import_button.setEnabled(not self.workspace.read_only)
        filters = QHBoxLayout()
        for label, combo in (("Metric", self.metric_combo), ("Hardware", self.hardware_combo),
                             ("Engine", self.engine_combo), ("Model", self.model_combo),
                             ("Source", self.source_combo)):
            caption = QLabel(label)
            caption.setObjectName("hint")
            filters.addWidget(caption)
            filters.addWidget(combo)
            filters.addSpacing(6)
        filters.addStretch(1)
        self.set_filters_enabled(False)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.import_button)

        self.chart_holder = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart: Any = None  # ValidationScatter, built on first show (imports pyqtgraph)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.chart_holder, 1)
        left_layout.addWidget(self.show_before)

        self.table_title = QLabel()
        self.table_title.setObjectName("hint")
        self.table_model = ErrorTableModel()
        self.table = QTableView()
        self.table.setObjectName("errorTable")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.detail = QTextBrowser()
        self.detail.setObjectName("pointDetail")
        self.detail.setOpenExternalLinks(False)
        self.detail.setOpenLinks(False)
        self.detail.setHtml(f"<span style='color:#5f6b7a'>{messages.VALIDATION_DETAIL_EMPTY}"
                            "</span>")
        self.detail.setMaximumHeight(170)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table_title)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 510])
        splitter.setChildrenCollapsible(False)
        right.setMinimumWidth(380)

        layout = screen_layout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        ctx.events.changed.connect(self._on_change)

    # --- loading ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.chart is None:
            from app.ui.views.validation_chart import ValidationScatter

            self.chart = ValidationScatter()
            self.chart.point_clicked.connect(self.show_point)
            self.chart_layout.addWidget(self.chart)
            self.chart.set_waiting(messages.VALIDATION_LOADING)
            self.redraw()
        if self.dirty:
            self.reload()

    def _on_change(self, change: Change) -> None:
        if change.kind in REFRESH_KINDS:
            self.dirty = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        """Predict every measurement again, off the GUI thread."""
        if self.loading:
            return
        self.dirty = False
        self.loading = True
        catalog = self.workspace.catalog
        table, aliases = workspace_efficiency(self.workspace.db)
        points = calibration_store.points(self.workspace.db)

        def work(progress: Any, cancel: Any) -> ValidationData:
            return validation_data(catalog, table, aliases, points, progress=progress,
                                   cancel=cancel)

        def failed(exc: BaseException) -> None:
            self.loading = False
            self.ctx.tasks.report_error(messages.VALIDATION_TASK_TITLE, exc)

        self.ctx.tasks.run(work, messages.VALIDATION_TASK_TITLE, on_done=self._loaded,
                           on_error=failed)

    def _loaded(self, data: ValidationData) -> None:
        self.loading = False
        self.data = data
        self._fill_filters(data)
        published = [p for p in data.points if p.origin == PUBLISHED]
        site = len(data.points) - len(published)
        self.summary.setText(messages.VALIDATION_SUMMARY.format(
            published=f"{len(published):,}", sources=len({p.source for p in published}),
            site=messages.VALIDATION_SITE_POINTS.format(count=f"{site:,}") if site else "",
            factors=data.factors_note) + self._unresolved(data))
        self.show_before.setVisible(data.site_calibrated)
        self.set_filters_enabled(True)
        self.redraw()
        if self.dirty:  # changed while predicting
            self.reload()

    def set_filters_enabled(self, enabled: bool) -> None:
        for combo in (self.metric_combo, self.hardware_combo, self.engine_combo,
                      self.model_combo, self.source_combo):
            combo.setEnabled(enabled)

    @staticmethod
    def _unresolved(data: ValidationData) -> str:
        if not data.unresolved:
            return ""
        examples = "; ".join(f"{key}: {why}" for key, why in data.unresolved[:2])
        return " · " + messages.VALIDATION_UNRESOLVED.format(count=len(data.unresolved),
                                                             examples=examples)

    def _fill_filters(self, data: ValidationData) -> None:
        def fill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            if everything:
                combo.addItem(everything, "")
            for key, label in items:
                combo.addItem(label, key)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

        points = data.points
        metrics = [m for m in METRICS if any(p.metric == m for p in points)]
        fill(self.metric_combo, "", [(m, METRIC_LABELS[m]) for m in metrics])
        classes = sorted({p.hardware_class for p in points})
        gpus = sorted({(p.gpu, p.gpu_name) for p in points}, key=lambda g: g[1].lower())
        fill(self.hardware_combo, messages.VALIDATION_ALL.format(what="hardware"),
             [(f"class:{c}", f"class: {c}") for c in classes] + gpus)
        fill(self.engine_combo, messages.VALIDATION_ALL.format(what="engines"),
             [(e, e) for e in sorted({p.engine for p in points})])
        fill(self.model_combo, messages.VALIDATION_ALL.format(what="models"),
             [(m, m) for m in sorted({p.model for p in points})])
        sources = sorted({(p.source, p.source_label) for p in points},
                         key=lambda s: (not s[0].startswith("S"), s[0]))
        fill(self.source_combo, messages.VALIDATION_ALL.format(what="sources"), sources)

    # --- drawing ----------------------------------------------------------------------------

    def current_filter(self) -> PointFilter:
        return PointFilter(hardware=str(self.hardware_combo.currentData() or ""),
                           engine=str(self.engine_combo.currentData() or ""),
                           model=str(self.model_combo.currentData() or ""),
                           source=str(self.source_combo.currentData() or ""))

    def shown_points(self) -> list[ValidationPoint]:
        return filtered(self.data.points, self.current_filter()) if self.data else []

    def redraw(self) -> None:
        if self.data is None:
            return
        points = self.shown_points()
        self.table_model.set_rows(error_rows(points, self.data.site_calibrated))
        self.table_title.setText(messages.VALIDATION_TABLE_TITLE.format(count=f"{len(points):,}"))
        if self.chart is not None:
            metric = str(self.metric_combo.currentData() or "output_tokens_per_s")
            self.chart.set_points(points, metric, self.show_before.isChecked())

    def show_point(self, point: ValidationPoint) -> None:
        error = (point.predicted / point.measured - 1.0) * 100.0
        rows = [("Measured", f"{point.measured:,.4g}"),
                ("Predicted", f"{point.predicted:,.4g} ({error:+.1f} %)")]
        if point.predicted_shipped != point.predicted:
            shipped = (point.predicted_shipped / point.measured - 1.0) * 100.0
            rows.append(("With shipped factors", f"{point.predicted_shipped:,.4g} "
                                                 f"({shipped:+.1f} %)"))
        rows += [("Configuration", point.configuration),
                 ("Source", point.source_label + (f" ({point.date})" if point.date else ""))]
        if point.url:
            rows.append(("URL", point.url))
        if point.detail:
            rows.append(("Notes", point.detail))
        body = "".join(f"<tr><td style='color:#5f6b7a; padding-right:8px'>{escape(k)}</td>"
                       f"<td>{escape(v)}</td></tr>" for k, v in rows)
        label = escape(METRIC_LABELS.get(point.metric, point.metric))
        self.detail.setHtml(f"<b>{escape(point.key)}</b> · {label}<table>{body}</table>")

    # --- import -----------------------------------------------------------------------------

    def import_benchmark(self, path: Path | None = None) -> ImportBenchmarkDialog:
        """Open the import dialog (with `path` filled in, when given)."""
        table, aliases = workspace_efficiency(self.workspace.db)
        dialog = ImportBenchmarkDialog(self.workspace.catalog, table.engines, aliases,
                                       self._start_import, self.ctx.window or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if path is not None:
            dialog.file_edit.setText(str(path))
        self.dialog = dialog
        dialog.finished.connect(lambda _=0: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def _start_import(self, dialog: ImportBenchmarkDialog, path: Path, facts: SiteFacts,
                      fmt: str) -> None:
        catalog = self.workspace.catalog
        table, aliases = workspace_efficiency(self.workspace.db)
        existing = calibration_store.points(self.workspace.db)

        def work(progress: Any, cancel: Any) -> CalibrationPlan:
            log = read_site_log(path, facts, catalog, table, aliases, fmt, progress, cancel)
            return plan_calibration(log, existing, catalog, table, aliases, progress, cancel)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                dialog.failed(exc)
            else:
                dialog.set_busy(False)
                self.ctx.tasks.report_error(title, exc)

        title = messages.IMPORT_BENCH_TASK_TITLE.format(name=path.name)
        self.ctx.tasks.run(work, title, on_done=lambda plan: self._apply(dialog, plan),
                           on_error=failed)

    def _apply(self, dialog: ImportBenchmarkDialog, plan: CalibrationPlan) -> None:
        try:
            self.ctx.undo.run(lambda: apply_calibration(self.workspace, plan))
        except UserError as exc:
            dialog.failed(exc)
            return
        self.last_plan = plan
        dialog.accept()
        refit = [f"{g.engine} on {g.hardware_class} refit" for g in plan.groups if g.improved]
        self.ctx.status(messages.STATUS_CALIBRATED.format(
            count=messages.count_noun(len(plan.log.rows), "measurement"),
            name=plan.log.reading.file_name,
            groups=", ".join(refit) or "shipped factors kept"))
        self._show_result(plan)

    def _show_result(self, plan: CalibrationPlan) -> QMessageBox:
        rows = "".join(
            f"<tr><td>{escape(METRIC_LABELS.get(e.metric, e.metric))}"
            f"{'' if e.fitted else ' *'}</td><td align=right>{e.n}</td>"
            f"<td align=right>{e.mdape_before_pct:.1f} %</td>"
            f"<td align=right><b>{e.mdape_after_pct:.1f} %</b></td></tr>" for e in plan.errors)
        groups = "<br>".join(
            escape(f"{g.engine} on {g.hardware_class}: " + (
                f"refit from {g.points} points (mfu {g.before.mfu:.2f} → {g.after.mfu:.2f}, "
                f"mbu {g.before.mbu:.2f} → {g.after.mbu:.2f})" if g.improved else
                "shipped factors kept (a refit does not beat them)")) for g in plan.groups)
        skipped = len(plan.log.reading.skipped)
        text = (f"<p>{escape(plan.log.reading.file_name)}: {len(plan.log.rows)} measurements "
                f"imported{f', {skipped} tests skipped' if skipped else ''}.</p><p>{groups}</p>"
                "<table cellspacing=0 cellpadding=3><tr><th align=left>Metric</th><th>n</th>"
                f"<th>MdAPE before</th><th>MdAPE after</th></tr>{rows}</table>"
                "<p>Other engines and hardware keep their factors. Estimates in this workspace "
                "now say “site-calibrated” in their basis.</p>")
        box = QMessageBox(QMessageBox.Icon.Information, messages.IMPORT_BENCH_DONE_TITLE, text,
                          QMessageBox.StandardButton.Ok, self.ctx.window or self)
        box.setObjectName("calibrationResult")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setDetailedText(
            "\n".join(f"skipped {w}: {r}" for w, r in plan.log.reading.skipped) or "")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
