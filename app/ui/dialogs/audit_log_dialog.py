"""AuditLogDialog: who changed what and when, filtered by entity, action group and period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.operations.workspace_maintenance import audit_log_choices, read_audit_log
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.escaping import plain_label
from app.ui.models.audit_table import AuditLogTableModel

ROW_LIMIT = 1000


class AuditLogDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditLogDialog")
        self.setWindowTitle(messages.AUDIT_TITLE.format(workspace=workspace.path.name))
        self.workspace = workspace
        entities, groups = audit_log_choices(workspace)
        self.entity = self._combo([(messages.AUDIT_ALL, None)]
                                  + [(e, e) for e in entities])
        self.action = self._combo([(messages.AUDIT_ALL, None)]
                                  + [(g, f"{g}.") for g in groups])
        self.period = self._combo([(messages.AUDIT_ANY_TIME, None)]
                                  + [(label, days) for label, days in messages.AUDIT_PERIODS])
        filters = QHBoxLayout()
        for label, combo in ((messages.AUDIT_ENTITY, self.entity),
                             (messages.AUDIT_ACTION, self.action),
                             (messages.AUDIT_PERIOD, self.period)):
            caption = QLabel(label)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo)
            filters.addSpacing(10)
        filters.addStretch(1)
        self.model = AuditLogTableModel()
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.summary = plain_label()
        self.summary.setObjectName("summary")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        for combo in (self.entity, self.action, self.period):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.resize(980, 560)
        self.refresh()

    def _combo(self, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        for label, value in items:
            combo.addItem(label, value)
        return combo

    def refresh(self) -> None:
        days = self.period.currentData()
        since = datetime.now(UTC) - timedelta(days=days) if days else None
        rows = read_audit_log(self.workspace, entity=self.entity.currentData(),
                              action_prefix=self.action.currentData(), since=since,
                              limit=ROW_LIMIT)
        self.model.set_rows(rows)
        for column, width in enumerate((150, 80, 190, 110, 160)):
            self.table.setColumnWidth(column, width)
        self.summary.setText(messages.AUDIT_SHOWN.format(
            count=messages.count_noun(len(rows), "entry", "entries"), limit=f"{ROW_LIMIT:,}"))
