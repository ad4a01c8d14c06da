"""The Units view's filter sidebar: free text, "under" a unit, and one section per facet.

Each facet section lists its values with the number of units each would give
together with the other filters (the core counts them all in the query's one call),
labels in the window's language and codes in the tooltips; a click ticks or unticks
a value (several ticked values of one facet: any of them). Long facets get a search
box, and the list is a virtualised QListView, so the 10,000 towns of a register are
as quick as the three levels. Postcodes take a range too, SHAK codes a prefix and
"own SHAK code only". `filters()` is the `sorviewer.find.Filters` the sidebar stands
for; `filters_changed` says it changed (typing waits for a pause).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QIntValidator, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sorviewer.find import FACETS, FacetValue, Filters, split_values
from ui.i18n import number, tr
from ui.models.facet_model import COUNT_ROLE, FacetModel
from ui.widgets.count_delegate import CountDelegate
from ui.widgets.labels import MutedLabel

#: each facet's title (Danish, English), in the order the sidebar lists them
FACET_TITLES: dict[str, tuple[str, str]] = {
    "status": ("Status på datoen", "Status at the date"),
    "level": ("Niveau", "Level"),
    "entity_type": ("Enhedstype", "Unit type"),
    "owner_type": ("Ejertype", "Owner type"),
    "main_speciality": ("Hovedspeciale", "Main speciality"),
    "speciality": ("Speciale (et af de otte)", "Speciality (any of the eight)"),
    "region": ("Region (besøgsadresse)", "Region (visiting address)"),
    "municipality": ("Kommune (besøgsadresse)", "Municipality (visiting address)"),
    "postcode": ("Postnummer (besøgsadresse)", "Postcode (visiting address)"),
    "town": ("By (besøgsadresse)", "Town (visiting address)"),
    "ean": ("Lokationsnummer (EAN)", "EAN location number"),
    "edi_type": ("Kan modtage EDI-type", "Can receive EDI type"),
    "shak": ("SHAK-kode (sygehus)", "SHAK code (hospital)"),
}
assert set(FACET_TITLES) == set(FACETS)

#: sections open when the sidebar is first shown (the others show their title only)
OPEN_FACETS = ("status", "level", "entity_type", "region", "ean", "edi_type")
#: a facet with more values than this gets a search box
SEARCH_FROM = 10
#: rows a facet list shows before it scrolls
LIST_ROWS = 8
TEXT_DEBOUNCE_MS = 300


class FacetDelegate(CountDelegate):
    """The value with its check box, and its number of units right-aligned and greyed."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        count = index.data(COUNT_ROLE)
        text = number(int(count or 0), "da" if _is_danish(index) else "en")
        self.paint_with_count(painter, option, index, text)


def _is_danish(index: QModelIndex | QPersistentModelIndex) -> bool:
    model = index.model()
    return getattr(model, "language", "da") == "da"


