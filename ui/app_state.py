"""The application's shared state: the open register, the as-of date, the selected unit,
a comparison with a second download and the followed units.

Every panel gets the one `AppState` and talks through it: panels listen to its
signals and call `select()` / `set_as_of()`; none of them knows the others.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # importing the register pulls pandas; the window starts without it
    from sorviewer.api import Register
    from ui.comparison import Comparison


class AppState(QObject):
    """Open register, as-of date and current selection, with change signals."""

    #: a new register was opened (the argument is the Register)
    register_changed = Signal(object)
    #: the as-of date moved (the argument is a datetime.date)
    as_of_changed = Signal(object)
    #: the current unit changed (SorId text, "" for none)
    selection_changed = Signal(str)
    #: somebody asked to reveal a unit in the tree (SorId text)
    show_in_tree_requested = Signal(str)
    #: the UI language changed ("da" or "en")
    language_changed = Signal(str)
    #: a comparison with a second download was opened or closed (a
    #: `ui.comparison.Comparison`, or None)
    comparison_changed = Signal(object)
    #: the followed units changed (the argument is the dict SorId -> with subtree)
    followed_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.register: Register | None = None
        self.as_of: dt.date = dt.date.today()
        self.current: str = ""
        self.language: str = "da"
        #: the open register compared with a second download, or None
        self.comparison: Comparison | None = None
        #: followed units: SorId -> whether its whole subtree is followed
        self.followed: dict[str, bool] = {}

    def set_register(self, reg: Register | None) -> None:
        # a comparison is of the register that was open: it ends with it
        self.set_comparison(None)
        self.register = reg
        self.current = ""
        self.register_changed.emit(reg)

    def set_comparison(self, comparison: Comparison | None) -> None:
        if comparison is not self.comparison:
            self.comparison = comparison
            self.comparison_changed.emit(comparison)

    def set_followed(self, followed: dict[str, bool]) -> None:
        self.followed = dict(followed)
        self.followed_changed.emit(self.followed)

    def set_as_of(self, day: dt.date) -> None:
        if day != self.as_of:
            self.as_of = day
            self.as_of_changed.emit(day)

    def select(self, sor_id: str) -> None:
        sor_id = str(sor_id)
        if sor_id != self.current:
            self.current = sor_id
            self.selection_changed.emit(sor_id)

    def show_in_tree(self, sor_id: str) -> None:
        self.select(sor_id)
        self.show_in_tree_requested.emit(str(sor_id))

    def set_language(self, lang: str) -> None:
        if lang != self.language:
            self.language = lang
            self.language_changed.emit(lang)
