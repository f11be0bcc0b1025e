"""AuditLogTableModel: audit rows (newest first), as `workspace_maintenance.read_audit_log`
returns them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.storage.audit import AuditEntry
from app.ui.escaping import tooltip

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("When (UTC)", "Who", "Action", "Entity", "Id", "Details")


def _details(entry: AuditEntry) -> str:
    return json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""


class AuditLogTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[AuditEntry] = []

    def set_rows(self, rows: Sequence[AuditEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def entry(self, row: int) -> AuditEntry:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def text(self, row: int, column: int) -> str:
        e = self._rows[row]
        return (e.at[:19].replace("T", " "), e.user, e.action, e.entity, e.entity_id,
                _details(e))[column]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            entry = self._rows[index.row()]
            if index.column() == len(COLUMNS) - 1 and entry.detail:
                return tooltip(json.dumps(entry.detail, ensure_ascii=False, indent=1))
            return tooltip(self.text(index.row(), index.column()))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None
