"""The main window: start page, tree with search, date bar, docked panels, status bar.

The window owns the AppState that every panel listens to. It opens files through
a LoadTask (the register is swapped in only when the new one loaded), builds its
menus from the action registry and keeps its layout in the settings registry.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QIcon
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
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui import actions as act
from ui import settings as st
from ui.app_state import AppState
from ui.load_task import Loader, LoadTask
from ui.models.tree_model import TreeModel
from ui.widgets.date_bar import DateBar
from ui.widgets.start_page import StartPage

APP_NAME = "SOR Viewer"
DEMO_NOTICE = "Synthetic demo data - not the real SOR"
DEMO_FILE = "sor_demo_1500_seed7.zip"
SEARCH_DEBOUNCE_MS = 200
RESULT_LIMIT = 200
#: a filtered tree is expanded fully when it has at most this many matches
EXPAND_MATCHES = 300

#: (module under ui.widgets, class name) of the panels docked on the right
PANELS: tuple[tuple[str, str], ...] = (
    ("details_panel", "DetailsPanel"),
    ("history_panel", "HistoryPanel"),
    ("mapping_panel", "MappingPanel"),
    ("edi_panel", "EdiPanel"),
    ("changes_panel", "ChangesPanel"),
)

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


class TreePane(QWidget):
    """Search box, the tree, and the list of search results."""

    def __init__(self, model: TreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.search = QLineEdit()
        self.search.setObjectName("SearchBox")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeView()
        self.tree.setObjectName("OrgTree")
        self.tree.setModel(model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        digits = self.fontMetrics().horizontalAdvance("0" * 18)  # SOR ids have up to 18 digits
        for col, width in ((1, digits + 16), (2, 84), (3, 150), (4, 70)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.results = QListWidget()
        self.results.setObjectName("SearchResults")
        self.results.hide()
        self.count = QLabel()
        self.count.setObjectName("TreeCount")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(3)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        layout.addLayout(top)
        layout.addWidget(self.results)
        layout.addWidget(self.tree, 1)


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
        self._report_dialog: QWidget | None = None
        self._workspace_docks: dict[str, bool] = {}
        self._loading_demo = False

        self.load_task = LoadTask(loader, self)
        self.load_task.started.connect(self._on_load_started)
        self.load_task.progressed.connect(self._on_load_progressed)
        self.load_task.finished.connect(self._on_load_finished)
        self.load_task.failed.connect(self._on_load_failed)
        self.load_task.cancelled.connect(self._on_load_cancelled)

        self.model = TreeModel(self)
        self._build_central()
        self._build_docks()
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
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return)
        self.tree_pane.results.itemActivated.connect(self._on_result_activated)
        self.tree_pane.results.itemClicked.connect(self._on_result_activated)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)

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

    def _build_docks(self) -> None:
        for module, cls_name in PANELS:
            name = f"ui.widgets.{module}"
            try:
                mod = importlib.import_module(name)
            except ImportError as exc:
                # the panel is not there yet; any other import failure is a real error
                if exc.name == name:
                    continue
                raise
            cls = getattr(mod, cls_name)
            panel = cls(self.state, self)
            dock = QDockWidget(str(getattr(panel, "title", cls_name)), self)
            dock.setObjectName(f"dock_{module}")
            dock.setWidget(panel)
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.panels[module] = panel
            self.docks.append(dock)
        self._place_docks()

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
            self.resizeDocks([first], [max(420, self.width() // 2)], Qt.Orientation.Horizontal)

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
        self.progress.setMaximumWidth(220)
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
        for dock in self.docks:
            self.panels_menu.addAction(dock.toggleViewAction())
        act.build_menus(
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
            self.recent_menu.addAction("(none)").setEnabled(False)

    # --- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.get(st.GEOMETRY)
        if geometry is not None and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(QSize(1280, 800))
        state = s.get(st.WINDOW_STATE)
        if state is not None and not state.isEmpty():
            self.restoreState(state)
        self._workspace_docks = {d.objectName(): not d.isHidden() for d in self.docks}
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
        if self.stack.currentWidget() is self.workspace:
            s.set(st.WINDOW_STATE, self.saveState())
        s.set(st.LANGUAGE, self.state.language)
        s.set(st.SHOW_CLOSED, self.model.show_closed)
        if self.state.register is not None:
            s.set(st.LAST_AS_OF, self.state.as_of.isoformat())
        s.sync()

    def initial_day(self, reg: Any) -> dt.date:
        """The as-of date a newly opened register starts at (settings choice)."""
        choice = self.settings.get(st.AS_OF_CHOICE)
        if choice == "snapshot" and reg.source.snapshot_date is not None:
            return reg.source.snapshot_date
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
            "Open a SOR file",
            start,
            "SOR files (*.zip *.csv *.xml);;All files (*)",
        )
        if path:
            self.open_path(path)

    def open_demo(self) -> None:
        self.open_path(demo_path(), demo=True)

    def open_path(self, path: str, demo: bool = False) -> bool:
        """Start loading `path`; the open register stays until the new one is ready."""
        if self.load_task.running:
            self.error("Another file is still loading; wait for it or cancel it first.")
            return False
        if not demo and not os.path.isfile(path):
            self.error(f"The file {path} does not exist or is not a file.")
            if path in self.settings.recent_files():
                self.start_page.set_recent(self.settings.remove_recent(path))
            return False
        self._loading_demo = demo
        return self.load_task.start(path, demo_loader if demo else None)

    def _on_load_started(self, path: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat(f"Loading {os.path.basename(path)}: %p%")
        self.progress.show()
        self.cancel_button.show()
        self.start_page.setEnabled(False)
        self.statusBar().showMessage(f"Loading {path} ...")

    def _on_load_progressed(self, done: int, total: int) -> None:
        self.progress.setValue(int(done * 1000 / max(total, 1)))

    def _end_loading(self) -> None:
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
        self.statusBar().showMessage(f"Opened {os.path.basename(path)}", 5000)

    def _on_load_failed(self, message: str, path: str) -> None:
        self._end_loading()
        detail = self.load_task.last_detail
        self.error(message, detail=detail)

    def _on_load_cancelled(self, path: str) -> None:
        self._end_loading()
        self.statusBar().showMessage("Loading cancelled.", 5000)

    # --- state -> window --------------------------------------------------------------------

    def _on_state_register_changed(self, reg: Any) -> None:
        if self.search.text():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.tree_pane.results.hide()
        self.model.set_register(reg, self.state.as_of)
        if reg is not None and self.model.rowCount() <= 3:
            for r in range(self.model.rowCount()):
                self.tree.expand(self.model.index(r, 0))
        self.banner.setVisible(self.is_demo and reg is not None)
        self._report_dialog = None
        self._update_status()
        self._update_title()
        self._update_actions()

    def _on_state_as_of_changed(self, day: dt.date) -> None:
        self.model.set_day(day)
        self._refresh_results()
        self._update_status()

    def _on_state_language_changed(self, lang: str) -> None:
        self.model.set_language(lang)
        self.start_page.set_language(lang)
        self.search.setPlaceholderText(
            "Søg: navn, SOR-kode, SHAK, EAN, ydernummer, postnummer, by (Ctrl+F)"
            if lang == "da"
            else "Search: name, SOR id, SHAK, EAN, provider no., postcode, town (Ctrl+F)"
        )
        self._update_status()

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
                self.error(f"The SOR id {sor_id} is not in this file.")
            return False
        idx = self.model.index_of_entity(e)
        if not idx.isValid() and self.model.filter_text:
            self.search.clear()
            self._on_search_timer_timeout()
            idx = self.model.index_of_entity(e)
        if not idx.isValid():
            if not quiet:
                self.statusBar().showMessage(
                    f"{sor_id} does not exist on {self.state.as_of.isoformat()}; turn on "
                    "View > Show closed and future units to see it.",
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
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def selected_indexes(self) -> list[QModelIndex]:
        """Selected unit rows (column 0) in tree order."""
        rows = [
            i for i in self.tree.selectionModel().selectedRows(0) if self.model.entity_of(i) >= 0
        ]
        if not rows:
            cur = self.tree.currentIndex()
            if self.model.entity_of(cur) >= 0:
                rows = [cur.siblingAtColumn(0)]
        return rows

    def selected_sor_ids(self) -> list[str]:
        return [self.model.sor_id_of(i) for i in self.selected_indexes()]

    # --- search -----------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        text = self.search.text().strip()
        self.model.set_filter(text)
        if text and 0 < len(self.model.matches) <= EXPAND_MATCHES:
            self.tree.expandAll()
        self._refresh_results()
        self._update_status()

    def _refresh_results(self) -> None:
        results = self.tree_pane.results
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
            idx = self.model.index_of_entity(e)
            name = self.model.data(idx) if idx.isValid() else str(reg.ids[e])
            where = "" if col == "EntityName" else f"  ({schema.label(col, self.state.language)})"
            item = QListWidgetItem(f"{name}  ·  {reg.ids[e]}{where}")
            item.setData(Qt.ItemDataRole.UserRole, int(e))
            results.addItem(item)
        if not len(ents):
            item = QListWidgetItem(
                "Ingen resultater" if self.state.language == "da" else "No matches"
            )
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            results.addItem(item)
        elif len(ents) > RESULT_LIMIT:
            item = QListWidgetItem(f"... {len(ents) - RESULT_LIMIT} more")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            results.addItem(item)
        rows = min(results.count(), 8)
        results.setFixedHeight(results.sizeHintForRow(0) * rows + 2 * results.frameWidth() + 2)
        results.show()

    def _on_search_return(self) -> None:
        if self._search_timer.isActive():
            self._on_search_timer_timeout()
        results = self.tree_pane.results
        item = results.currentItem() or (results.item(0) if results.count() else None)
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

    def export_dialog(self) -> None:
        reg = self.state.register
        if reg is None:
            return
        from ui.widgets.export_dialog import ExportDialog

        dlg = ExportDialog(
            reg, self.state.as_of, self.selected_sor_ids(), self.settings.get(st.LAST_DIR), self
        )
        if dlg.exec() and dlg.written:
            self.statusBar().showMessage(f"Exported to {dlg.written}", 8000)

    def show_report(self) -> None:
        reg = self.state.register
        if reg is None:
            return
        from ui.widgets.report_dialog import ReportDialog

        if self._report_dialog is None:
            self._report_dialog = ReportDialog(
                reg.report, f"Load report - {os.path.basename(self.path)}", self
            )
        self._report_dialog.show()
        self._report_dialog.raise_()

    def copy_selection(self) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, QLineEdit):
            focus.copy()
            return
        rows = self.selected_indexes()
        if not rows:
            return
        rows.sort(key=self._tree_order_key)
        text = tsv(self.model.header_labels(), [self.model.row_values(i) for i in rows])
        QApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied {len(rows)} rows.", 4000)

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
        self._place_docks()

    def expand_all(self) -> None:
        if self.model.visible_count() > 20000:
            self.statusBar().showMessage("The tree is too large to expand fully; filter it.", 6000)
            return
        self.tree.expandAll()

    def collapse_all(self) -> None:
        self.tree.collapseAll()

    def show_about(self) -> None:
        import sorviewer

        QMessageBox.about(
            self, f"About {APP_NAME}", ABOUT_TEXT.format(version=sorviewer.__version__)
        )

    # --- window helpers ----------------------------------------------------------------

    def error(self, message: str, detail: str = "") -> None:
        """One sentence for the user; the technical detail is behind a button."""
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, message, parent=self)
        if detail:
            box.setDetailedText(detail)
        box.exec()

    def _show_start_page(self) -> None:
        self.stack.setCurrentWidget(self.start_page)
        for dock in self.docks:
            dock.hide()

    def _show_workspace(self) -> None:
        if self.stack.currentWidget() is self.workspace:
            return
        self.stack.setCurrentWidget(self.workspace)
        for dock in self.docks:
            dock.setVisible(self._workspace_docks.get(dock.objectName(), True))

    def _update_title(self) -> None:
        title = APP_NAME
        if self.state.register is not None:
            title = f"{os.path.basename(self.path)} - {APP_NAME}"
            if self.is_demo:
                title += f" - {DEMO_NOTICE}"
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
            return
        for w in widgets:
            w.show()
        da = self.state.language == "da"
        src = reg.source
        self.file_label.setText(os.path.basename(self.path) + (" (demo)" if self.is_demo else ""))
        self.file_label.setToolTip(self.path)
        version = f" {src.format_version}" if src.format_version else ""
        self.format_label.setText(f"{src.format}{version}")
        snap = src.snapshot_date.isoformat() if src.snapshot_date else "-"
        self.snapshot_label.setText(f"{'Udtræk' if da else 'Snapshot'}: {snap}")
        units = self.model.active_count()
        text = f"{units:,} {'enheder' if da else 'units'} {self.state.as_of.isoformat()}"
        if self.model.filter_text:
            n = len(self.model.matches)
            text += f" · {n:,} {'fundet' if da else 'found'}"
        self.units_label.setText(text)
        self.tree_pane.count.setText(text if self.model.filter_text else "")
        warnings = reg.report.warnings
        self.warnings_button.setText(
            f"{warnings:,} {'advarsler' if da else 'warnings'}"
            if warnings
            else ("Ingen advarsler" if da else "No warnings")
        )
        self.warnings_button.setToolTip("Show the load report")

    # --- Qt events -------------------------------------------------------------------------

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
