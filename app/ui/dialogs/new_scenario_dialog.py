"""New scenario from a use-case template: name, use case, model and accelerator.

The name is checked as it is typed (NameDialog); the template fills the workload, the pickers
start at the template's usual model and a common accelerator from the workspace catalog.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QFormLayout, QLabel, QListWidget, QWidget

from app.catalog.loader import Catalog
from app.errors import UserError
from app.operations.scenario_templates import (
    default_accelerator,
    default_model,
    templates,
)
from app.ui import messages
from app.ui.dialogs.name_dialog import NameDialog


def _searchable(combo: QComboBox) -> None:
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.setCompleter(completer)


class NewScenarioDialog(NameDialog):
    """submit(name, template_id, model_id, accelerator_id) returns None or a message."""

    def __init__(self, initial: str, catalog: Catalog, *, check: Callable[[str], str | None],
                 submit: Callable[[str, str, str, str], str | None],
                 parent: QWidget | None = None) -> None:
        self._submit_template = submit
        self.catalog = catalog
        super().__init__(messages.SCENARIO_NEW_TITLE, messages.SCENARIO_NAME_LABEL, initial,
                         check=check, submit=self._submit_all, parent=parent)
        self.templates = QListWidget()
        self.templates.setObjectName("templateList")
        for t in templates():
            self.templates.addItem(f"{t.name} — {t.description}")
            item = self.templates.item(self.templates.count() - 1)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            item.setToolTip(t.description)
        self.templates.setCurrentRow(0)
        self.templates.setMinimumHeight(150)
        self.templates.setWordWrap(True)
        self.model = QComboBox()
        self.accelerator = QComboBox()
        for m in sorted(catalog.models.values(), key=lambda m: m.name.lower()):
            self.model.addItem(m.name, m.id)
        for a in sorted(catalog.accelerators.values(), key=lambda a: a.name.lower()):
            self.accelerator.addItem(a.name, a.id)
        _searchable(self.model)
        _searchable(self.accelerator)
        try:
            accel = default_accelerator(catalog)
            self.accelerator.setCurrentIndex(max(self.accelerator.findData(accel), 0))
        except UserError:
            pass
        self.templates.currentRowChanged.connect(lambda _r: self._template_changed())
        self._template_changed()
        form = QFormLayout()
        form.addRow(QLabel(messages.NEW_SCENARIO_TEMPLATE), self.templates)
        form.addRow(QLabel(messages.NEW_SCENARIO_MODEL), self.model)
        form.addRow(QLabel(messages.NEW_SCENARIO_ACCELERATOR), self.accelerator)
        hint = QLabel(messages.NEW_SCENARIO_HINT)
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout = self.layout()
        assert layout is not None
        layout.insertWidget(layout.count() - 1, hint)  # type: ignore[attr-defined]
        layout.insertLayout(layout.count() - 2, form)  # type: ignore[attr-defined]
        self.setMinimumWidth(560)

    def template_id(self) -> str:
        item = self.templates.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else "chat"

    def _template_changed(self) -> None:
        try:
            model = default_model(self.catalog, self.template_id())
        except UserError:
            return
        with QSignalBlocker(self.model):
            self.model.setCurrentIndex(max(self.model.findData(model), 0))

    def _chosen(self, combo: QComboBox) -> str:
        index = combo.findText(combo.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        return str(combo.itemData(index if index >= 0 else combo.currentIndex()))

    def _submit_all(self, name: str) -> str | None:
        return self._submit_template(name, self.template_id(), self._chosen(self.model),
                                     self._chosen(self.accelerator))
