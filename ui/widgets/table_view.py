"""The table every panel uses (`RecordsView`), and the lazy panel base they share.

`RecordsView` shows a `RecordsModel` through a sorting/filtering proxy, with a
filter box (`view.frame` holds both), Ctrl+C as TSV with header, a context menu
(Copy, Copy row, Copy SOR id, Copy EAN, Show in tree, Export the selected units
to CSV/XLSX through the core exporter) and double-click to select the row's unit.

`LazyPanel` is the base of the dock panels: it listens to the `AppState` and
recomputes only while visible; a hidden panel just remembers it is stale and
catches up when shown, so moving the date with five panels docked costs the
visible ones only. A palette change (a dark system theme) makes it stale too, so
every colour a panel picked from the palette is picked again.

Colours come from the widget's palette, never from style sheets (a widget's own
style sheet keeps the palette it was polished with) nor from Qt's rich-text link
blue (baked in from the application palette when the text is parsed): `MutedLabel`
and `set_link_text` redo their colours on every palette change.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.app_state import AppState
from ui.models.records_model import RecordsModel, RecordsProxy, display_text
from ui.widgets.date_bar import contrast, link_colour, mix, muted_colour

#: the tint of highlighted rows (the version valid at the date, differing fields): amber
#: mixed into the base colour, so it is a pale yellow on white and a dark amber on black
HIGHLIGHT_TINT = QColor(240, 180, 0)


def to_tsv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """TSV for the clipboard: sorviewer.export.to_tsv when present, else a plain join."""
    try:
        from sorviewer.export import to_tsv as core_to_tsv
    except ImportError:  # the export module lands separately; keep copying working
        core_to_tsv = None
    if core_to_tsv is not None:
        return str(core_to_tsv(list(header), [list(r) for r in rows]))
    lines = ["\t".join(_clean(h) for h in header)]
    lines += ["\t".join(_clean(v) for v in r) for r in rows]
    return "\n".join(lines) + "\n"


def _clean(value: object) -> str:
    return display_text(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tr(lang: str, da: str, en: str) -> str:
    """The Danish or English wording of a UI string."""
    return da if lang == "da" else en


def set_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def count_text(lang: str, shown: int, total: int) -> str:
    """ "8 rækker", "1 række", "3 af 8 rækker" (English "8 rows", "3 of 8 rows")."""

    def number(n: int) -> str:
        return f"{n:,}".replace(",", "." if lang == "da" else ",")

    noun = tr(lang, "række" if total == 1 else "rækker", "row" if total == 1 else "rows")
    if shown != total:
        return tr(lang, f"{number(shown)} af ", f"{number(shown)} of ") + f"{number(total)} {noun}"
    return f"{number(total)} {noun}"


def highlight_colour(pal: QPalette) -> QColor:
    """The background of highlighted rows: a tint of the base that keeps the text readable."""
    base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    for share in (0.3, 0.22, 0.15, 0.08):
        tint = mix(base, HIGHLIGHT_TINT, share)
        if contrast(tint, text) >= 4.5:
            return tint
    return base


class MutedLabel(QLabel):
    """Secondary text (a row count, a hint) in a muted colour that stays readable and
    follows palette changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._apply_palette()

    def changeEvent(self, ev: QEvent) -> None:  # Qt override
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange:
            # only WindowText is ours; the Text and Window it is mixed from follow the
            # parent, and setting the same colour again sends no further change
            self._apply_palette()

    def _apply_palette(self) -> None:
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.WindowText, muted_colour(pal))
        self.setPalette(pal)


_LINK_START = re.compile(r"<a (?:style=\"color:#[0-9a-fA-F]{6}\" )?href=")


def colour_links(html: str, colour: QColor) -> str:
    """`html` with every `<a href=...>` drawn in `colour` (replacing an earlier colour)."""
    return _LINK_START.sub(f'<a style="color:{colour.name()}" href=', html)


def set_link_text(label: QLabel, html: str) -> None:
    """Rich text with its links in the label's palette link colour, made readable.

    Qt colours links from the application palette when it parses the text and keeps
    that colour; labels wired with `connect_link` call this again on a palette change."""
    label.setText(colour_links(html, link_colour(label.palette())))


