"""CatalogTableModel: one catalog kind of the workspace as a sortable table.

Columns are chosen per kind; every row also shows its source, as-of date and origin (shipped,
local override, imported), so provenance is always in view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.storage import catalog_store
from app.storage.workspace import Workspace

_Index = QModelIndex | QPersistentModelIndex

KIND_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "models": (("Name", "name"), ("Params (B)", "params_total_b"),
               ("Active (B)", "params_active_b"), ("Layers", "arch.layers"),
               ("KV heads", "arch.kv_heads"), ("Context", "arch.max_context_tokens"),
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
ORIGIN_LABELS = {"shipped": "shipped", "local": "local override", "imported": "imported"}


def _get(entry: dict[str, Any], dotted: str) -> Any:
    node: Any = entry
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


class CatalogTableModel(QAbstractTableModel):
    def __init__(self, workspace: Workspace, kind: str) -> None:
        super().__init__()
        self._workspace = workspace
        self.kind = kind
        self._entries: list[dict[str, Any]] = []
        self._origins: dict[str, str] = {}
        self.refresh()

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return KIND_COLUMNS[self.kind] + PROVENANCE_COLUMNS + (("Origin", "__origin"),)

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._entries = catalog_store.entries(self._workspace.db, self.kind)
        self._origins = catalog_store.origins(self._workspace.db, self.kind)
        self.endResetModel()

    def entry(self, row: int) -> dict[str, Any]:
        return self._entries[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        key = self.columns[index.column()][1]
        origin = self._origins.get(entry["id"], "shipped")
        if role == Qt.ItemDataRole.ForegroundRole and origin != "shipped":
            return QColor("#1f5fbf")
        if role == Qt.ItemDataRole.UserRole:  # sort key: numbers as numbers
            value = origin if key == "__origin" else _get(entry, key)
            return value if isinstance(value, int | float) else str(value or "").lower()
        if role == Qt.ItemDataRole.ToolTipRole and key == "source":
            return str(entry.get("source", ""))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "__origin":
            return ORIGIN_LABELS.get(origin, origin)
        value = _get(entry, key)
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None
