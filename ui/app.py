"""Application start-up: QApplication, crash hygiene, the window, the smoke test."""

from __future__ import annotations

import faulthandler
import gc
import os
import sys
import tempfile
import time
import traceback
from importlib import resources
from types import TracebackType
from typing import Any

from PySide6.QtCore import QEventLoop, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

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


def crash_log_path() -> str:
    """crash.log in the user log folder (platformdirs); the temp folder if that fails."""
    try:
        from ui.settings import log_dir

        folder = log_dir()
        os.makedirs(folder, exist_ok=True)
    except OSError:
        folder = os.path.join(tempfile.gettempdir(), "sorviewer")
        os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, "crash.log")


def log_crash(text: str) -> str:
    """Append a traceback with a time stamp to the crash log; its path, or "" on failure."""
    try:
        path = crash_log_path()
        with open(path, "a", encoding="utf-8") as fh:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            fh.write(f"--- {stamp} SOR Viewer {_version()} ---\n{text}\n")
        return path
    except OSError:
        return ""


def _version() -> str:
    try:
        import sorviewer

        return str(sorviewer.__version__)
    except (ImportError, AttributeError):
        return "?"


_in_hook = False


def install_excepthook() -> None:
    """Show an error dialog for an exception nobody caught (PySide6 only prints those)."""

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        global _in_hook
        text = "".join(traceback.format_exception(etype, value, tb))
        if sys.stderr is not None:
            sys.stderr.write(text)
        if issubclass(etype, KeyboardInterrupt):
            QApplication.quit()
            return
        log = log_crash(text)
        if _in_hook or QApplication.instance() is None:
            return
        _in_hook = True
        try:
            # the hook cannot know the window's language: both, Danish first
            where_da = f" Detaljerne er skrevet i {log}." if log else ""
            where = f" The details were written to {log}." if log else ""
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                APP_NAME,
                f"Der gik noget galt i SOR Viewer ({etype.__name__}: {value}); vinduet kører "
                "videre, men gem dit arbejde og genstart, hvis det opfører sig mærkeligt."
                + where_da
                + "\n\n"
                f"Something went wrong inside SOR Viewer ({etype.__name__}: {value}); "
                "the window keeps running, but save your work and restart if it misbehaves."
                + where,
            )
            box.setDetailedText(text)
            box.exec()
        finally:
            _in_hook = False

    sys.excepthook = hook


class GuiThreadCollector(QObject):
    """Python's cycle collector, run from the GUI thread only.

    CPython collects in whichever thread crosses the allocation threshold; here that is
    often a worker (the loader, a panel's background job). A cycle holding Qt objects
    (widgets of a closed dialog, a slot's closure) is then destroyed from the wrong
    thread, which crashed the GUI tests now and then (a segfault inside "Garbage-
    collecting" on the load worker). So automatic collection is off and a timer on the
    GUI thread collects, by the same thresholds Python would use."""

    INTERVAL_MS = 500

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last_full = time.monotonic()
        self.start()

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Let Python collect on its own again (tests do between cases: no worker runs)."""
        self._timer.stop()
        gc.enable()

    def _on_timer_timeout(self) -> None:
        self.collect()

    #: the least time between two full collections: a full one walks the whole heap
    #: (~100 ms with a register loaded), and Python itself runs one only when the heap
    #: has grown by a quarter since the last, a count it does not expose
    FULL_EVERY_S = 60.0

    def collect(self) -> int:
        """Collect the young generations whose counts passed their thresholds, as
        Python's automatic collection would, and the whole heap at most once per
        FULL_EVERY_S; the number of objects found unreachable."""
        counts, limits = gc.get_count(), gc.get_threshold()
        generation = -1
        for g in range(2):
            if counts[g] > limits[g]:
                generation = g
        now = time.monotonic()
        if counts[2] > limits[2] and now - self._last_full >= self.FULL_EVERY_S:
            self._last_full = now
            return gc.collect(2)
        return gc.collect(generation) if generation >= 0 else 0


def pin_gc_to_gui_thread(app: QApplication) -> GuiThreadCollector:
    """Install the collector once per application (see GuiThreadCollector)."""
    existing = app.findChild(GuiThreadCollector)
    if isinstance(existing, GuiThreadCollector):
        return existing
    return GuiThreadCollector(app)


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
    pin_gc_to_gui_thread(app)
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

        def finished(_reg: Any, _path: str) -> None:
            outcome["ok"] = True
            loop.quit()

        def failed(message: str, _path: str) -> None:
            outcome["error"] = message
            loop.quit()

        win.load_task.finished.connect(finished)
        win.load_task.failed.connect(failed)
        win.load_task.cancelled.connect(lambda _p: failed("the load was cancelled", _p))
        # errors go to stdout, never to a modal dialog nobody can click
        win.error = lambda message, detail="": outcome.setdefault("error", message)  # type: ignore[method-assign]
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
    every panel to the front once and export the selection's subtree as CSV and XLSX,
    so a module missing from a frozen build shows here. A summary for the one line."""
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
    parent = model.sor_id_of(index.parent()) if depth else sor_id
    written = []
    for fmt in ("csv", "xlsx"):
        out = os.path.join(folder, f"smoke.{fmt}")
        written.append(write_export(reg, day, out, fmt, subtree=parent))
    if not set_qt_language("da"):
        raise RuntimeError("Qt's Danish catalogue (qtbase_da.qm) did not load")
    set_qt_language("en")
    return (
        f"unit {sor_id} at depth {depth} selected, {len(win.docks)} panels shown, "
        f"{written[0]} units exported to csv and xlsx, Qt's Danish texts load"
    )


USAGE = "usage: main.py [FILE] | main.py --smoke-test FILE"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    args = argv[1:]
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
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(USAGE, file=sys.stderr)
        return 2
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
    return int(app.exec())


def probe_opened(win: Any, app: QApplication) -> None:
    """tests/e2e/test_frozen_app.py: print what the file given on the command line
    loaded to ("Open with" and file associations start the program that way), then exit;
    a failure prints its sentence and exits 1 instead of showing a dialog."""

    def opened(_reg: Any, path: str) -> None:
        print(f"opened {os.path.basename(path)}: {win.model.rowCount()} top rows", flush=True)
        app.quit()

    def failed(message: str) -> None:
        print(f"failed: {message}", flush=True)
        app.exit(1)

    # a failed load and a missing file both end in win.error
    win.error = lambda message, detail="": failed(message)
    win.load_task.finished.connect(opened)
