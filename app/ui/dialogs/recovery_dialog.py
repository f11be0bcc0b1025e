"""RecoveryDialog: a workspace failed its integrity check on open; offer the ways out.

Restore one of its backups (the damaged file is kept beside the backups), open it read-only to
look at what is readable, or salvage every readable row into a new workspace. `recover` carries
out the choice and returns the workspace to open, with a line for the status bar.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.operations import workspace_maintenance
from app.operations.workspace_ops import open_workspace
from app.storage.backups import BackupInfo
from app.storage.errors import DamagedWorkspaceError
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.dialogs.restore_dialog import backup_table_view
from app.ui.escaping import plain_label
from app.ui.models.backup_table import BackupTableModel

RESTORE, READ_ONLY, SALVAGE = "restore", "read-only", "salvage"


class RecoveryDialog(QDialog):
    """chosen(action, backup): `restore` with a `BackupInfo`, `read-only` or `salvage` with
    None. The dialog closes (accepted) when a choice is made."""

    chosen = Signal(str, object)

    def __init__(self, path: Path, error: DamagedWorkspaceError,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle(messages.RECOVERY_TITLE)
        self.path = Path(path)
        self.choice: tuple[str, BackupInfo | None] | None = None
        intro = plain_label(messages.RECOVERY_INTRO.format(name=self.path.name))
        intro.setObjectName("recoveryIntro")
        intro.setWordWrap(True)
        text = plain_label(str(error))
        text.setObjectName("hint")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        backups_label = plain_label(messages.RECOVERY_BACKUPS if error.backups
                                    else messages.RECOVERY_NO_BACKUPS)
        self.model = BackupTableModel(error.backups)
        self.table = backup_table_view(self.model)
        self.table.setVisible(bool(error.backups))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = QPushButton(messages.RECOVERY_RESTORE)
        self.read_only_button = QPushButton(messages.RECOVERY_READ_ONLY)
        self.salvage_button = QPushButton(messages.RECOVERY_SALVAGE)
        for button in (self.restore_button, self.read_only_button, self.salvage_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setEnabled(bool(error.backups))
        self.restore_button.clicked.connect(self._restore)
        self.read_only_button.clicked.connect(lambda: self._choose(READ_ONLY, None))
        self.salvage_button.clicked.connect(lambda: self._choose(SALVAGE, None))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(text)
        layout.addSpacing(6)
        layout.addWidget(backups_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 420)
        if error.backups:
            self.table.selectRow(0)

    def _restore(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._choose(RESTORE, self.model.backup(rows[0].row()))

    def _choose(self, action: str, backup: BackupInfo | None) -> None:
        self.choice = (action, backup)
        self.chosen.emit(action, backup)
        self.accept()


def recover(path: Path, action: str, backup: BackupInfo | None) -> tuple[Workspace, str]:
    """Carry out a recovery choice; returns the workspace to open and a status line.

    Raises `UserError` (from the storage layer) when the choice cannot be carried out.
    """
    if action == RESTORE and backup is not None:
        result = workspace_maintenance.replace_with_backup(path, backup.path)
        return open_workspace(path), messages.STATUS_REPLACED.format(
            path=path, label=backup.label, kept=result.safety_backup.name)
    if action == SALVAGE:
        report = workspace_maintenance.salvage_workspace(path)
        return open_workspace(report.target), messages.STATUS_SALVAGED.format(
            source=path.name, target=report.target, summary=report.summary())
    return open_workspace(path, read_only=True), messages.STATUS_OPENED.format(path=path)
