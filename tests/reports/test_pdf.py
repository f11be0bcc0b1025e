"""The PDF of the four demo scenarios: pages, text, fonts, vector charts, look, escaping.

Read back with poppler (pdftotext, pdffonts, pdfimages, pdftoppm), as a reader's viewer would.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.reports import fmt
from app.reports.content import SECTIONS, build_report
from app.reports.render import RenderedReport, layout_report, render_pdf
from app.reports.subject import ReportSubject
from tests.reports.conftest import FIXED
from tests.ui.image_compare import assert_image_matches

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext, pdffonts, …) is not installed")
BASELINE_DPI = 30
BASELINE_PAGES = (1, 2, 12, 16)  # title, summary, a page with charts, the shared fleet


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture(scope="module")
def rendered(qapp: QApplication, all_demo_subjects: list[ReportSubject],
             tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedReport, Path]:
    result = render_pdf(build_report(all_demo_subjects, FIXED))
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(result.pdf)
    return result, path


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", _run("pdftotext", "-layout", str(path), "-"))


def test_page_count(rendered: tuple[RenderedReport, Path]) -> None:
    result, path = rendered
    info = _run("pdfinfo", str(path))
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages == result.pages
    assert 40 <= pages <= 100
    assert "A4" in info
    assert list(result.section_pages) == [s.id for s in SECTIONS]
    assert list(result.section_pages.values()) == sorted(result.section_pages.values())


def test_every_section_and_kpi_is_in_the_text(rendered: tuple[RenderedReport, Path],
                                              all_demo_subjects: list[ReportSubject]) -> None:
    result, path = rendered
    text = _text(path)
    for spec in SECTIONS:
        assert spec.title in text, spec.title
    for s in all_demo_subjects:
        k = s.result.kpis
        assert s.name in text
        for value in (fmt.usd(k.tco_usd), fmt.usd_short(k.tco_usd), fmt.usd(k.capex_usd),
                      fmt.usd_cents(k.cost_per_million_tokens_usd), fmt.ms(k.ttft_ms),
                      fmt.ms(k.tpot_ms)):
            assert value in text, (s.name, value)
    assert f"Page 1 of {result.pages}" in text
    assert f"Page {result.pages} of {result.pages}" in text


def test_contents_page_numbers_are_right(rendered: tuple[RenderedReport, Path]) -> None:
    result, path = rendered
    for spec in SECTIONS:
        page = result.section_pages[spec.id]
        text = _run("pdftotext", "-f", str(page), "-l", str(page), str(path), "-")
        assert spec.title in text, (spec.id, page)


def test_fonts_are_embedded(rendered: tuple[RenderedReport, Path]) -> None:
    _, path = rendered
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    assert lines, "no fonts at all"
    for line in lines:
        name, emb = line.split()[0], line.split()[-5]
        assert name.startswith("DejaVuSans"), line
        assert emb == "yes", line


def test_no_raster_images_so_charts_are_vector(rendered: tuple[RenderedReport, Path]) -> None:
    _, path = rendered
    listing = _run("pdfimages", "-list", str(path)).splitlines()
    assert listing[2:] == [], "\n".join(listing[:12])


def test_pages_match_baselines(rendered: tuple[RenderedReport, Path], tmp_path: Path) -> None:
    _, path = rendered
    for page in BASELINE_PAGES:
        prefix = tmp_path / f"p{page}"
        _run("pdftoppm", "-r", str(BASELINE_DPI), "-png", "-f", str(page), "-l", str(page),
             "-singlefile", str(path), str(prefix))
        assert_image_matches(QImage(f"{prefix}.png"), f"report-page-{page}",
                             pixel_tolerance=40, max_differing_fraction=0.01)


def test_markup_in_a_name_prints_literally(qapp: QApplication,
                                           demo_subjects: list[ReportSubject],
                                           tmp_path: Path) -> None:
    s = demo_subjects[2]
    scenario = dataclasses.replace(s.result.scenario, name="<b>x</b>&")
    subject = dataclasses.replace(s, result=dataclasses.replace(s.result, scenario=scenario))
    report = build_report([subject], dataclasses.replace(FIXED, sections=("summary",)))
    path = tmp_path / "escaped.pdf"
    path.write_bytes(render_pdf(report).pdf)
    assert "<b>x</b>&" in _text(path)


def test_layout_and_pdf_in_a_worker_thread(qapp: QApplication,
                                           demo_subjects: list[ReportSubject]) -> None:
    """Charts are drawn on the GUI thread; the document and the PDF in a worker (the GUI's
    split). Any Qt warning about threads fails the test (qt_log_level_fail)."""
    from app.reports.chart_pictures import chart_art
    from app.reports.html import report_html
    from app.reports.pdf import ReportDocument

    report = build_report(demo_subjects[:1], FIXED)
    art = chart_art(report_html(report)[1])
    out: dict[str, object] = {}

    def work() -> None:
        try:
            document = ReportDocument(report, art)
            out["pdf"] = document.write_pdf()
            out["image"] = document.page_image(0, 0.25)
        except Exception as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    pool = QThreadPool()  # the GUI's TaskRunner runs its work on a QThreadPool too
    pool.start(work)
    assert pool.waitForDone(60_000)
    assert "error" not in out, out.get("error")
    assert bytes(out["pdf"]).startswith(b"%PDF")  # type: ignore[arg-type]
    main_thread = layout_report(report).write_pdf()
    assert len(main_thread) > 10_000
