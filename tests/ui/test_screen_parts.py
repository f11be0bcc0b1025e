"""The pieces screens share: shortcut actions, their buttons, and the fold toggle."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.views.screen_parts import FoldToggle, action_button, screen_action


def test_a_screen_action_is_window_wide_and_its_button_follows_it(qtbot: QtBot) -> None:
    screen = QWidget()
    qtbot.addWidget(screen)
    calls: list[str] = []
    action = screen_action(screen, "&Open", "Ctrl+Return", lambda: calls.append("open"))
    assert action in screen.actions()
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    button = action_button(action)
    assert button.text() == "&Open"
    assert button.toolTip().startswith("Open (")
    action.setEnabled(False)
    assert not button.isEnabled()
    action.setEnabled(True)
    button.click()
    assert calls == ["open"]


def test_the_fold_toggle_hides_and_shows_its_body(qtbot: QtBot) -> None:
    part = QWidget()
    qtbot.addWidget(part)
    body = QLabel("body")
    toggle = FoldToggle(body, "Title")
    layout = QVBoxLayout(part)
    layout.addWidget(toggle)
    layout.addWidget(body)
    part.show()
    assert toggle.objectName() == "sectionToggle" and toggle.text() == "Title"
    assert body.isVisible() and toggle.arrowType() == Qt.ArrowType.DownArrow
    toggle.click()
    assert not body.isVisible() and toggle.arrowType() == Qt.ArrowType.RightArrow
    toggle.click()
    assert body.isVisible()


def test_a_folded_toggle_starts_with_its_body_hidden(qtbot: QtBot) -> None:
    part = QWidget()
    qtbot.addWidget(part)
    body = QLabel("body")
    toggle = FoldToggle(body, "Title", expanded=False)
    layout = QVBoxLayout(part)
    layout.addWidget(toggle)
    layout.addWidget(body)
    part.show()
    assert not toggle.isChecked() and not body.isVisible()
    assert toggle.arrowType() == Qt.ArrowType.RightArrow
