"""CatalogEntryDialog: the add / edit / duplicate form for one catalog entry.

One editor per documented field (`catalog.fields`), labels with units, grouped by section, in a
scroll area. After every keystroke the form is parsed and checked with
`validate.entry_errors`; each broken rule is shown in red under its own field, and Save stays
disabled until none is left. Fields the form does not show (notes, sources, export-control
records...) are kept exactly as they were.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.catalog import fields
from app.catalog.fields import FieldSpec
from app.catalog.validate import entry_errors
from app.operations.catalog_ops import ID_TAKEN
from app.ui import messages
from app.ui.escaping import plain_label
from app.ui.style import repolish

EditorWidget = QLineEdit | QPlainTextEdit | QComboBox


def _split(message: str) -> tuple[str, str]:
    path, _, rule = message.partition(": ")
    return (path, rule) if rule else ("", message)


class FieldEditor:
    """One field's editor and the red rule text under it."""

    def __init__(self, spec: FieldSpec, value: Any, read_only: bool = False) -> None:
        self.spec = spec
        self.widget: EditorWidget
        if spec.type == "boolean":
            combo = QComboBox()
            options: list[tuple[str, Any]] = [(messages.BOOLEAN_UNKNOWN, None),
                                              (messages.BOOLEAN_YES, True),
                                              (messages.BOOLEAN_NO, False)]
            if value not in (None, True, False):
                options.append((str(value), value))
            for text, data in options:
                combo.addItem(text, data)
            combo.setCurrentIndex(next(i for i, (_, d) in enumerate(options)
                                       if d is value or (d == value and type(d) is type(value))))
            self.widget = combo
        elif spec.type == "choice" and not spec.open_choice:
            combo = QComboBox()
            if value not in spec.choices:
                combo.addItem("—" if value is None else str(value), value)
            for choice in spec.choices:
                combo.addItem(choice, choice)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            self.widget = combo
        elif spec.type == "choice":
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItems(list(spec.choices))
            combo.setCurrentText(fields.format_value(spec, value))
            self.widget = combo
        elif spec.type == "longtext":
            text_edit = QPlainTextEdit(fields.format_value(spec, value))
            text_edit.setTabChangesFocus(True)
            text_edit.setFixedHeight(64)
            self.widget = text_edit
        else:
            line = QLineEdit(fields.format_value(spec, value))
            line.setCursorPosition(0)  # long values show their start
            line.setReadOnly(read_only)
            if spec.type in ("number", "integer") and not spec.required:
                line.setPlaceholderText(messages.EMPTY_MEANS_NULL)
            self.widget = line
        self.widget.setObjectName(f"field:{spec.path}")
        self._initial = (self.text(), value)
        self.touched = False
        self.error = plain_label()  # rule messages quote the value typed
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.container = QWidget()
        box = QVBoxLayout(self.container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.widget)
        if spec.hint:
            hint = QLabel(spec.hint)
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            box.addWidget(hint)
        box.addWidget(self.error)

    def connect(self, callback: Callable[[], object]) -> None:
        """Call `callback` on every change (after marking the field as touched)."""
        widget = self.widget

        def changed() -> None:
            self.touched = True
            callback()

        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(changed)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(changed)
        elif widget.isEditable():
            widget.currentTextChanged.connect(changed)
        else:
            widget.currentIndexChanged.connect(changed)

    def text(self) -> str:
        widget = self.widget
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.currentText()

    def set_text(self, text: str) -> None:
        widget = self.widget
        if isinstance(widget, QLineEdit):
            widget.setText(text)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        elif widget.isEditable():
            widget.setCurrentText(text)
        else:
            widget.setCurrentIndex(max(widget.findText(text), 0))

    def value(self) -> tuple[Any, str | None]:
        """The stored value and None, or None and the rule the text breaks. Untouched text
        gives back the original value exactly (e.g. an empty list stays a list)."""
        widget = self.widget
        if isinstance(widget, QComboBox) and not widget.isEditable():
            return widget.currentData(), None
        text = self.text()
        if text == self._initial[0]:
            return self._initial[1], None
        return fields.parse_text(self.spec, text)

    def set_error(self, rule: str | None) -> None:
        self.error.setText(rule or "")
        self.error.setVisible(bool(rule))
        if bool(self.widget.property("invalid")) != bool(rule):
            self.widget.setProperty("invalid", bool(rule))
            repolish(self.widget)


