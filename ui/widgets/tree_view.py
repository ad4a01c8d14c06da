"""The organisational tree's widgets: the view, its delegate, and the pane around it.

`OrgTreeView` shows the `TreeModel`; the model hands over the top level in chunks,
and the view asks for the next one when it is scrolled to the end (type-ahead,
select-all and End fetch the rest first). Its name column never gets narrower than
NAME_MIN_CHARS characters three levels down (four when the owners are grouped by
type) however the window is sized: the other columns give way first, down to their
headers; then the SOR level column (the badge in the name column says the same) and
the unit type step aside until there is room again. The SOR id column is never
narrower than the longest id of the file: an id is never cut. `TreeDelegate` draws
each unit's number of children in the name column; `TreePane` is the search box with
its match count, the search results, the tree and,
while closed and future units are shown, the legend of how they look.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QSplitter,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import number
from ui.models.tree_model import CHILD_COUNT_ROLE, TreeModel
from ui.widgets.count_delegate import CountDelegate
from ui.widgets.labels import StatusLegend

#: the tree's name column keeps room for this many average characters (and 220 px)
NAME_MIN_CHARS = 24
NAME_MIN_PX = 220
#: ... that many levels down (an owner, an institution, a unit: the third level)
NAME_MIN_LEVELS = 3
#: the id column is never narrower than the file's longest id (at least this many digits)
ID_MIN_DIGITS = 14
#: the columns that give up width for the name column, first to last: unit type, SOR
#: level, SHAK code (the SOR id never gives up any: ids are not cut)
SHRINK_ORDER = (3, 2, 4)
#: columns that step aside when even their headers do not fit beside the name and the
#: ids: the SOR level (the name's badge says it), then the unit type
HIDE_ORDER = (2, 3)


class TreeDelegate(CountDelegate):
    """Draws each unit's number of children, greyed and right-aligned, in the name column."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        count = index.data(CHILD_COUNT_ROLE)
        if not count:
            super().paint(painter, option, index)
            return
        font = QFont(option.font)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        # Danish thousands separators in either language, as the tree has always shown
        self.paint_with_count(painter, option, index, number(count, "da"), font, 12, 6)


