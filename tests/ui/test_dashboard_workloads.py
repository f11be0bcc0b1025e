"""The Dashboard's Workloads and shared fleet area on the RAG service demo: the table and the
fine-tune card show the evaluation's numbers, an edit in the editor updates the card in place,
undo restores it; single-LLM scenarios have no such area."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.operations.pool_chart_data import pool_placement
from app.reports import fmt
from app.storage import scenario_store
from app.ui.main_window import MainWindow
from app.ui.models.workload_table import KEYS, WorkloadTableModel
from app.ui.views.dashboard_view import DashboardView
from app.ui.views.workloads_panel import KindCardWidget
from tests.ui.conftest import demo_window_on, next_evaluation

WAIT_MS = 20_000
RAG = "Complete RAG service"
RUNS = "workloads[3].finetune.runs_per_month"


@pytest.fixture
def demo_window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    with demo_window_on(qtbot, tmp_path, size=(1600, 1000)) as win:
        yield win


def _open(qtbot: QtBot, window: MainWindow, name: str) -> DashboardView:
    view = window.show_screen("Dashboard")
    assert isinstance(view, DashboardView)
    sid = next(r.id for r in scenario_store.list_rows(window.workspace.db)
               if r.name.startswith(name))
    view.open_scenario(sid)
    qtbot.waitUntil(lambda: view.content is not None
                    and view.content.live.result is not None
                    and view.content.live.result.scenario.name.startswith(name),
                    timeout=WAIT_MS)
    return view


def _shown(model: WorkloadTableModel, workload: int, key: str,
           role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
    """What the table shows for (workload, column), in either orientation."""
    column = KEYS.index(key)
    index = (model.index(column - 1, workload) if model.transposed
             else model.index(workload, column))
    assert index.isValid()
    return model.data(index, role)


def _tune_card(view: DashboardView) -> KindCardWidget:
    return next(c for c in view.workloads.cards if c.key[1] == "finetune")


def test_rag_demo_table_and_fine_tune_card_show_the_evaluation(qtbot: QtBot,
                                                               demo_window: MainWindow) -> None:
    view = _open(qtbot, demo_window, RAG)
    content = view.content
    assert content is not None and content.live.result is not None
    result = content.live.result
    panel = view.workloads
    assert panel.isVisible()
    assert panel.headline.text() == (f"4 workloads on {result.kpis.gpus} × NVIDIA H100 SXM "
                                     "80GB · all meet their targets")
    model = panel.model
    assert model.rowCount() * model.columnCount() == 4 * (len(KEYS) - (1 if model.transposed
                                                                       else 0))
    for i, w in enumerate(result.workloads):
        assert _shown(model, i, "kind") == {"llm": "LLM", "finetune": "fine-tune"}.get(w.kind,
                                                                                      w.kind)
        assert _shown(model, i, "memory") == fmt.gb(w.memory_per_instance_bytes)
        assert _shown(model, i, "use") == fmt.pct(w.peak_demand_per_s / w.capacity_per_s)
        assert str(_shown(model, i, "cost_share")).startswith(fmt.usd_short(w.cost_share_usd))
        assert f"{fmt.rate(w.capacity_per_s)}" in str(_shown(model, i, "peak"))
        assert w.rate_unit.replace("tokens/s", "tok/s") in str(_shown(model, i, "peak")) \
            or w.rate_unit in str(_shown(model, i, "peak"))
        assert _shown(model, i, "target") == "meets"
        assert "Formula:" in str(_shown(model, i, "cost_share", Qt.ItemDataRole.ToolTipRole))
    workload_names = [model.rows[i].name for i in range(4)]
    assert workload_names == [w.name for w in result.workloads]

    d = result.workloads[3].details
    card = _tune_card(view)
    figures = {key: widget.value.text() for key, widget in card.figures.items()}
    assert figures["method"] == "LoRA r16"
    assert figures["tokens"] == fmt.millions(d["tokens_per_run"])
    assert figures["job_gpus"] == str(d["job_gpus"])
    assert figures["wall_time"] == fmt.hours(d["wall_time_h"])
    assert figures["gpu_hours"] == f"{fmt.num(d['gpu_hours_per_run'], digits=1)} GPU-h"
    assert figures["cost_per_run"] == f"{fmt.usd_short(d['cost_per_run_usd'])} owned"
    assert "Formula:" in card.figures["wall_time"].toolTip()

    view.flush_charts()
    gpu = demo_window.workspace.catalog.accelerator(result.scenario.deployment.accelerator)
    assert panel.pool_chart.data == pool_placement(result, gpu.memory_bytes)
    assert card.memory_card is not None
    memory = card.memory_card.chart.data
    assert memory is not None and memory.total_gb * 1e9 == pytest.approx(
        d["memory_per_gpu_bytes"])
    # the calibration band heads the TTFT card's second line
    assert view.kpis.cards["ttft_ms"].detail.text().startswith("band ")


def test_editing_runs_per_month_updates_the_card_and_undo_restores_it(
        qtbot: QtBot, demo_window: MainWindow) -> None:
    view = _open(qtbot, demo_window, RAG)
    assert view.content is not None and view.content.live.result is not None
    before = view.content.live.result.workloads[3].details
    card = _tune_card(view)
    tokens_detail = card.figures["tokens"].detail.text()
    hours_detail = card.figures["gpu_hours"].detail.text()
    assert "4.33 runs a month" in tokens_detail
    resets: list[QModelIndex] = []
    view.workloads.model.modelReset.connect(lambda: resets.append(QModelIndex()))

    assert view.editor.edit(RUNS, "8.66")
    content = next_evaluation(qtbot, view)
    assert content.live.result is not None
    after = content.live.result.workloads[3].details
    assert after["gpu_hours_per_month"] == pytest.approx(2 * before["gpu_hours_per_month"])
    assert _tune_card(view) is card  # updated in place, not rebuilt
    assert "8.66 runs a month" in card.figures["tokens"].detail.text()
    assert card.figures["gpu_hours"].detail.text() == \
        f"{fmt.num(after['gpu_hours_per_month'], digits=1)} GPU-h a month"
    assert resets == []  # the table updated its changed row only

    demo_window.undo_action.trigger()
    next_evaluation(qtbot, view)
    assert card.figures["tokens"].detail.text() == tokens_detail
    assert card.figures["gpu_hours"].detail.text() == hours_detail


def test_a_single_llm_scenario_has_no_workloads_area(qtbot: QtBot,
                                                     demo_window: MainWindow) -> None:
    view = _open(qtbot, demo_window, RAG)
    assert view.workloads.isVisible()
    view = _open(qtbot, demo_window, "Secure chat")
    assert not view.workloads.isVisible()
    assert view.content is not None and view.content.workloads is None


def test_the_table_turns_where_the_results_are_narrow(qtbot: QtBot,
                                                      demo_window: MainWindow) -> None:
    view = _open(qtbot, demo_window, RAG)
    model = view.workloads.model
    if view.editor.isVisible():
        view.toggle_editor()  # full width: one row per workload, on one line each
    qtbot.waitUntil(lambda: not model.transposed and model.one_line, timeout=3000)
    demo_window.resize(1280, 800)
    if not view.editor.isVisible():
        view.toggle_editor()
    qtbot.waitUntil(lambda: model.transposed, timeout=3000)
    table = view.workloads.table
    assert table.horizontalHeader().length() <= table.viewport().width() + 1  # nothing clipped
    assert _shown(model, 0, "kind") == "LLM"
