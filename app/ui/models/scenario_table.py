"""ScenarioTableModel: the workspace's scenarios as a table (reads the store, holds rows only)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.storage import scenario_store
from app.storage.workspace import Workspace
from app.ui.escaping import tooltip

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = (("Name", "name"), ("Model", "model_id"), ("Accelerator", "accelerator_id"),
           ("Last changed (UTC)", "updated_at"), ("Description", "description"))


class ScenarioTableModel(QAbstractTableModel):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self._workspace = workspace
        self._rows: list[scenario_store.ScenarioRow] = []
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._rows = scenario_store.list_rows(self._workspace.db)
        self.endResetModel()

    def scenario_id(self, row: int) -> int:
        return self._rows[row].id

    def row_of(self, scenario_id: int) -> int | None:
        return next((r for r, row in enumerate(self._rows) if row.id == scenario_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                                Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        value = getattr(row, COLUMNS[index.column()][1])
        if COLUMNS[index.column()][1] == "updated_at" and value:
            text = str(value)[:16].replace("T", " ")
        else:
            text = "" if value is None else str(value)
        return tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None
