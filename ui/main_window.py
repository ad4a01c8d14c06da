"""The main window: start page, tree with search, date bar, docked panels, status bar.

The window owns the AppState that every panel listens to. It opens files through
a LoadTask (the register is swapped in only when the new one loaded), builds its
menus from the action registry and keeps its layout in the settings registry: the
docks (with the tab that was in front) and the tree's columns, whose name column
never gets narrower than NAME_MIN_CHARS characters however the window is sized.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QChildEvent,
    QElapsedTimer,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui import actions as act
from ui import settings as st
from ui.app_state import AppState
from ui.load_task import Loader, LoadTask
from ui.messages import load_error_text
from ui.models.tree_model import CHILD_COUNT_ROLE, GROUP_ID, TreeModel
from ui.widgets.date_bar import DateBar, format_date
from ui.widgets.start_page import StartPage

APP_NAME = "SOR Viewer"
DEMO_NOTICE = "Synthetic demo data - not the real SOR"
DEMO_FILE = "sor_demo_1500_seed7.zip"
SEARCH_DEBOUNCE_MS = 200
#: the panels are built this long after the window first shows (they import pandas)
DOCKS_DELAY_MS = 30
RESULT_LIMIT = 200
#: a filtered tree is expanded fully when it has at most this many matches
EXPAND_MATCHES = 300
#: the tree's name column keeps room for this many average characters (and 220 px)
NAME_MIN_CHARS = 24
NAME_MIN_PX = 220
#: SOR ids are mostly 14 digits: the id column is not squeezed below that
ID_MIN_DIGITS = 14
#: the columns that give up width for the name column, first to last: unit type, SOR
#: level, SHAK code, SOR id
SHRINK_ORDER = (3, 2, 4, 1)

#: what the status bar calls each file format (Danish, English)
FORMAT_NAMES = {
    "sor2-zip": ("SOR2 med historik (Sor_complete.zip)", "SOR2 with history (Sor_complete.zip)"),
    "sor2-csv": ("SOR2 dagsfil (SorEntity_daily.csv)", "SOR2 daily file (SorEntity_daily.csv)"),
    "sor-xml": ("SOR XML", "SOR XML"),
}

#: (module under ui.widgets, class name) of the panels docked on the right, tabbed in
#: this order; a class that the module does not (yet) have is left out
PANELS: tuple[tuple[str, str], ...] = (
    ("details_panel", "OverviewPanel"),
    ("details_panel", "DetailsPanel"),
    ("history_panel", "HistoryPanel"),
    ("edi_panel", "EanEdiPanel"),
    ("details_panel", "AllFieldsPanel"),
    ("mapping_panel", "MappingPanel"),
    ("edi_panel", "EdiPanel"),
    ("changes_panel", "ChangesPanel"),
)

#: dock titles (Danish, English) by panel class; a panel's own `title` is the fallback
DOCK_TITLES = {
    "OverviewPanel": ("Overblik", "Overview"),
    "DetailsPanel": ("Detaljer", "Details"),
    "HistoryPanel": ("Historik", "History"),
    "EanEdiPanel": ("EAN/EDI", "EAN/EDI"),
    "AllFieldsPanel": ("Alle felter", "All fields"),
    "MappingPanel": ("SHAK/SOR", "SHAK/SOR"),
    "EdiPanel": ("EDI-modtagere", "EDI recipients"),
    "ChangesPanel": ("Ændringer", "Changes"),
}

#: the load stages shown beside the progress bar
_STAGES = {
    "read": ("Læser filen", "Reading the file"),
    "build": ("Bygger registeret", "Building the register"),
    "prepare": ("Forbereder søgning", "Preparing search"),
}

ABOUT_TEXT_DA = """<h3>SOR Viewer {version}</h3>
<p>En offline visning af Sundhedsvæsenets Organisationsregister (SOR).</p>
<p><b>Datakilde.</b> SOR udgives af Sundhedsdatastyrelsen på
<i>sor-filer.sundhedsdata.dk</i>. SOR Viewer læser kun den fil, du selv har hentet, og
sender intet nogen steder hen. Programmet er ikke lavet, kontrolleret eller godkendt af
Sundhedsdatastyrelsen; brug det officielle register, når der skal træffes beslutninger.</p>
<p>Demo-registeret er syntetisk: opdigtede navne, koder og adresser i SOR's form.</p>"""

ABOUT_TEXT = """<h3>SOR Viewer {version}</h3>
<p>An offline viewer for Sundhedsvæsenets Organisationsregister (SOR), the Danish
register of health-care organisations.</p>
<p><b>Data source.</b> SOR is published by Sundhedsdatastyrelsen (the Danish Health Data
Authority) at <i>sor-filer.sundhedsdata.dk</i>. SOR Viewer only reads the file you
downloaded yourself and sends nothing anywhere. It is not made, checked or endorsed by
Sundhedsdatastyrelsen; for decisions, check the official register.</p>
<p>The demo register is synthetic: made-up names, ids and addresses in the shape of SOR.</p>"""


def demo_path() -> str:
    """Where the generated demo register is kept (made once, then reused)."""
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("sorviewer", appauthor=False), DEMO_FILE)


def demo_loader(path: str, progress: Any, cancelled: Any) -> Any:
    """Generate the demo register on first use, then load it like any file."""
    import sorviewer
    from sorviewer.errors import LoadError

    if not os.path.exists(path):
        try:
            from sorviewer import synthetic
        except ImportError as exc:
            raise LoadError("The demo register is not available in this version.") from exc
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".part"
        try:
            synthetic.generate(tmp, entities=1500, seed=7)
            os.replace(tmp, path)
        except OSError as exc:
            raise LoadError(f"The demo register could not be written: {exc.strerror}.") from exc
    return sorviewer.load(path, progress=progress, cancelled=cancelled)