class FieldSourceRow:
    """One per-field source: which field, from which document, as of when."""

    def __init__(self, paths: list[str], path: str, source: str, as_of: str,
                 extra: Mapping[str, Any] | None = None) -> None:
        self.field = QComboBox()
        self.field.setEditable(True)
        self.field.addItems(paths)
        self.field.setCurrentText(path)
        self.source = QLineEdit(source)
        self.source.setPlaceholderText(messages.FIELD_SOURCE_SOURCE)
        self.as_of = QLineEdit(as_of)
        self.as_of.setPlaceholderText("YYYY-MM-DD")
        self.as_of.setMaximumWidth(110)
        self.remove = QPushButton(messages.FIELD_SOURCES_REMOVE)
        self.error = plain_label()
        self.error.setObjectName("fieldError")
        self.error.hide()
        self.extra = dict(extra or {})

    def widgets(self) -> list[QWidget]:
        return [self.field, self.source, self.as_of, self.remove, self.error]

    def path(self) -> str:
        return self.field.currentText().strip()

    def value(self) -> dict[str, Any]:
        return {**self.extra, "source": self.source.text().strip(),
                "as_of": self.as_of.text().strip()}

    def set_error(self, rule: str | None) -> None:
        self.error.setText(rule or "")
        self.error.setVisible(bool(rule))
        for widget in (self.source, self.as_of):
            widget.setProperty("invalid", bool(rule))
            repolish(widget)


