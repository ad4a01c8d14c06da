"""Followed units: the units (or whole subtrees) the user follows, in their own place.

The tree's context menu follows and unfollows (`MainWindow.follow_selected`, ...); the
list lives in the settings by SOR id (`AppState.followed`). This panel lists them with
their names at the date and, while a comparison is open, how many units of each
entry differ between the two downloads; those come first. Selecting a row selects
the unit in the tree; "Følg ikke længere" removes the selected entries. The dock
opens when the user follows a unit (it is closed until then).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.app_state import AppState
from ui.i18n import number, tr
from ui.unit_labels import unit_name
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

#: the count of differing units beside the id: it is what the list is looked at for
KEYS = ("sor_id", "differs", "name", "scope")
#: the widest a name is fitted to (longer names elide), so the scope stays in view
NAME_WIDTH = 240


class FollowedPanel(LazyPanel):
    """The followed units; see the module docstring."""

    titles = ("Fulgte", "Followed")
    follows_selection = False
    shown_by_default = False

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._counts_key: tuple[Any, ...] | None = None
        self._counts: tuple[dict[str, int], int] = ({}, 0)
        state.followed_changed.connect(self._on_changed)
        state.comparison_changed.connect(self._on_changed)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.table = RecordsView(state, filterable=False)
        self.table.setObjectName("FollowedTable")
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self.unfollow_button = QPushButton(self)
        self.unfollow_button.setObjectName("Unfollow")
        self.unfollow_button.clicked.connect(self.unfollow_selected)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(self.table.frame, 1)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.unfollow_button)
        lay.addLayout(bar)
        self.retranslate()

    def retranslate(self) -> None:
        self.unfollow_button.setText(tr(self.lang, "Følg ikke længere", "Unfollow"))

    def _on_changed(self, *_args: object) -> None:
        self.mark_stale()

    def refresh(self) -> None:
        reg, lang, day = self.state.register, self.lang, self.state.as_of
        followed = self.state.followed
        comp = self.state.comparison
        counts: dict[str, int] = {}
        units = 0  # differing units under all entries (what the bar and Differences say)
        pending = comp is not None and not comp.complete  # the changed kinds still to come
        if comp is not None and followed and not pending:
            # kept per comparison and list: a date move only renames the rows
            key = (id(comp.diff), tuple(sorted(followed.items())))
            if self._counts_key != key:
                self._counts = differing_counts(comp, followed)
                self._counts_key = key
            counts, units = self._counts
        rows: list[tuple[Any, ...]] = []
        for sid, subtree in followed.items():
            name = unit_name(reg, sid, day) if reg is not None else None
            scope = (
                tr(lang, "med underenheder", "with subunits")
                if subtree
                else tr(lang, "enheden", "the unit")
            )
            differs = number(counts[sid], lang) if sid in counts else ""
            rows.append((sid, differs, name or "", scope))
        # while a comparison is open, the entries with differences first
        rows.sort(key=lambda r: (-counts.get(r[0], 0), r[2].lower(), r[0]))
        labels = (
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Forskelle", "Differences"),
            tr(lang, "Navn", "Name"),
            tr(lang, "Følges", "Followed"),
        )
        self.table.set_records(KEYS, labels, rows)
        self.table.resizeColumnsToContents()
        name_col = KEYS.index("name")
        self.table.setColumnWidth(name_col, min(self.table.columnWidth(name_col), NAME_WIDTH))
        self.table.fit_id_columns()
        changed = sum(1 for n in counts.values() if n)
        if not followed:
            text = tr(
                lang,
                "Du følger ingen enheder. Højreklik på en enhed i træet og vælg Følg.",
                "You follow no units. Right-click a unit in the tree and choose Follow.",
            )
        elif pending:
            text = tr(
                lang,
                f"{number(len(followed), lang)} fulgte. Sammenligningen er ikke færdig endnu …",
                f"{number(len(followed), lang)} followed. The comparison is not finished yet …",
            )
        elif comp is None:
            text = tr(
                lang,
                f"{number(len(followed), lang)} fulgte. Åbn en sammenligning for at se, "
                "hvilke der er ændret.",
                f"{number(len(followed), lang)} followed. Open a comparison to see which changed.",
            )
        else:
            n, total = number(changed, lang), number(len(followed), lang)
            text = tr(
                lang,
                f"{n} af {total} fulgte har forskelle i sammenligningen; "
                f"{number(units, lang)} {'enhed' if units == 1 else 'enheder'} i alt.",
                f"{n} of {total} followed have differences in the comparison; "
                f"{number(units, lang)} {'unit' if units == 1 else 'units'} in all.",
            )
        self.caption.setText(text)
        self.unfollow_button.setEnabled(bool(followed))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            sid = self.table.records.sor_id(self.table.source_row(current))
            if sid:
                self.state.select(sid)

    def unfollow_selected(self) -> None:
        ids = set(self.table.selected_sor_ids())
        if ids:
            self.state.set_followed({k: v for k, v in self.state.followed.items() if k not in ids})


def differing_counts(comp: Any, followed: dict[str, bool]) -> tuple[dict[str, int], int]:
    """Per followed entry: how many of its units differ; and how many in all."""
    from ui.comparison import followed_ids

    differing = {str(i) for i in comp.diff.differing_ids().tolist()}
    counts = {
        sid: len(followed_ids(comp, {sid: subtree}) & differing)
        for sid, subtree in followed.items()
    }
    return counts, len(followed_ids(comp, followed) & differing)
