"""Catalog screen: every kind of reference data, searchable and sortable, with provenance.

Left: the table of one kind (state badges: override, added, imported). Right: every field of
the selected entry with its source. Add / Edit / Duplicate / Delete / Revert to shipped and
Import / Export pack all go through operations on the undo stack; the screen refreshes from
`WorkspaceEvents.changed`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
)

from app.catalog import fields
from app.catalog.validate import KINDS
from app.errors import UserError
from app.operations import catalog_ops, catalog_packs
from app.operations.catalog_packs import PackContents
from app.operations.change import CATALOG, Change, Outcome
from app.storage import catalog_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.alerts import show_message
from app.ui.dialogs.catalog_entry_dialog import CatalogEntryDialog
from app.ui.models.catalog_table import CatalogTableModel
from app.ui.views.catalog_detail import KIND_SINGULAR, CatalogEntryDetail
from app.ui.views.screen_parts import (
    Screen,
    action_button,
    screen_action,
    screen_heading,
    screen_layout,
)
from app.ui.views.state_badge import StateBadgeDelegate

KIND_LABELS = {"models": "Models", "accelerators": "Accelerators", "servers": "Servers",
               "quantizations": "Quantization formats", "cloud-apis": "Cloud API prices",
               "gpu-rentals": "GPU rental rates"}


class CatalogView(Screen):
    title = "Catalog"

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.model = CatalogTableModel(self.workspace, "models")
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)

        heading = screen_heading(self.title)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.setMinimumWidth(190)
        self.search = QLineEdit(placeholderText=messages.CATALOG_SEARCH_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)

        self.add_action = screen_action(self, "&Add…", "Ctrl+N", self.add_entry)
        self.edit_action = screen_action(self, "&Edit…", "F2", self.edit_entry)
        self.duplicate_action = screen_action(self, "D&uplicate…", "Ctrl+D", self.duplicate_entry)
        self.delete_action = screen_action(self, "&Delete", QKeySequence.StandardKey.Delete,
                                           self.delete_entry)
        self.revert_action = screen_action(self, "&Revert to shipped", "Ctrl+R", self.revert_entry)
        self.import_action = screen_action(self, "&Import pack…", "Ctrl+I", self.import_pack)
        self.export_action = screen_action(self, "E&xport pack…", "Ctrl+E", self.export_pack)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(action_button(self.import_action))
        top.addWidget(action_button(self.export_action))
        bar = QHBoxLayout()
        kind_label = QLabel("&Kind:")
        kind_label.setBuddy(self.kind)
        bar.addWidget(kind_label)
        bar.addWidget(self.kind)
        bar.addWidget(self.search, 1)
        bar.addSpacing(12)
        for action in (self.add_action, self.edit_action, self.duplicate_action,
                       self.delete_action, self.revert_action):
            bar.addWidget(action_button(action))

        self.table = QTableView()
        self.table.setObjectName("catalogTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(60)  # size columns from the first rows: fast start
        self.badges = StateBadgeDelegate(self.table)
        self.table.activated.connect(lambda _: self.edit_entry())  # Enter or double-click
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

        self.detail = CatalogEntryDetail(self.workspace)
        self.detail.setMinimumWidth(320)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([680, 380])
        splitter.setChildrenCollapsible(False)

        layout = screen_layout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.dialog: CatalogEntryDialog | None = None
        self.kind.currentIndexChanged.connect(self._kind_changed)
        ctx.events.changed.connect(self._on_change)
        self._kind_changed()

    # --- state ------------------------------------------------------------------------------

    @property
    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def set_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.entry_id(self.proxy.mapToSource(rows[0]).row())

    def select_id(self, entry_id: str | None) -> None:
        row = self.model.row_of(entry_id) if entry_id else None
        if row is None:
            self.table.clearSelection()
            self._selection_changed()
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # filtered out by the search
            self.search.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)

    def _kind_changed(self) -> None:
        kind = self.current_kind
        self.model.set_kind(kind)
        for column in range(self.model.columnCount()):
            self.table.setItemDelegateForColumn(column, None)  # type: ignore[arg-type]
        self.table.setItemDelegateForColumn(self.model.state_column, self.badges)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 12, 240))
        self._update_summary()
        self.detail.show_entry(kind, None)
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._selection_changed()

    def _update_summary(self) -> None:
        count = messages.count_noun(self.model.rowCount(), KIND_SINGULAR[self.current_kind])
        self.summary.setText(messages.CATALOG_SUMMARY.format(count=count))

    def _selection_changed(self) -> None:
        entry_id = self.selected_id()
        state = None
        if entry_id is not None:
            row = self.model.row_of(entry_id)
            state = self.model.state(row) if row is not None else None
        for action in (self.edit_action, self.duplicate_action, self.delete_action):
            action.setEnabled(entry_id is not None)
        self.revert_action.setEnabled(state == "override")
        self.export_action.setEnabled(self.model.rowCount() > 0)
        self.detail.show_entry(self.current_kind, entry_id)

    def _on_change(self, change: Change) -> None:
        if change.kind != CATALOG:
            return
        if change.scope != self.current_kind:
            self.set_kind(change.scope)
        keep = self.selected_id()
        self.model.refresh()
        self._update_summary()
        present = [i for i in change.ids if self.model.row_of(i) is not None]
        target = keep if keep and self.model.row_of(keep) is not None else None
        if len(change.ids) == 1:
            target = present[0] if present else None
        self.select_id(target)
        self._selection_changed()

    # --- operations -------------------------------------------------------------------------

    def _run(self, operation: Any) -> Outcome | None:
        try:
            outcome: Outcome = self.ctx.undo.run(operation)
        except UserError as exc:
            show_message(self.ctx.window, messages.CATALOG_ACTION_FAILED_TITLE, str(exc))
            return None
        self.ctx.status(messages.STATUS_DONE.format(what=outcome.change.description))
        return outcome

    def _open_dialog(self, mode: str, original: dict[str, Any], shipped: bool) -> CatalogEntryDialog:
        kind = self.current_kind
        save = catalog_ops.edit_entry if mode == "edit" else catalog_ops.add_entry

        def submit(entry: dict[str, Any]) -> str | None:
            try:
                outcome = self.ctx.undo.run(lambda: save(self.workspace, kind, entry))
            except UserError as exc:
                return str(exc)
            self.ctx.status(messages.STATUS_DONE.format(what=outcome.change.description))
            return None

        dialog = CatalogEntryDialog(
            kind, original, mode, kind_singular=KIND_SINGULAR[kind], shipped=shipped,
            id_taken=lambda entry_id: catalog_store.get_entry(
                self.workspace.db, kind, entry_id) is not None,
            submit=submit, parent=self.ctx.window or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def add_entry(self) -> CatalogEntryDialog:
        draft = {"id": "", "name": "", "source": "", "as_of": date.today().isoformat()}
        return self._open_dialog("add", draft, shipped=False)

    def edit_entry(self) -> CatalogEntryDialog | None:
        entry_id = self.selected_id()
        entry = catalog_store.get_entry(self.workspace.db, self.current_kind, entry_id) \
            if entry_id else None
        if entry is None:
            return None
        state = catalog_store.entry_states(self.workspace.db, self.current_kind).get(entry_id or "")
        return self._open_dialog("edit", entry, shipped=state in ("shipped", "override"))

    def duplicate_entry(self) -> CatalogEntryDialog | None:
        entry_id = self.selected_id()
        if entry_id is None:
            return None
        draft = catalog_ops.duplicate_draft(self.workspace, self.current_kind, entry_id)
        return self._open_dialog("duplicate", draft, shipped=False)

    def delete_entry(self) -> None:
        entry_id = self.selected_id()
        if entry_id is not None:
            kind = self.current_kind
            self._run(lambda: catalog_ops.delete_entry(self.workspace, kind, entry_id))

    def revert_entry(self) -> None:
        entry_id = self.selected_id()
        if entry_id is not None:
            kind = self.current_kind
            self._run(lambda: catalog_ops.revert_entry(self.workspace, kind, entry_id))

    # --- packs ------------------------------------------------------------------------------

    def import_pack(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.ctx.window or self,
                                              messages.IMPORT_PACK_TITLE, str(Path.home()),
                                              messages.IMPORT_PACK_FILTER)
        if name:
            self.import_pack_file(Path(name))

    def import_pack_file(self, path: Path) -> None:
        """Read and check the pack off the GUI thread, then import it (undoable)."""
        kind = self.current_kind

        def read(progress: Any, cancel: Any) -> PackContents:
            return catalog_packs.read_pack_file(path, kind, progress, cancel)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                show_message(self.ctx.window, messages.IMPORT_PACK_FAILED_TITLE, str(exc))
            else:
                self.ctx.tasks.report_error(messages.IMPORT_TASK_TITLE.format(name=path.name), exc)

        self.ctx.tasks.run(read, messages.IMPORT_TASK_TITLE.format(name=path.name),
                           on_done=self._import_read, on_error=failed)

    def _import_read(self, pack: PackContents) -> None:
        try:
            self.ctx.undo.run(lambda: catalog_packs.import_pack(self.workspace, pack))
        except UserError as exc:
            show_message(self.ctx.window, messages.IMPORT_PACK_FAILED_TITLE, str(exc))
            return
        self.ctx.status(messages.STATUS_IMPORTED.format(
            count=messages.count_noun(len(pack.entries), KIND_SINGULAR[pack.kind]),
            name=pack.source_name))

    def export_pack(self) -> None:
        kind = self.current_kind
        filters = [messages.EXPORT_FILTER_JSON]
        if kind in fields.CSV_KINDS:
            filters.append(messages.EXPORT_FILTER_CSV)
        suggested = Path.home() / f"enclave-{kind}-{date.today().isoformat()}.json"
        name, chosen = QFileDialog.getSaveFileName(
            self.ctx.window or self,
            messages.EXPORT_PACK_TITLE.format(kind_label=KIND_LABELS[kind].lower()),
            str(suggested), ";;".join(filters))
        if not name:
            return
        path = Path(name)
        if chosen == messages.EXPORT_FILTER_CSV and path.suffix.lower() != ".csv":
            path = path.with_suffix(".csv")
        self.export_pack_file(path)

    def export_pack_file(self, path: Path) -> int | None:
        kind = self.current_kind
        try:
            count = catalog_packs.export_pack(self.workspace, kind, path)
        except UserError as exc:
            show_message(self.ctx.window, messages.EXPORT_PACK_FAILED_TITLE, str(exc))
            return None
        self.ctx.status(messages.STATUS_EXPORTED.format(
            count=messages.count_noun(count, KIND_SINGULAR[kind]), path=path))
        return count
