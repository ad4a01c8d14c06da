"""Application start-up: QApplication, crash hygiene, the window, the smoke test."""

from __future__ import annotations

import faulthandler
import os
import sys
import tempfile
import time
import traceback
from importlib import resources
from types import TracebackType
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
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
            where = f" The details were written to {log}." if log else ""
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                APP_NAME,
                f"Something went wrong inside SOR Viewer ({etype.__name__}: {value}); "
                "the window keeps running, but save your work and restart if it misbehaves."
                + where,
            )
            box.setDetailedText(text)
            box.exec()
        finally:
            _in_hook = False

    sys.excepthook = hook


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
            print(f"smoke test failed: {path} does not exist.", file=sys.stderr)
            return 1
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(SMOKE_TIMEOUT_S * 1000)
        if win.open_path(path):
            loop.exec()
        app.processEvents()
        error = outcome.get("error")
        rows = win.model.rowCount()
        units = win.model.active_count()
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
        f"{elapsed:.2f} s"
    )
    return 0


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
    win.show()
    if os.environ.get("SORVIEWER_PROBE_FIRST_WINDOW"):
        # tests/bench/bench_ui.py: the wall-clock moment the window has painted, then exit
        app.processEvents()
        print(f"first-window {time.time():.6f}", flush=True)
        win.close()
        return 0
    if args:
        path = args[0]
        QTimer.singleShot(0, lambda: win.open_path(path))
    return int(app.exec())
