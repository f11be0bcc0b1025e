"""Catalog screen: every kind of reference data, searchable and sortable, with provenance."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.catalog.validate import KINDS
from app.storage.workspace import Workspace
from app.ui.models.catalog_table import CatalogTableModel

KIND_LABELS = {"models": "Models", "accelerators": "Accelerators", "servers": "Servers",
               "quantizations": "Quantization formats", "cloud-apis": "Cloud API prices",
               "gpu-rentals": "GPU rental rates"}


class CatalogView(QWidget):
    title = "Catalog"

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.model = CatalogTableModel(workspace, "models")
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.search = QLineEdit(placeholderText="Search name, vendor, licence, source…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.summary = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Kind:"))
        bar.addWidget(self.kind)
        bar.addWidget(self.search, 1)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Catalog</h2>"))
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = str(self.kind.currentData())
        self.model.set_kind(kind)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        n = self.model.rowCount()
        self.summary.setText(
            f"{n} {KIND_LABELS[kind].lower()} · every value has a source and an as-of date "
            "(hover a source to read it in full); blue rows are local edits or imports."
        )
