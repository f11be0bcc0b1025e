"""One-call rendering for the command line and the tests: report → PDF bytes.

The GUI splits the same steps across threads: `chart_pictures.chart_art` on the GUI thread,
then `pdf.ReportDocument(...).write_pdf()` in a worker.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from app.reports.chart_pictures import chart_art
from app.reports.html import report_html
from app.reports.model import Report
from app.reports.pdf import ReportDocument


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


def layout_report(report: Report) -> ReportDocument:
    """Charts drawn (this thread must be the GUI thread) and the document laid out."""
    _, charts = report_html(report)
    return ReportDocument(report, chart_art(charts))


def render_pdf(report: Report) -> RenderedReport:
    document = layout_report(report)
    return RenderedReport(document.write_pdf(), document.pages, document.layout.section_pages)
