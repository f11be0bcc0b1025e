"""FrontTableModel: the explorer's Pareto front as a table (one row per front point).

It holds a reference to the swept space and the front's indices into it, never a copy of the
figures; sorting goes through a proxy on `SORT_ROLE` (numbers sort as numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.operations.explore import SweptSpace
from app.ui import messages

_Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
POINT_ROLE = Qt.ItemDataRole.UserRole + 2

Cell = Callable[[SweptSpace, int], tuple[str, Any]]


def _accelerator(s: SweptSpace, i: int) -> tuple[str, Any]:
    name = s.accelerators[int(s.accelerator[i])].name
    return name, name.casefold()


def _int(field: str) -> Cell:
    def cell(s: SweptSpace, i: int) -> tuple[str, Any]:
        value = int(getattr(s, field)[i])
        return f"{value:,}", value
    return cell


def _float(field: str, fmt: str) -> Cell:
    def cell(s: SweptSpace, i: int) -> tuple[str, Any]:
        value = float(getattr(s, field)[i])
        return format(value, fmt), value
    return cell


def _layout(s: SweptSpace, i: int) -> tuple[str, Any]:
    tp, pp = int(s.tp[i]), int(s.pp[i])
    return f"{tp} × {pp}", tp * 100 + pp


def _format(field: str) -> Cell:
    def cell(s: SweptSpace, i: int) -> tuple[str, Any]:
        text = s.formats[int(getattr(s, field)[i])].id
        return text, text
    return cell


def _engine(s: SweptSpace, i: int) -> tuple[str, Any]:
    text = s.engines[int(s.engine[i])]
    return text, text


def _cost(s: SweptSpace, i: int) -> tuple[str, Any]:
    value = float(s.cost_per_million_tokens_usd[i])
    mark = " *" if s.price_estimated[i] else ""
    return f"{value:,.2f}{mark}", value


def _status(s: SweptSpace, i: int) -> tuple[str, Any]:
    code = int(s.status[i])
    return messages.EXPLORER_STATUS_TEXT[code], code


COLUMNS: tuple[tuple[str, Cell, str], ...] = (
    ("Accelerator", _accelerator, "accelerator"),
    ("GPUs", _int("gpu_count"), "GPUs in the configuration (tensor × pipeline × copies)"),
    ("$ / 1M out", _cost, "USD per 1M output tokens; * = GPU price estimated"),
    ("TPOT ms", _float("tpot_ms", ",.1f"), "time per output token, ms"),
    ("TTFT ms", _float("ttft_ms", ",.0f"), "time to first token, ms"),
    ("Tokens/s", _float("output_tokens_per_s", ",.0f"), "output tokens/s of the configuration"),
    ("GPUs at peak", _int("fleet_gpus"), "GPUs to serve the peak demand, redundancy included"),
    ("TP × PP", _layout, "tensor-parallel × pipeline-parallel degree of one copy"),
    ("Weights", _format("weights"), "weight format"),
    ("KV cache", _format("kv"), "KV-cache format"),
    ("Engine", _engine, "serving engine"),
    ("Batch", _int("batch"), "sequences per copy (static batch)"),
    ("Constraints", _status, "worst constraint status (fail only with the 'any' filter)"),
)
COST_COLUMN = 2  # the default sort: cheapest first


class FrontTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._space: SweptSpace | None = None
        self._front: np.ndarray = np.empty(0, dtype=np.int64)

    def set_front(self, space: SweptSpace | None, front: np.ndarray) -> None:
        self.beginResetModel()
        self._space = space
        self._front = front if space is not None else np.empty(0, dtype=np.int64)
        self.endResetModel()

    def point(self, row: int) -> int:
        """The configuration index (into the space) shown in `row`."""
        return int(self._front[row])

    def row_of(self, point: int) -> int | None:
        rows = np.flatnonzero(self._front == point)
        return int(rows[0]) if rows.size else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._front.size)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._space is None:
            return None
        i = int(self._front[index.row()])
        if role == POINT_ROLE:
            return i
        text, key = COLUMNS[index.column()][1](self._space, i)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == SORT_ROLE:
            return key
        if role == Qt.ItemDataRole.TextAlignmentRole and not isinstance(key, str):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return self._space.accelerators[int(self._space.accelerator[i])].id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][2]
        return None

