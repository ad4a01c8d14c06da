"""Every sentence a person sees is in the window's language.

The window is opened on the panels' register (a unit with a contradiction, EDI
tables), every panel is brought to the front in turn with a unit selected, and the
texts the window shows are collected: labels, buttons, menus and their actions, tab
titles, table and tree headers, placeholders, tooltips, dock titles, the status bar.
In English no Danish word from a small list may appear, and in Danish no English one.
Qt's own file dialog is checked the same way in both languages.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)

from tests.gui.test_panels import OE3, SI, _register
from ui import settings as st
from ui.app import set_qt_language
from ui.file_dialogs import file_dialog
from ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

#: words only Danish uses (whole words, any case); none is an English word or a name
DANISH = {
    "af",
    "og",
    "eller",
    "ikke",
    "fra",
    "til",
    "enhed",
    "enheder",
    "enhedens",
    "vis",
    "skjul",
    "luk",
    "åbn",
    "søg",
    "søgning",
    "dato",
    "datoen",
    "kopiér",
    "eksportér",
    "nedarvet",
    "egen",
    "eget",
    "ingen",
    "ændringer",
    "ændret",
    "oprettet",
    "lukket",
    "flyttet",
    "omdøbt",
    "værdi",
    "kilde",
    "navn",
    "fil",
    "filer",
    "filen",
    "hjælp",
    "vindue",
    "sprog",
    "række",
    "rækker",
    "vælg",
    "annuller",
    "postadresse",
    "besøgsadresse",
    "lokationsnummer",
    "overordnet",
    "gyldig",
    "fremtidig",
    "aktiv",
    "aktive",
    "mappe",
    "kode",
    "koder",
    "åbnede",
    "indlæser",
    "januar",
    "februar",
    "marts",
    "maj",
    "juni",
    "juli",
    "oktober",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "søndag",
}
#: words only English uses
ENGLISH = {
    "the",
    "of",
    "from",
    "with",
    "unit",
    "units",
    "show",
    "hide",
    "close",
    "open",
    "save",
    "search",
    "copy",
    "inherited",
    "own",
    "none",
    "changes",
    "changed",
    "created",
    "closed",
    "moved",
    "renamed",
    "value",
    "source",
    "name",
    "file",
    "files",
    "help",
    "window",
    "language",
    "rows",
    "row",
    "choose",
    "cancel",
    "postal",
    "visiting",
    "address",
    "parent",
    "valid",
    "future",
    "active",
    "folder",
    "look",
    "code",
    "codes",
    "select",
    "opened",
    "loading",
    "matches",
    "january",
    "february",
    "march",
    "may",
    "june",
    "july",
    "october",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
TAG = re.compile(r"<[^>]+>")


def _visible(w: QWidget, win: QWidget) -> bool:
    return w.isVisibleTo(win) or isinstance(w, QMenu)


def window_texts(win: QWidget) -> list[tuple[str, str]]:
    """(where, text) of what the window shows now: every visible widget's text,
    placeholder and tooltip, every menu and action, tab titles and view headers."""
    out: list[tuple[str, str]] = [("title", win.windowTitle())]
    for w in win.findChildren(QWidget):
        if not _visible(w, win):
            continue
        kind = type(w).__name__
        if w.toolTip():
            out.append((f"{kind} tooltip", w.toolTip()))
        if isinstance(w, QLabel | QAbstractButton):
            out.append((kind, w.text()))
        elif isinstance(w, QLineEdit):
            out.append((f"{kind} placeholder", w.placeholderText()))
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                out.append(("tab", w.tabText(i)))
                out.append(("tab tooltip", w.tabToolTip(i)))
        elif isinstance(w, QDockWidget | QGroupBox):
            out.append((kind, w.windowTitle() if isinstance(w, QDockWidget) else w.title()))
        elif isinstance(w, QComboBox):
            out += [("combo", w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QMenu):
            out.append(("menu", w.title()))
            for a in w.actions():
                out += [("action", a.text()), ("action tip", a.toolTip())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            try:
                columns = m.columnCount(QModelIndex())
            except TypeError:  # a list model keeps columnCount to itself: one column
                columns = 1
            out += [
                ("header", str(m.headerData(c, Qt.Orientation.Horizontal) or ""))
                for c in range(columns)
            ]
            out += [(f"{kind} cell", t) for t in _cells(m, columns)]
    bar = getattr(win, "statusBar", None)
    if callable(bar):
        out.append(("status", bar().currentMessage()))
    # file paths (the dialog's folder, a file's name in a caption) are no language
    return [(where, t) for where, t in out if t and not re.match(r"^(/|[A-Za-z]:\\)", t)]


def _cells(model: Any, columns: int, rows: int = 40) -> list[str]:
    """The shown text and tooltip of a sample of a view's cells (the first rows and
    their first children): words the window writes there, such as provenance and
    status words, next to the file's values."""
    out = []
    parents = [QModelIndex()]
    parents += [model.index(r, 0) for r in range(min(model.rowCount(QModelIndex()), 10))]
    for parent in parents:
        for r in range(min(model.rowCount(parent), rows)):
            for c in range(columns):
                idx = model.index(r, c, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(idx, role)
                    if isinstance(value, str) and value:
                        out.append(value)
    return out


#: EanLocationCodeState's coded values as a SOR2 file writes them: the raw views
#: (All fields, History) show the file's values as they are, whatever the language
FILE_CODES = {"own", "inherited", "none"}


def foreign(texts: list[tuple[str, str]], words: set[str]) -> list[tuple[str, str, str]]:
    """(where, word, text) for each text holding one of `words`."""
    found = []
    for where, text in texts:
        if text.strip() in FILE_CODES and ("RecordsView" in where or "QHeaderView" in where):
            continue  # the raw record views show the file's own coded values
        plain = unescape(TAG.sub(" ", text)).replace("&", "")
        for w in WORD.findall(plain):
            if w.lower() in words:
                found.append((where, w, text[:120]))
    return found


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> MainWindow:
    win = MainWindow(
        settings=st.Settings(str(tmp_path / "lang.ini")),
        loader=lambda _path, _progress, _cancelled: _register(),
    )
    qtbot.addWidget(win)
    win.resize(1280, 860)
    win.show()
    qtbot.waitUntil(lambda: len(win.docks) > 3, timeout=10000)
    path = tmp_path / "Sor_complete.zip"
    path.write_bytes(b"not read: the test's loader builds the register")
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        assert win.open_path(str(path))
    return win


def comparison_views(win: MainWindow) -> list[tuple[str, str]]:
    """The window's texts with a comparison open (Differences and Followed in front,
    followed units, the since-last-time bar), then closed again."""
    import datetime as dt

    from ui.comparison import Remembered, compare_registers

    reg = win.state.register
    assert reg is not None
    other = _register(names={OE3: "Zeta 9"})
    win.state.set_followed({SI: True, OE3: False})
    # the window's paths are absolute (the scan passes paths over: they are no language)
    other_path = str(Path(win.path).with_name("andet.zip"))
    win.state.set_comparison(compare_registers(reg, win.path, other, other_path))
    texts = []
    for name in ("dock_DifferencesPanel", "dock_FollowedPanel"):
        dock = win.findChild(QDockWidget, name)
        assert dock is not None
        win.bring_to_front(dock)
        QApplication.processEvents()
        panel = dock.widget().widget(0)
        panel.wait()
        panel.update_now()
        QApplication.processEvents()
        texts += [(f"{name}: {w}", t) for w, t in window_texts(win)]
    win.since_bar.offer(Remembered("sor2-zip", other_path, dt.date(2020, 12, 1), None))
    win.since_bar.set_followed_changed(2)
    QApplication.processEvents()
    texts += window_texts(win)
    win.since_bar.dismiss()
    win.state.set_comparison(None)
    win.state.set_followed({})
    return texts


def every_view(qtbot: Any, win: MainWindow) -> list[tuple[str, str]]:
    """The window's texts with each panel in front in turn (a unit with a problem
    selected, a search typed), and the menus."""
    import datetime as dt

    win.state.set_as_of(dt.date(2021, 1, 1))
    win.reveal(SI)
    texts = []
    for dock in win.docks:
        dock.raise_()
        QApplication.processEvents()
        for panel in dock.findChildren(QWidget):
            wait = getattr(panel, "wait", None)
            if callable(wait) and hasattr(panel, "job"):
                wait()
        QApplication.processEvents()
        texts += [(f"{dock.objectName()}: {w}", t) for w, t in window_texts(win)]
    texts += comparison_views(win)
    win.reveal(OE3)
    QApplication.processEvents()
    texts += window_texts(win)
    win.search.setText("ærø")
    win._on_search_timer_timeout()
    QApplication.processEvents()
    texts += window_texts(win)
    win.clear_filter()
    for menu in win.menuBar().findChildren(QMenu):
        texts.append(("menu", menu.title()))
        for a in menu.actions():
            texts += [("action", a.text()), ("action tip", a.toolTip())]
    return [(w, t) for w, t in texts if t]


def test_english_window_shows_no_danish_word(qtbot: Any, window: MainWindow) -> None:
    window.action_map["lang_en"].trigger()
    texts = every_view(qtbot, window)
    assert len(texts) > 200  # the scan sees the window, not an empty shell
    assert not foreign(texts, DANISH), foreign(texts, DANISH)


def test_danish_window_shows_no_english_word(qtbot: Any, window: MainWindow) -> None:
    window.action_map["lang_da"].trigger()
    texts = every_view(qtbot, window)
    assert len(texts) > 200
    assert not foreign(texts, ENGLISH), foreign(texts, ENGLISH)


def test_the_scan_finds_a_word_of_the_other_language(qtbot: Any) -> None:
    label = QLabel("Vis <b>enheden</b> &amp; close")
    qtbot.addWidget(label)
    assert [w for _where, w, _t in foreign([("label", label.text())], ENGLISH)] == ["close"]
    assert foreign([("x", "Skjul lukkede enheder")], DANISH)


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("save", [False, True])
def test_file_dialogs_speak_the_window_language(
    qtbot: Any, tmp_path: Path, lang: str, save: bool
) -> None:
    """Qt's own dialog (the one used when the system speaks another language, and
    always offscreen), with Qt's Danish catalogue loaded as the window loads it."""
    set_qt_language(lang)
    try:
        dialog = file_dialog(None, "SOR", str(tmp_path), "CSV (*.csv)", lang, save=save)
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        texts = window_texts(dialog)
        buttons = {b.text().replace("&", "") for b in dialog.findChildren(QAbstractButton)}
        labels = {w.text().replace("&", "") for w in dialog.findChildren(QLabel)}
        other = ENGLISH if lang == "da" else DANISH
        assert not foreign(texts, other), foreign(texts, other)
        if lang == "da":
            assert {"Annuller", "Gem" if save else "Åbn"} <= buttons
            assert {"Søg i:", "Filnavn:", "Filtype:"} <= labels
        else:
            assert {"Cancel", "Save" if save else "Open"} <= buttons
            assert {"Look in:", "File name:", "Files of type:"} <= labels
        dialog.close()
    finally:
        set_qt_language("en")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_standard_buttons_speak_the_window_language_without_qts_catalogue(
    qtbot: Any, lang: str
) -> None:
    """Qt words OK/Cancel/Close/Save from its own catalogue, which follows the system
    (and a packaged program may lack): the dialogs word them themselves."""
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.widgets.column_chooser import ColumnChooser
    from ui.widgets.error_dialog import ErrorDialog
    from ui.widgets.report_dialog import ReportDialog

    set_qt_language("en")  # Qt's own words English, whatever the window speaks
    reg = _register()
    dialogs = [
        ColumnChooser(["SorId", "EntityName"], ["SorId"], lang),
        ReportDialog(reg.report, parent=None, language=lang),
        ErrorDialog("x", "y", lang),
    ]
    words = {"da": {"OK", "Annuller", "Luk", "Gem"}, "en": {"OK", "Cancel", "Close", "Save"}}
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        for box in dialog.findChildren(QDialogButtonBox):
            for button in box.buttons():
                if box.standardButton(button) != QDialogButtonBox.StandardButton.NoButton:
                    assert button.text().replace("&", "") in words[lang], (
                        type(dialog).__name__,
                        button.text(),
                    )
