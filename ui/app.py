"""Application start-up: logging, QApplication, crash hygiene, the window, the smoke test.

Start-up order: the log (ui.logs), faulthandler, the QApplication with the guard
against the binding's reference-count defect (ui.refcounts) and the GUI-thread
cycle collector (ui.collector), the uncaught-exception hook, then the window.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import tempfile
import time
import traceback
from importlib import resources
from types import TracebackType
from typing import Any

from PySide6.QtCore import QEventLoop, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ui.collector import install_collector
from ui.logs import crash_log_path, log_file, setup_logging
from ui.refcounts import guard_singletons

log = logging.getLogger(__name__)

APP_NAME = "SOR Viewer"
SMOKE_TIMEOUT_S = 900


def resource_text(name: str) -> str:
    """A text file from resources/ (works from source and from the frozen build)."""
    try:
        return (resources.files("resources") / name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return ""


def app_icon() -> QIcon:
    icon = QIcon()
    try:
        base = resources.files("resources")
        for size in (16, 32, 48, 64, 128, 256):
            f = base / f"app_icon_{size}.png"
            if f.is_file():
                with resources.as_file(f) as p:
                    icon.addFile(str(p))
    except (ModuleNotFoundError, OSError):
        pass
    return icon


def enable_faulthandler() -> None:
    """A hard crash leaves a trace; a windowed frozen app has no stderr, so use a file."""
    try:
        if sys.stderr is not None:
            faulthandler.enable()
            return
        handle = open(crash_log_path(), "a", encoding="utf-8")  # noqa: SIM115
        faulthandler.enable(handle)
    except (OSError, RuntimeError):
        pass


_in_hook = False


def install_excepthook() -> None:
    """An exception nobody caught (PySide6 only prints those from slots) is a bug in
    the program: logged with its traceback, and shown as one (the window goes on)."""

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        global _in_hook
        if issubclass(etype, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("uncaught exception", exc_info=(etype, value, tb))
        if sys.stderr is not None and not logging.getLogger().handlers:
            sys.stderr.write("".join(traceback.format_exception(etype, value, tb)))
        if _in_hook or QApplication.instance() is None:
            return
        _in_hook = True
        try:
            from ui.i18n import tr
            from ui.widgets.error_dialog import (
                ErrorDialog,
                error_details,
                excepthook_language,
                internal_error_text,
            )

            lang = excepthook_language()
            what = tr(
                lang,
                f"udførte en handling ({etype.__name__})",
                f"doing an action ({etype.__name__})",
            )
            if value.__traceback__ is None:
                value = value.with_traceback(tb)
            ErrorDialog(
                internal_error_text(lang, what, log_file()), error_details(what, value), lang
            ).exec()
        finally:
            _in_hook = False

    sys.excepthook = hook


_qt_translator: QTranslator | None = None


def set_qt_language(language: str) -> bool:
    """Qt's own texts (standard buttons, the calendar, context menus of text fields) in
    `language`: Qt's Danish catalogue for "da", Qt's built-in English otherwise.
    Returns whether a catalogue was loaded."""
    global _qt_translator
    app = QApplication.instance()
    if app is None:
        return False
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language != "da":
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Danish), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _qt_translator = translator
    return True


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("sorviewer")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    qss = resource_text("style.qss")
    if qss:
        app.setStyleSheet(qss)
    guard_singletons()
    install_collector(app)
    return app


def smoke_test(path: str) -> int:
    """Open `path` offscreen, wait for the load, check the tree has rows. Exit code."""
    from ui.main_window import MainWindow
    from ui.settings import Settings

    start = time.perf_counter()
    app = create_app(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        win = MainWindow(settings=Settings(os.path.join(tmp, "smoke.ini")), icon=app_icon())
        win.show()
        outcome: dict[str, Any] = {}
        loop = QEventLoop()

        def finished(_path: str, _reg: Any) -> None:
            outcome["ok"] = True
            loop.quit()

        def failed(message: str) -> None:
            outcome.setdefault("error", message)
            loop.quit()

        def internal(what: str, exc: BaseException) -> None:
            traceback.print_exception(exc, file=sys.stderr)
            failed(f"an internal error while {what}: {type(exc).__name__}: {exc}")

        win.load_task.finished.connect(finished)
        win.load_task.cancelled.connect(lambda _p: failed("the load was cancelled"))
        # errors go to stdout, never to a modal dialog nobody can click
        win.error = failed  # type: ignore[method-assign]
        win.internal_error = internal  # type: ignore[method-assign]
        if not os.path.isfile(path):
            what = "is a folder, not a file" if os.path.isdir(path) else "does not exist"
            print(f"smoke test failed: {path} {what}.", file=sys.stderr)
            return 1
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(SMOKE_TIMEOUT_S * 1000)
        # an exception in a slot reaches only sys.excepthook: it fails the smoke test
        previous_hook = sys.excepthook

        def hook(etype: type[BaseException], value: BaseException, tb: Any) -> None:
            traceback.print_exception(etype, value, tb, file=sys.stderr)
            outcome.setdefault("error", f"{etype.__name__}: {value}")

        sys.excepthook = hook
        try:
            if win.open_path(path):
                loop.exec()
            app.processEvents()
            rows = win.model.top_level_count()
            units = win.model.active_count()
            if outcome.get("ok") and rows:
                outcome["checked"] = exercise(win, app, tmp)
            app.processEvents()
        finally:
            sys.excepthook = previous_hook
        error = outcome.get("error")
        win.close()
        win.deleteLater()
        app.processEvents()
    if error:
        print(f"smoke test failed: {error}", file=sys.stderr)
        return 1
    if not outcome.get("ok"):
        print(
            f"smoke test failed: {path} did not load within {SMOKE_TIMEOUT_S} s.", file=sys.stderr
        )
        return 1
    if rows == 0:
        print(f"smoke test failed: {path} loaded but the tree is empty.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - start
    print(
        f"smoke test ok: {os.path.basename(path)}: {rows} top rows, {units} units today, "
        f"{outcome['checked']}, {elapsed:.2f} s"
    )
    return 0


def _settle(app: QApplication, seconds: float = 0.3) -> None:
    """Run the event loop for a moment (worker panels report back through it)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def exercise(win: Any, app: QApplication, folder: str) -> str:
    """After the load: select the deepest unit on the first path down the tree, bring
    every panel to the front once, export the selection's subtree as CSV and XLSX and
    query and copy in the Units view, so a module missing from a frozen build shows
    here. A summary for the one line."""
    from sorviewer.export import write_export

    model, tree = win.model, win.tree
    index = model.index(0, 0)
    depth = 0
    tree.expand(index)
    while model.rowCount(index) > 0:
        index = model.index(0, 0, index)
        tree.expand(index)
        depth += 1
    tree.setCurrentIndex(index)
    sor_id = model.sor_id_of(index)
    if not sor_id or win.state.current != sor_id:
        raise RuntimeError("selecting a unit in the tree did not select it")
    _settle(app)
    for dock in win.docks:
        dock.raise_()
        _settle(app)
    reg, day = win.state.register, win.state.as_of
    # the nearest unit above (the top rows may be owner-type groups, not units)
    parent = model.sor_id_of(index.parent()) or sor_id
    written = []
    for fmt in ("csv", "xlsx"):
        out = os.path.join(folder, f"smoke.{fmt}")
        written.append(write_export(reg, day, out, fmt, subtree=parent))
    # the Units view: a query with every facet on its worker, a copy of some rows
    win.show_units_view()
    units = win.units_view
    units.wait()
    _settle(app)
    if units.model.rowCount() == 0:
        raise RuntimeError("the Units view found no units")
    units.table.selectRow(0)
    units.copy_selection()
    if not QApplication.clipboard().mimeData().hasHtml():
        raise RuntimeError("copying from the Units view put no table on the clipboard")
    win.show_tree_view()
    if not set_qt_language("da"):
        raise RuntimeError("Qt's Danish catalogue (qtbase_da.qm) did not load")
    set_qt_language("en")
    return (
        f"unit {sor_id} at depth {depth} selected, {len(win.docks)} panels shown, "
        f"{written[0]} units exported to csv and xlsx, "
        f"{units.model.rowCount()} units in the Units view, Qt's Danish texts load"
    )


