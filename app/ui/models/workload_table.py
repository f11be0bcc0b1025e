"""WorkloadTableModel: the workloads of one evaluation on their shared fleet
(`reports.workload_cards.WorkloadRow`): the cells' texts, tooltips (formula and inputs) and
tones (target met or missed, headroom at peak), and a swatch of each workload's colour in the
pool chart.

One row per workload; `transposed` turns it into one column per workload (the figures as
rows), which reads better where the table is narrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap

from app.reports.kpi_cards import BAD, GOOD, WARN
from app.reports.workload_cards import COLUMNS, WorkloadCell, WorkloadRow
from app.ui.escaping import tooltip
from app.ui.style import ADDED_GREEN, ERROR_RED

_Index = QModelIndex | QPersistentModelIndex

KEYS = tuple(key for key, _ in COLUMNS)
HEADERS = {"gpu_share": "GPU share:\nslots", "peak": "Peak /\ncapacity", "use": "Use at\npeak",
           "latency": "Latency /\ntarget", "memory": "Memory /\ninstance",
           "cost_share": "Cost\nshare"}
RIGHT = ("use", "memory", "cost_share")
TONE_COLOURS = {GOOD: ADDED_GREEN, BAD: ERROR_RED, WARN: "#9a6700"}
TONED = ("use", "latency", "target")
VALUE_ROLE = Qt.ItemDataRole.UserRole


class WorkloadTableModel(QAbstractTableModel):
    """Rows of `WorkloadRow` (see the module docstring). `set_rows` updates only the workloads
    that changed (an edit touches one or two), and resets only when the workloads themselves
    change."""

    def __init__(self, colours: Sequence[str] = ()) -> None:
        super().__init__()
        self._rows: tuple[WorkloadRow, ...] = ()
        self._colours = tuple(colours)
        self._swatches: dict[str, QIcon] = {}
        self.transposed = False
        self.one_line = False  # each cell on one line (wide tables)
        self.long_labels = False  # the turned table's figure labels on one line

    @property
    def rows(self) -> tuple[WorkloadRow, ...]:
        return self._rows

    def set_rows(self, rows: Sequence[WorkloadRow]) -> None:
        rows = tuple(rows)
        if [(r.name, r.kind) for r in rows] != [(r.name, r.kind) for r in self._rows]:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return
        old, self._rows = self._rows, rows
        changed = [i for i, (a, b) in enumerate(zip(old, rows, strict=True)) if a != b]
        if not changed:
            return
        first, last = changed[0], changed[-1]  # one signal for the span: one refit
        if self.transposed:
            self.dataChanged.emit(self.index(0, first), self.index(self.rowCount() - 1, last))
        else:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(KEYS) - 1))

    def set_layout(self, transposed: bool, one_line: bool = False,
                   long_labels: bool = False) -> None:
        layout = (transposed, one_line, long_labels)
        if layout != (self.transposed, self.one_line, self.long_labels):
            self.beginResetModel()
            self.transposed, self.one_line, self.long_labels = layout
            self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(KEYS) - 1 if self.transposed else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._rows) if self.transposed else len(KEYS)

    def locate(self, index: _Index) -> tuple[int, str]:
        """(workload position, column key) of a cell, in either orientation."""
        if self.transposed:
            return index.column(), KEYS[index.row() + 1]
        return index.row(), KEYS[index.column()]

    def cell(self, workload: int, key: str) -> WorkloadCell:
        return self._rows[workload].cells[KEYS.index(key)]

    def _swatch(self, workload: int) -> QIcon | None:
        if not self._colours:
            return None
        colour = self._colours[workload % len(self._colours)]
        if colour not in self._swatches:
            pixmap = QPixmap(10, 10)
            pixmap.fill(QColor(colour))
            self._swatches[colour] = QIcon(pixmap)
        return self._swatches[colour]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        workload, key = self.locate(index)
        cell = self.cell(workload, key)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text if self.one_line else cell.screen_text
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(cell.tooltip or cell.text)
        if role == VALUE_ROLE:
            return cell.value
        if role == Qt.ItemDataRole.ForegroundRole and key in TONED and cell.tone in TONE_COLOURS:
            return QColor(TONE_COLOURS[cell.tone])
        if role == Qt.ItemDataRole.FontRole and key == "target":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and key == "workload":
            return self._swatch(workload)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (Qt.AlignmentFlag.AlignRight if key in RIGHT and not self.transposed
                          else Qt.AlignmentFlag.AlignLeft)
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.transposed:
            if orientation == Qt.Orientation.Horizontal:
                if role == Qt.ItemDataRole.DisplayRole:
                    return self._rows[section].name
                if role == Qt.ItemDataRole.DecorationRole:
                    return self._swatch(section)
                if role == Qt.ItemDataRole.ToolTipRole:
                    return tooltip(self._rows[section].cells[0].tooltip)
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                key, label = COLUMNS[section + 1]
                return label if self.long_labels else HEADERS.get(key, label)
            return None
        if orientation != Qt.Orientation.Horizontal:
            return None
        key, label = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(key, label)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (Qt.AlignmentFlag.AlignRight if key in RIGHT
                          else Qt.AlignmentFlag.AlignLeft)
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None
