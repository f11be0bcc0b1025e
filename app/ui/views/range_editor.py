"""Uncertainty ranges: low / likely / high (and the distribution) for any numeric input.

One line per range; editing any number commits the whole range (`range_committed`), the ✕
removes it (`range_removed`), and "Add a range" offers every numeric field that can carry one,
starting at ±20 % around its current value. Percent fields are shown in percent, as in the
rest of the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.engine.scenario import DISTRIBUTIONS
from app.operations.field_input import display_scale, display_unit, format_value, parse_number
from app.operations.scenario_edit import Problem
from app.operations.scenario_fields import field_info, field_label
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.style import repolish

SPREAD = 0.2  # a new range starts at the value ± 20 %


class RangeLine:
    """The widgets of one range (a row of the grid)."""

    def __init__(self, path: str, label: str) -> None:
        self.path = path
        info = field_info(path)
        self.scale = display_scale(info)
        unit = display_unit(info)
        self.label = QLabel(label + (f" ({unit})" if unit and unit != label.lower() else ""))
        self.label.setObjectName("rangeLabel")
        self.label.setWordWrap(True)
        self.label.setToolTip(path)
        self.low, self.likely, self.high = QLineEdit(), QLineEdit(), QLineEdit()
        for edit, hint in ((self.low, "low"), (self.likely, "= value"), (self.high, "high")):
            edit.setPlaceholderText(hint)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMinimumWidth(60)
        self.distribution = QComboBox()
        self.distribution.addItems(list(DISTRIBUTIONS))
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip(messages.RANGE_REMOVE_TIP)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.info = info

    def show(self, body: dict[str, Any]) -> None:
        for edit, key in ((self.low, "low"), (self.likely, "likely"), (self.high, "high")):
            with QSignalBlocker(edit):
                edit.setText(format_value(self.info, body.get(key)))
        with QSignalBlocker(self.distribution):
            self.distribution.setCurrentText(str(body.get("distribution") or "triangular"))

    def read(self) -> tuple[float, float | None, float] | str:
        """(low, likely, high) in stored units, or what is wrong."""
        values: list[float | None] = []
        for edit, name in ((self.low, "low"), (self.likely, "likely"), (self.high, "high")):
            text = edit.text().strip()
            if not text and name == "likely":
                values.append(None)
                continue
            number = parse_number(text)
            if number is None:
                return f"{name}: must be a number"
            values.append(number / self.scale)
        low, likely, high = values
        assert low is not None and high is not None
        return low, likely, high

    def set_error(self, text: str) -> None:
        if text == self.error.text() and bool(text) == (not self.error.isHidden()):
            return  # unchanged: restyling the fields costs a few milliseconds per range
        self.error.setText(text)
        self.error.setVisible(bool(text))
        for edit in (self.low, self.likely, self.high):
            edit.setProperty("invalid", bool(text))
            repolish(edit)


class RangeEditor(QWidget):
    """range_committed(path, low, likely, high, distribution) / range_removed(path)."""

    range_committed = Signal(str, float, object, float, str)
    range_removed = Signal(str)

    def __init__(self, numeric_paths: Callable[[], list[tuple[str, str]]],
                 current_value: Callable[[str], Any], ctx: ScreenContext,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formSection")
        self._numeric_paths = numeric_paths
        self._current_value = current_value
        self.lines: dict[str, RangeLine] = {}
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(4)
        self.empty = QLabel(messages.RANGES_EMPTY)
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.picker = QComboBox()
        self.picker.setEditable(True)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(16)
        self.picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        picker_line = self.picker.lineEdit()
        if picker_line is not None:
            picker_line.setPlaceholderText(messages.RANGE_PICK_PLACEHOLDER)
        self.add_button = QPushButton(messages.RANGE_ADD)
        self.add_button.clicked.connect(self._add_picked)
        self.add_error = QLabel()
        self.add_error.setObjectName("fieldError")
        self.add_error.hide()
        add = QHBoxLayout()
        add.addWidget(self.picker, 1)
        add.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.empty)
        layout.addWidget(self.grid_host)
        layout.addLayout(add)
        layout.addWidget(self.add_error)
        self.ranges: dict[str, Any] = {}

    def set_ranges(self, ranges: dict[str, Any]) -> None:
        if self.lines and ranges == self.ranges:  # unchanged: keep the widgets (and any mark)
            for line in self.lines.values():
                line.set_error("")
            return
        self.ranges = dict(ranges)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone now, deleted when the event loop next runs
                widget.deleteLater()
        self.lines.clear()
        labels = dict(self._numeric_paths())
        headers = ("Low", "Likely", "High", "Shape", "")
        if ranges:
            for col, text in enumerate(headers):
                head = QLabel(text)
                head.setObjectName("hint")
                self.grid.addWidget(head, 0, col)
        row = 1
        for path, body in ranges.items():
            try:
                line = RangeLine(path, labels.get(path) or field_label(path, with_unit=False))
            except KeyError:
                continue
            line.show(body if isinstance(body, dict) else {})
            for edit in (line.low, line.likely, line.high):
                edit.editingFinished.connect(lambda p=path: self._commit(p))
            line.distribution.activated.connect(lambda _i, p=path: self._commit(p))
            line.remove.clicked.connect(lambda _c=False, p=path: self.range_removed.emit(p))
            self.grid.addWidget(line.label, row, 0, 1, 5)
            for col, widget in enumerate((line.low, line.likely, line.high, line.distribution,
                                          line.remove)):
                self.grid.addWidget(widget, row + 1, col)
            self.grid.addWidget(line.error, row + 2, 0, 1, 5)
            self.lines[path] = line
            row += 3
        for col in range(3):
            self.grid.setColumnStretch(col, 1)
        self.empty.setVisible(not ranges)
        self._fill_picker()

    def _fill_picker(self) -> None:
        with QSignalBlocker(self.picker):
            self.picker.clear()
            for path, label in self._numeric_paths():
                if path not in self.ranges:
                    self.picker.addItem(label, path)
            self.picker.setCurrentIndex(-1)
        completer = QCompleter(self.picker.model(), self.picker)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.picker.setCompleter(completer)

    def _commit(self, path: str) -> None:
        line = self.lines.get(path)
        if line is None:
            return
        read = line.read()
        if isinstance(read, str):
            line.set_error(read)
            return
        low, likely, high = read
        old = self.ranges.get(path) or {}
        new = {"low": low, "likely": likely, "high": high,
               "distribution": line.distribution.currentText()}
        if all(_same(old.get(k), v) for k, v in new.items()) and not line.error.isVisible():
            return
        line.set_error("")
        self.range_committed.emit(path, low, likely, high, line.distribution.currentText())

    def add_range(self, path: str) -> None:
        """Add a range on `path` around its current value (± 20 %)."""
        value = self._current_value(path)
        if isinstance(value, int | float) and not isinstance(value, bool) and value:
            low, high = sorted((value * (1 - SPREAD), value * (1 + SPREAD)))
        else:
            low = high = 0.0
        self.add_error.hide()
        self.range_committed.emit(path, float(low), None, float(high), "triangular")

    def _add_picked(self) -> None:
        index = self.picker.findText(self.picker.currentText().strip(),
                                     Qt.MatchFlag.MatchFixedString)
        if index < 0:
            self.add_error.setText(messages.RANGE_PICK_FIRST)
            self.add_error.show()
            return
        self.add_range(str(self.picker.itemData(index)))

    def show_problem(self, problem: Problem) -> None:
        for path, line in self.lines.items():
            if problem.path.startswith(f'uncertainty["{path}"]'):
                part = problem.path.split("]", 1)[1].lstrip(".")
                line.set_error(f"{part}: {problem.rule}" if part else problem.rule)
                return
        self.add_error.setText(problem.message)
        self.add_error.show()

    def clear_problem(self) -> None:
        for line in self.lines.values():
            line.set_error("")
        self.add_error.hide()


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(a)))
    except (TypeError, ValueError):
        return bool(a == b)
