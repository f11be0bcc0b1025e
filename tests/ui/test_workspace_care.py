"""File menu: restore from a backup (then the workspace is reopened), check integrity, the
audit log viewer, and the recovery options for a damaged workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.operations import scenario_ops, workspace_maintenance
from app.operations.workspace_ops import demo_scenarios, open_workspace
from app.storage import scenario_store
from app.storage.errors import DamagedWorkspaceError
from app.storage.workspace import Workspace
from app.ui import launch, messages
from app.ui.dialogs.audit_log_dialog import AuditLogDialog
from app.ui.dialogs.recovery_dialog import RecoveryDialog
from app.ui.dialogs.restore_dialog import RestoreBackupDialog
from app.ui.main_window import MainWindow
from app.ui.models.backup_table import reason_label, size_label
from tests.storage.helpers import checkpoint, damage_pages
from tests.ui.conftest import take_message


def _names(ws: Workspace) -> list[str]:
    return [r.name for r in scenario_store.list_rows(ws.db)]


def test_restore_from_a_backup_reopens_the_workspace(qtbot: QtBot, window: MainWindow,
                                                     ws: Workspace) -> None:
    scenario_ops.create_scenario(ws, "Kept")
    backup = workspace_maintenance.back_up_now(ws)
    window.undo.run(lambda: scenario_ops.create_scenario(ws, "Made after the backup"))
    dialog = window.ask_restore_backup()
    assert isinstance(dialog, RestoreBackupDialog) and dialog.isVisible()
    assert dialog.model.rowCount() == len(workspace_maintenance.list_backups(ws.path))
    assert dialog.selected() == backup  # newest first, selected
    dialog.restore_button.click()
    confirm = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    assert confirm.text() == messages.RESTORE_CONFIRM_TEXT.format(path=ws.path,
                                                                  label=backup.label)
    assert confirm.defaultButton() is confirm.button(QMessageBox.StandardButton.Cancel)
    confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    reopened = window.workspace
    assert reopened is not ws and reopened.path == ws.path and not reopened.read_only
    assert _names(reopened) == ["Kept"]
    assert window.scenarios_view().names() == ["Kept"]
    assert not window.undo.stack.canUndo()
    safety = next(b for b in workspace_maintenance.list_backups(ws.path)
                  if b.reason == "before-restore")
    assert window.statusBar().currentMessage() == messages.STATUS_RESTORED.format(
        label=backup.label, safety=safety.path.name)


def test_restore_is_offered_only_on_an_editable_workspace(qtbot: QtBot,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    with open_workspace(path, with_demos=False):
        pass
    with open_workspace(path, read_only=True) as ro:
        window = MainWindow(ro)
        qtbot.addWidget(window)
        assert not window.restore_action.isEnabled()
        assert window.integrity_action.isEnabled() and window.audit_action.isEnabled()
        window.tasks.shutdown()
        window.close()


def test_backup_list_labels() -> None:
    assert reason_label("daily") == messages.BACKUP_REASONS["daily"]
    assert reason_label("before-migration-v3") == messages.BACKUP_REASON_MIGRATION.format(
        version="3")
    assert reason_label("odd-one") == "odd-one"
    assert (size_label(532_000), size_label(12_400_000)) == ("532 kB", "12.4 MB")


def test_check_integrity(qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    box = window.check_integrity()
    assert box.windowTitle() == messages.INTEGRITY_TITLE
    assert box.text().startswith(f"No problems found: {ws.path} passed")
    box.close()


def test_audit_log_filters(qtbot: QtBot, window: MainWindow, ws: Workspace) -> None:
    scenario_ops.create_scenario(ws, "Audited <b>plan</b>")
    dialog = window.show_audit_log()
    assert isinstance(dialog, AuditLogDialog)
    everything = dialog.model.rowCount()
    actions = {dialog.model.text(r, 2) for r in range(everything)}
    assert {"workspace.created", "scenario.created"} <= actions
    dialog.entity.setCurrentIndex(dialog.entity.findData("scenario"))
    assert {dialog.model.text(r, 3) for r in range(dialog.model.rowCount())} == {"scenario"}
    assert '"name": "Audited <b>plan</b>"' in dialog.model.text(0, 5)
    dialog.entity.setCurrentIndex(0)
    dialog.action.setCurrentIndex(dialog.action.findData("workspace."))
    assert {dialog.model.text(r, 2) for r in range(dialog.model.rowCount())} == {
        "workspace.created"}
    dialog.action.setCurrentIndex(0)
    dialog.period.setCurrentIndex(1)  # last 24 hours: everything here is newer
    assert dialog.model.rowCount() == everything
    assert dialog.summary.text() == messages.AUDIT_SHOWN.format(
        count=messages.count_noun(everything, "entry", "entries"), limit="1,000")
    restore = window.ask_restore_backup()
    restore.close()  # deleted on close: forgotten, so opening another workspace still works
    qtbot.waitUntil(lambda: restore not in window.workspace_dialogs, timeout=5000)
    window.open_workspace_path(_other(ws))  # a dialog on the old workspace closes with it
    assert dialog not in window.workspace_dialogs


def _other(ws: Workspace) -> Path:
    path = ws.path.with_name("other.sqlite")
    with open_workspace(path, with_demos=False):
        pass
    return path


def _damaged(tmp_path: Path, with_backup: bool = True) -> Path:
    path = tmp_path / "damaged.sqlite"
    with open_workspace(path) as ws:
        if with_backup:
            workspace_maintenance.back_up_now(ws)
    checkpoint(path)
    damage_pages(path, range(3, 6))
    with pytest.raises(DamagedWorkspaceError):
        open_workspace(path).close()
    return path


def _recovery(window: MainWindow, path: Path) -> RecoveryDialog:
    window.open_workspace_path(path)
    dialogs = [d for d in window.findChildren(RecoveryDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_a_damaged_workspace_offers_read_only(qtbot: QtBot, window: MainWindow,
                                              tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    dialog = _recovery(window, path)
    assert dialog.model.rowCount() == 1 and dialog.restore_button.isEnabled()
    dialog.read_only_button.click()
    assert window.workspace.path == path and window.workspace.read_only
    assert not dialog.isVisible()


def test_a_damaged_workspace_can_be_restored_from_its_backup(qtbot: QtBot, window: MainWindow,
                                                             tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    dialog = _recovery(window, path)
    dialog.restore_button.click()
    assert window.workspace.path == path and not window.workspace.read_only
    assert len(_names(window.workspace)) == len(demo_scenarios())  # the demos, from the backup
    assert window.statusBar().currentMessage().startswith(f"Restored {path} from the backup")


def test_a_damaged_workspace_can_be_salvaged(qtbot: QtBot, window: MainWindow,
                                             tmp_path: Path) -> None:
    path = _damaged(tmp_path, with_backup=False)
    dialog = _recovery(window, path)
    assert not dialog.restore_button.isEnabled() and not dialog.table.isVisible()
    dialog.salvage_button.click()
    assert "-salvaged-" in window.workspace.path.name and not window.workspace.read_only
    assert window.statusBar().currentMessage().startswith(f"Salvaged {path.name} into")


def test_a_failed_recovery_is_reported(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = _damaged(tmp_path)
    dialog = _recovery(window, path)
    before = window.workspace
    dialog.table.selectRow(0)
    dialog.model.backup(0).path.unlink()  # gone between listing and restoring
    dialog.restore_button.click()
    box = take_message(qtbot, window)
    assert box.windowTitle() == messages.RECOVERY_FAILED_TITLE
    box.close()
    assert window.workspace is before


def test_the_damaged_default_workspace_is_offered_recovery_at_start(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    with pytest.raises(DamagedWorkspaceError) as caught:
        open_workspace(path)

    def choose_read_only() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, RecoveryDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(20, choose_read_only)
            return
        dialogs[0].read_only_button.click()

    QTimer.singleShot(0, choose_read_only)
    recovered = launch._recover_at_start(path, caught.value)
    assert recovered is not None
    workspace, status = recovered
    assert workspace.read_only and status == messages.STATUS_OPENED.format(path=path)
    workspace.close()
