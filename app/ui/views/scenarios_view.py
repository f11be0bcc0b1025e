"""Scenarios screen: the workspace's scenarios; new (from a use-case template), duplicate,
rename and delete (undoable); import and export of scenario bundles (`scenario_bundles`).

Double-click (or Enter) emits `open_scenario(id)`: the main window opens it in the Dashboard
(editor and live results). The side panel previews the selected scenario's stored content.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.operations import scenario_ops, scenario_templates
from app.operations.change import SCENARIO, Change, Outcome
from app.storage import messages as store_messages
from app.storage import scenario_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.alerts import show_message
from app.ui.dialogs.name_dialog import NameDialog
from app.ui.dialogs.new_scenario_dialog import NewScenarioDialog
from app.ui.models.scenario_table import ScenarioTableModel
from app.ui.views.scenario_bundles import ScenarioBundleActions
from app.ui.views.screen_parts import (
    Screen,
    action_button,
    screen_action,
    screen_heading,
    screen_layout,
)


class ScenariosView(Screen):
    title = "Scenarios"
    open_scenario = Signal(int)

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.model = ScenarioTableModel(self.workspace)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        heading = screen_heading(self.title)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.search = QLineEdit(placeholderText=messages.SCENARIOS_FILTER_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)

        self.new_action = screen_action(self, "&New from template…", "Ctrl+N", self.ask_new)
        self.open_action = screen_action(self, "&Open", "Ctrl+Return", self._open_selected)
        self.duplicate_action = screen_action(self, "D&uplicate", "Ctrl+D", self.duplicate_selected)
        self.rename_action = screen_action(self, "&Rename…", "F2", self.ask_rename)
        self.delete_action = screen_action(self, "&Delete", QKeySequence.StandardKey.Delete,
                                           self.delete_selected)
        self.bundles = ScenarioBundleActions(ctx, self.selected_ids, self)
        self.import_action = screen_action(self, "&Import…", "Ctrl+I", self.bundles.ask_import)
        self.export_action = screen_action(self, "E&xport…", "Ctrl+E", self.bundles.ask_export)
        if self.workspace.read_only:  # they would only be refused
            self.new_action.setEnabled(False)
            self.import_action.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addSpacing(12)
        for action in (self.new_action, self.open_action, self.duplicate_action,
                       self.rename_action, self.delete_action):
            bar.addWidget(action_button(action))
        bar.addSpacing(12)
        for action in (self.import_action, self.export_action):
            bar.addWidget(action_button(action))

        self.table = QTableView()
        self.table.setObjectName("scenarioTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows can be selected for Export…; the other actions need exactly one.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(60)  # a workspace can hold thousands of scenarios
        self.table.activated.connect(lambda _: self._open_selected())  # Enter or double-click
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

        self.preview_title = QLabel()
        self.preview_title.setObjectName("summary")
        self.preview_title.setTextFormat(Qt.TextFormat.PlainText)  # holds a scenario's name
        self.preview_title.setWordWrap(True)
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("jsonPreview")
        self.preview.setReadOnly(True)
        self.preview.setPlaceholderText(messages.SCENARIOS_EMPTY_PREVIEW)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.preview.setFont(QFont("DejaVu Sans Mono", 9))
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.preview_title)
        side_layout.addWidget(self.preview, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 300])
        side.setMinimumWidth(280)
        splitter.setChildrenCollapsible(False)

        layout = screen_layout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.open_scenario.connect(self.show_content)
        self._pending: tuple[bool, list[int]] = (False, [])
        ctx.events.changed.connect(self._on_change)
        self.refresh()


    # --- listing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        keep = self.selected_id()
        self.model.refresh()
        n = self.model.rowCount()
        self.summary.setText(messages.SCENARIOS_SUMMARY.format(
            count=messages.count_noun(n, "scenario")) if n else messages.SCENARIOS_EMPTY)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 12, 320))
        self.select_id(keep)

    def selected_ids(self) -> list[int]:
        """The selected scenarios, in the order shown."""
        self._catch_up()
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [self.model.scenario_id(self.proxy.mapToSource(i).row()) for i in rows]

    def selected_id(self) -> int | None:
        """The selected scenario when exactly one is selected."""
        ids = self.selected_ids()
        return ids[0] if len(ids) == 1 else None

    def select_id(self, scenario_id: int | None) -> None:
        self._catch_up()
        row = self.model.row_of(scenario_id) if scenario_id is not None else None
        if row is None:
            self.table.clearSelection()
        else:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                self.search.clear()
                index = self.proxy.mapFromSource(self.model.index(row, 0))
            # Not selectRow: under ExtendedSelection it adds to the selection while a
            # modifier key is held.
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        self._selection_changed()

    def select_ids(self, scenario_ids: Sequence[int]) -> None:
        self.search.clear()
        selection = QItemSelection()
        for scenario_id in scenario_ids:
            row = self.model.row_of(scenario_id)
            if row is not None:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                selection.select(index, index)
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        self.table.selectionModel().select(selection, flags)
        self._selection_changed()

    def names(self) -> list[str]:
        self._catch_up()
        return [str(self.proxy.index(r, 0).data()) for r in range(self.proxy.rowCount())]

    def _selection_changed(self) -> None:
        selected = self.selected_id()
        for action in (self.open_action, self.duplicate_action, self.rename_action,
                       self.delete_action):
            action.setEnabled(selected is not None)
        self.export_action.setEnabled(bool(self.selected_ids()))
        self.show_content(selected)

    def _open_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.open_scenario.emit(selected)

    def show_content(self, scenario_id: int | None) -> None:
        """Show a scenario's stored content, read-only (until the editor exists)."""
        if scenario_id is None:
            self.preview_title.hide()
            self.preview.setPlainText("")
            return
        try:
            data = scenario_store.get(self.workspace.db, scenario_id)
        except UserError:
            self.preview.setPlainText("")
            return
        self.preview_title.setText(messages.SCENARIO_PREVIEW_TITLE.format(name=data.get("name", "")))
        self.preview_title.show()
        self.preview.setPlainText(json.dumps(data, indent=2, ensure_ascii=False))

    def _on_change(self, change: Change) -> None:
        if change.kind != SCENARIO:
            return
        targets = [int(i) for i in change.ids]
        if not self.isVisible():
            # Hidden (e.g. while the Dashboard saves each edit): catch up when shown or asked.
            self._pending = (True, targets)
            return
        self._apply_change(targets)

    def _apply_change(self, targets: list[int]) -> None:
        self._pending = (False, [])
        self.refresh()
        present = [t for t in targets if self.model.row_of(t) is not None]
        if len(present) == 1:
            self.select_id(present[0])
        elif present:  # an import: select what came in
            self.select_ids(present)

    def _catch_up(self) -> None:
        dirty, targets = self._pending
        if dirty:
            self._apply_change(targets)

    def showEvent(self, event: QShowEvent) -> None:
        self._catch_up()
        super().showEvent(event)

    # --- operations -------------------------------------------------------------------------

    def _run(self, operation: Any) -> str | None:
        """Run an undoable operation; None when done, else the message (also shown)."""
        try:
            outcome: Outcome = self.ctx.undo.run(operation)
        except UserError as exc:
            return str(exc)
        self.ctx.status(messages.STATUS_DONE.format(what=outcome.change.description))
        return None

    def _run_or_tell(self, operation: Any) -> None:
        problem = self._run(operation)
        if problem is not None:
            show_message(self.ctx.window, messages.SCENARIO_ACTION_FAILED_TITLE, problem)

    def check_name(self, name: str, current_id: int | None = None) -> str | None:
        cleaned = name.strip()
        if not cleaned:
            return store_messages.SCENARIO_NAME_EMPTY
        found = scenario_store.find(self.workspace.db, cleaned)
        if found is not None and found != current_id:
            return store_messages.SCENARIO_NAME_TAKEN.format(name=cleaned)
        return None

    def create_scenario(self, name: str) -> str | None:
        return self._run(lambda: scenario_ops.create_scenario(self.workspace, name))

    def duplicate_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self._run_or_tell(lambda: scenario_ops.duplicate_scenario(self.workspace, selected))

    def rename_scenario(self, scenario_id: int, name: str) -> str | None:
        return self._run(lambda: scenario_ops.rename_scenario(self.workspace, scenario_id, name))

    def delete_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self._run_or_tell(lambda: scenario_ops.delete_scenario(self.workspace, selected))

    def create_from_template(self, name: str, template_id: str = "chat",
                             model: str | None = None, accelerator: str | None = None
                             ) -> str | None:
        """Create a scenario from a template and open it in the editor; None when done."""
        problem = self._run(lambda: scenario_templates.create_from_template(
            self.workspace, template_id, name, model=model, accelerator=accelerator))
        if problem is None:
            created = scenario_store.find(self.workspace.db, name.strip())
            if created is not None:
                self.open_scenario.emit(created)
        return problem

    def ask_new(self) -> NewScenarioDialog:
        """New scenario from a use-case template (Ctrl+N)."""
        initial = scenario_store.unique_name(self.workspace.db, messages.SCENARIO_NAME_DEFAULT)
        dialog = NewScenarioDialog(initial, self.workspace.catalog, check=self.check_name,
                                   submit=self.create_from_template,
                                   parent=self.ctx.window or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def ask_rename(self) -> NameDialog | None:
        selected = self.selected_id()
        if selected is None:
            return None
        current = str(scenario_store.get(self.workspace.db, selected).get("name", ""))
        dialog = NameDialog(messages.SCENARIO_RENAME_TITLE, messages.SCENARIO_NAME_LABEL, current,
                            check=lambda name: self.check_name(name, selected),
                            submit=lambda name: self.rename_scenario(selected, name),
                            parent=self.ctx.window or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
