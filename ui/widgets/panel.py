"""The base of the dock panels: recompute on state changes, but only while visible.

A hidden panel just remembers it is stale and catches up when shown, so moving the
date with seven panels docked costs the visible ones only. A palette change (a dark
system theme) makes it stale too, so every colour a panel picked from the palette is
picked again. Slow work goes through a `ui.tasks.TaskRunner` the panel owns.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ui.app_state import AppState
from ui.i18n import tr
from ui.widgets.labels import MutedLabel


class LazyPanel(QWidget):
    """Subclasses implement `refresh()` (read the state, fill the widgets) and may
    override `retranslate()` for the language. `titles` is the dock title in Danish
    and English."""

    titles: tuple[str, str] = ("", "")
    #: whether the panel shows something about the selected unit (else a new selection
    #: does not make it stale)
    follows_selection: bool = True
    #: whether the panel's dock is open in the first layout (else it opens when it has
    #: something to show, or from View > Panels)
    shown_by_default: bool = True

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._stale = True
        state.register_changed.connect(self._on_state_register_changed)
        state.as_of_changed.connect(self._on_state_changed)
        if self.follows_selection:
            state.selection_changed.connect(self._on_state_changed)
        state.language_changed.connect(self._on_state_language_changed)

    def _on_state_register_changed(self, _reg: object) -> None:
        self.register_changed()
        self.mark_stale()

    def _on_state_changed(self, *_args: object) -> None:
        self.mark_stale()

    def _on_state_language_changed(self, _lang: str) -> None:
        self.retranslate()
        self.mark_stale()

    def register_changed(self) -> None:
        """A new file: drop anything cached for the old one (override as needed)."""

    def retranslate(self) -> None:
        """Relabel fixed widgets for `state.language` (override as needed)."""

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.update_now()

    def update_now(self) -> None:
        """Recompute now if anything changed since the last refresh."""
        if self._stale:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError

    def wait(self) -> None:
        """Block until the panel's background work asked for is shown (tests, scripts);
        panels without any return at once."""

    def showEvent(self, ev: Any) -> None:  # Qt override
        super().showEvent(ev)
        self.update_now()

    def changeEvent(self, ev: QEvent) -> None:  # Qt override
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange:
            self.palette_changed()

    def palette_changed(self) -> None:
        """The palette changed: fill again, so every colour is picked from the new one."""
        self.mark_stale()

    @property
    def lang(self) -> str:
        return self.state.language

    def hint_label(self) -> QLabel:
        """The muted centred "select a unit" hint the panels show when empty."""
        lab = MutedLabel(self)
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setWordWrap(True)
        lab.setMargin(12)
        return lab

    def select_hint(self) -> str:
        if self.state.register is None:
            return tr(self.lang, "Ingen fil åbnet.", "No file open.")
        return tr(
            self.lang,
            "Vælg en enhed i træet, i Enheder eller i en søgning.",
            "Select a unit in the tree, in Units or in a search.",
        )
