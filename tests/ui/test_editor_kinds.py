"""Every workload kind's own section in the scenario editor: each field of the format is there
with its unit, a value that breaks its rule is refused at the field (nothing stored), fields
the kind does not use are left out, and GPU sharing is offered with its choices."""

from __future__ import annotations

import dataclasses
from typing import Any, get_args, get_type_hints

import pytest
from pytestqt.qtbot import QtBot

from app.engine.scenario import SECTION_TEMPLATES, Workload
from app.operations.scenario_fields import field_info
from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui.main_window import MainWindow
from app.ui.views.dashboard_view import DashboardView
from app.ui.views.field_editors import ChoiceRow, TextRow
from app.ui.views.scenario_editor import UNUSED_FIELDS, WORKLOAD_FIELDS


def _section_fields(kind: str) -> list[str]:
    spec = [a for a in get_args(get_type_hints(Workload)[kind]) if a is not type(None)][0]
    return [f.name for f in dataclasses.fields(spec)]


def _editor_with(window: MainWindow, ws: Workspace, kind: str) -> tuple[Any, int, int]:
    window.scenarios_view().create_from_template("Kinds", "chat")
    view = window.show_screen("Dashboard")
    assert isinstance(view, DashboardView)
    sid = scenario_store.find(ws.db, "Kinds")
    assert sid is not None
    view.editor.add_workload(kind)
    return view.editor, sid, view.editor.workload_tabs.count() - 1


@pytest.mark.parametrize("kind", SECTION_TEMPLATES)
def test_a_kinds_section_has_every_field_with_its_unit_and_refuses_bad_values(
        qtbot: QtBot, window: MainWindow, ws: Workspace, kind: str) -> None:
    editor, sid, i = _editor_with(window, ws, kind)
    for name in _section_fields(kind):
        path = f"workloads[{i}].{kind}.{name}"
        row = editor.row(path)
        assert row is not None, path
        info = field_info(path)
        if info.choices:
            assert isinstance(row, ChoiceRow), path
            continue
        assert isinstance(row, TextRow), path
        assert row.unit.text(), f"{path} shows no unit"
        if info.kind not in ("int", "float"):
            continue
        stored = scenario_store.get(ws.db, sid)["workloads"][i]
        for text in ("lots", "-1"):
            assert not editor.edit(path, text), (path, text)
            assert row.error.isVisible() and row.error.text().startswith("must "), path
            editor.refresh()
        low = info.meta.get("ge")
        if low is not None and low > 0:
            assert not editor.edit(path, f"{low / 2:g}")
            assert row.error.text().startswith("must "), path
            editor.refresh()
        high = info.meta.get("le")
        if high is not None:
            assert not editor.edit(path, f"{high * 2:g}")
            assert row.error.text() == f"must be at most {high:g}", path
            editor.refresh()
        assert scenario_store.get(ws.db, sid)["workloads"][i] == stored  # nothing stored
    assert editor.row("deployment.gpu_sharing") is not None


@pytest.mark.parametrize("kind", SECTION_TEMPLATES)
def test_fields_a_kind_does_not_use_are_left_out(qtbot: QtBot, window: MainWindow,
                                                 ws: Workspace, kind: str) -> None:
    editor, _, i = _editor_with(window, ws, kind)
    for name in WORKLOAD_FIELDS:
        shown = editor.row(f"workloads[{i}].{name}") is not None
        assert shown == (name not in UNUSED_FIELDS[kind]), name
    assert editor.row("workloads[0].output_tokens") is not None  # the chat LLM keeps them all
    if kind in ("embedding", "reranker", "guard"):
        latency = editor.row(f"workloads[{i}].ttft_target_ms")
        assert latency is not None and latency.label.text() == "Latency target"


def test_lora_targets_are_refused_at_their_field(qtbot: QtBot, window: MainWindow,
                                                 ws: Workspace) -> None:
    editor, sid, i = _editor_with(window, ws, "finetune")
    path = f"workloads[{i}].finetune.lora_targets"
    row = editor.row(path)
    assert row is not None and row.unit.text() == "matrices"
    assert not editor.edit(path, "q, attention")
    assert row.error.text() == "must be one of q, k, v, o, gate, up, down or all"
    editor.refresh()
    assert not editor.edit(path, "")
    assert row.error.text() == "must name at least one matrix for lora (e.g. q, k, v, o)"
    editor.refresh()
    assert editor.edit(path, "q, v, gate")
    assert scenario_store.get(ws.db, sid)["workloads"][i]["finetune"]["lora_targets"] == \
        ["q", "v", "gate"]
    optimizer = editor.row(f"workloads[{i}].finetune.optimizer")
    assert isinstance(optimizer, ChoiceRow)
    assert optimizer.combo.itemText(0) == "— the method's usual —"
    window.undo_action.trigger()
    assert scenario_store.get(ws.db, sid)["workloads"][i]["finetune"]["lora_targets"] == \
        ["q", "k", "v", "o"]


def test_an_edit_renames_a_workload_tab_only_when_the_name_changed(
        qtbot: QtBot, window: MainWindow, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # setting a tab's text lays out and repaints the whole visible form: not on every edit
    editor, _sid, index = _editor_with(window, ws, "embedding")
    renamed: list[tuple[int, str]] = []
    set_text = editor.workload_tabs.setTabText
    monkeypatch.setattr(editor.workload_tabs, "setTabText",
                        lambda i, text: (renamed.append((i, text)), set_text(i, text)))
    assert editor.edit("costs.pue", "1.41")
    assert renamed == []
    assert editor.edit(f"workloads[{index}].name", "Search index")
    assert renamed == [(index, "Search index")]
    assert editor.workload_tabs.tabText(index) == "Search index"
