"""Text from files and users is shown literally: markup in scenario names, catalog names and
sources (`<img src=x>`, `<b>`) never becomes an image or bold text in a label, a tooltip, a
table, a message box or the catalog detail.

The checks walk every label, tooltip and table cell of the window and its dialogs, so a screen
added later is covered as soon as it shows such text.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.errors import UserError
from app.operations.bundles import read_bundle_file
from app.operations.workspace_ops import demo_scenarios
from app.storage import catalog_store, scenario_store
from app.storage.workspace import Workspace
from app.ui.dialogs.alerts import show_message
from app.ui.main_window import MainWindow
from app.ui.views.catalog_detail import CatalogEntryDetail
from app.ui.views.scenarios_view import ScenariosView
from tests.ui.conftest import message_boxes

MARKUP = "<img src=x> <b>bold</b>"
H100 = "nvidia-h100-sxm-80gb"


def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt displays for `text` in a widget with `text_format` (tooltips are AutoText)."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def _literal_everywhere(top: QWidget) -> int:
    """Check every label, tooltip and item-view cell under `top` that carries the markup;
    returns how many places showed it (all literally, or the assertion fails)."""
    found = 0
    widgets = [top, *top.findChildren(QWidget)]
    for widget in widgets:
        if isinstance(widget, QLabel) and "img" in widget.text():
            # Shown exactly as set: a label holding such text must not be read as markup.
            assert shown(widget.text(), widget.textFormat()) == widget.text(), widget.objectName()
            found += 1
        if "img" in widget.toolTip():
            assert "<img src=x>" in shown(widget.toolTip()), widget.objectName()
            found += 1
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            found += _literal_in_model(widget.model())
    return found


def _literal_in_model(model: QAbstractItemModel) -> int:
    found = 0
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model keeps columnCount private: one column
        columns = 1
    for row in range(min(model.rowCount(QModelIndex()), 400)):
        for column in range(columns):
            index = model.index(row, column)
            display = model.data(index, Qt.ItemDataRole.DisplayRole)
            tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
            if isinstance(display, str) and "img" in display:
                assert MARKUP in display  # item views draw display text as plain text
                found += 1
            if isinstance(tip, str) and "img" in tip:
                assert "<img src=x>" in shown(tip), tip
                found += 1
    return found


def _hostile(ws: Workspace) -> int:
    demo = demo_scenarios()[0]
    scenario_id = scenario_store.insert(ws.db, {**demo, "name": f"Plan {MARKUP}",
                                                "description": f"About {MARKUP}"})
    entry = catalog_store.get_entry(ws.db, "accelerators", H100)
    assert entry is not None
    catalog_store.save_entry(ws.db, "accelerators", {**entry, "name": f"H100 {MARKUP}",
                                                     "source": f"Datasheet {MARKUP}"})
    ws.catalog_changed()
    return scenario_id


def test_scenario_and_catalog_text_render_literally(qtbot: QtBot, window: MainWindow,
                                                    ws: Workspace) -> None:
    scenario_id = _hostile(ws)
    view = window.show_screen("Scenarios")
    assert isinstance(view, ScenariosView)
    view.refresh()
    view.select_id(scenario_id)
    assert view.preview_title.text().startswith(f"Plan {MARKUP}")
    assert _literal_everywhere(window) >= 4  # name and description cells and tips, title
    catalog = window.show_screen("Catalog")
    window.catalog_view().set_kind("accelerators")
    window.catalog_view().select_id(H100)
    assert _literal_everywhere(window) >= 4
    detail = catalog.findChild(CatalogEntryDetail)
    assert detail is not None
    text = detail.toPlainText()
    assert f"H100 {MARKUP}" in text and f"Datasheet {MARKUP}" in text


def test_messages_dialogs_and_tasks_render_literally(qtbot: QtBot, window: MainWindow,
                                                     ws: Workspace, tmp_path: Path) -> None:
    scenario_id = _hostile(ws)
    box = show_message(window, "Title", str(UserError(f"scenario '{MARKUP}': refused")))
    assert MARKUP in shown(box.text(), box.textFormat())
    box.close()
    view = window.show_screen("Scenarios")
    assert isinstance(view, ScenariosView)
    view.refresh()
    view.select_id(scenario_id)
    rename = view.ask_rename()
    assert rename is not None
    other = scenario_store.insert(ws.db, {"schema_version": 1, "name": f"Other {MARKUP}"})
    del other
    rename.edit.setText(f"other {MARKUP}")
    assert MARKUP in shown(rename.error.text(), rename.error.textFormat())
    rename.reject()
    # A bundle whose file name and scenario names carry markup: the question and the task.
    out = tmp_path / f"{MARKUP.replace('/', '')}.enclave.zip"
    assert view.bundles.export_to(out, [scenario_id])
    question = view.bundles.bundle_read(read_bundle_file(out))
    assert question is not None
    assert _literal_everywhere(question) >= 1
    question.close()
    window.tasks.indicator.show_task(type("Handle", (), {
        "title": f"Reading {MARKUP}", "fraction": 0.0, "message": ""})())  # type: ignore[arg-type]
    assert _literal_everywhere(window.tasks.indicator) >= 2
    window.tasks.indicator.clear()
    audit = window.show_audit_log()
    assert _literal_everywhere(audit) >= 1
    audit.close()
    for leftover in message_boxes(window):
        leftover.close()
    assert all(not isinstance(w, QMessageBox) or not w.isVisible()
               for w in QApplication.topLevelWidgets())