class FacetSection(QWidget):
    """One facet: a title that opens and closes it, a search box for long ones, the
    values (and, for postcodes and SHAK codes, their extra inputs)."""

    changed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None, opened: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"facet_{name}")
        self.language = "da"
        self.model = FacetModel(self)
        self.model.checked_changed.connect(self.changed)
        self.model.modelReset.connect(self._fit)
        self.model.dataChanged.connect(self._on_model_data_changed)
        self.title = QToolButton(self)
        self.title.setObjectName("FacetTitle")
        self.title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.title.setAutoRaise(True)
        self.title.setCheckable(True)
        self.title.setChecked(opened)
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.title.toggled.connect(self._on_title_toggled)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.model.set_search)
        self.view = QListView(self)
        self.view.setObjectName(f"facet_list_{name}")
        self.view.setModel(self.model)
        self.view.setItemDelegate(FacetDelegate(self.view))
        self.view.setUniformItemSizes(True)  # virtualised: 10,000 values cost a screenful
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.clicked.connect(self._on_view_clicked)
        self.view.installEventFilter(self)
        self.empty = MutedLabel(self)
        self._row_height = 0
        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(14, 0, 0, 4)
        body.setSpacing(2)
        body.addWidget(self.search)
        body.addWidget(self.view)
        body.addWidget(self.empty)
        self.extra = QVBoxLayout()
        self.extra.setSpacing(2)
        body.addLayout(self.extra)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self.body.setVisible(opened)
        self._fit()

    # --- state -----------------------------------------------------------------------

    def set_values(self, values: Sequence[FacetValue]) -> None:
        self.model.set_values(values)
        self._update_title()

    def set_language(self, lang: str) -> None:
        self.language = lang
        self.model.set_language(lang)
        self.search.setPlaceholderText(tr(lang, "Søg i listen", "Search the list"))
        self.empty.setText(
            tr(lang, "Ingen værdier blandt enhederne.", "No values among the units.")
        )
        self._update_title()

    def open(self, on: bool = True) -> None:
        self.title.setChecked(on)

    def is_open(self) -> bool:
        return self.title.isChecked()

    def checked(self) -> tuple[str, ...]:
        return self.model.checked_codes()

    def set_checked(self, codes: Sequence[str]) -> None:
        self.model.set_checked(codes)
        self._update_title()

    def _update_title(self) -> None:
        da, en = FACET_TITLES[self.name]
        lang = self.language
        text = tr(lang, da, en)
        n = len(self.model.checked)
        if n:
            text += f"  ({tr(lang, f'{n} valgt', f'{n} chosen')})"
        self.title.setText(text)
        self.title.setArrowType(
            Qt.ArrowType.DownArrow if self.title.isChecked() else Qt.ArrowType.RightArrow
        )

    # --- events ----------------------------------------------------------------------

    def _on_title_toggled(self, on: bool) -> None:
        self.body.setVisible(on)
        self._update_title()

    def _on_view_clicked(self, index: QModelIndex) -> None:
        self.model.toggle(index.row())
        self._update_title()

    def _on_model_data_changed(self, *_args: object) -> None:
        self._update_title()

    def eventFilter(self, watched: object, event: object) -> bool:  # Qt override
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QKeyEvent

        view: QListView | None = getattr(self, "view", None)  # Qt may ask while torn down
        if (
            view is not None
            and watched is view
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Space
        ):
            cur = view.currentIndex()
            if cur.isValid():
                self._on_view_clicked(cur)
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _fit(self) -> None:
        """The list as tall as its values, up to LIST_ROWS; the search box for long ones.
        Only what changed is set: each setter relayouts the whole sidebar."""
        n = self.model.rowCount()
        total = self.model.value_count()
        _set_visible(self.search, total > SEARCH_FROM or bool(self.search.text()))
        if self._row_height <= 0 and n:
            self._row_height = self.view.sizeHintForRow(0)
        row_h = self._row_height if self._row_height > 0 else self.fontMetrics().height() + 2
        rows = min(max(n, 1), LIST_ROWS)
        height = rows * row_h + 2 * self.view.frameWidth() + 2
        if self.view.maximumHeight() != height or self.view.minimumHeight() != height:
            self.view.setFixedHeight(height)
        _set_visible(self.view, n > 0 or bool(self.search.text()))
        _set_visible(self.empty, total == 0)


def _set_visible(widget: QWidget, on: bool) -> None:
    if widget.isHidden() == on:
        widget.setVisible(on)


