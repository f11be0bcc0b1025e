"""One-call rendering for the command line and the tests: report → PDF bytes.

The GUI splits the same steps across threads: `chart_pictures.chart_art` on the GUI thread,
then `pdf.ReportDocument(...).write_pdf()` in a worker. `evaluate_and_render` overlaps the
evaluation with the drawing: a worker thread evaluates the scenarios one after another (numpy
releases the GIL) while this thread draws the charts of each scenario already evaluated.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from app.catalog.loader import Catalog
from app.engine.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
from app.reports.chart_pictures import ChartRecorder
from app.reports.content import ReportOptions, build_report
from app.reports.html import report_html
from app.reports.model import Report
from app.reports.pdf import ReportDocument
from app.reports.prepare import FoundScenario, evaluate_found
from app.reports.subject import ReportSubject


def ensure_app() -> QApplication:
    """The running QApplication, or a new one; headless (offscreen) when there is no display,
    so `enclave report` works over SSH and in CI."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication([sys.argv[0] if sys.argv else "enclave"])


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    pages: int
    section_pages: dict[str, int]


def layout_report(report: Report, recorder: ChartRecorder | None = None) -> ReportDocument:
    """Charts drawn (this thread must be the GUI thread) and the document laid out; charts
    the `recorder` already drew are not drawn again."""
    _, charts = report_html(report)
    if recorder is None:
        with ChartRecorder() as own:
            return ReportDocument(report, [own.draw(chart) for chart in charts])
    return ReportDocument(report, [recorder.draw(chart) for chart in charts])


def render_pdf(report: Report, recorder: ChartRecorder | None = None) -> RenderedReport:
    document = layout_report(report, recorder)
    return RenderedReport(document.write_pdf(), document.pages, document.layout.section_pages)


def evaluate_and_render(found: Sequence[FoundScenario], catalog: Catalog,
                        options: ReportOptions, *, draws: int = DEFAULT_DRAWS,
                        seed: int = DEFAULT_SEED,
                        ) -> tuple[list[ReportSubject], Report, RenderedReport]:
    """Evaluate the scenarios (cached results are reused) and render their report (GUI
    thread). While a worker evaluates scenario i + 1, this thread draws the charts of
    scenario i: they are the charts a report of that scenario alone holds (same data), so the
    full report finds them drawn."""
    subjects: list[ReportSubject] = []
    with ChartRecorder() as recorder:
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evaluate")
        try:
            pending = [worker.submit(evaluate_found, f, catalog, draws=draws, seed=seed)
                       for f in found]
            for future in pending:
                subjects.append(future.result())
                for chart in build_report(subjects[-1:], options).charts():
                    recorder.draw(chart)
        finally:
            worker.shutdown(cancel_futures=True)
        report = build_report(subjects, options)
        return subjects, report, render_pdf(report, recorder)
