"""Validation screen: predicted vs measured with sources, filters, the error table, and the
"Import benchmark results…" dialog (bad fields refused at the field; a good log imported off
the GUI thread, undoable)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.operations.validation import SITE_AFTER, SITE_BEFORE, ValidationPoint
from app.operations.workspace_ops import open_workspace
from app.storage import calibration_store
from app.ui.dialogs.import_benchmark_dialog import ImportBenchmarkDialog
from app.ui.main_window import MainWindow
from app.ui.views.validation_chart import tick_text, tooltip
from app.ui.views.validation_view import ValidationView
from tests.catalog.benchmark_log_files import vllm_result, vllm_text
from tests.operations.site_logs import slow_vllm_log
from tests.ui.conftest import take_message
from tests.ui.image_compare import assert_image_matches


def open_validation(qtbot: QtBot, window: MainWindow) -> ValidationView:
    view = window.show_screen("Validation")
    assert isinstance(view, ValidationView)
    qtbot.waitUntil(lambda: view.data is not None and not view.loading, timeout=20_000)
    return view


def stored_points(window: MainWindow) -> int:
    return len(calibration_store.points(window.workspace.db))


def test_published_points_table_filters_and_details(qtbot: QtBot, window: MainWindow) -> None:
    view = open_validation(qtbot, window)
    assert view.data is not None
    assert len(view.data.points) == 688 and view.data.unresolved == ()
    assert "688 published measurements from 4 sources" in view.summary.text()
    rows = [view.table_model.error_row(r) for r in range(view.table_model.rowCount())]
    assert {(r.series, r.metric) for r in rows} >= {("S01", "output_tokens_per_s"),
                                                     ("all published", "ttft_ms")}
    assert next(r for r in rows if r.series == "all published" and
                r.metric == "output_tokens_per_s").n == 535
    assert set(view.chart.series) == {"S01", "S04", "S06", "S07"}

    view.engine_combo.setCurrentIndex(view.engine_combo.findData("llama.cpp"))
    shown = view.shown_points()
    assert shown and {p.engine for p in shown} == {"llama.cpp"}
    series = {view.table_model.error_row(r).series for r in range(view.table_model.rowCount())}
    assert {"S06", "all published"} <= series and "S01" not in series  # S01 is TensorRT-LLM
    view.hardware_combo.setCurrentIndex(view.hardware_combo.findData("class:apple-silicon"))
    assert {p.hardware_class for p in view.shown_points()} == {"apple-silicon"}

    point = view.shown_points()[0]
    assert point.url.startswith("https://") and "S06" in tooltip(point)
    view.show_point(point)
    text = view.detail.toPlainText()
    assert point.url[:40] in text and point.date in text and "Configuration" in text


def test_ticks_read_as_plain_numbers() -> None:
    assert [tick_text(v) for v in (6.0, 20.0, 1000.0, 0.5)] == ["6", "20", "1,000", "0.5"]


def test_import_dialog_refuses_bad_fields_at_the_field(qtbot: QtBot, window: MainWindow,
                                                       tmp_path: Path) -> None:
    view = open_validation(qtbot, window)
    log = tmp_path / "bench.json"
    log.write_text(vllm_text(vllm_result()), encoding="utf-8")
    dialog = view.import_benchmark(log)
    qtbot.waitExposed(dialog)
    assert dialog.import_button.isEnabled()

    dialog.model.setEditText("gpt-9")
    assert dialog.errors["model"].text().startswith("'gpt-9' is not a model in the catalog")
    assert dialog.model.property("invalid") is True
    assert not dialog.import_button.isEnabled()
    dialog.model.setEditText("llama-3.1-8b")
    assert dialog.errors["model"].text() == "" and dialog.import_button.isEnabled()

    dialog.gpu_count.setText("0")
    assert dialog.errors["gpu_count"].text().startswith("must be a whole number from 1 to")
    dialog.gpu_count.setText("")
    dialog.file_edit.setText(str(tmp_path / "missing.json"))
    dialog.start_import()
    assert dialog.errors["file"].text().endswith("missing.json: does not exist")
    assert not dialog.busy

    # What only the log can tell: checked off the GUI thread, shown at the field it names.
    dialog.file_edit.setText(str(log))
    dialog.gpu.setEditText("nvidia-h100-sxm-80gb")
    dialog.start_import()
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert dialog.errors["weights"].text().startswith(
        "bench.json: weights is required: a vLLM result does not record the weight format")
    assert dialog.isVisible() and stored_points(window) == 0


def test_import_dialog_imports_refits_and_undoes(qtbot: QtBot, window: MainWindow,
                                                 tmp_path: Path) -> None:
    view = open_validation(qtbot, window)
    log = slow_vllm_log(tmp_path / "h100.json")
    dialog = view.import_benchmark(log)
    dialog.model.setEditText("llama-3.1-8b")
    dialog.gpu.setEditText("H100 SXM 80GB")
    dialog.weights.setCurrentIndex(dialog.weights.findData("bf16"))
    dialog.kv_cache.setCurrentIndex(dialog.kv_cache.findData("bf16"))
    dialog.start_import()
    box = take_message(qtbot)
    assert box.objectName() == "calibrationResult"
    assert "72 measurements imported" in box.text() and "refit from 72 points" in box.text()
    box.close()
    assert view.dialog is None and stored_points(window) == 72  # closed (and deleted)
    qtbot.waitUntil(lambda: view.data is not None and view.data.site_calibrated and
                    not view.loading, timeout=20_000)
    assert set(view.chart.series) >= {SITE_BEFORE, SITE_AFTER}
    rows = {(view.table_model.error_row(r).series, view.table_model.error_row(r).metric):
            view.table_model.error_row(r) for r in range(view.table_model.rowCount())}
    before, after = rows[(SITE_BEFORE, "tpot_ms")], rows[(SITE_AFTER, "tpot_ms")]
    assert after.mdape_pct < before.mdape_pct
    site: list[ValidationPoint] = [p for p in view.data.points if p.origin == "site"]
    assert len(site) == 72 and all(p.source == "h100.json" for p in site)

    window.undo.undo()
    assert stored_points(window) == 0
    qtbot.waitUntil(lambda: view.data is not None and not view.data.site_calibrated and
                    not view.loading, timeout=20_000)
    assert not [p for p in view.data.points if p.origin == "site"]


def test_a_second_import_of_the_same_file_is_refused_in_the_dialog(
        qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    view = open_validation(qtbot, window)
    log = slow_vllm_log(tmp_path / "h100.json")

    def run() -> ImportBenchmarkDialog:
        dialog = view.import_benchmark(log)
        dialog.model.setEditText("llama-3.1-8b")
        dialog.gpu.setEditText("nvidia-h100-sxm-80gb")
        dialog.weights.setCurrentIndex(dialog.weights.findData("bf16"))
        dialog.start_import()
        return dialog

    run()
    take_message(qtbot).close()
    again = run()
    qtbot.waitUntil(lambda: not again.busy, timeout=20_000)
    assert "was already imported into this workspace" in again.errors["file"].text()
    assert stored_points(window) == 72
    again.reject()


def test_import_is_off_on_a_read_only_workspace(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "ro.enclave.sqlite"
    open_workspace(path, with_demos=False).close()
    ws = open_workspace(path, read_only=True)
    win = MainWindow(ws)
    qtbot.addWidget(win)
    try:
        view = win.show_screen("Validation")
        assert isinstance(view, ValidationView) and not view.import_button.isEnabled()
    finally:
        win.tasks.shutdown()
        ws.close()


def test_scatter_chart_matches_its_baseline(qtbot: QtBot) -> None:
    from app.ui.views.validation_chart import ValidationScatter

    def point(series: str, measured: float, predicted: float, shipped: float | None = None,
              origin: str = "published") -> ValidationPoint:
        return ValidationPoint(
            key=f"{series}-{measured}", origin=origin, source=series, source_label=series,
            url="", date="", detail="", model="m", gpu="g", gpu_name="G", hardware_class="c",
            engine="vllm", metric="tpot_ms", measured=measured, predicted=predicted,
            predicted_shipped=predicted if shipped is None else shipped,
            configuration="", series=series)

    points = [point("S01", m, m * f) for m, f in ((5, 1.1), (8, 0.9), (12, 1.3), (20, 0.7),
                                                   (35, 1.05), (60, 2.3))]
    points += [point("S06", m, m * f) for m, f in ((6, 0.95), (15, 1.2), (40, 0.8))]
    points += [point(SITE_AFTER, m, m * 1.02, m / 1.3, origin="site") for m in (9, 18, 30)]
    chart = ValidationScatter()
    qtbot.addWidget(chart)
    chart.resize(520, 380)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_points(points, "tpot_ms")
    assert set(chart.series) == {"S01", "S06", SITE_BEFORE, SITE_AFTER}
    assert_image_matches(chart.grab().toImage(), "validation-scatter")
