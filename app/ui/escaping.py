"""Showing text that came from a file or a user exactly as written, never as markup.

Qt renders a string as rich text whenever it *looks* like HTML (`Qt.mightBeRichText`): a
`QLabel` or `QMessageBox` in the default `AutoText` format, and every tooltip. A scenario named
`<img src=x>` would then become an image request, and `<b>` bold. So:

- labels and message boxes that can hold such text use `Qt.TextFormat.PlainText`
  (`plain_label`, and `dialogs.alerts.show_message` does it for every message);
- tooltips, which have no format setting, get `tooltip`: the text escaped into a paragraph.

Item views (tables, lists) draw their display text as plain text already; only their
`ToolTipRole` needs `tooltip`.
"""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QWidget


def tooltip(text: str) -> str:
    """A tooltip that shows `text` literally (line breaks kept); '' stays ''."""
    if not text:
        return ""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never interprets its text as markup."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label
