"""The main window: start page, tree with search, date bar, docked panels, status bar.

The window owns the AppState that every panel listens to. It opens files through a
`ui.tasks.TaskRunner` running `ui.loading.load_register` (the register is swapped in
only when the new one loaded), builds its menus from the action registry and keeps
its layout in the settings registry: the docks (with the tab that was in front) and
the tree's columns (`ui.widgets.tree_view`).

Errors: a file that cannot be read is one sentence in the window's language (the
core's message, rendered); anything else raised while loading is a bug in the
program, logged with its traceback and shown as such (`ui.widgets.error_dialog`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QChildEvent,
    QElapsedTimer,
    QEvent,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import actions as act
from ui import settings as st
from ui.app_state import AppState
from ui.clipboard import copy_table, set_clipboard
from ui.collector import settle_heap
from ui.colours import status_font
from ui.comparison import (
    Comparison,
    Remembered,
    compare_task,
    file_key,
    read_followed,
    read_remembered,
    remembered_of,
    remembered_task,
    since_task,
    write_followed,
    write_remembered,
)
from ui.file_dialogs import get_open_file_name
from ui.formatting import format_date
from ui.i18n import number, pick, tr
from ui.loading import (
    DemoError,
    Loader,
    default_loader,
    demo_loader,
    demo_path,
    finish_register,
    load_register,
)
from ui.models.tree_model import COLUMNS as TREE_COLUMNS
from ui.models.tree_model import GROUP_ID, GROUP_MODES, TreeModel
from ui.tasks import TaskRunner
from ui.unit_labels import status_text
from ui.widgets.coverage_bar import CoverageBar
from ui.widgets.date_bar import DateBar
from ui.widgets.error_dialog import show_internal_error, show_user_error
from ui.widgets.labels import ElidedLabel
from ui.widgets.since_bar import SinceBar
from ui.widgets.start_page import StartPage
from ui.widgets.tree_view import TreePane

if TYPE_CHECKING:  # the panels pull in pandas: imported when the docks are built
    from ui.widgets.diff_panel import DifferencesPanel
    from ui.widgets.panel import LazyPanel
    from ui.widgets.units_view import UnitsView

log = logging.getLogger(__name__)

APP_NAME = "SOR Viewer"
DEMO_NOTICE = "Synthetic demo data - not the real SOR"
SEARCH_DEBOUNCE_MS = 200
#: the panels are built this long after the window first shows (they import pandas)
DOCKS_DELAY_MS = 30
RESULT_LIMIT = 200
#: a filtered tree is expanded fully when it has at most this many matches
EXPAND_MATCHES = 300
#: Qt's QWIDGETSIZE_MAX (the binding does not export it): no maximum width
NO_MAX_WIDTH = (1 << 24) - 1
#: how long after a comparison opened the heap is settled (`ui.collector`)
SETTLE_AFTER_COMPARE_MS = 2000
#: how long quitting waits for a running load or panel task to stop
QUIT_WAIT_MS = 15_000

#: what the status bar calls each file format (Danish, English)
FORMAT_NAMES = {
    "sor2-zip": ("SOR2 med historik (Sor_complete.zip)", "SOR2 with history (Sor_complete.zip)"),
    "sor2-csv": ("SOR2 dagsfil (SorEntity_daily.csv)", "SOR2 daily file (SorEntity_daily.csv)"),
    "sor-xml": ("SOR XML", "SOR XML"),
}


def first_focusable(widget: QWidget | None) -> QWidget | None:
    """The first widget in `widget`'s focus chain (itself or a child) that takes the
    keyboard and is shown, or None."""
    if widget is None:
        return None
    w: QWidget | None = widget
    for _ in range(10_000):  # bounded: the focus chain is a ring
        if w is None:
            return None
        if (
            (w is widget or widget.isAncestorOf(w))
            and w.isVisible()
            and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return w
        w = w.nextInFocusChain()
        if w is widget:
            return None
    return None


def default_panels() -> tuple[type[LazyPanel], ...]:
    """The panels docked on the right, tabbed in this order. Imported here, when the
    docks are built after the first paint: they pull in pandas and pyarrow."""
    from ui.widgets.changes_panel import ChangesPanel
    from ui.widgets.details_panel import AllFieldsPanel, OverviewPanel
    from ui.widgets.diff_panel import DifferencesPanel
    from ui.widgets.edi_panel import EanEdiPanel, EdiPanel
    from ui.widgets.followed_panel import FollowedPanel
    from ui.widgets.history_panel import HistoryPanel
    from ui.widgets.mapping_panel import MappingPanel

    return (
        OverviewPanel,
        HistoryPanel,
        EanEdiPanel,
        AllFieldsPanel,
        MappingPanel,
        EdiPanel,
        ChangesPanel,
        DifferencesPanel,
        FollowedPanel,
    )


#: the load stages shown beside the progress bar
_STAGES = {
    "read": ("Læser filen", "Reading the file"),
    "build": ("Bygger registeret", "Building the register"),
    "prepare": ("Forbereder søgning", "Preparing search"),
    "compare": ("Sammenligner", "Comparing"),
    "compare_rest": ("Sammenligner felter, SHAK og EAN/EDI", "Comparing fields, SHAK and EAN/EDI"),
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


class MainWindow(QMainWindow):
    """See the module docstring. `loader` replaces sorviewer.load and `panels` the
    docked panels (tests)."""

    def __init__(
        self,
        settings: st.Settings | None = None,
        loader: Loader | None = None,
        state: AppState | None = None,
        icon: QIcon | None = None,
        panels: Sequence[type[LazyPanel]] | None = None,
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
        self.loader: Loader = loader or default_loader
        self._panel_classes = panels
        self.panels: dict[str, LazyPanel] = {}
        self.docks: list[QDockWidget] = []
        #: View > Panels: bring each dock to the front (Alt+1, Alt+2, ...), docks' order
        self.panel_actions: list[QAction] = []
        self._dock_titles: dict[QDockWidget, tuple[str, str]] = {}
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
        #: fits the dock tabs to the window after a resize (coalesced: once per burst)
        self._tab_fit_timer = QTimer(self)
        self._tab_fit_timer.setSingleShot(True)
        self._tab_fit_timer.setInterval(0)
        self._tab_fit_timer.timeout.connect(self.fit_dock_tabs)

        #: the one load at a time: finished(path, register), failed(path, exception),
        #: cancelled(path)
        self.load_task = TaskRunner(self)
        self.load_task.started.connect(self._on_load_started)
        self.load_task.progressed.connect(self._on_load_progressed)
        self.load_task.staged.connect(self._on_load_staged)
        self.load_task.finished.connect(self._on_load_finished)
        self.load_task.failed.connect(self._on_load_failed)
        self.load_task.cancelled.connect(self._on_load_cancelled)
        #: after a load, once the window shows the register: the warm-up and the load
        #: cache write (ui.loading.finish_register); a newer file's replaces it
        self.finish_task = TaskRunner(self, latest_only=True)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(500)
        self._clock_timer.timeout.connect(self._show_load_progress)
        #: the second file of a comparison, loaded and compared while the first stays
        #: open: finished(path, Comparison), failed(path, exception), cancelled(path)
        self.compare_task = TaskRunner(self)
        self.compare_task.started.connect(self._on_compare_started)
        self.compare_task.progressed.connect(self._on_load_progressed)
        self.compare_task.staged.connect(self._on_compare_staged)
        self.compare_task.partial.connect(self._on_compare_partial)
        self.compare_task.finished.connect(self._on_compare_finished)
        self.compare_task.failed.connect(self._on_compare_failed)
        self.compare_task.cancelled.connect(self._on_compare_cancelled)
        #: when the user follows units, the since-last-time comparison is made ahead,
        #: quietly, so the bar can say how many of them changed: finished(Remembered,
        #: (Comparison, count)); a failure only leaves the bar as it was
        self.since_task = TaskRunner(self, latest_only=True)
        self.since_task.finished.connect(self._on_since_finished)
        self.since_task.failed.connect(self._on_since_failed)
        self._since_ready: tuple[Remembered, Comparison] | None = None
        #: the first step of the running comparison, once shown, and the comparison it
        #: replaced (put back when the second step fails or is cancelled)
        self._partial_shown: Comparison | None = None
        self._replaced: Comparison | None = None
        #: the comparison the window shows (its registers tell the whole comparison
        #: replacing its own first step from a new comparison)
        self._shown_comparison: Comparison | None = None
        self._open_when_ready = False

        self.model = TreeModel(self)
        self._build_central()
        self._build_status_bar()
        self.action_map = act.build_actions(self)
        self._build_menus()
        steps = {("day", -1): "day_back", ("day", 1): "day_forward"}
        steps.update({("month", -1): "month_back", ("month", 1): "month_forward"})
        steps.update({("year", -1): "year_back", ("year", 1): "year_forward"})
        self.date_bar.set_shortcut_hints(
            {
                key: self.action_map[aid]
                .shortcut()
                .toString(QKeySequence.SequenceFormat.NativeText)
                for key, aid in steps.items()
            }
        )
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)

        self.state.register_changed.connect(self._on_state_register_changed)
        self.state.as_of_changed.connect(self._on_state_as_of_changed)
        self.state.selection_changed.connect(self._on_state_selection_changed)
        self.state.show_in_tree_requested.connect(self._on_state_show_in_tree)
        self.state.language_changed.connect(self._on_state_language_changed)
        self.state.comparison_changed.connect(self._on_state_comparison_changed)
        self.state.followed_changed.connect(self._on_state_followed_changed)

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
        #: says when the date lies outside what the file knows (a snapshot's later dates)
        self.coverage_bar = CoverageBar(self.state)
        #: offers what changed since the last download of the same kind
        self.since_bar = SinceBar()
        self.since_bar.open_requested.connect(self.compare_since)
        self.since_bar.dismissed.connect(self._on_since_dismissed)
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
        layout.addWidget(self.coverage_bar)
        layout.addWidget(self.since_bar)
        # the tree and the Units view share the centre (both want its width), under
        # the one date bar; the docked panels beside them follow either's selection
        self.views = QTabWidget()
        self.views.setObjectName("CentralViews")
        self.views.setDocumentMode(True)
        self.views.addTab(self.tree_pane, "")
        self.units_holder = QStackedWidget()  # the Units view is built on first use
        self.units_holder.addWidget(QWidget())
        self.views.addTab(self.units_holder, "")
        self.views.currentChanged.connect(self._on_views_current_changed)
        self.units_view: UnitsView | None = None
        layout.addWidget(self.views, 1)
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
        # the Units view is built when its tab is first shown (`_on_views_current_changed`):
        # half a second of widgets that a reopen would otherwise wait for
        classes = self._panel_classes
        for cls in default_panels() if classes is None else classes:
            cls_name = cls.__name__
            panel = cls(self.state, self)
            dock = QDockWidget(pick(cls.titles, self.state.language), self)
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
            self._dock_titles[dock] = cls.titles
            self._add_panel_action(dock)
        diff_panel = self.diff_panel()
        if diff_panel is not None:
            diff_panel.compare_requested.connect(self.compare_file_dialog)
            diff_panel.close_requested.connect(self.close_comparison)
            diff_panel.compare_path_requested.connect(self.compare_with)
            diff_panel.set_recent(self.compare_candidates())
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
        # a panel with nothing to show most of the time (Differences, until a comparison
        # is open) starts closed: its tab would only crowd the others
        for dock in self.docks:
            panel = self._panel_of(dock)
            if panel is not None and not panel.shown_by_default:
                dock.hide()
        if first is not None:
            first.raise_()
        self._size_docks()

    def _panel_of(self, dock: QDockWidget) -> LazyPanel | None:
        return self.panels.get(dock.objectName().removeprefix("dock_"))

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
        self._tab_fit_timer.start()  # a new or restored tab bar: across or down the side

    def fit_dock_tabs(self) -> None:
        """The right-hand docks' tabs below the panels while every title fits across the
        dock area, else down its outer edge (a 1024 px window has room for about five
        titles across and for all seven down the side): every tab stays in view."""
        self._tab_fit_timer.stop()
        area = self.width() - self.stack.geometry().right()
        bars = [
            b
            for b in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if b.count() > 1 and b.isVisible()
        ]
        if not bars or area <= 0:
            return
        need = 0
        for bar in bars:
            # a tab's length along the bar, whichever way the bar runs now
            sizes = [bar.tabSizeHint(i) for i in range(bar.count())]
            need = max(need, sum(max(z.width(), z.height()) for z in sizes) + 4)
        side = Qt.DockWidgetArea.RightDockWidgetArea
        want = QTabWidget.TabPosition.East if need > area else QTabWidget.TabPosition.South
        if self.tabPosition(side) != want:
            self.setTabPosition(side, want)
            QTimer.singleShot(0, self._unelide_tabs)

    def childEvent(self, event: QChildEvent) -> None:  # Qt override
        super().childEvent(event)
        child = event.child()
        if event.polished() and child.isWidgetType() and child.inherits("QTabBar"):
            self._unelide_tabs()
            # the layout shows a dock tab bar later: fit the tabs when it does
            child.installEventFilter(self)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        # the file name and the format give way (elided, whole in the tooltip) when the
        # bar is short, so its widgets never overlap at 1024 px or while a load shows
        self.file_label = ElidedLabel()
        self.file_label.setObjectName("FileLabel")
        self.format_label = ElidedLabel()
        self.format_label.setObjectName("FormatLabel")
        self.snapshot_label = ElidedLabel()
        self.snapshot_label.setObjectName("SnapshotLabel")
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
        self.progress.setMinimumWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("CancelLoad")
        self.cancel_button.clicked.connect(self.cancel_loading)
        for w in (self.file_label, self.format_label, self.snapshot_label, self.units_label):
            bar.addPermanentWidget(w)
        bar.addPermanentWidget(self.warnings_button)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        bar.messageChanged.connect(self._fit_status_message)
        self._update_status()

    def _fit_status_message(self, text: str = "") -> None:
        """A message in the status bar gets the room it needs: while it shows, the labels
        that can give way (file name, format, snapshot date) are narrowed, elided, so the
        message is neither cut nor drawn over them."""
        bar = self.statusBar()
        give = [self.file_label, self.format_label, self.snapshot_label]
        for w in give:
            w.setMaximumWidth(NO_MAX_WIDTH)
        text = text or bar.currentMessage()
        shown = [w for w in give if w.isVisibleTo(self)]
        if not text or not shown:
            return
        spacing = 8
        need = bar.fontMetrics().horizontalAdvance(text) + 24
        fixed = sum(
            w.sizeHint().width() + spacing
            for w in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if w.isVisibleTo(self) and w not in give and w.parentWidget() is bar
        )
        room = bar.width() - need - fixed - spacing * len(shown)
        wanted = sum(w.sizeHint().width() for w in shown)
        if room >= wanted:
            return
        least = sum(w.minimumSizeHint().width() for w in shown)
        for w in shown:  # each keeps its share of what is left; none while too little is
            share = room * w.sizeHint().width() // max(wanted, 1)
            w.setMaximumWidth(max(w.minimumSizeHint().width(), share) if room >= least else 0)

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.language_menu = QMenu("&Language", self)
        group = QActionGroup(self)
        for aid in ("lang_da", "lang_en"):
            group.addAction(self.action_map[aid])
            self.language_menu.addAction(self.action_map[aid])
        self.asof_menu = QMenu("Open files &at", self)
        group = QActionGroup(self)
        for aid in ("asof_today", "asof_snapshot", "asof_last"):
            group.addAction(self.action_map[aid])
            self.asof_menu.addAction(self.action_map[aid])
        self.panels_menu = QMenu("&Panels", self)
        self.panels_menu.aboutToShow.connect(self.ensure_docks)
        self.compare_recent_menu = QMenu("Compare with rece&nt", self)
        self.compare_recent_menu.aboutToShow.connect(self._fill_compare_recent_menu)
        self.menus = act.build_menus(
            self.menuBar(),
            self.action_map,
            {
                "@recent": self.recent_menu,
                "@language": self.language_menu,
                "@asof": self.asof_menu,
                "@panels": self.panels_menu,
                "@compare_recent": self.compare_recent_menu,
            },
        )
        for a in self.action_map.values():
            self.addAction(a)  # shortcuts work while the menu bar is hidden too

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.recent_files()
        for path in paths:
            # an "&" in a file name is text, not a mnemonic
            action = self.recent_menu.addAction(os.path.basename(path).replace("&", "&&"))
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction(self.tr_("(ingen)", "(none)")).setEnabled(False)

    def diff_panel(self) -> DifferencesPanel | None:
        """The Differences panel, when the window has one."""
        panel = self.panels.get("DifferencesPanel")
        if panel is None:
            return None
        from ui.widgets.diff_panel import DifferencesPanel

        return panel if isinstance(panel, DifferencesPanel) else None

    def compare_candidates(self) -> list[str]:
        """The recent files other than the open one: what it is likely compared with."""
        here = os.path.abspath(self.path) if self.path else ""
        return [p for p in self.settings.recent_files() if p != here]

    def _fill_compare_recent_menu(self) -> None:
        """The recent files other than the open one, to compare it with."""
        self.compare_recent_menu.clear()
        paths = self.compare_candidates()
        for path in paths:
            action = self.compare_recent_menu.addAction(os.path.basename(path).replace("&", "&&"))
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.compare_with(p))
        if not paths:
            self.compare_recent_menu.addAction(self.tr_("(ingen)", "(none)")).setEnabled(False)

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
        self.action_map["lang_" + lang].setChecked(True)
        self.state.set_language(lang)
        self._on_state_language_changed(lang)
        self.action_map["show_closed"].setChecked(bool(s.get(st.SHOW_CLOSED)))
        mode = s.get(st.GROUP_TOP)
        self.model.group_mode = mode if mode in GROUP_MODES else "auto"
        choice = s.get(st.AS_OF_CHOICE)
        choice = choice if choice in ("snapshot", "last") else "today"
        self.action_map["asof_" + choice].setChecked(True)
        self.action_map["remember_downloads"].setChecked(bool(s.get(st.REMEMBER_DOWNLOADS)))
        self.state.set_followed(read_followed(s.get(st.FOLLOWED)))
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
        s.set(st.GROUP_TOP, self.model.group_mode)
        s.set(st.CENTRAL_VIEW, "units" if self.views.currentIndex() == 1 else "tree")
        if self.units_view is not None:
            self.units_view.save_settings()
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

    def choose_sor_file(self, caption_da: str, caption_en: str) -> str:
        """A SOR file chosen in the file dialog, starting in the last folder ("" when
        cancelled)."""
        start = self.settings.get(st.LAST_DIR) or os.path.expanduser("~")
        path, _ = get_open_file_name(
            self,
            self.tr_(caption_da, caption_en),
            start,
            self.tr_("SOR-filer", "SOR files")
            + " (*.zip *.csv *.xml);;"
            + self.tr_("Alle filer", "All files")
            + " (*)",
            self.state.language,
        )
        return path

    def open_file_dialog(self) -> None:
        path = self.choose_sor_file("Åbn en SOR-fil", "Open a SOR file")
        if path:
            self.open_path(path)

    def open_demo(self) -> None:
        self.open_path(demo_path(), demo=True)

    def open_path(self, path: str, demo: bool = False) -> bool:
        """Start loading `path`; the open register stays until the new one is ready."""
        if self._say_busy():
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
        task = partial(load_register, path=path, loader=demo_loader if demo else self.loader)
        return self.load_task.start(task, key=path)

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
        # the timeline imports pyqtgraph (over a second on a busy machine): while the
        # worker reads, not after it, when the user waits for the tree
        QTimer.singleShot(0, self, self.date_bar.ensure_plot)

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

    def _on_load_finished(self, path: str, reg: Any) -> None:
        self._end_loading()
        self.path = path
        self.is_demo = self._loading_demo
        if not self.is_demo:
            self.settings.set(st.LAST_DIR, os.path.dirname(os.path.abspath(path)))
            self.start_page.set_recent(self.settings.add_recent(path))
        self.state.set_as_of(self.initial_day(reg))
        self.state.set_register(reg)
        self._offer_since(None if self.is_demo else self.remember_download(reg, path))
        self._show_workspace()
        # the keyboard starts in the tree (the start page's button had the focus, and
        # Qt would hand it to the next button in line: the date bar's "year back")
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        self.statusBar().showMessage(
            self.tr_(f"Åbnede {os.path.basename(path)}", f"Opened {os.path.basename(path)}"), 5000
        )
        # after the first paint: the old register's cycles go, the new one is frozen
        QTimer.singleShot(0, self, settle_heap)
        self.finish_task.request(
            path, partial(finish_register, reg=reg, cache_limit=self.cache_limit_bytes())
        )

    def _on_load_failed(self, path: str, exc: BaseException) -> None:
        self._end_loading()
        name = os.path.basename(path)
        self._say_failure(
            exc, f"opening {path}", f"indlæste filen {name}", f"loading the file {name}"
        )

    def _say_failure(self, exc: BaseException, doing: str, bug_da: str, bug_en: str) -> None:
        """What the window says when a task that read a file failed (one place for the
        rule): a file that cannot be read is the user's, in its own sentence (as is a
        demo that could not be written, a remembered download that is gone, or memory
        running out); anything else is a bug in the program: logged, and said to be
        one, naming what it was doing."""
        from sorviewer.errors import LoadError
        from sorviewer.messages import render
        from ui.comparison import GoneError
        from ui.messages import load_error_message

        lang = self.state.language
        if isinstance(exc, LoadError):
            log.warning("%s failed: %s", doing, exc)
            self.error(load_error_message(exc, lang))
        elif isinstance(exc, (DemoError, GoneError)):
            self.error(exc.render(lang))
        elif isinstance(exc, MemoryError):
            log.warning("out of memory %s", doing)
            self.error(render("load.no_memory", None, "da" if lang == "da" else "en"))
        else:
            self.internal_error(self.tr_(bug_da, bug_en), exc)

    def _on_load_cancelled(self, path: str) -> None:
        self._end_loading()
        log.info("loading %s cancelled", path)
        self.statusBar().showMessage(self.tr_("Indlæsning annulleret.", "Loading cancelled."), 5000)

    # --- comparing with a second download (issue 12; ui.comparison) ----------------------

    def cancel_loading(self) -> None:
        """The status bar's Cancel: the load or the comparison that runs."""
        self.load_task.cancel()
        self.compare_task.cancel()

    def compare_file_dialog(self) -> None:
        """File > Compare with...: choose the second file."""
        if self.state.register is None:
            return
        path = self.choose_sor_file(
            "Sammenlign med en anden SOR-fil", "Compare with another SOR file"
        )
        if path:
            self.compare_with(path)

    def _say_busy(self) -> bool:
        """Whether a file is loading or a comparison being made; if so, says which (one
        at a time)."""
        if self.load_task.running:
            self.error(
                self.tr_(
                    "En anden fil indlæses stadig; vent på den eller annullér den først.",
                    "Another file is still loading; wait for it or cancel it first.",
                )
            )
            return True
        if self.compare_task.running:
            self.error(
                self.tr_(
                    "En sammenligning er ikke færdig endnu; vent på den eller annullér den først.",
                    "A comparison is not finished yet; wait for it or cancel it first.",
                )
            )
            return True
        return False

    def _can_compare(self) -> bool:
        if self.state.register is None:
            return False
        return not self._say_busy()

    def compare_with(self, path: str) -> bool:
        """Load `path` on the worker and compare it with the open file; the open file
        stays open and usable meanwhile, and whatever happens to the second load."""
        reg = self.state.register
        if not self._can_compare() or reg is None:
            return False
        if not os.path.isfile(path):
            self.error(
                self.tr_(
                    f"Filen {path} findes ikke eller er ikke en fil.",
                    f"The file {path} does not exist or is not a file.",
                )
            )
            return False
        task = partial(
            compare_task, current=reg, current_path=self.path, path=path, loader=self.loader
        )
        return self.compare_task.start(task, key=path)

    def _offer_since(self, rec: Remembered | None) -> None:
        """Offer the changes since `rec` in the bar; with followed units, compare ahead
        (quietly, on the worker) so the bar can say how many of them changed."""
        self.since_task.cancel()
        self._since_ready = None
        self._open_when_ready = False
        self.since_bar.offer(rec)
        reg = self.state.register
        if rec is not None and reg is not None and self.state.followed:
            task = partial(
                since_task,
                current=reg,
                current_path=self.path,
                rec=rec,
                loader=self.loader,
                followed=dict(self.state.followed),
            )
            self.since_task.request(rec, task)

    def _on_since_dismissed(self) -> None:
        """The offer went: a comparison made ahead for it goes too (its register)."""
        self.since_task.cancel()
        self._since_ready = None
        self._open_when_ready = False

    def _on_since_finished(self, rec: Remembered, result: tuple[Comparison, int]) -> None:
        comp, changed = result
        if rec is not self.since_bar.offered or comp.current is not self.state.register:
            return
        self._since_ready = (rec, comp)
        self.since_bar.set_followed_changed(changed)
        if self._open_when_ready:
            self.compare_since(rec)

    def _on_since_failed(self, rec: Remembered, exc: BaseException) -> None:
        # only a head start: the bar's button tries again and says what went wrong
        log.info("comparing ahead with %s failed: %r", rec.path, exc)
        if self._open_when_ready and rec is self.since_bar.offered:
            self._open_when_ready = False
            self.compare_since(rec)

    def compare_since(self, rec: Remembered) -> bool:
        """The since-last-time bar: compare with the remembered download, read from its
        cache when that is still there (or take the comparison made ahead)."""
        reg = self.state.register
        ready = self._since_ready
        if ready is not None and ready[0] is rec and ready[1].current is reg:
            self._since_ready = None
            self.since_bar.dismiss()
            self.statusBar().clearMessage()
            self.state.set_comparison(ready[1])
            return True
        if self.since_task.running and self.since_task.key is rec:
            self._open_when_ready = True  # made ahead already: shown when it is done
            self.statusBar().showMessage(self.tr_("Sammenligner ...", "Comparing ..."))
            return True
        if not self._can_compare() or reg is None:
            return False
        task = partial(
            remembered_task, current=reg, current_path=self.path, rec=rec, loader=self.loader
        )
        return self.compare_task.start(task, key=rec.path)

    def close_comparison(self) -> None:
        self.compare_task.cancel()
        self.state.set_comparison(None)

    def _on_compare_started(self, path: str) -> None:
        self._load_stage = "read"
        self._load_clock.start()
        self._clock_timer.start()
        self.progress.setValue(0)
        self._show_load_progress()
        self.progress.show()
        self.cancel_button.show()
        self.action_map["compare"].setEnabled(False)
        self.statusBar().showMessage(
            self.tr_(
                f"Indlæser {os.path.basename(path)} til sammenligning ...",
                f"Loading {os.path.basename(path)} to compare ...",
            )
        )

    def _on_compare_staged(self, stage: str) -> None:
        self._load_stage = stage
        if stage in ("compare", "compare_rest"):
            self.progress.setRange(0, 0)  # the comparison says no progress: busy
            # the bar shows no text when busy: the status line says what runs
            da, en = _STAGES[stage]
            name = os.path.basename(str(self.compare_task.key or ""))
            self.statusBar().showMessage(self.tr_(f"{da} med {name} ...", f"{en} with {name} ..."))
        self._show_load_progress()

    def _end_comparing(self) -> None:
        self.progress.setRange(0, 1000)
        self._end_loading()
        self._update_actions()

    def _on_compare_partial(self, comp: Comparison) -> None:
        """The unit lists of a comparison still under way: shown at once, the rest of the
        kinds follow (`ui.comparison.compare_in_steps`). The since-last-time offer only
        hides until the comparison is whole: a cancel or failure brings it back."""
        if comp.current is not self.state.register:
            return
        self._replaced = self.state.comparison
        self._partial_shown = comp
        self.since_bar.hide()
        self.state.set_comparison(comp)

    def _drop_unfinished_comparison(self) -> None:
        """A comparison whose second step failed or was cancelled is not kept half done:
        the comparison it replaced comes back (if any, and of the open file), and so does
        the since-last-time offer."""
        shown, replaced = self._partial_shown, self._replaced
        self._partial_shown = self._replaced = None
        if shown is None:
            return  # never shown
        if self.state.comparison is shown:  # (else the user closed it already)
            if replaced is not None and replaced.current is not self.state.register:
                replaced = None
            self.state.set_comparison(replaced)
        if self.since_bar.offered is not None:
            self.since_bar.update_text()

    def _on_compare_finished(self, path: str, comp: Comparison) -> None:
        self._end_comparing()
        shown = self._partial_shown
        self._partial_shown = self._replaced = None
        if comp.current is not self.state.register:
            return  # another file was opened meanwhile: this comparison is of the old one
        if shown is not None and self.state.comparison is not shown:
            # the first step was closed (or replaced) while the rest was worked out
            if self.since_bar.offered is not None:
                self.since_bar.update_text()
            return
        self.since_bar.dismiss()
        self.state.set_comparison(comp)
        self.statusBar().showMessage(
            self.tr_(
                f"Sammenlignet med {os.path.basename(path)}",
                f"Compared with {os.path.basename(path)}",
            ),
            5000,
        )

    def _on_compare_failed(self, path: str, exc: BaseException) -> None:
        """The second file cannot be read: one sentence; the open file is untouched."""
        from ui.comparison import GoneError

        self._end_comparing()
        self._drop_unfinished_comparison()
        if isinstance(exc, GoneError):
            self.since_bar.dismiss()
        name = os.path.basename(path)
        self._say_failure(
            exc,
            f"comparing with {path}",
            f"sammenlignede med filen {name}",
            f"comparing with the file {name}",
        )

    def _on_compare_cancelled(self, path: str) -> None:
        self._end_comparing()
        self._drop_unfinished_comparison()
        log.info("comparing with %s cancelled", path)
        self.statusBar().showMessage(
            self.tr_("Sammenligning annulleret.", "Comparison cancelled."), 5000
        )

    def _on_state_comparison_changed(self, comp: Comparison | None) -> None:
        reg = self.state.register
        self.model.set_marked(
            comp.differing_entities(reg) if comp is not None and reg is not None else None
        )
        self.tree.viewport().update()
        self._update_actions()
        before, self._shown_comparison = self._shown_comparison, comp
        # the whole comparison replacing its own first step is not a new one: the dock
        # is not raised again (that would take the focus from the user, who may be
        # typing in the panel or looking at another one)
        same = (
            before is not None
            and comp is not None
            and before.current is comp.current
            and before.other is comp.other
        )
        dock = self.findChild(QDockWidget, "dock_DifferencesPanel")
        if dock is not None and comp is not None:
            if not same:
                self.bring_to_front(dock)
        elif dock is not None and self.stack.currentWidget() is self.workspace:
            dock.hide()  # opened for the comparison: it goes with it
        # the second register's cycles go with a closed comparison, and an opened one's
        # objects are frozen out of the timer's collections (as a newly opened file's
        # are); after the panel has shown its whole rows, so the full collection does
        # not delay them
        if comp is None or comp.complete:
            QTimer.singleShot(0 if comp is None else SETTLE_AFTER_COMPARE_MS, self, settle_heap)

    # --- since last time ---------------------------------------------------------------

    def set_remember_downloads(self, on: bool) -> None:
        """Settings: remember the last download of each kind. Turned off, what was
        remembered is forgotten, and nothing more is."""
        self.settings.set(st.REMEMBER_DOWNLOADS, bool(on))
        if not on:
            self.settings.set(st.LAST_DOWNLOADS, "")
            self.since_bar.dismiss()

    def remember_download(self, reg: Any, path: str) -> Remembered | None:
        """Remember the opened download (a settings write) and return the earlier
        download of the same kind to offer, if there is one."""
        if not self.settings.get(st.REMEMBER_DOWNLOADS):
            return None
        kind = reg.source.format
        records = read_remembered(self.settings.get(st.LAST_DOWNLOADS))
        prev = records.get(kind)
        rec = remembered_of(reg, path, file_key(path))
        if rec is None:
            return None
        records[kind] = rec
        self.settings.set(st.LAST_DOWNLOADS, write_remembered(records))
        return prev if prev is not None and prev.is_older_than(rec) else None

    # --- followed units ----------------------------------------------------------------

    def _on_state_followed_changed(self, followed: dict[str, bool]) -> None:
        self.settings.set(st.FOLLOWED, write_followed(followed))

    def _follow(self, subtree: bool) -> None:
        ids = self.selected_sor_ids()
        if not ids:
            return
        followed = dict(self.state.followed)
        for sid in ids:
            followed[sid] = subtree or followed.get(sid, False)
        self.state.set_followed(followed)
        # the list opens where it lives (without taking the keyboard from the tree)
        dock = self.findChild(QDockWidget, "dock_FollowedPanel")
        if dock is not None and self.stack.currentWidget() is self.workspace:
            dock.show()
            dock.raise_()

    def follow_selected(self) -> None:
        self._follow(False)

    def follow_selected_subtree(self) -> None:
        self._follow(True)

    def unfollow_selected(self) -> None:
        ids = set(self.selected_sor_ids())
        followed = {k: v for k, v in self.state.followed.items() if k not in ids}
        if len(followed) != len(self.state.followed):
            self.state.set_followed(followed)

    # --- state -> window --------------------------------------------------------------------

    def _on_state_register_changed(self, reg: Any) -> None:
        if self.search.text():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.results.hide()
        self.model.set_register(reg, self.state.as_of)
        self._sync_group_action()
        self.tree.fit_columns()  # the id column is as wide as this file's longest id
        if reg is not None and self.model.rowCount() <= 3:
            for r in range(self.model.rowCount()):
                self.tree.expand(self.model.index(r, 0))
        self.banner.setVisible(self.is_demo and reg is not None)
        diff_panel = self.diff_panel()
        if diff_panel is not None:
            diff_panel.set_recent(self.compare_candidates())
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
        self.tree_pane.legend.set_language(lang)
        self.start_page.set_language(lang)
        self.since_bar.set_language(lang)
        self.search.setPlaceholderText(
            self.tr_(
                "Søg: navn, SOR-kode, SHAK, EAN, ydernummer, postnummer, by (Ctrl+F)",
                "Search: name, SOR id, SHAK, EAN, provider no., postcode, town (Ctrl+F)",
            )
        )
        if hasattr(self, "menus"):
            act.retranslate(self.action_map, self.menus, lang)
            self.recent_menu.setTitle(self.tr_("Åbn &seneste", "Open &recent"))
            self.language_menu.setTitle(self.tr_("&Sprog", "&Language"))
            self.asof_menu.setTitle(self.tr_("Åbn filer &på", "Open files &at"))
            self.panels_menu.setTitle(self.tr_("&Paneler", "&Panels"))
            self.compare_recent_menu.setTitle(
                self.tr_("Sammenlign med se&neste", "Compare with rece&nt")
            )
        self.banner.setText(self.tr_("Syntetiske demodata - ikke det rigtige SOR", DEMO_NOTICE))
        self.views.setTabText(0, self.tr_("Træ", "Tree"))
        self.views.setTabText(1, self.tr_("Enheder", "Units"))
        self.views.setTabToolTip(
            1,
            self.tr_(
                "Alle enheder der passer på filtre, som én tabel (Ctrl+2)",
                "Every unit matching filters, as one table (Ctrl+2)",
            ),
        )
        self.cancel_button.setText(self.tr_("Annullér", "Cancel"))
        self._retranslate_docks()
        self._tab_fit_timer.start()  # the titles' widths changed
        self._refresh_results()
        # a passing message was said in the other language: it goes rather than stay so
        self.statusBar().clearMessage()
        self._update_status()
        self._update_title()

    def _retranslate_docks(self) -> None:
        lang = self.state.language
        for dock in self.docks:
            dock.setWindowTitle(pick(self._dock_titles[dock], lang))
        for i, action in enumerate(self.panel_actions):
            title = pick(self._dock_titles[self.docks[i]], lang)
            action.setText(f"&{i + 1} {title}")
            action.setToolTip(self.tr_(f"Vis {title} forrest", f"Bring {title} to the front"))

    # --- keyboard: the date and the panels ------------------------------------------------

    def _add_panel_action(self, dock: QDockWidget) -> None:
        """View > Panels: an action that brings the dock to the front (shown if it was
        closed, its tab raised, the keyboard in it), with Alt+1, Alt+2, ... in order."""
        n = len(self.panel_actions) + 1
        action = QAction(self)
        action.setObjectName(f"action_panel_{n}")
        if n <= 9:
            action.setShortcut(QKeySequence(f"Alt+{n}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _c=False, d=dock: self.bring_to_front(d))
        action.setEnabled(self.state.register is not None)
        self.panels_menu.addAction(action)
        self.addAction(action)
        self.panel_actions.append(action)

    def bring_to_front(self, dock: QDockWidget) -> None:
        """Show `dock`, raise its tab and put the keyboard in its panel."""
        if self.stack.currentWidget() is not self.workspace:
            return
        dock.show()
        dock.raise_()
        self._front_dock = dock
        target = first_focusable(dock.widget())
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_date(self) -> None:
        self.date_bar.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.date_bar.edit.selectAll()

    def go_today(self) -> None:
        self.date_bar.request(dt.date.today())
        self.date_bar.flush()

    def go_snapshot(self) -> None:
        snapshot = self.state.register.source.snapshot_date if self.state.register else None
        if snapshot is not None:
            self.date_bar.request(snapshot)
            self.date_bar.flush()

    def step_day_back(self) -> None:
        self.date_bar.step("day", -1)

    def step_day_forward(self) -> None:
        self.date_bar.step("day", 1)

    def step_month_back(self) -> None:
        self.date_bar.step("month", -1)

    def step_month_forward(self) -> None:
        self.date_bar.step("month", 1)

    def step_year_back(self) -> None:
        self.date_bar.step("year", -1)

    def step_year_forward(self) -> None:
        self.date_bar.step("year", 1)

    def _on_state_selection_changed(self, sor_id: str) -> None:
        if sor_id and self.model.sor_id_of(self.tree.currentIndex()) != sor_id:
            self.reveal(sor_id, quiet=True)

    def _on_state_show_in_tree(self, sor_id: str) -> None:
        # a followed link lands in the tree, with the keyboard there too
        if self.reveal(sor_id):
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

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
        act.fill_menu(menu, act.TREE_CONTEXT_MENU, self.action_map)
        single = len(self.selected_indexes()) == 1
        self.action_map["export_subtree"].setEnabled(single)
        self.action_map["units_under"].setEnabled(single)
        self.action_map["copy_row"].setEnabled(bool(self.selected_indexes()))
        ids = self.selected_sor_ids()
        followed = [i for i in ids if i in self.state.followed]
        self.action_map["unfollow"].setEnabled(bool(followed))
        self.action_map["follow"].setEnabled(bool(ids) and len(followed) < len(ids))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        self._update_actions()

    def _on_results_context_menu(self, pos: Any) -> None:
        item = self.results.itemAt(pos)
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        menu = QMenu(self)
        act.fill_menu(menu, act.RESULTS_CONTEXT_MENU, self.action_map)
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
        from ui.search_results import result_lines

        reg = self.state.register
        ents, cols = find(reg, snap, text)
        from sorviewer.asof import statuses

        lang, day = self.state.language, self.state.as_of
        shown = ents[:RESULT_LIMIT]
        status_of = statuses(reg, shown, self.model.day).tolist()
        lines = result_lines(
            reg,
            snap,
            shown,
            cols[:RESULT_LIMIT],
            lang,
            lambda e: self.model.entity_values(e)[0],
        )
        for e, line, status in zip(shown.tolist(), lines, status_of, strict=True):
            # closed and future units (shown with View > Show closed) look as in the tree
            if status != "active":
                line += f"  ·  {status_text(status, lang, self.model.coverage, day)}"
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.UserRole, int(e))
            if status != "active":
                item.setForeground(self.model.status_brush(status))
                font = status_font(status, results.font())
                if font is not None:
                    font.setStrikeOut(False)  # the line says the status; its id stays legible
                    item.setFont(font)
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
        # where the last export went, else beside the opened file
        folder = self.settings.get(st.EXPORT_DIR)
        if not folder or not os.path.isdir(folder):
            folder = self.settings.get(st.LAST_DIR)
        dlg = ExportDialog(
            reg,
            self.state.as_of,
            ids,
            folder,
            self,
            scope=scope,
            language=self.state.language,
            include_all=self.model.show_closed,
            filtered=[str(reg.ids[e]) for e in self.model.matches.tolist()],
            filter_text=self.model.filter_text,
        )
        self._remember_export_format(dlg)
        if dlg.exec() and dlg.written:
            self.settings.set(st.EXPORT_DIR, os.path.dirname(os.path.abspath(dlg.written)))
            self.settings.set(st.EXPORT_FORMAT, str(dlg.format.currentData()))
            self.statusBar().showMessage(
                self.tr_(f"Eksporteret til {dlg.written}", f"Exported to {dlg.written}"), 8000
            )

    def _remember_export_format(self, dlg: Any) -> None:
        """Start the dialog in the format of the last export (its file name follows)."""
        i = dlg.format.findData(self.settings.get(st.EXPORT_FORMAT))
        if i >= 0:
            dlg.format.setCurrentIndex(i)

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
                dlg.fit_id_column()  # a saved narrow id column would cut this file's ids
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
        copy_table(self.model.header_labels(), rows, TREE_COLUMNS)
        self.statusBar().showMessage(
            self.tr_(f"Kopierede {len(rows)} rækker.", f"Copied {len(rows)} rows."), 4000
        )

    def copy_sor_id(self) -> None:
        reg = self.state.register
        ents = self.target_entities()
        if reg is None or not ents:
            return
        set_clipboard("\n".join(str(reg.ids[e]) for e in ents))

    def copy_ean(self) -> None:
        """The effective EAN (own or inherited) of each target unit, one a line."""
        reg = self.state.register
        ents = self.target_entities()
        if reg is None or not ents:
            return
        eans: list[str] = []
        for e in ents:
            view = reg.entity(str(reg.ids[e]), self.state.as_of)
            ean = view["attributes"].get("EanLocationCode") if view is not None else None
            if ean:
                eans.append(str(ean))
        if not eans:
            self.statusBar().showMessage(
                self.tr_("Ingen EAN-nummer på datoen.", "No EAN number at the date."), 5000
            )
            return
        set_clipboard("\n".join(eans))

    def copy_row(self) -> None:
        ents = self.target_entities()
        if not ents:
            return
        row = self.model.entity_values(ents[0])
        copy_table(self.model.header_labels(), [row], TREE_COLUMNS)

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
        if self.views.currentIndex() == 1 and self.units_view is not None:
            self.units_view.sidebar.text.setFocus()
            self.units_view.sidebar.text.selectAll()
            return
        self.search.setFocus()
        self.search.selectAll()

    # --- the central views: the tree and Units ----------------------------------------------

    def ensure_units_view(self) -> UnitsView:
        """The Units view, built on first use (it pulls in the find module and pandas)."""
        if self.units_view is None:
            from ui.widgets.units_view import UnitsView

            view = UnitsView(self.state, self.settings, self.units_holder)
            self.units_holder.addWidget(view)
            self.units_holder.setCurrentWidget(view)
            self.units_view = view
        return self.units_view

    def _on_views_current_changed(self, index: int) -> None:
        if index == 1:
            self.ensure_units_view()

    def show_tree_view(self) -> None:
        self.views.setCurrentIndex(0)
        self.tree.setFocus()

    def show_units_view(self) -> None:
        self.ensure_units_view()
        self.views.setCurrentIndex(1)

    def show_units_under(self) -> None:
        """The selected unit and everything under it in the Units view (tree menu)."""
        ids = self.selected_sor_ids()
        if not ids:
            return
        view = self.ensure_units_view()
        view.set_under(ids[0])
        self.views.setCurrentIndex(1)

    def set_group_top(self, on: bool) -> None:
        self.model.set_group_mode("on" if on else "off")
        self.settings.set(st.GROUP_TOP, self.model.group_mode)
        self.tree.fit_columns()  # grouped owners sit a level deeper: the names need room
        self._update_status()

    def _sync_group_action(self) -> None:
        action = self.action_map["group_top"]
        action.blockSignals(True)
        action.setChecked(self.model.grouped)
        action.blockSignals(False)

    def set_show_closed(self, on: bool) -> None:
        self.model.set_show_closed(on)
        self.tree_pane.legend.setVisible(on)
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

    # --- the load cache -----------------------------------------------------------------

    def cache_limit_bytes(self) -> int:
        return max(0, int(self.settings.get(st.CACHE_LIMIT_MB))) * 1_000_000

    def set_cache_limit(self) -> None:
        """File > Cache size: the bound of the cache folder (least recently used files
        go first when it is reached); a smaller bound applies at once."""
        from sorviewer import cache

        used = round(cache.total_size() / 1e6)
        lang = self.state.language
        mb, ok = QInputDialog.getInt(
            self,
            self.tr_("Cachestørrelse", "Cache size"),
            self.tr_(
                f"Cachen af åbnede filer fylder nu {number(used, lang)} MB.\n"
                "Højst (MB; 0 = gem ingen):",
                f"The cache of opened files now takes {number(used, lang)} MB.\n"
                "At most (MB; 0 = keep none):",
            ),
            int(self.settings.get(st.CACHE_LIMIT_MB)),
            0,
            1_000_000,
            100,
        )
        if not ok:
            return
        self.settings.set(st.CACHE_LIMIT_MB, mb)
        cache.set_size_limit(self.cache_limit_bytes())
        cache.evict()
        self._update_cache_status()

    def clear_cache(self) -> None:
        """File > Clear cache: remove the cache of every opened file. The register that
        is open stays open (it is in memory); it opens from the file next time."""
        from sorviewer import cache

        freed = round(cache.clear() / 1e6)
        lang = self.state.language
        self.statusBar().showMessage(
            self.tr_(
                f"Cachen er ryddet: {number(freed, lang)} MB frigjort.",
                f"The cache was cleared: {number(freed, lang)} MB freed.",
            ),
            5000,
        )

    def _update_cache_status(self) -> None:
        from sorviewer import cache

        lang = self.state.language
        used = number(round(cache.total_size() / 1e6), lang)
        self.statusBar().showMessage(
            self.tr_(f"Cachen fylder {used} MB.", f"The cache takes {used} MB."), 5000
        )

    # --- window helpers ----------------------------------------------------------------

    def stop_tasks(self, timeout_ms: int = QUIT_WAIT_MS) -> bool:
        """Cancel the load and every panel's task and wait for their threads (quitting
        must not leave a worker running while the window's objects are freed)."""
        ok = True
        for runner in self.findChildren(TaskRunner):
            if not runner.wait(timeout_ms):
                log.warning("a task did not stop within %d ms", timeout_ms)
                ok = False
        return ok

    def tr_(self, da: str, en: str) -> str:
        return tr(self.state.language, da, en)

    def error(self, message: str) -> None:
        """One sentence about the user's file or action, in the window's language."""
        show_user_error(self, message)

    def internal_error(self, what: str, exc: BaseException) -> None:
        """A bug in the program: logged with its traceback, and said to be one. `what`
        ends "... while ..." (see `show_internal_error`)."""
        show_internal_error(self, self.state.language, what, exc)

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
        if self.settings.get(st.CENTRAL_VIEW) == "units":
            self.views.setCurrentIndex(1)
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
        self._tab_fit_timer.start()

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
                self.action_map[spec.id].setEnabled(has)
        for action in self.panel_actions:
            action.setEnabled(has)
        self.action_map["close_compare"].setEnabled(self.state.comparison is not None)
        self.compare_recent_menu.setEnabled(has)

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
        self.file_label.setToolTip(self.path)  # the whole path (setText put the name)
        version = f" {src.format_version}" if src.format_version else ""
        kind = FORMAT_NAMES.get(src.format, (src.format, src.format))
        self.format_label.setText(f"{pick(kind, self.state.language)}{version}")
        snap = format_date(src.snapshot_date) if src.snapshot_date else "-"
        self.snapshot_label.setText(f"{self.tr_('Udtræk', 'Snapshot')}: {snap}")
        lang = self.state.language
        units = number(self.model.active_count(), lang)
        day = format_date(self.state.as_of)
        said = self.tr_(f"{units} enheder den {day}", f"{units} units on {day}")
        # a count the file cannot back says so, as the bar over the tree does
        side = self.model.coverage.side(self.state.as_of)
        if side == "after":
            said += self.tr_(" ifølge udtrækket", " per the download")
        elif side == "before" and self.model.coverage.snapshot is None:
            said += self.tr_(" (før filens data)", " (before the file's data)")
        self.units_label.setText(said)
        if self.model.filter_text:
            n = number(len(self.model.matches), lang)
            if len(self.model.matches):
                self.tree_pane.count.setText(
                    self.tr_(f"{n} fundet", f"{n} {'match' if n == '1' else 'matches'}")
                )
            else:
                self.tree_pane.count.setText(self.tr_("Ingen fundet", "No matches"))
        else:
            self.tree_pane.count.setText("")
        warnings = number(reg.report.warnings, lang)
        self.warnings_button.setText(
            self.tr_(f"{warnings} datavarsler", f"{warnings} data warnings")
            if reg.report.warnings
            else self.tr_("Ingen datavarsler", "No data warnings")
        )
        self.warnings_button.setToolTip(
            self.tr_("Vis indlæsningsrapporten", "Show the load report")
        )

    # --- Qt events -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QTabBar):
            self._tab_fit_timer.start()
            return False
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and (self.search.text() or self.model.filter_text)
        ):
            self.clear_filter()
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._tab_fit_timer.start()
        self._fit_status_message()

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
        self.stop_tasks()
        self.save_settings()
        if self._report_dialog is not None:
            self._report_dialog.close()
        super().closeEvent(event)
