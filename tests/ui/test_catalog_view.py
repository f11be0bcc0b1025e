"""Catalog screen flows a user would follow: edit (refused, saved, override, undo, redo), add,
duplicate, delete, revert, import and export packs."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from app.catalog.validate import entry_errors
from app.storage import catalog_store
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.dialogs.catalog_entry_dialog import CatalogEntryDialog
from app.ui.main_window import MainWindow
from app.ui.models.catalog_table import STATE_ROLE
from app.ui.views.catalog_view import CatalogView
from tests.ui.conftest import message_boxes, take_message

H100 = "nvidia-h100-sxm-80gb"


def _catalog(window: MainWindow, kind: str, entry_id: str | None = None) -> CatalogView:
    view = window.show_screen("Catalog")
    assert isinstance(view, CatalogView)
    view.set_kind(kind)
    if entry_id:
        view.select_id(entry_id)
        assert view.selected_id() == entry_id
    return view


def _state_shown(view: CatalogView, entry_id: str) -> str:
    row = view.model.row_of(entry_id)
    assert row is not None
    index = view.proxy.mapFromSource(view.model.index(row, view.model.state_column))
    return f"{index.data()}|{index.data(STATE_ROLE)}"


def _save(dialog: CatalogEntryDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_edit_refuse_save_override_undo_redo(qtbot: QtBot, window: MainWindow,
                                             ws: Workspace) -> None:
    view = _catalog(window, "accelerators", H100)
    shipped = catalog_store.get_entry(ws.db, "accelerators", H100)
    assert shipped is not None
    dialog = view.edit_entry()
    assert dialog is not None
    assert dialog.editors["id"].widget.isReadOnly()  # type: ignore[union-attr]
    bandwidth = dialog.editors["memory_bandwidth_tbs"]

    # Invalid input: marked at the field with the rule; Save disabled.
    bandwidth.set_text("-3")
    rule = next(m for m in entry_errors("accelerators", {**shipped, "memory_bandwidth_tbs": -3}))
    assert rule == "memory_bandwidth_tbs: must be greater than 0"
    assert dialog.field_error("memory_bandwidth_tbs") == "must be greater than 0"
    assert bandwidth.widget.property("invalid") is True
    assert not dialog.save_button.isEnabled()
    assert dialog.summary.text().startswith("Fix 1 field marked in red")
    bandwidth.set_text("fast")
    assert dialog.field_error("memory_bandwidth_tbs") == "must be a number"
    dialog.editors["as_of"].set_text("last spring")
    assert dialog.field_error("as_of") == "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"
    assert not dialog.save_button.isEnabled()
    assert catalog_store.get_entry(ws.db, "accelerators", H100) == shipped  # nothing stored

    # Valid edit: saved, shown as an override.
    bandwidth.set_text("3.9")
    dialog.editors["as_of"].set_text("2025-06")
    assert dialog.field_error("memory_bandwidth_tbs") == ""
    assert dialog.save_button.isEnabled()
    _save(dialog)
    assert dialog.result() == CatalogEntryDialog.DialogCode.Accepted
    stored = catalog_store.get_entry(ws.db, "accelerators", H100)
    assert stored is not None and stored["memory_bandwidth_tbs"] == 3.9
    assert stored["notes"] == shipped["notes"]  # fields the form does not show are kept
    assert _state_shown(view, H100) == "override|override"
    assert view.revert_action.isEnabled()
    assert "changed from the shipped value 3.35" in view.detail.toPlainText()
    row = view.model.row_of(H100)
    assert row is not None
    assert view.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole).name() == "#1f5fbf"

    # Undo restores the shipped entry; redo re-applies the edit.
    assert window.undo_action.text().replace("&", "") == "Undo Edit NVIDIA H100 SXM 80GB"
    window.undo_action.trigger()
    assert catalog_store.get_entry(ws.db, "accelerators", H100) == shipped
    assert _state_shown(view, H100) == "shipped|shipped"
    assert not view.revert_action.isEnabled()
    window.redo_action.trigger()
    assert catalog_store.get_entry(ws.db, "accelerators", H100)["memory_bandwidth_tbs"] == 3.9  # type: ignore[index]
    assert _state_shown(view, H100) == "override|override"

    # Revert to shipped, itself undoable.
    view.revert_action.trigger()
    assert catalog_store.get_entry(ws.db, "accelerators", H100) == shipped
    window.undo_action.trigger()
    assert _state_shown(view, H100) == "override|override"


def test_add_duplicate_and_delete_with_undo(qtbot: QtBot, window: MainWindow,
                                            ws: Workspace) -> None:
    view = _catalog(window, "cloud-apis")
    before = view.model.rowCount()
    dialog = view.add_entry()
    assert not dialog.save_button.isEnabled()
    assert dialog.field_error("source") == ""  # untouched: no red yet, but named below
    assert dialog.summary.text().startswith("To save, fill in: Id, Name, Provider")
    dialog.editors["source"].set_text("x")
    dialog.editors["source"].set_text("")
    assert dialog.field_error("source") == "is required"
    values = {"id": "acme-large", "name": "ACME Large", "provider": "ACME",
              "input_usd_per_mtok": "1.5", "output_usd_per_mtok": "6",
              "source": "ACME price list, page 2", "as_of": "2025-09"}
    for path, text in values.items():
        dialog.editors[path].set_text(text)
    dialog.editors["id"].set_text("openai-gpt-5-4")  # taken
    assert dialog.field_error("id") == "an entry with this id already exists in cloud-apis"
    dialog.editors["id"].set_text("acme-large")
    _save(dialog)
    assert view.model.rowCount() == before + 1
    assert view.selected_id() == "acme-large"
    assert _state_shown(view, "acme-large") == "added|added"
    assert catalog_store.get_entry(ws.db, "cloud-apis", "acme-large")["input_usd_per_mtok"] == 1.5  # type: ignore[index]

    duplicate = view.duplicate_entry()
    assert duplicate is not None
    assert duplicate.editors["id"].text() == "acme-large-copy"
    assert duplicate.editors["name"].text() == "ACME Large (copy)"
    _save(duplicate)
    assert view.model.rowCount() == before + 2

    view.select_id("acme-large")
    view.delete_action.trigger()
    assert view.model.row_of("acme-large") is None
    window.undo_action.trigger()
    assert view.model.row_of("acme-large") is not None
    for _ in range(3):
        window.undo_action.trigger()
    assert view.model.rowCount() == before
    assert not window.undo.stack.canUndo()


def test_the_detail_panel_shows_each_field_with_its_source(window: MainWindow,
                                                           ws: Workspace) -> None:
    entry = next(e for e in ws.catalog.entries["accelerators"]
                 if "memory_gb" in (e.get("field_sources") or {}))
    view = _catalog(window, "accelerators", entry["id"])
    text = view.detail.toPlainText()
    assert entry["name"] in text and entry["as_of"] in text
    assert "Memory (GB, decimal)" in text
    own = entry["field_sources"]["memory_gb"]
    assert f"{messages.CATALOG_FIELD_OWN_SOURCE}: {own['source']} ({own['as_of']})" in text


def test_import_a_pack_then_a_bad_one(qtbot: QtBot, window: MainWindow, ws: Workspace,
                                      tmp_path: Path) -> None:
    view = _catalog(window, "servers")
    before = catalog_store.entries(ws.db, "servers")
    good = tmp_path / "servers.csv"
    good.write_text("id,name,gpu_slots,base_power_w,source,as_of\n"
                    "lab-box,Lab box,4,900,Vendor quote 2025-17,2025-03\n", encoding="utf-8")
    view.import_pack_file(good)
    qtbot.waitUntil(lambda: view.model.row_of("lab-box") is not None, timeout=5000)
    assert _state_shown(view, "lab-box") == "imported|imported"
    assert window.statusBar().currentMessage() == messages.STATUS_IMPORTED.format(
        count="1 server platform", name="servers.csv")
    window.undo_action.trigger()
    assert catalog_store.entries(ws.db, "servers") == before

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "servers", "catalog_version": "1", "entries": [
        {"id": "ok-box", "name": "OK", "gpu_slots": 8, "source": "doc", "as_of": "2025"},
        {"id": "bad-box", "name": "Bad", "gpu_slots": 8, "source": "", "as_of": "2025"}]}),
        encoding="utf-8")
    view.import_pack_file(bad)
    box = take_message(qtbot, window)
    assert box.windowTitle() == messages.IMPORT_PACK_FAILED_TITLE
    assert box.text() == "bad.json: entry 'bad-box': source: is required"
    box.close()
    assert catalog_store.entries(ws.db, "servers") == before
    assert not window.undo.stack.canUndo()


def test_export_a_pack(qtbot: QtBot, window: MainWindow, ws: Workspace, tmp_path: Path) -> None:
    view = _catalog(window, "models")
    out = tmp_path / "models.json"
    assert view.export_pack_file(out) == len(ws.catalog.entries["models"])
    pack = json.loads(out.read_text(encoding="utf-8"))
    assert pack["kind"] == "models"
    assert pack["entries"] == catalog_store.entries(ws.db, "models")
    assert view.export_pack_file(tmp_path / "models.csv") is None
    box = take_message(qtbot, window)
    assert box.text().startswith("models: cannot be written as CSV")
    box.close()
    assert message_boxes(window) == []


def test_closing_a_changed_form_asks_before_discarding(qtbot: QtBot, window: MainWindow,
                                                       ws: Workspace) -> None:
    view = _catalog(window, "servers", "nvidia-dgx-h100")
    dialog = view.edit_entry()
    assert dialog is not None
    dialog.editors["rack_units"].set_text("9")
    dialog.reject()
    assert dialog.isVisible()
    box = dialog.discard_box
    assert box is not None and box.text() == messages.DISCARD_TEXT
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.isVisible()  # keep editing
    dialog.reject()
    assert dialog.discard_box is not None
    dialog.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert not dialog.isVisible()
    assert catalog_store.get_entry(ws.db, "servers", "nvidia-dgx-h100")["rack_units"] == 8  # type: ignore[index]
    clean = view.edit_entry()
    assert clean is not None
    clean.reject()  # nothing typed: closes at once
    assert not clean.isVisible()


def test_enter_on_a_row_opens_its_form(qtbot: QtBot, window: MainWindow) -> None:
    view = _catalog(window, "quantizations", "fp8")
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.dialog is not None and view.dialog.isVisible()
    assert view.dialog.editors["id"].text() == "fp8"
    view.dialog.reject()
