"""StateBadgeDelegate: draws a catalog entry's state as a coloured pill ("override", ...)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui.models.catalog_table import STATE_ROLE
from app.ui.style import MUTED, STATE_COLOURS


def paint_badge(painter: QPainter, rect: QRectF, text: str, colour: str) -> None:
    """A rounded pill with white text, vertically centred in `rect`, left-aligned."""
    metrics = QFontMetrics(painter.font())
    width = metrics.horizontalAdvance(text) + 14
    height = metrics.height() + 2
    pill = QRectF(rect.left() + 4, rect.center().y() - height / 2, width, height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(QColor("white"))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class StateBadgeDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        state = str(index.data(STATE_ROLE) or "shipped")
        text = str(index.data() or "")
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if state in STATE_COLOURS:
            paint_badge(painter, QRectF(opt.rect), text, STATE_COLOURS[state])
        else:
            painter.save()
            painter.setPen(QColor(MUTED))
            painter.drawText(opt.rect.adjusted(8, 0, 0, 0),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 24, size.height())
