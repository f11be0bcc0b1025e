"""Report screen: choose scenarios and sections, preview the PDF pages, export PDF and tables.

Work is split by what Qt allows on which thread:
1. GUI thread: read the chosen scenarios from the workspace (`prepare.find_subjects`);
2. worker: evaluate them (`prepare.evaluate_subjects`, with progress and Cancel);
3. GUI thread: build the content and draw the charts (pyqtgraph needs the GUI thread);
4. worker: lay out the document, write the PDF bytes and the preview page images.
Evaluations are kept until the workspace changes, so exporting after a preview is quick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.operations.evaluate import EvaluationResult
from app.operations.progress import CancelToken, ProgressCallback
from app.reports.content import SECTIONS, ReportOptions, build_report
from app.reports.export_tables import table_csv, workbook_bytes
from app.reports.html import report_html
from app.reports.kpi_table import kpi_table
from app.reports.model import Report
from app.reports.pdf import ReportDocument
from app.reports.prepare import evaluate_subjects, find_subjects, store_results
from app.reports.subject import ReportSubject
from app.storage import scenario_store
from app.storage.files import save_user_file
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.alerts import show_message
from app.ui.views.screen_parts import Screen, screen_heading, screen_layout

PREVIEW_SCALE = 0.6  # page images at 0.6 × 96 dpi: readable, about 1 MB a page
MAX_PREVIEW_PAGES = 80


@dataclass(frozen=True)
class RenderedReport:
    """What the last render produced, and for which choice (`key`)."""

    key: tuple[object, ...]
    report: Report
    pdf: bytes
    pages: int
    images: tuple[QImage, ...]


def paint_report(report: Report, art: list, scale: float,  # type: ignore[type-arg]
                 progress: ProgressCallback, cancel: CancelToken,
                 ) -> tuple[bytes, int, tuple[QImage, ...]]:
    """Worker half of the render: layout, PDF bytes and preview images."""
    progress(0.0, messages.REPORT_LAYING_OUT)
    document = ReportDocument(report, art)
    cancel.raise_if_cancelled()
    pdf = document.write_pdf()
    images = []
    count = min(document.pages, MAX_PREVIEW_PAGES)
    for i in range(count):
        cancel.raise_if_cancelled()
        progress((i + 1) / max(count, 1), messages.REPORT_PREVIEW_PAGE.format(page=i + 1))
        images.append(document.page_image(i, scale).convertToFormat(QImage.Format.Format_RGB888))
    return pdf, document.pages, tuple(images)


class ReportView(Screen):
    title = "Report"

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.subjects: dict[tuple[str, ...], list[ReportSubject]] = {}
        self.rendered: RenderedReport | None = None
        self.busy = False

        heading = screen_heading(self.title)
        intro = QLabel(messages.REPORT_INTRO)
        intro.setObjectName("summary")
        intro.setWordWrap(True)

        self.scenario_list = QListWidget()
        self.scenario_list.setObjectName("reportScenarios")
        self.scenario_list.setWordWrap(True)  # long scenario names wrap instead of scrolling
        self.scenario_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scenario_list.setMinimumHeight(150)
        self.scenario_list.itemChanged.connect(lambda _: self._choice_changed())
        scenarios_box = QGroupBox(messages.REPORT_SCENARIOS)
        QVBoxLayout(scenarios_box).addWidget(self.scenario_list)

        self.section_boxes: dict[str, QCheckBox] = {}
        sections_box = QGroupBox(messages.REPORT_SECTIONS)
        sections_layout = QVBoxLayout(sections_box)
        sections_layout.setSpacing(2)
        for spec in SECTIONS:
            box = QCheckBox(spec.title)
            box.setToolTip(spec.about)
            box.setChecked(True)
            box.toggled.connect(lambda _: self._choice_changed())
            self.section_boxes[spec.id] = box
            sections_layout.addWidget(box)

        self.title_edit = QLineEdit(placeholderText=messages.REPORT_TITLE_PLACEHOLDER)
        self.title_edit.textChanged.connect(lambda _: self._choice_changed())
        self.preview_button = QPushButton(messages.REPORT_PREVIEW)
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        self.pdf_button = QPushButton(messages.REPORT_EXPORT_PDF)
        self.pdf_button.clicked.connect(self.ask_export_pdf)
        self.xlsx_button = QPushButton(messages.REPORT_EXPORT_XLSX)
        self.xlsx_button.clicked.connect(self.ask_export_xlsx)
        self.csv_button = QPushButton(messages.REPORT_EXPORT_CSV)
        self.csv_button.clicked.connect(self.ask_export_csv)
        self.charts_button = QPushButton(messages.REPORT_EXPORT_CHARTS)
        self.charts_button.clicked.connect(self.ask_export_charts)

        side = QWidget()
        side.setFixedWidth(330)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(scenarios_box, 1)
        side_layout.addWidget(sections_box)
        side_layout.addWidget(self.title_edit)
        for button in (self.preview_button, self.pdf_button, self.xlsx_button, self.csv_button,
                       self.charts_button):
            side_layout.addWidget(button)

        self.status = QLabel(messages.REPORT_NOTHING_YET)
        self.status.setObjectName("summary")
        self.pages_widget = QWidget()
        self.pages_widget.setObjectName("reportPages")
        self.pages_widget.setStyleSheet("QWidget#reportPages { background: #d5d9e0; }")
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setSpacing(14)
        self.page_scroll = QScrollArea()
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setWidget(self.pages_widget)
        right = QVBoxLayout()
        right.addWidget(self.status)
        right.addWidget(self.page_scroll, 1)

        body = QHBoxLayout()
        body.addWidget(side)
        body.addLayout(right, 1)
        layout = screen_layout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        self.refresh()
        ctx.events.changed.connect(lambda change: self._workspace_changed())

    # --- choices ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the workspace's scenarios, keeping the ticks of those still there."""
        ticked = set(self.selected_names())
        self.scenario_list.blockSignals(True)
        self.scenario_list.clear()
        for row in scenario_store.list_rows(self.workspace.db):
            item = QListWidgetItem(row.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row.name in ticked
                               else Qt.CheckState.Unchecked)
            item.setToolTip(row.description or row.name)
            self.scenario_list.addItem(item)
        self.scenario_list.blockSignals(False)
        self._choice_changed()

    def _workspace_changed(self) -> None:
        self.subjects.clear()
        self.rendered = None
        self.refresh()

    def selected_names(self) -> list[str]:
        return [self.scenario_list.item(i).text() for i in range(self.scenario_list.count())
                if self.scenario_list.item(i).checkState() == Qt.CheckState.Checked]

    def set_selected(self, names: list[str]) -> None:
        for i in range(self.scenario_list.count()):
            item = self.scenario_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in names
                               else Qt.CheckState.Unchecked)

    def selected_sections(self) -> tuple[str, ...]:
        return tuple(sid for sid, box in self.section_boxes.items() if box.isChecked())

    def _key(self) -> tuple[object, ...]:
        return (tuple(self.selected_names()), self.selected_sections(),
                self.title_edit.text().strip())

    def _choice_changed(self) -> None:
        ready = bool(self.selected_names()) and bool(self.selected_sections()) and not self.busy
        for button in (self.preview_button, self.pdf_button, self.xlsx_button, self.csv_button,
                       self.charts_button):
            button.setEnabled(ready)

    # --- rendering --------------------------------------------------------------------------

    def produce(self, then: Callable[[RenderedReport], None]) -> None:
        """Evaluate (if needed), build and paint the chosen report, then call `then`."""
        key = self._key()
        if self.rendered is not None and self.rendered.key == key:
            then(self.rendered)
            return
        names = tuple(self.selected_names())
        if not names:
            self.ctx.status(messages.REPORT_CHOOSE_SCENARIO)
            return
        self._set_busy(True)
        if names in self.subjects:
            self._paint(key, self.subjects[names], then)
            return
        catalog = self.workspace.catalog
        try:
            found = find_subjects(self.workspace.db, list(names), catalog=catalog)
        except UserError as exc:
            self._set_busy(False)
            show_message(self.ctx.window, messages.REPORT_FAILED_TITLE, str(exc))
            return

        def evaluated(subjects: list[ReportSubject]) -> None:
            self.subjects[names] = subjects
            try:
                store_results(self.workspace.db, found, subjects)
            except UserError:
                pass  # a busy or read-only workspace: the cache only saves time next export
            self._paint(key, subjects, then)

        self.ctx.tasks.run(
            lambda progress, cancel: evaluate_subjects(found, catalog, progress=progress,
                                                       cancel=cancel),
            messages.REPORT_EVALUATING, on_done=evaluated, on_error=self._failed)

    def _paint(self, key: tuple[object, ...], subjects: list[ReportSubject],
               then: Callable[[RenderedReport], None]) -> None:
        try:
            report = build_report(subjects, ReportOptions(
                sections=self.selected_sections(), title=self.title_edit.text().strip(),
                workspace=str(self.workspace.path), catalog_version=self.workspace.catalog.version,
                today=date.today().isoformat()))
            from app.reports.chart_pictures import chart_art  # pyqtgraph: not at start-up

            art = chart_art(report_html(report)[1])  # GUI thread: the charts are widgets
        except UserError as exc:
            self._failed(exc)
            return

        def painted(result: tuple[bytes, int, tuple[QImage, ...]]) -> None:
            self._set_busy(False)
            pdf, pages, images = result
            self.rendered = RenderedReport(key, report, pdf, pages, images)
            then(self.rendered)

        self.ctx.tasks.run(lambda progress, cancel: paint_report(report, art, PREVIEW_SCALE,
                                                                 progress, cancel),
                           messages.REPORT_RENDERING, on_done=painted, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.ctx.tasks.report_error(messages.REPORT_FAILED_TITLE, exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        if busy:
            self.status.setText(messages.REPORT_WORKING)
        self._choice_changed()

    # --- preview ----------------------------------------------------------------------------

    def preview(self) -> None:
        self.produce(self.show_pages)

    def show_pages(self, rendered: RenderedReport) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for image in rendered.images:
            page = QLabel()
            page.setPixmap(QPixmap.fromImage(image))
            page.setFixedSize(image.size())  # the layout must not squeeze a page
            page.setStyleSheet("background: white; border: 1px solid #b8bfca;")
            self.pages_layout.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
            page.show()  # added to a visible parent: shown now, so the layout counts it
        shown = len(rendered.images)
        more = (messages.REPORT_MORE_PAGES.format(count=rendered.pages - shown)
                if shown < rendered.pages else "")
        self.status.setText(messages.REPORT_PREVIEW_STATUS.format(
            pages=messages.count_noun(rendered.pages, "page"),
            sections=messages.count_noun(len(rendered.report.sections), "section"),
            size=f"{len(rendered.pdf) / 1024:,.0f} KB") + more)

    # --- exports ----------------------------------------------------------------------------

    def _suggested(self, suffix: str) -> str:
        return str(Path.home() / f"enclave-report-{date.today().isoformat()}{suffix}")

    def ask_export_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self.ctx.window or self, messages.REPORT_EXPORT_PDF,
                                              self._suggested(".pdf"), messages.PDF_FILTER)
        if name:
            path = Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf")
            self.produce(lambda r: self.save_pdf(r, path))

    def save_pdf(self, rendered: RenderedReport, path: Path) -> None:
        self._save(path, rendered.pdf, messages.count_noun(rendered.pages, "page"))
        if self.rendered is rendered and not self.pages_layout.count():
            self.show_pages(rendered)

    def ask_export_xlsx(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self.ctx.window or self,
                                              messages.REPORT_EXPORT_XLSX,
                                              self._suggested(".xlsx"), messages.XLSX_FILTER)
        if name:
            path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
            self.produce(lambda r: self.save_xlsx(r, path))

    def save_xlsx(self, rendered: RenderedReport, path: Path) -> None:
        tables = [kpi_table(self._results()), *rendered.report.tables()]
        self._save(path, workbook_bytes(tables), messages.count_noun(len(tables), "table"))

    def ask_export_csv(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.ctx.window or self,
                                                  messages.REPORT_EXPORT_CSV, str(Path.home()))
        if folder:
            self.produce(lambda r: self.save_csv(r, Path(folder)))

    def _results(self) -> list[EvaluationResult]:
        return [s.result for s in self.subjects.get(tuple(self.selected_names()), [])]

    def save_csv(self, rendered: RenderedReport, folder: Path) -> None:
        tables = [kpi_table(self._results()), *rendered.report.tables()]
        try:
            for table in tables:
                save_user_file(folder / f"{table.key}.csv", table_csv(table))
        except UserError as exc:
            show_message(self.ctx.window, messages.REPORT_EXPORT_FAILED_TITLE, str(exc))
            return
        self.ctx.status(messages.STATUS_EXPORTED.format(
            count=messages.count_noun(len(tables), "table"), path=folder))

    def ask_export_charts(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.ctx.window or self,
                                                  messages.REPORT_EXPORT_CHARTS, str(Path.home()))
        if folder:
            self.produce(lambda r: self.save_charts(r, Path(folder)))

    def save_charts(self, rendered: RenderedReport, folder: Path) -> None:
        """Every chart of the report as SVG and PNG, named after its place in the report."""
        try:
            from app.reports.chart_pictures import export_charts  # pyqtgraph: not at start-up

            written = export_charts(rendered.report.charts(), folder)
        except UserError as exc:
            show_message(self.ctx.window, messages.REPORT_EXPORT_FAILED_TITLE, str(exc))
            return
        self.ctx.status(messages.STATUS_EXPORTED.format(
            count=messages.count_noun(len(written), "file"), path=folder))

    def _save(self, path: Path, data: bytes, what: str) -> None:
        try:
            save_user_file(path, data)
        except UserError as exc:
            show_message(self.ctx.window, messages.REPORT_EXPORT_FAILED_TITLE, str(exc))
            return
        self.ctx.status(messages.STATUS_EXPORTED.format(count=what, path=path))