class FacetSidebar(QWidget):
    """See the module docstring."""

    filters_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FacetSidebar")
        self.language = "da"
        self._under: tuple[str, str] | None = None  # (SorId, label)
        self._quiet = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TEXT_DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)

        self.text = QLineEdit()
        self.text.setObjectName("UnitsText")
        self.text.setClearButtonEnabled(True)
        self.text.textChanged.connect(self._on_typed)
        self.under_label = QLabel()
        self.under_label.setObjectName("UnitsUnder")
        self.under_label.setWordWrap(True)
        self.under_clear = QToolButton()
        self.under_clear.setText("✕")
        self.under_clear.setAutoRaise(True)
        self.under_clear.clicked.connect(self.clear_under)
        self.under_row = QWidget()
        row = QHBoxLayout(self.under_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.under_label, 1)
        row.addWidget(self.under_clear)
        self.under_row.hide()
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("UnitsClearFilters")
        self.clear_button.clicked.connect(self.clear)

        self.sections: dict[str, FacetSection] = {}
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addWidget(self.text)
        lay.addWidget(self.under_row)
        for name in FACET_TITLES:
            section = FacetSection(name, inner, opened=name in OPEN_FACETS)
            section.changed.connect(self._emit)
            self.sections[name] = section
            lay.addWidget(section)
        self._build_postcode_range(self.sections["postcode"])
        self._build_shak_prefix(self.sections["shak"])
        lay.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(inner)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        top = QHBoxLayout()
        top.setContentsMargins(4, 0, 4, 0)
        self.heading = QLabel()
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        top.addWidget(self.heading, 1)
        top.addWidget(self.clear_button)
        outer.addLayout(top)
        outer.addWidget(self.scroll_area, 1)
        self.set_language("da")

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(max(280, self.fontMetrics().averageCharWidth() * 36), 600)

    def _build_postcode_range(self, section: FacetSection) -> None:
        self.post_from = QLineEdit()
        self.post_to = QLineEdit()
        for edit in (self.post_from, self.post_to):
            edit.setValidator(QIntValidator(0, 9999, edit))
            edit.setMaxLength(4)
            edit.textChanged.connect(self._on_typed)
        self.post_from.setObjectName("UnitsPostFrom")
        self.post_to.setObjectName("UnitsPostTo")
        self.post_label = QLabel()
        self.post_dash = QLabel("–")
        row = QHBoxLayout()
        row.addWidget(self.post_label)
        row.addWidget(self.post_from, 1)
        row.addWidget(self.post_dash)
        row.addWidget(self.post_to, 1)
        section.extra.addLayout(row)

    def _build_shak_prefix(self, section: FacetSection) -> None:
        self.shak_prefix = QLineEdit()
        self.shak_prefix.setObjectName("UnitsShakPrefix")
        self.shak_prefix.textChanged.connect(self._on_typed)
        self.shak_direct = QCheckBox()
        self.shak_direct.setObjectName("UnitsShakDirect")
        self.shak_direct.toggled.connect(self._emit)
        section.extra.addWidget(self.shak_prefix)
        section.extra.addWidget(self.shak_direct)

    # --- what the sidebar stands for ------------------------------------------------------

    def filters(self) -> Filters:
        s = self.sections
        postcode = list(s["postcode"].checked())
        lo, hi = self.post_from.text().strip(), self.post_to.text().strip()
        if lo or hi:
            postcode.append(f"{lo or '0'}-{hi or '9999'}")
        shak = list(s["shak"].checked())
        shak += [p for p in split_values(self.shak_prefix.text()) if p not in shak]
        status = s["status"].checked()
        return Filters(
            level=s["level"].checked(),
            status=status if status else ("all",),
            entity_type=s["entity_type"].checked(),
            owner_type=s["owner_type"].checked(),
            speciality=s["speciality"].checked(),
            main_speciality=s["main_speciality"].checked(),
            region=s["region"].checked(),
            municipality=s["municipality"].checked(),
            postcode=tuple(postcode),
            town=s["town"].checked(),
            ean=s["ean"].checked(),
            edi_type=s["edi_type"].checked(),
            shak=tuple(shak),
            shak_direct=self.shak_direct.isChecked(),
            under=(self._under[0],) if self._under else (),
            text=self.text.text().strip(),
        )

    def set_filters(self, f: Filters, under_label: str = "", emit: bool = True) -> None:
        """Show `f` (a saved filter, a cleared one); `filters_changed` follows once
        (unless `emit` is False)."""
        was, self._quiet = self._quiet, True
        try:
            for name, section in self.sections.items():
                values = getattr(f, name)
                if name == "status":
                    values = () if "all" in values else values
                if name == "postcode":
                    values = [v for v in values if "-" not in v]
                if name == "shak":
                    values = [v for v in values if len(v) == 4]
                section.set_checked(list(values))
            ranges = [v for v in f.postcode if "-" in v]
            lo, _, hi = ranges[0].partition("-") if ranges else ("", "", "")
            self.post_from.setText(lo.strip() if lo.strip() != "0" else "")
            self.post_to.setText(hi.strip() if hi.strip() != "9999" else "")
            self.shak_prefix.setText(", ".join(v for v in f.shak if len(v) != 4))
            self.shak_direct.setChecked(f.shak_direct)
            self.text.setText(f.text)
            if f.under:
                self._under = (f.under[0], under_label or f.under[0])
            else:
                self._under = None
            self._show_under()
        finally:
            self._quiet = was
        self._timer.stop()
        for section in self.sections.values():
            section._update_title()
        if emit:
            self._emit()

    def clear(self, emit: bool = True) -> None:
        """Every filter off, only units active at the date (the start)."""
        self.set_filters(Filters(), emit=emit)

    def set_under(self, sor_id: str, label: str) -> None:
        """Only the unit `sor_id` and everything below it (from the tree's menu)."""
        self._under = (sor_id, label)
        self._show_under()
        self._emit()

    def clear_under(self) -> None:
        if self._under is not None:
            self._under = None
            self._show_under()
            self._emit()

    def under(self) -> str:
        return self._under[0] if self._under else ""

    def set_facets(self, facets: dict[str, list[FacetValue]]) -> None:
        for name, values in facets.items():
            section = self.sections.get(name)
            if section is not None:
                section.set_values(values)

    def set_language(self, lang: str) -> None:
        self.language = lang
        for section in self.sections.values():
            section.set_language(lang)
        self.heading.setText(tr(lang, "Filtre", "Filters"))
        self.clear_button.setText(tr(lang, "Nulstil", "Clear"))
        self.clear_button.setToolTip(
            tr(
                lang,
                "Alle filtre fra: de aktive enheder på datoen",
                "Every filter off: the units active at the date",
            )
        )
        self.text.setPlaceholderText(
            tr(
                lang,
                "Fritekst: navn, SOR-kode, SHAK, EAN, ydernr., postnr., by",
                "Text: name, SOR id, SHAK, EAN, provider no., postcode, town",
            )
        )
        self.post_label.setText(tr(lang, "Fra", "From"))
        self.post_from.setPlaceholderText("0000")
        self.post_to.setPlaceholderText("9999")
        self.shak_prefix.setPlaceholderText(
            tr(lang, "SHAK-kode begynder med …", "SHAK code starts with …")
        )
        self.shak_direct.setText(
            tr(lang, "Kun enheder med egen SHAK-kode", "Only units with their own SHAK code")
        )
        self.under_clear.setToolTip(tr(lang, "Fjern dette filter", "Remove this filter"))
        self._show_under()

    # --- internals ----------------------------------------------------------------------

    def _show_under(self) -> None:
        if self._under is None:
            self.under_row.hide()
            return
        sid, label = self._under
        lang = self.language
        self.under_label.setText(
            tr(lang, f"Under: <b>{_esc(label)}</b> ({sid})", f"Under: <b>{_esc(label)}</b> ({sid})")
        )
        self.under_label.setToolTip(
            tr(
                lang,
                "Kun denne enhed og alt under den på datoen.",
                "Only this unit and everything below it at the date.",
            )
        )
        self.under_row.show()

    def _on_typed(self, _text: str) -> None:
        if not self._quiet:
            self._timer.start()

    def _emit(self) -> None:
        if self._quiet:
            return
        self._timer.stop()
        for section in self.sections.values():
            section._update_title()
        self.filters_changed.emit()

    def flush(self) -> None:
        """Apply typed text now instead of after the pause (Enter, tests)."""
        if self._timer.isActive():
            self._emit()


def _esc(text: str) -> str:
    from html import escape

    return escape(text, quote=False)
