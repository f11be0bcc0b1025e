"""Pieces the screens share: the `Screen` base (its context, heading and margins), window-wide
shortcut actions and the buttons that trigger them, and the title toggle that folds a part of a
screen away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from app.ui.context import ScreenContext


class Screen(QWidget):
    """One screen of the main window, named by `title`, working on the window's context."""

    title = ""

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.ctx = ctx
        self.workspace = ctx.workspace


def screen_heading(title: str) -> QLabel:
    """A screen's title, styled as its heading."""
    heading = QLabel(title)
    heading.setObjectName("heading")
    return heading


def screen_layout(screen: QWidget) -> QVBoxLayout:
    """The column a screen lays its parts in, with the margins and spacing of every screen."""
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(18, 14, 18, 10)
    layout.setSpacing(8)
    return layout


def screen_action(screen: QWidget, text: str, shortcut: str | QKeySequence.StandardKey,
                  slot: Callable[[], Any]) -> QAction:
    """An action of `screen` that calls `slot()` on its shortcut anywhere in the window."""
    action = QAction(text, screen)
    action.setShortcut(QKeySequence(shortcut))
    # Window-wide, but Qt ignores actions of hidden screens: each screen can use Ctrl+N.
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda _checked=False: slot())
    screen.addAction(action)
    return action


def action_button(action: QAction) -> QPushButton:
    """A button that triggers `action`, named after it, with its shortcut as the tooltip and
    enabled while the action is."""
    button = QPushButton(action.text())
    hint = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    button.setToolTip(f"{action.text().replace('&', '')} ({hint})" if hint else "")
    button.clicked.connect(action.trigger)
    action.enabledChanged.connect(button.setEnabled)
    button.setEnabled(action.isEnabled())
    return button


class FoldToggle(QToolButton):
    """A part's bold title with an arrow that folds its `body` away (down: shown)."""

    def __init__(self, body: QWidget, text: str = "", expanded: bool = True) -> None:
        super().__init__()
        self.body = body
        self.setObjectName("sectionToggle")
        self.setText(text)
        self.setCheckable(True)
        self.setChecked(expanded)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        if not expanded:  # (never show a body before it has a parent: it would be a window)
            body.setVisible(False)
        self.toggled.connect(self._fold)

    def _fold(self, on: bool) -> None:
        self.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)
