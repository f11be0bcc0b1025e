"""NameDialog: asks for one name, shows the rule it breaks under the field, and keeps OK
disabled until the name is acceptable."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.ui.escaping import plain_label
from app.ui.style import repolish


class NameDialog(QDialog):
    """`check(name)` returns None when the name is fine, else the rule to show;
    `submit(name)` applies it and returns None, or a message (the dialog then stays open)."""

    def __init__(self, title: str, label: str, initial: str, *,
                 check: Callable[[str], str | None], submit: Callable[[str], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nameDialog")
        self.setWindowTitle(title)
        self._check = check
        self._submit = submit
        self.edit = QLineEdit(initial)
        self.edit.selectAll()
        self.error = plain_label()  # quotes the name typed
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(label))
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.edit.textChanged.connect(self.validate)
        self.validate()

    def validate(self) -> bool:
        problem = self._check(self.edit.text())
        self._show(problem)
        self.ok_button.setEnabled(problem is None)
        return problem is None

    def _show(self, problem: str | None) -> None:
        self.error.setText(problem or "")
        self.error.setVisible(bool(problem))
        self.edit.setProperty("invalid", bool(problem))
        repolish(self.edit)

    def _accept(self) -> None:
        if not self.validate():
            return
        problem = self._submit(self.edit.text())
        if problem is None:
            self.accept()
        else:
            self._show(problem)