def tsv(header: list[str], rows: list[list[str]]) -> str:
    """Tab-separated text for the clipboard (sorviewer.export.to_tsv when present)."""
    try:
        from sorviewer.export import to_tsv
    except ImportError:

        def clean(v: str) -> str:
            return v.replace("\t", " ").replace("\r", " ").replace("\n", " ")

        lines = ["\t".join(clean(v) for v in r) for r in [header, *rows]]
        return "\n".join(lines) + "\n"
    return str(to_tsv(header, rows))


def tr(lang: str, da: str, en: str) -> str:
    """The Danish or English wording of a window string."""
    return da if lang == "da" else en


class TreeDelegate(QStyledItemDelegate):
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
        text = f"{count:,}".replace(",", ".")
        font = QFont(option.font)  # type: ignore[attr-defined]
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        width = option.fontMetrics.horizontalAdvance(text) + 12  # type: ignore[attr-defined]
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        # the row background across the whole cell, then the item in the narrowed cell
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        narrow = QStyleOptionViewItem(option)
        narrow.rect = option.rect.adjusted(0, 0, -width, 0)  # type: ignore[attr-defined]
        super().paint(painter, narrow, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.save()
        painter.setFont(font)
        painter.setPen(option.palette.color(role))  # type: ignore[attr-defined]
        rect = option.rect.adjusted(0, 0, -6, 0)  # type: ignore[attr-defined]
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text
        )
        painter.restore()


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
        self._fitting = False
        self.header().sectionResized.connect(self._on_header_section_resized)

    # --- the name column ------------------------------------------------------------

    def name_min_width(self) -> int:
        """The least width of the name column: NAME_MIN_CHARS average characters beside
        the level badge and two levels of indentation, and at least NAME_MIN_PX."""
        text = self.fontMetrics().averageCharWidth() * NAME_MIN_CHARS
        return max(NAME_MIN_PX, text + self.iconSize().width() + 2 * self.indentation())

    def column_floor(self, col: int) -> int:
        """How narrow fitting may show column `col`: its header label, the id column its
        ids too."""
        floor = self.header().sectionSizeHint(col)
        if col == 1:
            floor = max(floor, self.fontMetrics().horizontalAdvance("0" * ID_MIN_DIGITS) + 16)
        return max(floor, 40)

    def take_column_widths(self) -> None:
        """Adopt the header's current widths (after restoreState) as the wanted ones, and
        fit: a saved state may carry another resize mode or a collapsed name column."""
        header = self.header()
        header.setStretchLastSection(False)
        for col in range(header.count()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.wanted_widths = {c: header.sectionSize(c) for c in range(1, header.count())}
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
        cols = [c for c in range(1, header.count()) if not header.isSectionHidden(c)]
        widths = {c: self.wanted_widths.get(c, header.sectionSize(c)) for c in cols}
        need = self.name_min_width()
        short = need + sum(widths.values()) - avail
        # the unit type elides gracefully and gives first, the SOR id last
        for c in sorted(cols, key=lambda c: SHRINK_ORDER.index(c) if c in SHRINK_ORDER else -1):
            if short <= 0:
                break
            give = min(short, max(0, widths[c] - self.column_floor(c)))
            widths[c] -= give
            short -= give
        self._fitting = True
        try:
            for c in cols:
                if header.sectionSize(c) != widths[c]:
                    header.resizeSection(c, widths[c])
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
        if value >= self.verticalScrollBar().maximum() and isinstance(model, TreeModel):
            model.fetch_more()

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


class MainWindow(QMainWindow):
    """See the module docstring. `loader` replaces sorviewer.load (tests)."""

    def __init__(
        self,
        settings: st.Settings | None = None,
        loader: Loader | None = None,
        state: AppState | None = None,
        icon: QIcon | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.settings = settings or st.Settings()
        self.state = state or AppState(self)
        self.icon = icon or QIcon()
        if not self.icon.isNull():
            self.setWindowIcon(self.icon)
        self.path = ""
        self.is_demo = False
        self.panels: dict[str, QWidget] = {}
        self.docks: list[QDockWidget] = []
        self._dock_classes: dict[QDockWidget, str] = {}
        self._docks_built = False
        self._report_dialog: Any = None
        self._workspace_docks: dict[str, bool] = {}
        self._loading_demo = False
        self._load_stage = "read"
        self._load_percent = 0
        self._load_clock = QElapsedTimer()
        self._splitter_restored = False
        self._expanded_before_filter: list[int] = []  # tree rows open before a filter
        self._layout_restored = False
        #: the dock whose tab was in front (hiding all docks for the start page loses it)
        self._front_dock: QDockWidget | None = None
        #: True while the window itself hides or shows the docks: the tabs that come to
        #: the front meanwhile are not the user's choice
        self._moving_docks = False
        self.tabifiedDockWidgetActivated.connect(self._on_tabified_dock_activated)

        self.load_task = LoadTask(loader, self)
        self.load_task.started.connect(self._on_load_started)
        self.load_task.progressed.connect(self._on_load_progressed)
        self.load_task.staged.connect(self._on_load_staged)
        self.load_task.finished.connect(self._on_load_finished)
        self.load_task.failed.connect(self._on_load_failed)
        self.load_task.cancelled.connect(self._on_load_cancelled)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(500)
        self._clock_timer.timeout.connect(self._show_load_progress)

        self.model = TreeModel(self)
        self._build_central()
        self._build_status_bar()
        self.actions = act.build_actions(self)
        self._build_menus()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)

        self.state.register_changed.connect(self._on_state_register_changed)
        self.state.as_of_changed.connect(self._on_state_as_of_changed)
        self.state.selection_changed.connect(self._on_state_selection_changed)
        self.state.show_in_tree_requested.connect(self._on_state_show_in_tree)
        self.state.language_changed.connect(self._on_state_language_changed)

        self.setAcceptDrops(True)
        self._restore_settings()
        self._show_start_page()
        self._update_title()
        self._update_actions()

    # --- construction -----------------------------------------------------------------

    def _build_central(self) -> None:
        self.start_page = StartPage(self.icon)
        self.start_page.open_requested.connect(self.open_file_dialog)
        self.start_page.demo_requested.connect(self.open_demo)
        self.start_page.recent_requested.connect(self.open_path)

        self.banner = QLabel(DEMO_NOTICE)
        self.banner.setObjectName("DemoBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        self.date_bar = DateBar(self.state)
        self.tree_pane = TreePane(self.model)
        self.tree = self.tree_pane.tree
        self.search = self.tree_pane.search
        self.results = self.tree_pane.results
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return)
        self.results.itemActivated.connect(self._on_result_activated)
        self.results.itemClicked.connect(self._on_result_activated)
        self.results.customContextMenuRequested.connect(self._on_results_context_menu)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        # Esc in the search box, the results or the tree clears the filter
        for w in (self.search, self.results, self.tree):
            w.installEventFilter(self)

        workspace = QWidget()
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.date_bar)
        layout.addWidget(self.tree_pane, 1)
        self.workspace = workspace

        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(workspace)
        self.setCentralWidget(self.stack)
        self.setDockNestingEnabled(True)

    def ensure_docks(self) -> None:
        """Build the panel docks (once). Deferred until the window shows: the panels
        import pandas and pyarrow, which would otherwise delay the first paint."""
        if self._docks_built:
            return
        self._docks_built = True
        for module, cls_name in PANELS:
            name = f"ui.widgets.{module}"
            try:
                mod = importlib.import_module(name)
            except ImportError as exc:
                # the panel is not there yet; any other import failure is a real error
                if exc.name == name:
                    continue
                raise
            cls = getattr(mod, cls_name, None)
            if cls is None:
                continue
            panel = cls(self.state, self)
            dock = QDockWidget(str(getattr(panel, "title", cls_name)), self)
            dock.setObjectName(f"dock_{cls_name}")
            # A dock behind another tab stays "visible" to Qt (it is only moved away), and
            # the panels recompute on every date move while visible: so each panel sits
            # in a stack with an empty page, shown while its tab is not in front. (Hiding
            # the panel itself would shrink the dock area to the front panel's size hint.)
            holder = QStackedWidget()
            holder.setObjectName(f"holder_{cls_name}")
            holder.addWidget(panel)
            holder.addWidget(QWidget())
            dock.setWidget(holder)
            dock.visibilityChanged.connect(partial(self._on_dock_visibility_changed, dock, holder))
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.panels[cls_name] = panel
            self.docks.append(dock)
            self._dock_classes[dock] = cls_name
            self.panels_menu.addAction(dock.toggleViewAction())
        self._place_docks()
        self._front_dock = self.docks[0] if self.docks else None
        state = self.settings.get(st.WINDOW_STATE)
        self._layout_restored = False
        self._moving_docks = True
        try:
            if state is not None and not state.isEmpty():
                self._layout_restored = self.restoreState(state)
        finally:
            self._moving_docks = False
        if self._layout_restored:
            # restoreState makes new tab bars: they elide titles unless told not to
            self._unelide_tabs()
            front = self.settings.get(st.FRONT_DOCK)
            for dock in self.docks:
                if dock.objectName() == front and not dock.isHidden():
                    self._front_dock = dock
        self._workspace_docks = {d.objectName(): not d.isHidden() for d in self.docks}
        self._retranslate_docks()
        if self.stack.currentWidget() is not self.workspace:
            self._hide_docks()

    def _place_docks(self) -> None:
        first: QDockWidget | None = None
        for dock in self.docks:
            dock.setFloating(False)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if first is None:
                first = dock
            else:
                self.tabifyDockWidget(first, dock)
            dock.show()
        if first is not None:
            first.raise_()
        self._size_docks()

    def _size_docks(self) -> None:
        """The docks take two fifths of the window (the tree the rest); their tab titles
        are shown in full, with scroll buttons when they do not fit."""
        self._unelide_tabs()
        shown = [d for d in self.docks if d.isVisibleTo(self) and not d.isFloating()]
        if shown:
            width = max(440, self.width() * 2 // 5)
            self.resizeDocks(shown[:1], [width], Qt.Orientation.Horizontal)

    def _unelide_tabs(self) -> None:
        """Dock tab titles in full ("Historik", not "His…"), scroll buttons when they do
        not fit. The main window makes its tab bars as docks get tabbed (and anew on
        restoreState), so this runs after each of those and for every new tab bar."""
        for bar in self.findChildren(QTabBar):
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)

    def childEvent(self, event: QChildEvent) -> None:  # Qt override
        super().childEvent(event)
        child = event.child()
        if event.polished() and child.isWidgetType() and child.inherits("QTabBar"):
            self._unelide_tabs()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.file_label = QLabel()
        self.format_label = QLabel()
        self.snapshot_label = QLabel()
        self.units_label = QLabel()
        self.units_label.setObjectName("UnitsLabel")
        self.warnings_button = QPushButton()
        self.warnings_button.setObjectName("WarningsButton")
        self.warnings_button.setFlat(True)
        self.warnings_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.warnings_button.clicked.connect(self.show_report)
        self.progress = QProgressBar()
        self.progress.setObjectName("LoadProgress")
        self.progress.setRange(0, 1000)
        self.progress.setMinimumWidth(300)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("CancelLoad")
        self.cancel_button.clicked.connect(self.load_task.cancel)
        for w in (self.file_label, self.format_label, self.snapshot_label, self.units_label):
            bar.addPermanentWidget(w)
        bar.addPermanentWidget(self.warnings_button)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self._update_status()

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.language_menu = QMenu("&Language", self)
        group = QActionGroup(self)
        for aid in ("lang_da", "lang_en"):
            group.addAction(self.actions[aid])
            self.language_menu.addAction(self.actions[aid])
        self.asof_menu = QMenu("&Open files at", self)
        group = QActionGroup(self)
        for aid in ("asof_today", "asof_snapshot", "asof_last"):
            group.addAction(self.actions[aid])
            self.asof_menu.addAction(self.actions[aid])
        self.panels_menu = QMenu("&Panels", self)
        self.panels_menu.aboutToShow.connect(self.ensure_docks)
        self.menus = act.build_menus(
            self.menuBar(),
            self.actions,
            {
                "@recent": self.recent_menu,
                "@language": self.language_menu,
                "@asof": self.asof_menu,
                "@panels": self.panels_menu,
            },
        )
        for a in self.actions.values():
            self.addAction(a)  # shortcuts work while the menu bar is hidden too

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.recent_files()
        for path in paths:
            action = self.recent_menu.addAction(os.path.basename(path))
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction(self.tr_("(ingen)", "(none)")).setEnabled(False)

    # --- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.get(st.GEOMETRY)
        if geometry is not None and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(QSize(1280, 800))
        header = s.get(st.TREE_HEADER)
        if header is not None and not header.isEmpty() and self.tree.header().restoreState(header):
            self.tree.take_column_widths()
        splitter = s.get(st.SPLITTER)
        if splitter is not None and not splitter.isEmpty():
            self._splitter_restored = self.tree_pane.splitter.restoreState(splitter)
        lang = s.get(st.LANGUAGE)
        lang = lang if lang in ("da", "en") else "da"
        self.actions["lang_" + lang].setChecked(True)
        self.state.set_language(lang)
        self._on_state_language_changed(lang)
        self.actions["show_closed"].setChecked(bool(s.get(st.SHOW_CLOSED)))
        choice = s.get(st.AS_OF_CHOICE)
        self.actions["asof_" + (choice if choice in ("snapshot", "last") else "today")].setChecked(
            True
        )
        self.start_page.set_recent(s.recent_files())

    def save_settings(self) -> None:
        s = self.settings
        s.set(st.GEOMETRY, self.saveGeometry())
        if self.stack.currentWidget() is self.workspace and self._docks_built:
            s.set(st.WINDOW_STATE, self.saveState())
            if self._front_dock is not None:
                s.set(st.FRONT_DOCK, self._front_dock.objectName())
        s.set(st.TREE_HEADER, self.tree.header().saveState())
        if self.results.isVisible():
            s.set(st.SPLITTER, self.tree_pane.splitter.saveState())
        s.set(st.LANGUAGE, self.state.language)
        s.set(st.SHOW_CLOSED, self.model.show_closed)
        if self.state.register is not None:
            s.set(st.LAST_AS_OF, self.state.as_of.isoformat())
        s.sync()

    def initial_day(self, reg: Any) -> dt.date:
        """The as-of date a newly opened register starts at (settings choice).

        A file without history (the XML snapshot, the daily file) only describes its
        snapshot date, so it opens there whatever the choice: at today's date every
        unit of a years-old snapshot would look active."""
        choice = self.settings.get(st.AS_OF_CHOICE)
        snapshot = reg.source.snapshot_date
        if snapshot is not None and (choice == "snapshot" or not reg.source.has_history):
            return snapshot
        if choice == "last":
            try:
                return dt.date.fromisoformat(self.settings.get(st.LAST_AS_OF))
            except ValueError:
                pass
        return dt.date.today()

    # --- opening files ---------------------------------------------------------------------

    def open_file_dialog(self) -> None:
        start = self.settings.get(st.LAST_DIR) or os.path.expanduser("~")
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr_("Åbn en SOR-fil", "Open a SOR file"),
            start,
            self.tr_("SOR-filer", "SOR files")
            + " (*.zip *.csv *.xml);;"
            + self.tr_("Alle filer", "All files")
            + " (*)",
        )
        if path:
            self.open_path(path)

    def open_demo(self) -> None:
        self.open_path(demo_path(), demo=True)

    def open_path(self, path: str, demo: bool = False) -> bool:
        """Start loading `path`; the open register stays until the new one is ready."""
        if self.load_task.running:
            self.error(
                self.tr_(
                    "En anden fil indlæses stadig; vent på den eller annullér den først.",
                    "Another file is still loading; wait for it or cancel it first.",
                )
            )
            return False
        if not demo and not os.path.isfile(path):
            self.error(
                self.tr_(
                    f"Filen {path} findes ikke eller er ikke en fil.",
                    f"The file {path} does not exist or is not a file.",
                )
            )
            if path in self.settings.recent_files():
                self.start_page.set_recent(self.settings.remove_recent(path))
            return False
        self._loading_demo = demo
        return self.load_task.start(path, demo_loader if demo else None)

    def _on_load_started(self, path: str) -> None:
        self._load_stage = "read"
        self._load_percent = 0
        self._load_clock.start()
        self._clock_timer.start()
        self.progress.setValue(0)
        self._show_load_progress()
        self.progress.show()
        self.cancel_button.show()
        self.start_page.setEnabled(False)
        self.statusBar().showMessage(self.tr_(f"Indlæser {path} ...", f"Loading {path} ..."))

    def _on_load_progressed(self, done: int, total: int) -> None:
        value = int(done * 1000 / max(total, 1))
        self.progress.setValue(value)
        self._show_load_progress()

    def _on_load_staged(self, stage: str) -> None:
        self._load_stage = stage
        self._show_load_progress()

    def _show_load_progress(self) -> None:
        da, en = _STAGES.get(self._load_stage, _STAGES["read"])
        secs = self._load_clock.elapsed() / 1000 if self._load_clock.isValid() else 0.0
        self.progress.setFormat(f"{self.tr_(da, en)}: %p % · {secs:.0f} s")

    def _end_loading(self) -> None:
        self._clock_timer.stop()
        self._load_clock.invalidate()
        self.progress.hide()
        self.cancel_button.hide()
        self.start_page.setEnabled(True)
        self.statusBar().clearMessage()

    def _on_load_finished(self, reg: Any, path: str) -> None:
        self._end_loading()
        self.path = path
        self.is_demo = self._loading_demo
        if not self.is_demo:
            self.settings.set(st.LAST_DIR, os.path.dirname(os.path.abspath(path)))
            self.start_page.set_recent(self.settings.add_recent(path))
        self.state.set_as_of(self.initial_day(reg))
        self.state.set_register(reg)
        self._show_workspace()
        self.statusBar().showMessage(
            self.tr_(f"Åbnede {os.path.basename(path)}", f"Opened {os.path.basename(path)}"), 5000
        )

    def _on_load_failed(self, message: str, path: str) -> None:
        self._end_loading()
        detail = self.load_task.last_detail
        self.error(load_error_text(message, self.state.language), detail=detail)

    def _on_load_cancelled(self, path: str) -> None:
        self._end_loading()
        self.statusBar().showMessage(self.tr_("Indlæsning annulleret.", "Loading cancelled."), 5000)

    # --- state -> window --------------------------------------------------------------------

    def _on_state_register_changed(self, reg: Any) -> None:
        if self.search.text():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.results.hide()
        self.model.set_register(reg, self.state.as_of)
        if reg is not None and self.model.rowCount() <= 3:
            for r in range(self.model.rowCount()):
                self.tree.expand(self.model.index(r, 0))
        self.banner.setVisible(self.is_demo and reg is not None)
        if self._report_dialog is not None:
            self._report_dialog.close()
        self._report_dialog = None
        self._update_status()
        self._update_title()
        self._update_actions()

    def _on_state_as_of_changed(self, day: dt.date) -> None:
        cur = self.tree.currentIndex()
        before = self.model.entity_of(self.model.parent(cur)) if cur.isValid() else -1
        self.model.set_day(day)
        cur = self.tree.currentIndex()
        if cur.isValid() and self.model.entity_of(self.model.parent(cur)) != before:
            # the selected unit hangs elsewhere at the new date: open its new path
            for anc in self.model.ancestors(self.model.entity_of(cur)):
                self.tree.expand(anc)
            self.tree.scrollTo(cur, QAbstractItemView.ScrollHint.EnsureVisible)
        self._refresh_results()
        self._update_status()
        self._update_title()

    def _on_state_language_changed(self, lang: str) -> None:
        self.model.set_language(lang)
        self.start_page.set_language(lang)
        self.search.setPlaceholderText(
            self.tr_(
                "Søg: navn, SOR-kode, SHAK, EAN, ydernummer, postnummer, by (Ctrl+F)",
                "Search: name, SOR id, SHAK, EAN, provider no., postcode, town (Ctrl+F)",
            )
        )
        if hasattr(self, "menus"):
            act.retranslate(self.actions, self.menus, lang)
            self.recent_menu.setTitle(self.tr_("Åbn &seneste", "Open &recent"))
            self.language_menu.setTitle(self.tr_("&Sprog", "&Language"))
            self.asof_menu.setTitle(self.tr_("Åbn filer &på", "&Open files at"))
            self.panels_menu.setTitle(self.tr_("&Paneler", "&Panels"))
        self.banner.setText(self.tr_("Syntetiske demodata - ikke det rigtige SOR", DEMO_NOTICE))
        self.cancel_button.setText(self.tr_("Annullér", "Cancel"))
        self._retranslate_docks()
        self._refresh_results()
        self._update_status()
        self._update_title()

    def _retranslate_docks(self) -> None:
        lang = self.state.language
        for dock in self.docks:
            cls_name = self._dock_classes.get(dock, "")
            titles = DOCK_TITLES.get(cls_name)
            if titles is not None:
                dock.setWindowTitle(titles[0] if lang == "da" else titles[1])

    def _on_state_selection_changed(self, sor_id: str) -> None:
        if sor_id and self.model.sor_id_of(self.tree.currentIndex()) != sor_id:
            self.reveal(sor_id, quiet=True)

    def _on_state_show_in_tree(self, sor_id: str) -> None:
        self.reveal(sor_id)

    # --- tree -------------------------------------------------------------------------------

    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        sor_id = self.model.sor_id_of(current)
        if sor_id:
            self.state.select(sor_id)

    def reveal(self, sor_id: str, quiet: bool = False) -> bool:
        """Expand the path to `sor_id`, select it and scroll to it."""
        reg = self.state.register
        if reg is None:
            return False
        e = reg.entity_index(sor_id)
        if e < 0:
            if not quiet:
                self.error(
                    self.tr_(
                        f"SOR-koden {sor_id} findes ikke i denne fil.",
                        f"The SOR id {sor_id} is not in this file.",
                    )
                )
            return False
        self.model.ensure_fetched(e)
        idx = self.model.index_of_entity(e)
        if not idx.isValid() and self.model.filter_text:
            self.clear_filter()
            self.model.ensure_fetched(e)
            idx = self.model.index_of_entity(e)
        if not idx.isValid():
            if not quiet:
                day = format_date(self.state.as_of)
                self.statusBar().showMessage(
                    self.tr_(
                        f"{sor_id} findes ikke den {day}; slå Vis > Vis lukkede og fremtidige "
                        "enheder til for at se den.",
                        f"{sor_id} does not exist on {day}; turn on View > Show closed and "
                        "future units to see it.",
                    ),
                    8000,
                )
            return False
        for anc in self.model.ancestors(e):
            self.tree.expand(anc)
        self.tree.setCurrentIndex(idx)
        self.tree.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _on_tree_context_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        act.fill_menu(menu, act.TREE_CONTEXT_MENU, self.actions)
        single = len(self.selected_indexes()) == 1
        self.actions["export_subtree"].setEnabled(single)
        self.actions["copy_row"].setEnabled(bool(self.selected_indexes()))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        self._update_actions()

    def _on_results_context_menu(self, pos: Any) -> None:
        item = self.results.itemAt(pos)
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        menu = QMenu(self)
        act.fill_menu(menu, act.RESULTS_CONTEXT_MENU, self.actions)
        menu.exec(self.results.viewport().mapToGlobal(pos))

    def selected_indexes(self) -> list[QModelIndex]:
        """Selected unit rows (column 0) in tree order."""
        rows = [
            i for i in self.tree.selectionModel().selectedRows(0) if self.model.entity_of(i) >= 0
        ]
        if not rows:
            cur = self.tree.currentIndex()
            if self.model.entity_of(cur) >= 0:
                rows = [cur.siblingAtColumn(0)]
        rows.sort(key=self._tree_order_key)
        return rows

    def selected_sor_ids(self) -> list[str]:
        return [self.model.sor_id_of(i) for i in self.selected_indexes()]

    def target_entities(self) -> list[int]:
        """The units a copy or context action works on: the selected search results when
        the result list has the focus, else the tree selection (in tree order)."""
        if self.results.hasFocus() and self.results.isVisible():
            items = self.results.selectedItems() or [self.results.currentItem()]
            ents = [i.data(Qt.ItemDataRole.UserRole) for i in items if i is not None]
            return [int(e) for e in ents if e is not None]
        return [self.model.entity_of(i) for i in self.selected_indexes()]

    # --- search -----------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        text = self.search.text().strip()
        was = self.model.filter_text
        if text and not was:
            self._expanded_before_filter = self._expanded_nodes()
        self.model.set_filter(text)
        if was and not text:
            self._restore_expansion()
        if text and 0 < len(self.model.matches) <= EXPAND_MATCHES:
            self.tree.expandAll()
        if text:
            self.tree.scrollToTop()  # a new filter reads from the first match
        self._refresh_results()
        self._update_status()

    def _expanded_nodes(self) -> list[int]:
        """Internal ids (entity index, or the group's) of the expanded tree rows."""
        out: list[int] = []
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for r in range(self.model.rowCount(parent)):
                idx = self.model.index(r, 0, parent)
                if self.tree.isExpanded(idx):
                    out.append(int(idx.internalId()))
                    stack.append(idx)
        return out

    def _restore_expansion(self) -> None:
        """After a filter: the rows expanded before it, and the path to the selection
        (the filter opened every branch with a match; they close again)."""
        self.tree.collapseAll()
        for key in self._expanded_before_filter:
            if key != GROUP_ID:
                self.model.ensure_fetched(key)
            idx = self.model.index_of_entity(key)
            if idx.isValid():
                self.tree.expand(idx)
        self._expanded_before_filter = []
        cur = self.tree.currentIndex()
        if cur.isValid():
            for anc in self.model.ancestors(self.model.entity_of(cur)):
                self.tree.expand(anc)

    def clear_filter(self) -> None:
        """Esc: empty the search box and show the whole tree again (selection kept)."""
        if not self.search.text() and not self.model.filter_text:
            return
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._on_search_timer_timeout()
        cur = self.tree.currentIndex()
        if cur.isValid():
            self.tree.scrollTo(cur, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _refresh_results(self) -> None:
        results = self.results
        results.clear()
        text = self.model.filter_text
        snap = self.model.snapshot()
        if not text or snap is None or self.state.register is None:
            results.hide()
            return
        from sorviewer.search import find

        reg = self.state.register
        ents, cols = find(reg, snap, text)
        from sorviewer import schema

        for e, col in zip(ents[:RESULT_LIMIT].tolist(), cols, strict=False):
            name = self.model.entity_values(e)[0]
            where = "" if col == "EntityName" else f"  ({schema.label(col, self.state.language)})"
            item = QListWidgetItem(f"{name}  ·  {reg.ids[e]}{where}")
            item.setData(Qt.ItemDataRole.UserRole, int(e))
            results.addItem(item)
        if not len(ents):
            item = QListWidgetItem(self.tr_("Ingen resultater", "No matches"))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            results.addItem(item)
        elif len(ents) > RESULT_LIMIT:
            more = len(ents) - RESULT_LIMIT
            item = QListWidgetItem(self.tr_(f"... {more} flere", f"... {more} more"))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            results.addItem(item)
        if not results.isVisible() and not self._splitter_restored:
            rows = min(results.count(), 7)
            height = results.sizeHintForRow(0) * rows + 2 * results.frameWidth() + 4
            total = max(sum(self.tree_pane.splitter.sizes()), height * 2)
            self.tree_pane.splitter.setSizes([height, total - height])
        results.show()

    def _on_search_return(self) -> None:
        if self._search_timer.isActive():
            self._on_search_timer_timeout()
        item = self.results.currentItem() or (
            self.results.item(0) if self.results.count() else None
        )
        if item is not None and item.data(Qt.ItemDataRole.UserRole) is not None:
            self._on_result_activated(item)

    def _on_result_activated(self, item: QListWidgetItem) -> None:
        e = item.data(Qt.ItemDataRole.UserRole)
        reg = self.state.register
        if e is None or reg is None:
            return
        self.reveal(str(reg.ids[int(e)]))
        self.tree.setFocus()

    # --- action handlers ----------------------------------------------------------------

    def export_dialog(self, scope: str = "") -> None:
        reg = self.state.register
        if reg is None:
            return
        from ui.widgets.export_dialog import ExportDialog

        ids = [str(reg.ids[e]) for e in self.target_entities()]
        dlg = ExportDialog(
            reg,
            self.state.as_of,
            ids,
            self.settings.get(st.LAST_DIR),
            self,
            scope=scope,
            language=self.state.language,
            include_all=self.model.show_closed,
            filtered=[str(reg.ids[e]) for e in self.model.matches.tolist()],
            filter_text=self.model.filter_text,
        )
        if dlg.exec() and dlg.written:
            self.statusBar().showMessage(
                self.tr_(f"Eksporteret til {dlg.written}", f"Exported to {dlg.written}"), 8000
            )

    def export_subtree(self) -> None:
        self.export_dialog(scope="subtree")

    def show_report(self) -> None:
        reg = self.state.register
        if reg is None:
            return
        from ui.widgets.report_dialog import ReportDialog

        if self._report_dialog is None:
            title = self.tr_("Indlæsningsrapport", "Load report")
            dlg = ReportDialog(
                reg.report,
                f"{title} - {os.path.basename(self.path)}",
                self,
                language=self.state.language,
            )
            header = self.settings.get(st.REPORT_HEADER)
            if header is not None and not header.isEmpty():
                dlg.table.horizontalHeader().restoreState(header)
            dlg.finished.connect(self._on_report_finished)
            self._report_dialog = dlg
        self._report_dialog.show()
        self._report_dialog.raise_()

    def _on_report_finished(self, _result: int) -> None:
        if self._report_dialog is not None:
            self.settings.set(
                st.REPORT_HEADER, self._report_dialog.table.horizontalHeader().saveState()
            )

    def copy_selection(self) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, QLineEdit):
            focus.copy()
            return
        # a panel's table copies its own rows
        w = focus
        while w is not None and w is not self:
            if w not in (self.tree, self.results, self.tree_pane) and hasattr(w, "copy_selection"):
                w.copy_selection()
                return
            w = w.parentWidget()
        ents = self.target_entities()
        if not ents:
            return
        rows = [self.model.entity_values(e) for e in ents]
        QApplication.clipboard().setText(tsv(self.model.header_labels(), rows))
        self.statusBar().showMessage(
            self.tr_(f"Kopierede {len(rows)} rækker.", f"Copied {len(rows)} rows."), 4000
        )

    def copy_sor_id(self) -> None:
        reg = self.state.register
        ents = self.target_entities()
        if reg is None or not ents:
            return
        QApplication.clipboard().setText("\n".join(str(reg.ids[e]) for e in ents))

    def copy_ean(self) -> None:
        """The effective EAN (own or inherited) of each target unit, one a line."""
        reg = self.state.register
        ents = self.target_entities()
        if reg is None or not ents:
            return
        eans: list[str] = []
        for e in ents:
            view = reg.entity(str(reg.ids[e]), self.state.as_of) or {}
            ean = (view.get("attributes") or {}).get("EanLocationCode")
            if ean:
                eans.append(str(ean))
        if not eans:
            self.statusBar().showMessage(
                self.tr_("Ingen EAN-nummer på datoen.", "No EAN number at the date."), 5000
            )
            return
        QApplication.clipboard().setText("\n".join(eans))

    def copy_row(self) -> None:
        ents = self.target_entities()
        if not ents:
            return
        row = self.model.entity_values(ents[0])
        QApplication.clipboard().setText(tsv(self.model.header_labels(), [row]))

    def show_current_in_tree(self) -> None:
        reg = self.state.register
        ents = self.target_entities()
        if reg is not None and ents:
            self.reveal(str(reg.ids[ents[0]]))
            self.tree.setFocus()

    def _tree_order_key(self, index: QModelIndex) -> list[int]:
        key: list[int] = []
        while index.isValid():
            key.append(index.row())
            index = index.parent()
        return key[::-1]

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_show_closed(self, on: bool) -> None:
        self.model.set_show_closed(on)
        self._refresh_results()
        self._update_status()

    def set_language_da(self, on: bool) -> None:
        if on:
            self.state.set_language("da")

    def set_language_en(self, on: bool) -> None:
        if on:
            self.state.set_language("en")

    def set_as_of_choice_today(self, on: bool) -> None:
        if on:
            self.settings.set(st.AS_OF_CHOICE, "today")

    def set_as_of_choice_snapshot(self, on: bool) -> None:
        if on:
            self.settings.set(st.AS_OF_CHOICE, "snapshot")

    def set_as_of_choice_last(self, on: bool) -> None:
        if on:
            self.settings.set(st.AS_OF_CHOICE, "last")

    def reset_layout(self) -> None:
        self.ensure_docks()
        self._place_docks()
        self._front_dock = self.docks[0] if self.docks else None

    def expand_all(self) -> None:
        if self.model.visible_count() > 20000:
            self.statusBar().showMessage(
                self.tr_(
                    "Træet er for stort til at folde helt ud; filtrér det.",
                    "The tree is too large to expand fully; filter it.",
                ),
                6000,
            )
            return
        self.tree.expandAll()

    def collapse_all(self) -> None:
        self.tree.collapseAll()

    def show_about(self) -> None:
        import sorviewer

        text = ABOUT_TEXT_DA if self.state.language == "da" else ABOUT_TEXT
        QMessageBox.about(
            self,
            self.tr_(f"Om {APP_NAME}", f"About {APP_NAME}"),
            text.format(version=sorviewer.__version__),
        )

    # --- window helpers ----------------------------------------------------------------

    def tr_(self, da: str, en: str) -> str:
        return tr(self.state.language, da, en)

    def error(self, message: str, detail: str = "") -> None:
        """One sentence for the user; the technical detail is behind a button."""
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, message, parent=self)
        if detail:
            box.setDetailedText(detail)
        box.exec()

    def _on_dock_visibility_changed(
        self, dock: QDockWidget, holder: QStackedWidget, visible: bool
    ) -> None:
        holder.setCurrentIndex(0 if visible else 1)
        # a tab that comes to the front (clicked, raised by code, a restored layout) is
        # the one to bring back; tabifiedDockWidgetActivated misses raise_()
        if visible and not self._moving_docks and self.tabifiedDockWidgets(dock):
            self._front_dock = dock

    def _on_tabified_dock_activated(self, dock: QDockWidget) -> None:
        if not self._moving_docks:
            self._front_dock = dock

    def _show_start_page(self) -> None:
        self.stack.setCurrentWidget(self.start_page)
        self._hide_docks()

    def _hide_docks(self) -> None:
        # hiding a tab brings another to the front: not a choice to remember
        self._moving_docks = True
        try:
            for dock in self.docks:
                dock.hide()
        finally:
            self._moving_docks = False

    def _show_workspace(self) -> None:
        self.ensure_docks()
        if self.stack.currentWidget() is self.workspace:
            return
        self.stack.setCurrentWidget(self.workspace)
        self._moving_docks = True
        try:
            for dock in self.docks:
                dock.setVisible(self._workspace_docks.get(dock.objectName(), True))
        finally:
            self._moving_docks = False
        # showing the docks again brings the last one to the front; only the front tab
        # recomputes on date moves, so put back the one the user had
        if self._front_dock is not None and self._front_dock.isVisibleTo(self):
            self._front_dock.raise_()
        # after the layout took the shown docks in (it may make new tab bars)
        QTimer.singleShot(0, self._unelide_tabs if self._layout_restored else self._size_docks)

    def _update_title(self) -> None:
        title = APP_NAME
        if self.state.register is not None:
            day = format_date(self.state.as_of)
            title = f"{os.path.basename(self.path)} · {day} - {APP_NAME}"
            if self.is_demo:
                title += f" - {self.tr_('Syntetiske demodata', 'Synthetic demo data')}"
        self.setWindowTitle(title)

    def _update_actions(self) -> None:
        has = self.state.register is not None
        for spec in act.SPECS:
            if spec.needs_register:
                self.actions[spec.id].setEnabled(has)

    def _update_status(self) -> None:
        reg = self.state.register
        widgets = (
            self.file_label,
            self.format_label,
            self.snapshot_label,
            self.units_label,
            self.warnings_button,
        )
        if reg is None:
            for w in widgets:
                w.hide()
            self.tree_pane.count.setText("")
            return
        for w in widgets:
            w.show()
        src = reg.source
        self.file_label.setText(os.path.basename(self.path) + (" (demo)" if self.is_demo else ""))
        self.file_label.setToolTip(self.path)
        version = f" {src.format_version}" if src.format_version else ""
        kind = FORMAT_NAMES.get(src.format, (src.format, src.format))
        self.format_label.setText(f"{kind[0 if self.state.language == 'da' else 1]}{version}")
        self.format_label.setToolTip(src.format)
        snap = format_date(src.snapshot_date) if src.snapshot_date else "-"
        self.snapshot_label.setText(f"{self.tr_('Udtræk', 'Snapshot')}: {snap}")
        units = self.model.active_count()
        day = format_date(self.state.as_of)
        if self.state.language == "da":
            self.units_label.setText(f"{units:,} enheder den {day}".replace(",", "."))
        else:
            self.units_label.setText(f"{units:,} units on {day}")
        if self.model.filter_text:
            n = len(self.model.matches)
            if n:
                self.tree_pane.count.setText(
                    self.tr_(f"{n:,} fundet".replace(",", "."), f"{n:,} matches")
                )
            else:
                self.tree_pane.count.setText(self.tr_("Ingen fundet", "No matches"))
        else:
            self.tree_pane.count.setText("")
        warnings = reg.report.warnings
        self.warnings_button.setText(
            self.tr_(f"{warnings:,} datavarsler".replace(",", "."), f"{warnings:,} data warnings")
            if warnings
            else self.tr_("Ingen datavarsler", "No data warnings")
        )
        self.warnings_button.setToolTip(
            self.tr_("Vis indlæsningsrapporten", "Show the load report")
        )

    # --- Qt events -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and (self.search.text() or self.model.filter_text)
        ):
            self.clear_filter()
            return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._docks_built:
            # after the first paint: the panels pull in the data libraries
            QTimer.singleShot(DOCKS_DELAY_MS, self.ensure_docks)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            # open after the drop finished, so an error dialog does not block the drag
            path = urls[0].toLocalFile()
            QTimer.singleShot(0, lambda: self.open_path(path))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.load_task.running:
            self.load_task.cancel()
            self.load_task.wait()
        self.save_settings()
        if self._report_dialog is not None:
            self._report_dialog.close()
        super().closeEvent(event)
