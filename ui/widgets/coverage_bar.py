"""The bar over the tree that says when the date lies outside what the file knows.

A snapshot file knows the register on its snapshot date only; a file with history
from its first data on (`ui.coverage`). At any other date the bar says so in one
sentence ("Udtrækket viser registret den 26-01-2010; senere ændringer er ikke i
filen") with a button that goes to the date the file does know. It listens to the
app state itself: the window only places it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ui.app_state import AppState
from ui.coverage import Coverage, coverage
from ui.formatting import format_date
from ui.i18n import tr


class CoverageBar(QFrame):
    """See the module docstring; hidden while the date lies inside the file's knowledge."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CoverageBar")
        self.state = state
        self.coverage = Coverage()
        # a translucent amber strip from the application style sheet (resources/style.qss,
        # like the demo banner): it reads on a light and a dark palette alike
        self.label = QLabel(self)
        self.label.setObjectName("CoverageText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.go_button = QPushButton(self)
        self.go_button.setObjectName("CoverageGo")
        self.go_button.clicked.connect(self._on_go_clicked)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 4, 3)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.go_button)
        self.hide()
        state.register_changed.connect(self._on_state_register_changed)
        state.as_of_changed.connect(self._on_state_changed)
        state.language_changed.connect(self._on_state_changed)
        self._on_state_register_changed(state.register)

    def _on_state_register_changed(self, reg: Any) -> None:
        self.coverage = coverage(reg)
        self.update_text()

    def _on_state_changed(self, *_args: object) -> None:
        self.update_text()

    def update_text(self) -> None:
        """Say where the as-of date lies, or hide when the file knows it."""
        lang, day = self.state.language, self.state.as_of
        text = self.coverage.notice(day, lang) if self.state.register is not None else ""
        self.label.setText(text)
        bound = self.coverage.bound(day)
        if bound is not None:
            d = format_date(bound)
            self.go_button.setText(tr(lang, f"Gå til {d}", f"Go to {d}"))
            self.go_button.setToolTip(
                tr(
                    lang,
                    "Vis registret på en dato, filen kender",
                    "Show the register on a date the file knows",
                )
            )
        self.go_button.setVisible(bound is not None)
        self.setVisible(bool(text))

    def _on_go_clicked(self) -> None:
        bound = self.coverage.bound(self.state.as_of)
        if bound is not None:
            self.state.set_as_of(bound)
