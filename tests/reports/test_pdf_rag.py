"""The PDF of the RAG service demo (LLM + embedder + reranker + weekly LoRA on one H100 fleet):
the workloads section with every workload and its figures, the sentences about the shared
fleet, the placement chart drawn as vectors, and the look of its pages against baselines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.reports import fmt
from app.reports.content import build_report
from app.reports.render import RenderedReport, render_pdf
from app.reports.subject import ReportSubject
from tests.reports.conftest import FIXED
from tests.ui.image_compare import assert_image_matches

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext, pdfimages, …) is not installed")
BASELINE_DPI = 30


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The pages' text in reading order (table cells whole, not interleaved by columns)."""
    pages = [] if first is None else ["-f", str(first), "-l", str(last or first)]
    return re.sub(r"\s+", " ", _run("pdftotext", *pages, str(path), "-"))


@pytest.fixture(scope="module")
def rendered(qapp: QApplication, rag_subject: ReportSubject,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedReport, Path]:
    result = render_pdf(build_report([rag_subject], FIXED))
    path = tmp_path_factory.mktemp("pdf") / "rag.pdf"
    path.write_bytes(result.pdf)
    return result, path


def test_workloads_section_has_every_workload_and_its_figures(
        rendered: tuple[RenderedReport, Path], rag_subject: ReportSubject) -> None:
    result, path = rendered
    start = result.section_pages["workloads"]
    end = result.section_pages["tco"] - 1
    assert end - start == 1  # two pages: the table and the fleet, then the cards
    text = _text(path, start, end)
    assert "5 Workloads and shared fleet" in text
    assert "Workloads on the shared fleet" in text
    r = rag_subject.result
    for w in r.workloads:
        assert w.name in text, w.name
        assert fmt.usd_short(w.cost_share_usd) in text, w.name
    embedder, reranker, tune = (w.details for w in r.workloads[1:])
    for figure in ("6.00: 6 whole GPUs", "2 × 1g.10gb", "2 × 2g.20gb", "(3 GPUs)",
                   "output tokens/s", "texts/s", "queries/s", "training tokens/s",
                   fmt.gb(embedder["index_memory_bytes"]), "3.00 M",
                   fmt.usd_cents(reranker["cost_per_1k_queries_usd"]),
                   fmt.ms(r.workloads[2].latency_ms), "LoRA r16", "40.0 M",
                   fmt.hours(tune["wall_time_h"]), fmt.usd_short(tune["cost_per_run_usd"]),
                   fmt.usd_short(tune["cost_per_run_rented_usd"]),
                   fmt.gb(tune["memory_per_gpu_bytes"]), "80.0 GB",
                   "optimizer states", "Co-location caveat"):
        assert figure in text, figure
    # the placement chart's own text: axis, slots and the off-peak note (vector text)
    for label in ("Share of the GPU (%)", "1g.10gb", "2g.20gb", "extra", "Off-peak in the idle"):
        assert label in text, label


def test_summary_speaks_of_the_shared_fleet(rendered: tuple[RenderedReport, Path],
                                            rag_subject: ReportSubject) -> None:
    result, path = rendered
    text = _text(path, result.section_pages["summary"], result.section_pages["deployment"] - 1)
    for phrase in ("The embedder and the reranker share one GPU through MIG partitions",
                   "run in the serving GPUs' idle hours",
                   "The embedder turns the 500,000-document corpus into 3.00 M vectors",
                   "The reranker scores 50 passages per query",
                   "Each LoRA run of 40.0 M tokens takes",
                   "By GPU share, the LLM “answers” carries"):
        assert phrase in text, phrase
    k = rag_subject.result.kpis
    band = rag_subject.result.basis["error_bands"]["ttft_ms"]
    assert f"band {fmt.ms_bare(band['low'])}–{fmt.ms_bare(band['high'])} ms" in text
    assert fmt.ms(k.ttft_ms) in text


def test_performance_shows_the_bands(rendered: tuple[RenderedReport, Path],
                                     rag_subject: ReportSubject) -> None:
    result, path = rendered
    text = _text(path, result.section_pages["performance"], result.section_pages["capacity"] - 1)
    bands = rag_subject.result.basis["error_bands"]
    ttft, tpot = bands["ttft_ms"], bands["tpot_ms"]
    assert f"({fmt.ms_bare(ttft['low'])}–{fmt.ms_bare(ttft['high'])})" in text
    assert f"({fmt.ms_bare(tpot['low'])}–{fmt.ms_bare(tpot['high'])})" in text
    table = text.split("Latency against the targets")[1].split("Output tokens/s: all")[0]
    assert "answers" in table and "embedder" not in table  # the LLM only; the rest: workloads


def test_charts_are_vector_and_fonts_embedded(rendered: tuple[RenderedReport, Path]) -> None:
    _, path = rendered
    assert _run("pdfimages", "-list", str(path)).splitlines()[2:] == []
    for line in _run("pdffonts", str(path)).splitlines()[2:]:
        assert line.split()[0].startswith("DejaVuSans") and line.split()[-5] == "yes", line


def test_workloads_pages_match_baselines(rendered: tuple[RenderedReport, Path],
                                         tmp_path: Path) -> None:
    result, path = rendered
    first = result.section_pages["workloads"]
    for name, page in (("summary", result.section_pages["summary"]), ("workloads-1", first),
                       ("workloads-2", first + 1)):
        prefix = tmp_path / name
        _run("pdftoppm", "-r", str(BASELINE_DPI), "-png", "-f", str(page), "-l", str(page),
             "-singlefile", str(path), str(prefix))
        assert_image_matches(QImage(f"{prefix}.png"), f"report-rag-{name}",
                             pixel_tolerance=40, max_differing_fraction=0.01)
