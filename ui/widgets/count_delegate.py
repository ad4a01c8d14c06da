"""An item delegate that draws a number right-aligned and greyed beside the item.

The tree shows each unit's number of children this way, the facet lists each value's
number of units: the row background across the whole cell, the item itself in the
cell narrowed by the number's width, then the number in the placeholder colour (the
highlighted-text colour on a selected row).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem


class CountDelegate(QStyledItemDelegate):
    """The base of the delegates that draw a count beside their item."""

    def paint_with_count(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        text: str,
        font: QFont | None = None,
        room: int = 10,
        margin: int = 4,
    ) -> None:
        """Paint the item with `text` right-aligned `margin` pixels from the cell's edge,
        in `font` (the item's when None); the item gets the cell less the text's width
        and `room`."""
        width = option.fontMetrics.horizontalAdvance(text) + room
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        narrow = QStyleOptionViewItem(option)
        narrow.rect = option.rect.adjusted(0, 0, -width, 0)
        super().paint(painter, narrow, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.save()
        if font is not None:
            painter.setFont(font)
        painter.setPen(option.palette.color(role))
        painter.drawText(
            option.rect.adjusted(0, 0, -margin, 0),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
        painter.restore()
