"""The dashboard's pieces: KPI cards and the constraint checks (chart cards: chart_card.py).

Each is a view of data computed elsewhere (`reports.kpi_cards.KpiCard`, the evaluation's
`ConstraintCheck`s, `operations.chart_data`); none keeps a copy of a scenario.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.operations.constraints import ConstraintCheck
from app.reports.kpi_cards import KpiCard
from app.ui import messages
from app.ui.style import repolish
from app.ui.views.screen_parts import FoldToggle

STATUS_MARK = {"pass": "✓", "warn": "!", "fail": "✕"}


class KpiCardWidget(QFrame):
    """One KPI: label, value, a line of context; the tooltip gives formula, inputs, sources."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("kpiCard")
        self.label = QLabel()
        self.label.setObjectName("kpiLabel")
        self.value = QLabel("—")
        self.value.setObjectName("kpiValue")
        self.detail = QLabel()
        self.detail.setObjectName("kpiDetail")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 7, 8, 7)
        layout.setSpacing(1)
        layout.addWidget(self.label)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(140)
        self.setFixedHeight(84)

    def show_card(self, card: KpiCard) -> None:
        self.label.setText(card.label.upper())
        self.value.setText(card.value)
        # the calibration band heads the line under the value, the same on every card width
        self.detail.setText(f"{card.band} · {card.detail}" if card.band else card.detail)
        self.setToolTip(f"<p style='white-space:pre-wrap'>{html.escape(card.tooltip)}</p>")
        if self.property("tone") != card.tone:
            self.setProperty("tone", card.tone)
            repolish(self)


class KpiGrid(QWidget):
    """The KPI cards in rows of `columns`."""

    def __init__(self, columns: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        self.columns = columns
        self.cards: dict[str, KpiCardWidget] = {}

    def show_cards(self, cards: Sequence[KpiCard]) -> None:
        if [c.key for c in cards] != list(self.cards):
            for widget in self.cards.values():
                widget.hide()
                widget.deleteLater()
            self.cards = {c.key: KpiCardWidget(c.key) for c in cards}
            self._place()
        for card in cards:
            self.cards[card.key].show_card(card)

    def set_columns(self, columns: int) -> None:
        if columns != self.columns:
            self.columns = columns
            self._place()

    def _place(self) -> None:
        for widget in self.cards.values():
            self.grid.removeWidget(widget)
        for i, widget in enumerate(self.cards.values()):
            self.grid.addWidget(widget, i // self.columns, i % self.columns)
        for col in range(8):
            self.grid.setColumnStretch(col, 1 if col < self.columns else 0)


class ConstraintPanel(QFrame):
    """Pass / warn / fail per rule with its reason; failures and warnings first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("constraintPanel")
        self.body = QLabel()
        self.body.setObjectName("constraintList")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = FoldToggle(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.checks: tuple[ConstraintCheck, ...] = ()

    def show_checks(self, checks: Sequence[ConstraintCheck]) -> None:
        self.checks = tuple(checks)
        counts = {s: sum(1 for c in checks if c.status == s) for s in ("pass", "warn", "fail")}
        self.toggle.setText(messages.DASHBOARD_CONSTRAINTS.format(
            passed=counts["pass"], warned=counts["warn"], failed=counts["fail"])
            if checks else messages.DASHBOARD_NO_CONSTRAINTS)
        order = {"fail": 0, "warn": 1}
        rows = []
        for c in sorted((c for c in checks if c.status != "pass"),
                        key=lambda c: order.get(c.status, 2)):
            subject = f"{c.subject} {c.option}".strip()
            rows.append(
                f"<tr><td class='{c.status}' style='padding-right:6px'><b>"
                f"{STATUS_MARK.get(c.status, '?')}&nbsp;{c.status}</b></td>"
                f"<td style='padding-right:8px'>{html.escape(c.rule)}</td>"
                f"<td>{html.escape(c.reason)}"
                f"<span style='color:#5f6b7a'> — {html.escape(subject)}</span></td></tr>")
        passed = sorted({c.rule for c in checks if c.status == "pass"})
        tail = (f"<p style='margin-top:4px'><span style='color:#2e7d32'><b>✓ pass</b></span> "
                f"<span style='color:#5f6b7a'>{html.escape(', '.join(passed))}</span></p>"
                if passed else "")
        style = ("<style>td.pass{color:#2e7d32} td.warn{color:#9a6700} td.fail{color:#c62828}"
                 "</style>")
        table = ("<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"
                 if rows else "")
        self.body.setText(style + table + tail if (rows or tail) else "")
        self.body.setVisible(bool(rows or tail) and self.toggle.isChecked())
