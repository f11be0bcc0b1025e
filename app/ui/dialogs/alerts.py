"""Message boxes for user errors and internal errors; never a raw traceback.

Boxes are opened with `open()` (window-modal, asynchronous), not run in a nested loop, so the event
loop keeps running (background tasks keep reporting) and tests can inspect and close them.
An internal error shows a plain explanation; the technical report sits behind "Show Details…".
"""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app import __version__
from app.ui import messages


def show_message(parent: QWidget | None, title: str, text: str,
                 icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """Tell the user something (a `UserError` message, a refusal) without blocking."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("userMessage")
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote names and values from files
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def technical_report(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return f"Enclave {__version__}\n\n" + "".join(lines)


def show_internal_error(parent: QWidget | None, doing: str, exc: BaseException) -> QMessageBox:
    """Report a bug: a calm message, the error in one line, details collapsed."""
    box = QMessageBox(QMessageBox.Icon.Critical, messages.INTERNAL_ERROR_TITLE,
                      messages.INTERNAL_ERROR_TEXT.format(doing=doing),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("internalError")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the error text may quote a file's content
    box.setInformativeText(f"{type(exc).__name__}: {exc}\n\n{messages.INTERNAL_ERROR_DETAILS_HINT}")
    box.setDetailedText(technical_report(exc))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
