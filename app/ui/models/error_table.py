"""ErrorTableModel: prediction errors per source and metric (rows from `validation.error_rows`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.operations.validation import METRIC_LABELS, ErrorRow

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Source", "Metric", "n", "MdAPE", "≤ 25 %", "> 2×")
TIPS = ("Published source, or this site's logs with the shipped and the site-calibrated factors",
        "Measured metric", "Measurements", "Median absolute percentage error",
        "Share of predictions within 25 % of the measurement",
        "Predictions off by more than a factor of 2")
WARN = QColor("#c62828")
TOTAL_BACKGROUND = QColor("#f1f3f6")


class ErrorTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ErrorRow] = []

    def set_rows(self, rows: Sequence[ErrorRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def error_row(self, row: int) -> ErrorRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.series, METRIC_LABELS.get(r.metric, r.metric), f"{r.n:,}",
                    f"{r.mdape_pct:.1f} %", f"{r.within_25_pct:.0f} %", f"{r.beyond_2x:,}")[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and r.beyond_2x:
            return WARN
        if role == Qt.ItemDataRole.BackgroundRole and r.series == "all published":
            return TOTAL_BACKGROUND
        if role == Qt.ItemDataRole.UserRole:
            return (r.series, r.metric, r.n, r.mdape_pct, r.within_25_pct, r.beyond_2x)[column]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section]
        return None
