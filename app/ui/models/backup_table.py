"""BackupTableModel: a workspace's backups (newest first) for the restore dialog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.storage.backups import BackupInfo
from app.ui import messages

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Taken (UTC)", "Why", "Size")


def reason_label(reason: str) -> str:
    """`daily` -> `routine (first open of the day)`; unknown reasons as they are."""
    if reason.startswith("before-migration-v"):
        return messages.BACKUP_REASON_MIGRATION.format(version=reason.rsplit("v", 1)[-1])
    return messages.BACKUP_REASONS.get(reason, reason)


def size_label(size_bytes: int) -> str:
    if size_bytes < 1_000_000:
        return f"{size_bytes / 1000:,.0f} kB"
    return f"{size_bytes / 1_000_000:,.1f} MB"


class BackupTableModel(QAbstractTableModel):
    def __init__(self, backups: Sequence[BackupInfo]) -> None:
        super().__init__()
        self._backups = list(backups)

    def backup(self, row: int) -> BackupInfo:
        return self._backups[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._backups)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self._backups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{info.taken_at:%Y-%m-%d %H:%M:%S}", reason_label(info.reason),
                    size_label(info.size_bytes))[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None
