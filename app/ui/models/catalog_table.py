"""CatalogTableModel: one catalog kind of the workspace as a sortable table.

Columns are chosen per kind; every row also shows its source, as-of date and state (shipped,
override of a shipped entry, added here, imported), so provenance is always in view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.catalog.fields import value_at
from app.storage import catalog_store
from app.storage.workspace import Workspace
from app.ui.escaping import tooltip
from app.ui.style import OVERRIDE_BLUE

_Index = QModelIndex | QPersistentModelIndex

KIND_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "models": (("Name", "name"), ("Params (B)", "params_total_b"),
               ("Active (B)", "params_active_b"), ("Layers", "arch.layers"),
               ("KV heads", "arch.kv_heads"), ("Context (tokens)", "arch.max_context_tokens"),
               ("Licence", "licence.name"), ("Origin", "origin_country")),
    "accelerators": (("Name", "name"), ("Vendor", "vendor"), ("Memory (GB)", "memory_gb"),
                     ("Bandwidth (TB/s)", "memory_bandwidth_tbs"),
                     ("BF16 (TFLOPS)", "peak_tflops.bf16"), ("FP8 (TFLOPS)", "peak_tflops.fp8"),
                     ("TDP (W)", "tdp_w"), ("Price (USD)", "price.usd")),
    "quantizations": (("Name", "name"), ("Bits/weight", "bits_per_weight"),
                      ("Compute path", "compute_precision"), ("Scheme", "scheme")),
    "servers": (("Name", "name"), ("GPU slots", "gpu_slots"), ("Form factor", "form_factor"),
                ("Base power (W)", "base_power_w"), ("Price (USD)", "price_usd")),
    "cloud-apis": (("Name", "name"), ("Provider", "provider"),
                   ("Input (USD/1M tok)", "input_usd_per_mtok"),
                   ("Output (USD/1M tok)", "output_usd_per_mtok")),
    "gpu-rentals": (("Name", "name"), ("Provider", "provider"), ("Accelerator", "accelerator"),
                    ("On-demand (USD/GPU-h)", "on_demand_usd_per_gpu_hour"),
                    ("Reserved (USD/GPU-h)", "reserved_usd_per_gpu_hour")),
}
PROVENANCE_COLUMNS = (("Source", "source"), ("As of", "as_of"))
STATE_KEY = "__state"
STATE_LABELS = {"shipped": "shipped", "override": "override", "added": "added",
                "imported": "imported"}
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def format_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class CatalogTableModel(QAbstractTableModel):
    def __init__(self, workspace: Workspace, kind: str) -> None:
        super().__init__()
        self._workspace = workspace
        self.kind = kind
        self._entries: list[dict[str, Any]] = []
        self._states: dict[str, str] = {}
        self.columns = self._columns_of(kind)
        self.refresh()

    @staticmethod
    def _columns_of(kind: str) -> tuple[tuple[str, str], ...]:
        name, *rest = KIND_COLUMNS[kind]
        return (name, ("State", STATE_KEY), *rest, *PROVENANCE_COLUMNS)

    @property
    def state_column(self) -> int:
        return 1

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.beginResetModel()
        self.columns = self._columns_of(kind)
        self.endResetModel()
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._entries = catalog_store.entries(self._workspace.db, self.kind)
        self._states = catalog_store.entry_states(self._workspace.db, self.kind)
        self.endResetModel()

    def entry(self, row: int) -> dict[str, Any]:
        return self._entries[row]

    def entry_id(self, row: int) -> str:
        return str(self._entries[row]["id"])

    def state(self, row: int) -> str:
        return self._states.get(self.entry_id(row), "shipped")

    def row_of(self, entry_id: str) -> int | None:
        return next((r for r, e in enumerate(self._entries) if e["id"] == entry_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        key = self.columns[index.column()][1]
        state = self._states.get(entry["id"], "shipped")
        if role == STATE_ROLE:
            return state
        if role == ID_ROLE:
            return entry["id"]
        if role == Qt.ItemDataRole.ForegroundRole and state != "shipped":
            return QColor(OVERRIDE_BLUE)
        if role == Qt.ItemDataRole.UserRole:  # sort key: numbers as numbers
            value = state if key == STATE_KEY else value_at(entry, key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            return str(value or "").lower()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = value_at(entry, key) if key != STATE_KEY else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("source", "name"):
            return tooltip(str(entry.get(key, "")))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == STATE_KEY:
            return STATE_LABELS.get(state, state)
        return format_cell(value_at(entry, key))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None
