"""Report screen: choose scenarios and sections, preview the pages, export PDF/XLSX/CSV."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.operations.scenario_files import demo_scenario_paths, read_scenario_file
from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.views.report_view import ReportView


def _with_demos(ws: Workspace, stems: tuple[str, ...]) -> list[str]:
    names = []
    for stem in stems:
        scenario = read_scenario_file(demo_scenario_paths()[stem])
        scenario_store.insert(ws.db, scenario.to_dict())
        names.append(scenario.name)
    return names


def _report_view(window: MainWindow) -> ReportView:
    view = next(s for s in window.screens if isinstance(s, ReportView))
    window.nav.setCurrentRow(window.screens.index(view))
    return view


def test_preview_then_exports(qtbot: QtBot, tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws.enclave.sqlite", with_demos=False)
    names = _with_demos(ws, ("code-assistant-rtx-pro-6000",))
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    try:
        view = _report_view(window)
        assert view.scenario_list.count() == 1
        assert not view.preview_button.isEnabled()  # nothing ticked yet
        view.set_selected(names)
        for sid in ("assumptions", "method"):
            view.section_boxes[sid].setChecked(False)
        assert view.preview_button.isEnabled()
        view.preview()
        qtbot.waitUntil(lambda: view.rendered is not None and not view.busy, timeout=60_000)
        rendered = view.rendered
        assert rendered is not None
        assert view.pages_layout.count() == len(rendered.images) == rendered.pages
        # the pages stack one below the other (not squeezed into the viewport)
        qtbot.waitUntil(lambda: view.pages_widget.height()
                        >= sum(i.height() for i in rendered.images), timeout=5000)
        assert [s.id for s in rendered.report.sections][-1] == "signoff"
        assert "assumptions" not in [s.id for s in rendered.report.sections]
        assert view.status.text().startswith(messages.count_noun(rendered.pages, "page"))

        pdf = tmp_path / "out.pdf"
        view.produce(lambda r: view.save_pdf(r, pdf))  # reuses the render: same choice
        assert pdf.read_bytes() == rendered.pdf
        book = tmp_path / "tables.xlsx"
        view.produce(lambda r: view.save_xlsx(r, book))
        assert book.read_bytes().startswith(b"PK")
        folder = tmp_path / "csv"
        folder.mkdir()
        view.produce(lambda r: view.save_csv(r, folder))
        assert len(list(folder.glob("*.csv"))) == len(rendered.report.tables()) + 1
        assert (folder / "kpis.csv").read_text().startswith("kpi,unit,")
        charts = tmp_path / "charts"
        charts.mkdir()
        view.produce(lambda r: view.save_charts(r, charts))
        assert len(list(charts.glob("*.svg"))) == len(rendered.report.charts()) > 0
        assert all(p.read_bytes().startswith(b"\x89PNG") for p in charts.glob("*.png"))

        view.section_boxes["method"].setChecked(True)  # a new choice renders again
        view.preview()
        qtbot.waitUntil(lambda: view.rendered is not None and view.rendered is not rendered
                        and not view.busy, timeout=60_000)
    finally:
        window.tasks.shutdown()
        ws.close()