USAGE = "usage: main.py [FILE] | main.py --smoke-test FILE | main.py --measure-open FILE"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    args = argv[1:]
    setup_logging()
    log_start()
    enable_faulthandler()
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args and args[0] == "--smoke-test":
        if len(args) != 2:
            print(USAGE, file=sys.stderr)
            return 2
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        try:
            return smoke_test(args[1])
        except Exception as exc:  # the one line a build script can show
            print(f"smoke test failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            if os.environ.get("SORVIEWER_DEBUG"):
                traceback.print_exc()
            return 1
    if args and args[0] == "--measure-open":
        if len(args) != 2:
            print(USAGE, file=sys.stderr)
            return 2
        from ui.measure import measure_open

        try:
            return measure_open(args[1])
        except Exception as exc:  # the one line a benchmark can show
            print(f"measure-open failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            if os.environ.get("SORVIEWER_DEBUG"):
                traceback.print_exc()
            return 1
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(USAGE, file=sys.stderr)
        return 2
    if args:
        # read the file while Qt and the window load (the window's load task takes it)
        from ui.loading import prefetch

        prefetch.start(args[0])
    app = create_app(argv[:1])
    install_excepthook()
    # No splash screen: the window module imports no data library (pandas, pyarrow and
    # pyqtgraph load after the first paint), so the window itself is up in a few hundred
    # ms; QSplashScreen.show() also waits up to 1 s for the platform to expose it.
    from ui.main_window import MainWindow

    win = MainWindow(icon=app_icon())
    set_qt_language(win.state.language)
    win.state.language_changed.connect(set_qt_language)
    win.show()
    if os.environ.get("SORVIEWER_PROBE_FIRST_WINDOW"):
        # tests/bench/bench_ui.py: the wall-clock moment the window has painted, then exit
        app.processEvents()
        print(f"first-window {time.time():.6f}", flush=True)
        win.close()
        return 0
    if args:
        path = args[0]
        if os.environ.get("SORVIEWER_PROBE_OPENED"):
            probe_opened(win, app)
        QTimer.singleShot(0, lambda: win.open_path(path))
    code = int(app.exec())
    log.info("quit with exit code %d", code)
    return code


def log_start() -> None:
    import platform

    import PySide6

    import sorviewer

    log.info(
        "SOR Viewer %s starting (Python %s, PySide6 %s, %s)",
        sorviewer.__version__,
        platform.python_version(),
        PySide6.__version__,
        platform.platform(),
    )


def probe_opened(win: Any, app: QApplication) -> None:
    """tests/e2e/test_frozen_app.py: print what the file given on the command line
    loaded to ("Open with" and file associations start the program that way), then exit;
    a failure prints its sentence and exits 1 instead of showing a dialog."""

    def opened(path: str, _reg: Any) -> None:
        print(f"opened {os.path.basename(path)}: {win.model.rowCount()} top rows", flush=True)
        app.quit()

    def failed(message: str) -> None:
        print(f"failed: {message}", flush=True)
        app.exit(1)

    # a failed load and a missing file both end in win.error (a bug in internal_error)
    win.error = failed
    win.internal_error = lambda what, exc: failed(f"internal error while {what}: {exc!r}")
    win.load_task.finished.connect(opened)
