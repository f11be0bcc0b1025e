"""One row of the scenario editor per field: label with its unit, the input, and the rule it
breaks (shown under it, in red, when an edit is refused).

A row never changes the scenario itself: it emits `committed(path, text)` when the user
finishes an entry (Enter, leaving the field, picking an item) and the editor runs the
operation. `set_value` shows a stored value without emitting anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.operations.field_input import display_unit, format_value
from app.operations.scenario_fields import FieldInfo
from app.ui.style import repolish

NONE_DATA = "\x00none"  # item data of the "none / automatic" entry of a picker


class FieldRow(QWidget):
    """Base of every row: `committed(path, text)`; `show_error(rule)` / `clear_error()`."""

    committed = Signal(str, str)

    def __init__(self, info: FieldInfo, placeholder: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.path = info.path
        self.placeholder = placeholder
        unit = display_unit(info)
        self.label = QLabel(info.label)
        self.label.setObjectName("fieldLabel")
        self.unit = QLabel(unit)
        self.unit.setObjectName("fieldUnit")
        self.unit.setVisible(bool(unit))
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        tip = info.doc + (f" ({info.rule})" if info.rule else "")
        self.setToolTip(f"{info.path}: {tip}")
        self.editor: QWidget = self._make_editor()
        self.label.setBuddy(self.editor)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(6)
        line.addWidget(self.editor, 1)
        line.addWidget(self.unit)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addLayout(line)
        box.addWidget(self.error)

    def _make_editor(self) -> QWidget:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def show_error(self, rule: str) -> None:
        self.error.setText(rule)
        self.error.show()
        self.editor.setProperty("invalid", True)
        repolish(self.editor)

    def clear_error(self) -> None:
        if self.error.isVisible() or self.editor.property("invalid"):
            self.error.hide()
            self.error.clear()
            self.editor.setProperty("invalid", False)
            repolish(self.editor)

    @property
    def has_error(self) -> bool:
        return not self.error.isHidden()

    def _commit(self) -> None:
        self.committed.emit(self.path, self.text())


class TextRow(FieldRow):
    """Numbers, text and comma-separated lists, typed in a line edit."""

    line: QLineEdit

    def _make_editor(self) -> QWidget:
        self.line = QLineEdit()
        self.line.setPlaceholderText(self.placeholder)
        self.line.setClearButtonEnabled(self.info.optional and self.info.kind in ("int",
                                                                                 "float"))
        if self.info.kind in ("int", "float"):
            self.line.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.line.editingFinished.connect(self._finished)
        self.line.installEventFilter(self)
        self._shown = ""
        return self.line

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Ctrl+Z in a field whose text is saved undoes the last scenario edit (the window's
        # Undo); while a new value is being typed it undoes the typing, as usual.
        if watched is self.line and event.type() == QEvent.Type.ShortcutOverride \
                and isinstance(event, QKeyEvent) and self.line.text() == self._shown \
                and any(event.matches(k) for k in (QKeySequence.StandardKey.Undo,
                                                   QKeySequence.StandardKey.Redo)):
            event.ignore()
            return True
        return False

    def _finished(self) -> None:
        # editingFinished fires on Enter and again on focus-out: commit each change once
        if self.line.text() != self._shown or self.has_error:
            self._commit()

    def set_value(self, value: Any) -> None:
        self._shown = format_value(self.info, value)
        with QSignalBlocker(self.line):
            self.line.setText(self._shown)
            self.line.setCursorPosition(0)  # show the start of long names

    def text(self) -> str:
        return self.line.text()

    def type_text(self, text: str) -> None:
        """Replace the text and commit it, as a user typing and pressing Enter (tests)."""
        self.line.setText(text)
        self._commit()


class ChoiceRow(FieldRow):
    """A fixed choice or a catalog reference, with type-to-search for long lists."""

    combo: QComboBox

    def _make_editor(self) -> QWidget:
        self.combo = QComboBox()
        self.combo.setMaxVisibleItems(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self.combo.activated.connect(lambda _i: self._commit())
        return self.combo

    def set_items(self, items: Sequence[tuple[str, str]], none_text: str = "",
                  searchable: bool = False) -> None:
        """(value, shown text) pairs; `none_text` adds a first entry meaning null."""
        with QSignalBlocker(self.combo):
            self.combo.clear()
            if none_text:
                self.combo.addItem(none_text, NONE_DATA)
            for value, text in items:
                self.combo.addItem(text, value)
            if searchable:
                self.combo.setEditable(True)
                self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                completer = QCompleter(self.combo.model(), self.combo)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
                completer.activated.connect(lambda _t: self._from_completer())
                self.combo.setCompleter(completer)
                line = self.combo.lineEdit()
                if line is not None:
                    line.editingFinished.connect(self._typed)
                    line.setPlaceholderText("type to search…")

    def _from_completer(self) -> None:
        self._typed()

    def _typed(self) -> None:
        text = self.combo.currentText().strip()
        index = self.combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            with QSignalBlocker(self.combo):
                self.combo.setCurrentIndex(index)
        if self.text() != self._shown or self.has_error:
            self._commit()

    def set_value(self, value: Any) -> None:
        wanted = NONE_DATA if value is None else str(value)
        index = self.combo.findData(wanted)
        with QSignalBlocker(self.combo):
            if index < 0 and value is not None:  # a value the list does not offer
                self.combo.addItem(f"{value} (not in the catalog)", str(value))
                index = self.combo.count() - 1
            self.combo.setCurrentIndex(max(index, 0))
            line = self.combo.lineEdit()
            if line is not None:
                line.setCursorPosition(0)
        self._shown = self.text()

    def text(self) -> str:
        """The chosen value's id; '' for the "none" entry; what was typed if it matches none."""
        typed = self.combo.currentText().strip() if self.combo.isEditable() else ""
        index = self.combo.currentIndex()
        if self.combo.isEditable() and index >= 0 and typed != self.combo.itemText(index):
            found = self.combo.findText(typed, Qt.MatchFlag.MatchFixedString)
            if found < 0:
                return typed
            index = found
        data = self.combo.itemData(index) if index >= 0 else None
        return "" if data in (None, NONE_DATA) else str(data)

    _shown = ""

    def choose(self, value: str | None) -> None:
        """Pick the entry with `value` (None: the "none" entry) and commit (tests)."""
        index = self.combo.findData(NONE_DATA if value is None else value)
        if index < 0:
            raise KeyError(value)
        self.combo.setCurrentIndex(index)
        self._commit()


class BoolRow(FieldRow):
    check: QCheckBox

    def _make_editor(self) -> QWidget:
        self.check = QCheckBox()
        self.check.setToolTip(self.info.doc)
        self.check.toggled.connect(lambda _on: self._commit())
        return self.check

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.check):
            self.check.setChecked(bool(value))

    def text(self) -> str:
        return "true" if self.check.isChecked() else "false"
