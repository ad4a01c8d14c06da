"""One facet of the Units view's filters: its values, their counts, which are ticked.

A list model over the `sorviewer.find.FacetValue`s the query counted (each value's
number of units matching all the OTHER filters), so a facet with 10,000 values (the
towns of a full register) is one QListView row per visible value, never 10,000
widgets. Ticking is held by value code, apart from the values: a new count keeps
what is ticked, and a ticked value the date no longer has stays ticked (and counted
as such in the section title) until it is unticked or the filters are cleared.

A new result with the same values in the same order (the facet that was just
clicked: its own counts ignore its own filter) only changes the counts in place, so
the list keeps its scroll position under the mouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from sorviewer.find import FacetValue
from sorviewer.text import fold_text
from ui.i18n import number, tr

#: the number of units with the value (drawn right-aligned by the sidebar's delegate)
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
#: the value's code: what the filter takes
CODE_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def label_text(label: object, lang: str) -> str:
    """A facet value's label in the window's language (a core `Message` is rendered)."""
    render = getattr(label, "render", None)
    if render is not None:
        return str(render("da" if lang == "da" else "en"))
    return str(label)


class FacetModel(QAbstractListModel):
    """See the module docstring. `checked_changed` follows a tick or untick."""

    checked_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.language = "da"
        self._values: list[FacetValue] = []
        self._labels: list[str] = []
        self._folded: list[str] | None = None
        self._shown: list[int] = []
        self._search = ""
        self.checked: set[str] = set()

    # --- content ----------------------------------------------------------------------

    def set_values(self, values: Sequence[FacetValue]) -> None:
        """New counts. The same values in the same order change only the counts."""
        values = list(values)
        if [v.code for v in values] == [v.code for v in self._values]:
            self._values = values
            if self._shown:
                self.dataChanged.emit(self.index(0), self.index(len(self._shown) - 1), [COUNT_ROLE])
            return
        self.beginResetModel()
        self._values = values
        self._labels = [label_text(v.label, self.language) for v in values]
        self._folded = None
        self._shown = self._filtered()
        self.endResetModel()

    def set_language(self, lang: str) -> None:
        if lang != self.language:
            self.language = lang
            self.beginResetModel()
            self._labels = [label_text(v.label, lang) for v in self._values]
            self._folded = None
            self._shown = self._filtered()
            self.endResetModel()

    def set_search(self, text: str) -> None:
        """Show only values whose label or code contains `text` (folded as search)."""
        needle = fold_text(text.strip())
        if needle != self._search:
            self.beginResetModel()
            self._search = needle
            self._shown = self._filtered()
            self.endResetModel()

    def _filtered(self) -> list[int]:
        if not self._search:
            return list(range(len(self._values)))
        if self._folded is None:
            from ui.models.records_model import fold_many

            self._folded = fold_many(
                [f"{lab}\t{v.code}" for lab, v in zip(self._labels, self._values, strict=True)]
            )
        return [i for i, t in enumerate(self._folded) if self._search in t]

    def set_checked(self, codes: Iterable[str], notify: bool = False) -> None:
        """Tick exactly `codes` (a loaded filter, clearing)."""
        new = {str(c) for c in codes}
        if new != self.checked:
            self.checked = new
            if self._shown:
                self.dataChanged.emit(
                    self.index(0),
                    self.index(len(self._shown) - 1),
                    [Qt.ItemDataRole.CheckStateRole],
                )
            if notify:
                self.checked_changed.emit()

    def toggle(self, row: int) -> None:
        """Tick or untick the value shown in `row`."""
        if not 0 <= row < len(self._shown):
            return
        code = self._values[self._shown[row]].code
        if code in self.checked:
            self.checked.discard(code)
        else:
            self.checked.add(code)
        idx = self.index(row)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()

    def checked_codes(self) -> tuple[str, ...]:
        """The ticked codes, in the order the values are listed (unlisted ones last)."""
        listed = [v.code for v in self._values if v.code in self.checked]
        rest = sorted(self.checked.difference(listed))
        return tuple(listed + rest)

    def values(self) -> list[FacetValue]:
        return list(self._values)

    def value_count(self) -> int:
        """Values the facet has (before the search box)."""
        return len(self._values)

    def value_at(self, row: int) -> FacetValue:
        return self._values[self._shown[row]]

    def label_at(self, row: int) -> str:
        return self._labels[self._shown[row]]

    def row_of_code(self, code: str) -> int:
        for row, i in enumerate(self._shown):
            if self._values[i].code == code:
                return row
        return -1

    # --- Qt API ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        i = self._shown[index.row()]
        value = self._values[i]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._labels[i]
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if value.code in self.checked else Qt.CheckState.Unchecked
        if role == COUNT_ROLE:
            return value.count
        if role == CODE_ROLE:
            return value.code
        if role == Qt.ItemDataRole.ToolTipRole:
            lang = self.language
            units = number(value.count, lang)
            text = self._labels[i]
            if value.code != text:
                text += f"\n{tr(lang, 'Kode', 'Code')}: {value.code}"
            return text + "\n" + tr(lang, f"{units} enheder", f"{units} units")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # not ItemIsUserCheckable: a click anywhere on the row ticks (the view's
        # `clicked`), and the check box would tick a second time
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
