"""UnreadableScreen: stands in for a screen whose data cannot be read (a damaged workspace
opened read-only), so the rest of the window still works."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui import messages
from app.ui.escaping import plain_label
from app.ui.views.screen_parts import screen_heading


class UnreadableScreen(QWidget):
    def __init__(self, title: str, reason: str) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.title = title
        heading = screen_heading(title)
        self.reason = plain_label(messages.SCREEN_UNREADABLE.format(reason=reason))
        self.reason.setObjectName("summary")
        self.reason.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 10)
        layout.addWidget(heading)
        layout.addWidget(self.reason)
        layout.addStretch(1)