class OrgTreeView(QTreeView):
    """The organisational tree. Its model hands over the top level in chunks: scrolled
    to the end, the view asks for the next one; type-ahead, select-all and End look at
    every top row, so they fetch the rest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # one chunk (TreeModel.TOP_CHUNK rows) is taller than any screen, so reaching the
        # end of the scroll range is the one moment more rows are needed
        self.verticalScrollBar().valueChanged.connect(self._on_scrollbar_value_changed)
        #: the widths the other columns are given (defaults, saved state, the user's
        #: drags); fitting the name column may show them narrower, never changes these
        self.wanted_widths: dict[int, int] = {}
        #: columns fitting has hidden for want of room (shown again when there is room)
        self.fit_hidden: set[int] = set()
        self._fitting = False
        self.header().sectionResized.connect(self._on_header_section_resized)

    # --- the name column ------------------------------------------------------------

    def name_min_width(self) -> int:
        """The least width of the name column: NAME_MIN_CHARS average characters
        NAME_MIN_LEVELS levels down, beside the level badge and the count of children,
        and at least NAME_MIN_PX."""
        metrics = self.fontMetrics()
        text = metrics.averageCharWidth() * NAME_MIN_CHARS
        count = metrics.horizontalAdvance("000") + 12  # TreeDelegate's child count
        model = self.model()
        grouped = isinstance(model, TreeModel) and model.grouped  # owners sit one deeper
        levels = (NAME_MIN_LEVELS + int(grouped)) * self.indentation()
        return max(NAME_MIN_PX, text + self.iconSize().width() + levels + count)

    def id_width(self) -> int:
        """The width the longest SOR id of the file takes in the id column (in bold: the
        filter's matches are bold), with the cell's margins."""
        model = self.model()
        digits = model.id_digits() if isinstance(model, TreeModel) else 0
        font = QFont(self.font())
        font.setBold(True)
        return QFontMetrics(font).horizontalAdvance("0" * max(digits, ID_MIN_DIGITS)) + 16

    def column_floor(self, col: int) -> int:
        """How narrow fitting may show column `col`: its header label; the id column its
        longest id."""
        floor = self.header().sectionSizeHint(col)
        if col == 1:
            floor = max(floor, self.id_width())
        return max(floor, 40)

    def take_column_widths(self) -> None:
        """Adopt the header's current widths (after restoreState) as the wanted ones, and
        fit: a saved state may carry another resize mode or a collapsed name column."""
        header = self.header()
        header.setStretchLastSection(False)
        for col in range(header.count()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            # a column fitting hid in a narrow window was saved hidden: fitting decides
            # again (the tree has no other way to hide a column)
            header.setSectionHidden(col, False)
        self.fit_hidden = set()
        self.wanted_widths = {
            c: header.sectionSize(c) or header.defaultSectionSize()
            for c in range(1, header.count())
        }
        if self.isVisible():  # else the first resize of the viewport fits them
            self.fit_columns()

    def fit_columns(self) -> None:
        """The name column takes the room the other columns leave, but never less than
        `name_min_width()`. When that does not fit, the other columns are shown narrower
        first (one after the other, down to their floors); then the header scrolls."""
        header = self.header()
        if self._fitting or header.count() == 0:
            return
        avail = self.viewport().width()
        cols = [
            c
            for c in range(1, header.count())
            if not header.isSectionHidden(c) or c in self.fit_hidden
        ]
        widths = {c: self.wanted_widths.get(c, header.sectionSize(c)) for c in cols}
        if 1 in widths:
            widths[1] = max(widths[1], self.id_width())  # an id is never cut
        need = self.name_min_width()
        short = need + sum(widths.values()) - avail
        # the unit type elides gracefully and gives first, the SHAK code last
        for c in sorted(cols, key=lambda c: SHRINK_ORDER.index(c) if c in SHRINK_ORDER else 99):
            if short <= 0 or c not in SHRINK_ORDER:
                break
            give = min(short, max(0, widths[c] - self.column_floor(c)))
            widths[c] -= give
            short -= give
        hide: set[int] = set()
        for c in HIDE_ORDER:  # still too narrow: these step aside, the level first
            if short <= 0:
                break
            if c in widths:
                hide.add(c)
                short -= widths.pop(c)
        self._fitting = True
        try:
            for c in cols:
                header.setSectionHidden(c, c in hide)
            self.fit_hidden = hide
            for c, width in widths.items():
                if header.sectionSize(c) != width:
                    header.resizeSection(c, width)
            header.resizeSection(0, max(need, avail - sum(widths.values())))
        finally:
            self._fitting = False

    def _on_header_section_resized(self, col: int, _old: int, new: int) -> None:
        if self._fitting or col == 0:
            return
        # the user (or the code setting defaults) sized a column: it is wanted so, and
        # the name column takes up what is left
        self.wanted_widths[col] = new
        self._fitting = True
        try:
            others = sum(
                self.header().sectionSize(c)
                for c in range(1, self.header().count())
                if not self.header().isSectionHidden(c)
            )
            self.header().resizeSection(
                0, max(self.name_min_width(), self.viewport().width() - others)
            )
        finally:
            self._fitting = False

    def viewportEvent(self, event: QEvent) -> bool:  # Qt override
        handled = super().viewportEvent(event)
        if event.type() == QEvent.Type.Resize:
            self.fit_columns()  # the window, or a scroll bar coming or going
        return handled

    def _on_scrollbar_value_changed(self, value: int) -> None:
        model = self.model()
        if not isinstance(model, TreeModel):
            return
        if value >= self.verticalScrollBar().maximum():
            model.fetch_more()
        if model.grouped:
            self._fetch_shown_groups(model)

    def _fetch_shown_groups(self, model: TreeModel) -> None:
        """A grouped top level hands a group's owners over in chunks: when the last one
        handed over is among the rows shown, ask for the next chunk."""
        idx = self.indexAt(QPoint(1, 1))
        rows = self.viewport().height() // max(self.sizeHintForRow(0), 1) + 2
        for _ in range(rows):
            if not idx.isValid() or model.fetch_more_at(idx):
                return
            idx = self.indexBelow(idx)

    def _fetch_all(self) -> None:
        model = self.model()
        if isinstance(model, TreeModel) and not model.fetched_all():
            model.ensure_fetched(-1)

    def keyboardSearch(self, search: str) -> None:  # Qt override
        self._fetch_all()
        super().keyboardSearch(search)

    def selectAll(self) -> None:  # Qt override
        self._fetch_all()
        super().selectAll()

    def expandAll(self) -> None:  # Qt override
        self._fetch_all()
        super().expandAll()

    def moveCursor(  # Qt override
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        if cursorAction == QAbstractItemView.CursorAction.MoveEnd:
            self._fetch_all()
        return super().moveCursor(cursorAction, modifiers)


class TreePane(QWidget):
    """Search box with its match count, the search results above the tree, the tree."""

    def __init__(self, model: TreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.search = QLineEdit()
        self.search.setObjectName("SearchBox")
        self.search.setClearButtonEnabled(True)
        self.tree = OrgTreeView()
        self.tree.setObjectName("OrgTree")
        self.tree.setModel(model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # only the name column draws counts: the other columns keep Qt's own delegate, so
        # a repaint calls no Python paint() for them
        self.tree.setItemDelegateForColumn(0, TreeDelegate(self.tree))
        self.tree.setIconSize(QSize(22, 14))
        header = self.tree.header()
        header.setStretchLastSection(False)
        # every column Interactive: the view fits the name column itself (a Stretch
        # section has no minimum of its own and shrank names to a few letters)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        digits = self.fontMetrics().horizontalAdvance("0" * 18)  # SOR ids have up to 18 digits
        for col, width in ((1, digits + 16), (2, 84), (3, 150), (4, 80)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.results = QListWidget()
        self.results.setObjectName("SearchResults")
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.hide()
        self.count = QLabel()
        self.count.setObjectName("TreeCount")
        #: how closed and future units look (shown while they are in the tree)
        self.legend = StatusLegend()
        self.legend.setContentsMargins(2, 1, 2, 2)
        self.legend.hide()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("TreeSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(self.tree)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([150, 600])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(3)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.legend)