class CatalogEntryDialog(QDialog):
    """Add, edit or duplicate one entry of `kind`.

    `submit(entry)` saves through an operation and returns None, or a message to show (the
    dialog then stays open). `id_taken(id)` tells whether a new id is already used.
    """

    def __init__(self, kind: str, original: Mapping[str, Any], mode: str, *,
                 kind_singular: str, shipped: bool,
                 id_taken: Callable[[str], bool],
                 submit: Callable[[dict[str, Any]], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogEntryDialog")
        self.kind = kind
        self.mode = mode
        self.original = copy.deepcopy(dict(original))
        self._id_taken = id_taken
        self._submit = submit
        name = str(original.get("name", ""))
        title = {"add": messages.ENTRY_DIALOG_ADD, "edit": messages.ENTRY_DIALOG_EDIT,
                 "duplicate": messages.ENTRY_DIALOG_DUPLICATE}[mode]
        self.setWindowTitle(title.format(kind_singular=kind_singular, name=name))
        self.editors: dict[str, FieldEditor] = {}
        self.errors: dict[str, str] = {}

        intro = QLabel(messages.ENTRY_DIALOG_INTRO
                       + ("\n" + messages.ENTRY_DIALOG_OVERRIDE_INTRO if shipped else ""))
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setSpacing(8)
        for section in fields.sections(kind):
            group = QGroupBox(section.title)
            form = QFormLayout(group)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setHorizontalSpacing(14)
            form.setVerticalSpacing(8)
            for spec in section.fields:
                editor = FieldEditor(spec, fields.value_at(self.original, spec.path),
                                     read_only=(spec.path == "id" and mode == "edit"))
                editor.connect(self.validate)
                self.editors[spec.path] = editor
                label = QLabel(spec.label + (" *" if spec.required else ""))
                label.setObjectName("fieldLabel")
                label.setWordWrap(True)
                label.setMinimumWidth(220)
                label.setMaximumWidth(260)
                form.addRow(label, editor.container)
            body_layout.addWidget(group)
        body_layout.addWidget(self._field_sources_group())
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        field_count = len(self.editors)
        self.resize(820, min(760, 260 + 46 * field_count))
        focus = "name" if mode != "add" else "id"
        self.editors[focus].widget.setFocus()
        self.validate()
        self._unchanged = self.entry()
        self.discard_box: QMessageBox | None = None

    # --- closing without saving -------------------------------------------------------------

    def is_dirty(self) -> bool:
        return self.entry() != self._unchanged

    def reject(self) -> None:
        """Cancel, Esc or the close button: ask before throwing typed values away."""
        if not self.is_dirty():
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, messages.DISCARD_TITLE,
                          messages.DISCARD_TEXT,
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Discard).clicked.connect(self._discard)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.discard_box = box

    def _discard(self) -> None:
        self._unchanged = self.entry()
        super().reject()

    # --- per-field sources ------------------------------------------------------------------

    def _field_sources_group(self) -> QGroupBox:
        group = QGroupBox(messages.FIELD_SOURCES_TITLE)
        outer = QVBoxLayout(group)
        self._sources_grid = QGridLayout()
        self._sources_grid.setColumnStretch(1, 1)
        self._source_headers: list[QLabel] = []
        for column, text in enumerate((messages.FIELD_SOURCE_FIELD, messages.FIELD_SOURCE_SOURCE,
                                       messages.FIELD_SOURCE_AS_OF)):
            header = QLabel(text)
            header.setObjectName("hint")
            self._sources_grid.addWidget(header, 0, column)
            self._source_headers.append(header)
        outer.addLayout(self._sources_grid)
        add = QPushButton(messages.FIELD_SOURCES_ADD)
        add.clicked.connect(lambda: self.add_field_source("", "", ""))
        outer.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        self.source_rows: list[FieldSourceRow] = []
        raw = self.original.get("field_sources")
        if isinstance(raw, Mapping):
            for path, prov in raw.items():
                prov = prov if isinstance(prov, Mapping) else {}
                extra = {k: v for k, v in prov.items() if k not in ("source", "as_of")}
                self.add_field_source(str(path), str(prov.get("source") or ""),
                                      str(prov.get("as_of") or ""), extra)
        self._place_source_rows()
        return group

    def add_field_source(self, path: str, source: str, as_of: str,
                         extra: Mapping[str, Any] | None = None) -> FieldSourceRow:
        paths = [spec.path for spec in fields.fields(self.kind)
                 if spec.path not in ("id", "name", "source", "as_of")]
        row = FieldSourceRow(paths, path, source, as_of, extra)
        self.source_rows.append(row)
        self._place_source_rows()
        for widget in (row.source, row.as_of):
            widget.textChanged.connect(self.validate)
        row.field.currentTextChanged.connect(self.validate)
        row.remove.clicked.connect(lambda: self.remove_field_source(row))
        if hasattr(self, "summary"):
            self.validate()
        return row

    def remove_field_source(self, row: FieldSourceRow) -> None:
        self.source_rows.remove(row)
        for widget in row.widgets():
            self._sources_grid.removeWidget(widget)
            widget.deleteLater()
        self._place_source_rows()
        self.validate()

    def _place_source_rows(self) -> None:
        for header in self._source_headers:
            header.setVisible(bool(self.source_rows))
        for index, row in enumerate(self.source_rows):
            grid_row = 1 + 2 * index
            self._sources_grid.addWidget(row.field, grid_row, 0)
            self._sources_grid.addWidget(row.source, grid_row, 1)
            self._sources_grid.addWidget(row.as_of, grid_row, 2)
            self._sources_grid.addWidget(row.remove, grid_row, 3)
            self._sources_grid.addWidget(row.error, grid_row + 1, 0, 1, 4)

    # --- the entry and its checks -----------------------------------------------------------

    def entry(self) -> dict[str, Any]:
        """The entry as the form stands (values that do not parse are left null)."""
        values = {path: editor.value()[0] for path, editor in self.editors.items()}
        entry = fields.apply_values(self.kind, self.original, values)
        if self.source_rows or "field_sources" in self.original:
            entry["field_sources"] = {row.path(): row.value() for row in self.source_rows}
        return entry

    def validate(self) -> bool:
        """Mark every broken rule at its field; enable Save only when there is none."""
        errors: dict[str, str] = {}
        for path, editor in self.editors.items():
            problem = editor.value()[1]
            if problem:
                errors[path] = problem
        entry = self.entry()
        general: list[str] = []
        for message in entry_errors(self.kind, entry):
            path, rule = _split(message)
            if path in self.editors or path.startswith("field_sources."):
                errors.setdefault(path, rule)
            else:
                general.append(message)
        if self.mode != "edit" and "id" not in errors and self._id_taken(str(entry.get("id"))):
            errors["id"] = _split(ID_TAKEN.format(kind=self.kind))[1]
        seen: set[str] = set()
        for row in self.source_rows:
            path = row.path()
            if path in seen:
                errors.setdefault(f"field_sources.{path}#dup", "this field is listed twice")
            seen.add(path)
        for path, editor in self.editors.items():
            # A new entry's untouched, empty fields are not shouted at in red: Save stays
            # disabled and the summary names them; the rule appears once the field is edited.
            quiet = self.mode == "add" and not editor.touched and not editor.text().strip()
            editor.set_error(None if quiet else errors.get(path))
        for row in self.source_rows:
            row.set_error(errors.get(f"field_sources.{row.path()}")
                          or errors.get(f"field_sources.{row.path()}#dup"))
        self.errors = errors
        self.save_button.setEnabled(not errors and not general)
        if errors or general:
            order = {path: n for n, path in enumerate(self.editors)}
            names = [self._describe(p) for p in
                     sorted(errors, key=lambda p: order.get(p, len(order)))]
            shown = general or [p for p in errors if p not in self.editors
                                or self.editors[p].error.isVisibleTo(self)]
            if shown:
                count = messages.count_noun(len(errors) + len(general), "field")
                text = messages.ENTRY_FIX_FIELDS.format(count=count,
                                                        fields=", ".join(names + general))
                self.summary.setObjectName("errorSummary")
            else:
                text = messages.ENTRY_FILL_IN.format(fields=", ".join(names))
                self.summary.setObjectName("hint")
        else:
            text = messages.ENTRY_READY
            self.summary.setObjectName("okSummary")
        self.summary.setText(text)
        repolish(self.summary)
        return not errors and not general

    def _describe(self, path: str) -> str:
        """A field's label for the summary line (per-field sources say whose source)."""
        if path.startswith("field_sources."):
            target = path.removeprefix("field_sources.").split("#")[0]
            return messages.FIELD_SOURCE_OF.format(field=fields.label(self.kind, target))
        return fields.label(self.kind, path)

    def field_error(self, path: str) -> str:
        """The rule shown at a field ('' when it is valid)."""
        return self.editors[path].error.text() if self.editors[path].error.isVisibleTo(self) \
            else ""

    def _save(self) -> None:
        if not self.validate():
            return
        problem = self._submit(self.entry())
        if problem is None:
            self.accept()
            return
        path, rule = _split(problem)
        if path in self.editors:
            self.editors[path].set_error(rule)
        self.summary.setObjectName("errorSummary")
        self.summary.setText(problem)
        repolish(self.summary)
