"""Choose the Units view's columns: every SOREntity column and the derived ones.

Two lists: the columns that can be added (every known column, `sorviewer.columns.
known_columns`: the file's SOREntity columns with their effective values, then the
derived ones: status, parent, health institution and owner names, EAN state, the
`...Source` columns saying own or inherited and from where, and `Effective...`), with
a search box over labels and column names; and the chosen ones in the order the
table, the clipboard and the exports use, which can be reordered. Labels are in the
window's language, each column's name as the file spells it is beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sorviewer.text import fold_text
from ui.i18n import name_buttons, tr
from ui.models.units_model import DEFAULT_COLUMNS, column_label

_NAME = Qt.ItemDataRole.UserRole + 1


class ColumnChooser(QDialog):
    """See the module docstring; `chosen()` after `exec()` gives the columns."""

    def __init__(
        self,
        known: Sequence[str],
        chosen: Sequence[str],
        lang: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ColumnChooser")
        self.lang = lang
        self.known = list(known)
        self.setWindowTitle(tr(lang, "Kolonner i Enheder", "Columns of Units"))
        self.search = QLineEdit()
        self.search.setObjectName("ColumnSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(tr(lang, "Søg kolonne", "Search columns"))
        self.search.textChanged.connect(self._fill_available)
        self.available = QListWidget()
        self.available.setObjectName("ColumnsAvailable")
        self.available.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.available.itemDoubleClicked.connect(lambda _i: self.add_selected())
        self.shown = QListWidget()
        self.shown.setObjectName("ColumnsChosen")
        self.shown.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.shown.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.shown.itemDoubleClicked.connect(lambda _i: self.remove_selected())
        for c in chosen:
            self.shown.addItem(self._item(c))

        add = QPushButton(tr(lang, "Tilføj →", "Add →"))
        add.clicked.connect(self.add_selected)
        remove = QPushButton(tr(lang, "← Fjern", "← Remove"))
        remove.clicked.connect(self.remove_selected)
        up = QPushButton(tr(lang, "Op", "Up"))
        up.clicked.connect(lambda: self.move_selected(-1))
        down = QPushButton(tr(lang, "Ned", "Down"))
        down.clicked.connect(lambda: self.move_selected(1))
        reset = QPushButton(tr(lang, "Standard", "Defaults"))
        reset.clicked.connect(self.reset)
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        for b in (add, remove, up, down, reset):
            buttons.addWidget(b)
        buttons.addStretch(1)

        grid = QGridLayout()
        grid.addWidget(QLabel(tr(lang, "Kan tilføjes", "Available")), 0, 0)
        grid.addWidget(QLabel(tr(lang, "Vises, i denne rækkefølge", "Shown, in this order")), 0, 2)
        grid.addWidget(self.search, 1, 0)
        grid.addWidget(self.available, 2, 0)
        grid.addLayout(buttons, 2, 1)
        grid.addWidget(self.shown, 1, 2, 2, 1)
        note = QLabel(
            tr(
                lang,
                "Adresser, lokationsnummer og SHAK-kode vises med den gældende værdi; en "
                "nedarvet værdi står i kursiv. Kolonnerne »…: kilde« siger, om værdien er "
                "enhedens egen, og hvorfra den ellers er nedarvet.",
                "Addresses, EAN and SHAK code show the value that applies; an inherited "
                'value is in italics. The "…: source" columns say whether the value is the '
                "unit's own, and otherwise where it is inherited from.",
            )
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        name_buttons(self.buttons, lang)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(920, 600)
        self._fill_available()

    def _item(self, column: str) -> QListWidgetItem:
        label = column_label(column, self.lang)
        item = QListWidgetItem(label if label == column else f"{label}  ·  {column}")
        item.setData(_NAME, column)
        item.setToolTip(column)
        return item

    def chosen(self) -> list[str]:
        return [str(self.shown.item(i).data(_NAME)) for i in range(self.shown.count())]

    def _fill_available(self) -> None:
        needle = fold_text(self.search.text().strip())
        taken = set(self.chosen())
        self.available.clear()
        for c in self.known:
            if c in taken:
                continue
            item = self._item(c)
            if needle and needle not in fold_text(item.text()):
                continue
            self.available.addItem(item)

    def add_columns(self, columns: Sequence[str]) -> None:
        taken = set(self.chosen())
        for c in columns:
            if c not in taken and c in self.known:
                self.shown.addItem(self._item(c))
                taken.add(c)
        self._fill_available()

    def add_selected(self) -> None:
        self.add_columns([str(i.data(_NAME)) for i in self.available.selectedItems()])

    def remove_selected(self) -> None:
        rows = sorted((self.shown.row(i) for i in self.shown.selectedItems()), reverse=True)
        for r in rows:
            if self.shown.count() > 1:  # at least one column stays
                self.shown.takeItem(r)
        self._fill_available()

    def move_selected(self, step: int) -> None:
        rows = sorted(self.shown.row(i) for i in self.shown.selectedItems())
        if not rows:
            return
        if step > 0:
            rows.reverse()
        for r in rows:
            to = r + step
            if 0 <= to < self.shown.count():
                item = self.shown.takeItem(r)
                self.shown.insertItem(to, item)
                item.setSelected(True)

    def reset(self) -> None:
        self.shown.clear()
        for c in DEFAULT_COLUMNS:
            self.shown.addItem(self._item(c))
        self._fill_available()