class RecordsView(QTableView):
    """A sortable, filterable table of records with copy and navigation."""

    #: a source row was double-clicked (source row index)
    row_activated = Signal(int)

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        filterable: bool = True,
        placeholder: str = "",
    ) -> None:
        self.frame = QWidget(parent)
        super().__init__(self.frame)
        self.state = state
        self.records = RecordsModel(self)
        self.proxy = RecordsProxy(self)
        self.proxy.setSourceModel(self.records)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicatorShown(False)  # given order until a click
        self.horizontalHeader().sectionClicked.connect(self._on_header_clicked)
        self._sorted = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # fitting a column to its contents looks at a sample of rows, not all 50k
        self.horizontalHeader().setResizeContentsPrecision(200)
        self.doubleClicked.connect(self._on_double_clicked)

        self.filter_edit = QLineEdit(self.frame)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setPlaceholderText(placeholder or "Filter")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._debounce.start)
        self.count_label = MutedLabel(self.frame)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        lay = QVBoxLayout(self.frame)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self)
        lay.addWidget(self.count_label)
        self.filter_edit.setVisible(filterable)
        self.count_label.setVisible(filterable)
        self.records.set_highlight_brush(QBrush(highlight_colour(self.palette())))
        state.language_changed.connect(self._update_count)

    # --- content ----------------------------------------------------------------

    def set_records(
        self,
        keys: Sequence[str],
        labels: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        id_key: str | None = "sor_id",
        highlight: Sequence[int] = (),
    ) -> None:
        self.records.set_records(keys, labels, rows, id_key=id_key, highlight=highlight)
        header = self.horizontalHeader()
        if (
            self._sorted
            and self.isSortingEnabled()
            and 0 <= header.sortIndicatorSection() < len(keys)
        ):  # new content keeps the order the user chose
            self.records.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._update_count()

    def _on_header_clicked(self, _section: int) -> None:
        if self.isSortingEnabled():
            self._sorted = True
            self.horizontalHeader().setSortIndicatorShown(True)

    def apply_filter(self) -> None:
        """Apply the filter box now (typing applies it after a short pause)."""
        self._debounce.stop()
        self.proxy.set_filter_text(self.filter_edit.text())
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.records.rowCount()
        self.count_label.setText(count_text(self.state.language, shown, total))

    def source_row(self, proxy_index: QModelIndex) -> int:
        return self.proxy.mapToSource(proxy_index).row()

    def selected_source_rows(self) -> list[int]:
        rows = {self.source_row(i) for i in self.selectionModel().selectedIndexes()}
        return sorted(rows)

    def current_sor_id(self) -> str | None:
        idx = self.currentIndex()
        if not idx.isValid():
            rows = self.selected_source_rows()
            return self.records.sor_id(rows[0]) if rows else None
        return self.records.sor_id(self.source_row(idx))

    def select_source_row(self, row: int) -> None:
        """Make source row `row` current and selected (if it passes the filter)."""
        idx = self.proxy.mapFromSource(self.records.index(row, 0))
        if idx.isValid():
            self.setCurrentIndex(idx)
            self.selectRow(idx.row())
            self.scrollTo(idx)

    # --- copy -------------------------------------------------------------------

    def selection_tsv(self) -> str:
        """The selected rows (every column) or cells, as TSV with a header line."""
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return ""
        ncols = self.records.columnCount()
        by_row: dict[int, set[int]] = {}
        for i in indexes:
            by_row.setdefault(i.row(), set()).add(i.column())
        cols = sorted({c for cs in by_row.values() for c in cs})
        whole_rows = all(len(cs) == ncols for cs in by_row.values())
        if whole_rows:
            cols = list(range(ncols))
        labels = self.records.labels()
        header = [labels[c] for c in cols]
        rows = []
        for prow in sorted(by_row):
            src = self.proxy.mapToSource(self.proxy.index(prow, 0)).row()
            rec = self.records.record(src)
            rows.append([rec[c] if whole_rows or c in by_row[prow] else "" for c in cols])
        return to_tsv(header, rows)

    def all_tsv(self) -> str:
        """Every row that passes the filter, in the shown order, as TSV."""
        rows = [
            list(self.records.record(self.proxy.mapToSource(self.proxy.index(r, 0)).row()))
            for r in range(self.proxy.rowCount())
        ]
        return to_tsv(self.records.labels(), rows)

    def copy_selection(self) -> None:
        text = self.selection_tsv()
        if text:
            set_clipboard(text)

    def copy_sor_id(self) -> None:
        sid = self.current_sor_id()
        if sid:
            set_clipboard(sid)

    def current_row(self) -> int:
        """Source row of the current index (or the first selected row), -1 when none."""
        idx = self.currentIndex()
        if idx.isValid():
            return self.source_row(idx)
        rows = self.selected_source_rows()
        return rows[0] if rows else -1

    def current_ean(self) -> str | None:
        """The EAN in the current row's `ean` column, when the table has one."""
        col = self.records.column_of("ean")
        row = self.current_row()
        if col < 0 or row < 0:
            return None
        value = self.records.record(row)[col]
        return str(value) if value not in (None, "") else None

    def copy_ean(self) -> None:
        ean = self.current_ean()
        if ean:
            set_clipboard(ean)

    def row_tsv(self, row: int) -> str:
        """One source row with the header, as TSV."""
        if not 0 <= row < self.records.rowCount():
            return ""
        return to_tsv(self.records.labels(), [list(self.records.record(row))])

    def copy_row(self) -> None:
        text = self.row_tsv(self.current_row())
        if text:
            set_clipboard(text)

    def selected_sor_ids(self) -> list[str]:
        """SOR ids of the selected rows, in the shown order, without repeats."""
        seen: dict[str, None] = {}
        prows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        for prow in prows:
            sid = self.records.sor_id(self.proxy.mapToSource(self.proxy.index(prow, 0)).row())
            if sid:
                seen.setdefault(sid, None)
        return list(seen)

    def export_selection(self, path: str, fmt: str) -> int:
        """Write the selected units at the as-of date with the core exporter."""
        from sorviewer.export import write_export

        reg = self.state.register
        ids = self.selected_sor_ids()
        if reg is None or not ids:
            return 0
        # the rows asked for, whatever their status at the date (a closed unit in a list
        # of changes is still the row the user picked); the as-of date goes into the file
        return int(
            write_export(
                reg, self.state.as_of, path, fmt, sor_ids=ids, include_all=True, stamp=True
            )
        )

    def _ask_export(self, fmt: str) -> None:
        lang = self.state.language
        day = self.state.as_of
        ext = {"csv": "CSV (*.csv)", "xlsx": "Excel (*.xlsx)"}[fmt]
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr(lang, "Eksportér udvalget", "Export the selection"),
            f"sor_{day:%Y-%m-%d}.{fmt}",
            ext,
        )
        if not path:
            return
        try:
            self.export_selection(path, fmt)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(
                self,
                tr(lang, "Eksport mislykkedes", "Export failed"),
                tr(lang, f"Kunne ikke skrive {path}: {exc}", f"Could not write {path}: {exc}"),
            )

    def show_current_in_tree(self) -> None:
        sid = self.current_sor_id()
        if sid:
            self.state.show_in_tree(sid)

    # --- events -----------------------------------------------------------------

    def event(self, ev: QEvent) -> bool:  # Qt override
        # Claim Ctrl+C before a window-wide Copy shortcut does: the table copies itself.
        if (
            ev.type() == QEvent.Type.ShortcutOverride
            and isinstance(ev, QKeyEvent)
            and ev.matches(QKeySequence.StandardKey.Copy)
        ):
            ev.accept()
            return True
        return super().event(ev)

    def changeEvent(self, ev: QEvent) -> None:  # Qt override
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange:
            self.records.set_highlight_brush(QBrush(highlight_colour(self.palette())))

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # Qt override
        if ev.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            ev.accept()
            return
        super().keyPressEvent(ev)

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:  # Qt override
        menu = self.context_menu()
        menu.exec(ev.globalPos())

    def context_menu(self) -> QMenu:
        """The context menu's actions (built fresh so they match the current row)."""
        menu = QMenu(self)
        lang = self.state.language
        copy = QAction(tr(lang, "Kopiér", "Copy"), menu)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        copy.setEnabled(self.selectionModel().hasSelection())
        menu.addAction(copy)
        row = QAction(tr(lang, "Kopiér række", "Copy row"), menu)
        row.triggered.connect(self.copy_row)
        row.setEnabled(self.current_row() >= 0)
        menu.addAction(row)
        sid = self.current_sor_id()
        has_ids = self.records.has_sor_ids()
        if has_ids:
            copy_id = QAction(tr(lang, "Kopiér SOR-kode", "Copy SOR id"), menu)
            copy_id.triggered.connect(self.copy_sor_id)
            copy_id.setEnabled(sid is not None)
            menu.addAction(copy_id)
        if self.records.column_of("ean") >= 0:
            copy_ean = QAction(tr(lang, "Kopiér EAN", "Copy EAN"), menu)
            copy_ean.triggered.connect(self.copy_ean)
            copy_ean.setEnabled(self.current_ean() is not None)
            menu.addAction(copy_ean)
        if has_ids:
            menu.addSeparator()
            show = QAction(tr(lang, "Vis i træet", "Show in tree"), menu)
            show.triggered.connect(self.show_current_in_tree)
            show.setEnabled(sid is not None)
            menu.addAction(show)
            can_export = self.state.register is not None and bool(self.selected_sor_ids())
            for fmt, da, en in (
                ("csv", "Eksportér udvalgte enheder til CSV…", "Export selected units to CSV…"),
                ("xlsx", "Eksportér udvalgte enheder til XLSX…", "Export selected units to XLSX…"),
            ):
                export = QAction(tr(lang, da, en), menu)
                export.triggered.connect(lambda _=False, f=fmt: self._ask_export(f))
                export.setEnabled(can_export)
                menu.addAction(export)
        return menu

    def _on_double_clicked(self, index: QModelIndex) -> None:
        row = self.source_row(index)
        self.row_activated.emit(row)
        sid = self.records.sor_id(row)
        if sid:
            self.state.select(sid)


