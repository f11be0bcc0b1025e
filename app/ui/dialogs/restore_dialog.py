"""RestoreBackupDialog: the workspace's backups with when, why and how big; Restore… asks the
main window (which confirms, restores and reopens the workspace)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.storage.backups import BackupInfo
from app.ui import messages
from app.ui.escaping import plain_label
from app.ui.models.backup_table import BackupTableModel


def backup_table_view(model: BackupTableModel) -> QTableView:
    """A read-only, one-row-at-a-time table of backups (newest first)."""
    table = QTableView()
    table.setObjectName("backupTable")
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setAlternatingRowColors(True)
    return table


class RestoreBackupDialog(QDialog):
    """restore_requested(BackupInfo): the user chose a backup and pressed Restore…"""

    restore_requested = Signal(object)

    def __init__(self, workspace: Path, backups: Sequence[BackupInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle(messages.RESTORE_DIALOG_TITLE)
        intro = plain_label(messages.RESTORE_INTRO.format(path=workspace))
        intro.setWordWrap(True)
        self.model = BackupTableModel(backups)
        self.table = backup_table_view(self.model)
        self.empty = plain_label(messages.RESTORE_NO_BACKUPS)
        self.empty.setObjectName("summary")
        self.empty.setWordWrap(True)
        self.empty.setVisible(not backups)
        self.table.setVisible(bool(backups))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton(messages.RESTORE_BUTTON)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self._restore)
        self.table.activated.connect(lambda _index: self._restore())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(620, 380)
        if backups:
            self.table.selectRow(0)
        self._selection()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.backup(rows[0].row()) if rows else None

    def _selection(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _restore(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.restore_requested.emit(chosen)


