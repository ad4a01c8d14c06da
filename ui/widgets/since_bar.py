"""The quiet bar over the tree that offers "what changed since last time" (issue 12).

When a newer download of the same kind as the last one opened is opened, the window
puts the earlier download here (`offer`): one line, "Vis hvad der er ændret siden
udtrækket fra 01-11-2026", a button that opens the comparison and a close button. Not
a dialog: nothing waits for an answer. When followed units changed, the line says how
many (`set_followed_changed`).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ui.comparison import Remembered
from ui.formatting import format_date
from ui.i18n import number, tr


class SinceBar(QFrame):
    """See the module docstring; hidden while there is nothing to offer."""

    #: the user asked to see the changes (the argument is the `Remembered` download)
    open_requested = Signal(object)
    #: the offer went (closed, taken or replaced)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SinceBar")
        self.offered: Remembered | None = None
        self.followed_changed: int | None = None
        self._lang = "da"
        self.label = QLabel(self)
        self.label.setObjectName("SinceText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.show_button = QPushButton(self)
        self.show_button.setObjectName("SinceShow")
        self.show_button.clicked.connect(self._on_show_clicked)
        self.close_button = QPushButton("×", self)
        self.close_button.setObjectName("SinceClose")
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(self.close_button.fontMetrics().height() * 2)
        self.close_button.clicked.connect(self.dismiss)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 4, 3)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.show_button)
        lay.addWidget(self.close_button)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.hide()

    def offer(self, rec: Remembered | None) -> None:
        """Offer the changes since `rec` (None: nothing to offer, hidden)."""
        self.offered = rec
        self.followed_changed = None
        self.update_text()

    def dismiss(self) -> None:
        had = self.offered is not None
        self.offer(None)
        if had:
            self.dismissed.emit()

    def set_followed_changed(self, n: int | None) -> None:
        self.followed_changed = n
        self.update_text()

    def set_language(self, lang: str) -> None:
        self._lang = lang
        self.update_text()

    def update_text(self) -> None:
        rec, lang = self.offered, self._lang
        if rec is None or rec.snapshot is None:
            self.hide()
            return
        day = format_date(rec.snapshot)
        text = tr(
            lang,
            f"Vis hvad der er ændret siden udtrækket fra {day}",
            f"Show what changed since the download of {day}",
        )
        n = self.followed_changed
        if n:
            text += tr(
                lang,
                f" · {number(n, lang)} {'fulgt enhed' if n == 1 else 'fulgte enheder'} er ændret",
                f" · {number(n, lang)} followed {'unit' if n == 1 else 'units'} changed",
            )
        self.label.setText(text)
        self.label.setToolTip(rec.path)
        self.show_button.setText(tr(lang, "Vis ændringer", "Show changes"))
        self.show_button.setToolTip(
            tr(
                lang,
                f"Sammenlign med {os.path.basename(rec.path)} (fra mellemlageret, når det "
                "stadig findes)",
                f"Compare with {os.path.basename(rec.path)} (from the cache while it is "
                "still there)",
            )
        )
        self.close_button.setToolTip(tr(lang, "Luk", "Close"))
        self.setVisible(True)

    def _on_show_clicked(self) -> None:
        if self.offered is not None:
            self.open_requested.emit(self.offered)