class BackgroundJob(QObject):
    """Runs one slow computation at a time on a worker thread; only the latest request counts.

    `request(key, fn)` starts `fn()` on a thread (or, while one runs, remembers it as
    the next to run, replacing any older waiting request). `done(key, result)` is
    emitted on the GUI thread for the latest request only; results of superseded
    requests are dropped. `fn` must not touch Qt widgets.
    """

    done = Signal(object, object)
    failed = Signal(object, str)
    _finished = Signal(int, object, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._running = False
        self._waiting: tuple[int, object, Callable[[], Any]] | None = None
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._running or self._waiting is not None

    def request(self, key: object, fn: Callable[[], Any]) -> None:
        self._generation += 1
        job = (self._generation, key, fn)
        if self._running:
            self._waiting = job
        else:
            self._start(job)

    def cancel(self) -> None:
        """Forget every request (a running one still ends, but is not reported)."""
        self._generation += 1
        self._waiting = None

    def _start(self, job: tuple[int, object, Callable[[], Any]]) -> None:
        self._running = True
        gen, key, fn = job

        def run() -> None:
            try:
                result, error = fn(), ""
            except Exception as exc:  # reported to the panel, never lost
                result, error = None, f"{type(exc).__name__}: {exc}"
            self._finished.emit(gen, key, result, error)

        threading.Thread(target=run, name="panel-job", daemon=True).start()

    def _on_finished(self, gen: int, key: object, result: object, error: str) -> None:
        self._running = False
        if self._waiting is not None:
            job, self._waiting = self._waiting, None
            self._start(job)
            return
        if gen != self._generation:
            return
        if error:
            self.failed.emit(key, error)
        else:
            self.done.emit(key, result)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Process events until no request is pending (for tests and scripts)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer

        deadline = QDeadlineTimer(timeout_ms)
        while self.busy and not deadline.hasExpired():
            QCoreApplication.processEvents()
            threading.Event().wait(0.002)
        return not self.busy


class LazyPanel(QWidget):
    """Base of the dock panels: recompute on state changes, but only while visible.

    Subclasses implement `refresh()` (read the state, fill the widgets) and may
    override `retranslate()` for the language. `title` is the dock title.
    """

    title: str = ""
    #: whether the panel shows something about the selected unit (else a new selection
    #: does not make it stale)
    follows_selection: bool = True

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
            "Vælg en enhed i træet eller i en søgning.",
            "Select a unit in the tree or in a search.",
        )


def connect_link(label: QLabel, state: AppState, reveal: bool = True) -> None:
    """Links of the form `sor:<id>` in `label` select that unit (and show it in the tree);
    the links are drawn in the palette's link colour and follow palette changes."""
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    label.setOpenExternalLinks(False)
    label.linkActivated.connect(lambda href: _follow(href, state, reveal))
    label.installEventFilter(_LinkRecolourer(label))
    set_link_text(label, label.text())


class _LinkRecolourer(QObject):
    """Event filter on a link label (its child): a palette change redraws the links."""

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # Qt override
        if ev.type() == QEvent.Type.PaletteChange and isinstance(obj, QLabel):
            set_link_text(obj, obj.text())
        return False


def _follow(href: str, state: AppState, reveal: bool = True) -> None:
    if href.startswith("sor:"):
        if reveal:
            state.show_in_tree(href[4:])
        else:
            state.select(href[4:])
