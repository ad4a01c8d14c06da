"""`main.py --measure-open FILE`: how long the user waits for a file, from the process start.

Starts the window as a user's double-click would, opens FILE through the window's own
worker path (`MainWindow.open_path`), and waits until the window is usable: the tree
painted at the date, a first search answered, the panel in front filled. Then prints
one JSON line and exits 0:

    {"shown_s": 0.41, "usable_s": 1.02, "peak_rss_mb": 912.3}

`shown_s` and `usable_s` are seconds since the process started (the operating system's
start time where it tells, else since the launcher began), `peak_rss_mb` the peak
resident memory of the process. tests/bench/bench_open.py runs it in fresh processes.
The settings are a throw-away file, so the user's layout and date choice do not count.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import tempfile
import time
from typing import Any

#: the launcher's own clock at import (the fallback for the process start)
_IMPORTED = time.perf_counter()
MEASURE_TIMEOUT_S = 900


def _start_offset() -> float:
    """Seconds between the process start and now, by the operating system where it
    says (Linux: /proc; Windows: GetProcessTimes), else since this module loaded."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/self/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            start_ticks = int(fields[19])  # field 22: starttime, clock ticks after boot
            with open("/proc/uptime", encoding="ascii") as f:
                uptime = float(f.read().split()[0])
            return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
        if sys.platform == "win32":
            return _windows_age()
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    return time.perf_counter() - _IMPORTED


def _current_process() -> Any:
    """The pseudo handle of this process, pointer-sized (without a declared result type
    ctypes would cut GetCurrentProcess's -1 to a 32-bit int on 64-bit Windows)."""
    from ctypes import wintypes

    current = ctypes.windll.kernel32.GetCurrentProcess  # type: ignore[attr-defined]
    current.restype = wintypes.HANDLE
    current.argtypes = []
    return current()


def _windows_age() -> float:
    from ctypes import wintypes

    creation, ex, kern, user = (wintypes.FILETIME() for _ in range(4))
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    times = kernel32.GetProcessTimes
    times.argtypes = [wintypes.HANDLE] + [ctypes.POINTER(wintypes.FILETIME)] * 4
    times.restype = wintypes.BOOL
    if not times(_current_process(), *(ctypes.byref(t) for t in (creation, ex, kern, user))):
        raise OSError("GetProcessTimes failed")
    now = wintypes.FILETIME()
    kernel32.GetSystemTimeAsFileTime(ctypes.byref(now))

    def ticks(ft: Any) -> int:  # 100 ns units
        return (int(ft.dwHighDateTime) << 32) | int(ft.dwLowDateTime)

    return max(0.0, (ticks(now) - ticks(creation)) / 1e7)


class ProcessClock:
    """Seconds since the process started, read from a monotonic clock."""

    def __init__(self) -> None:
        self._origin = time.perf_counter() - _start_offset()

    def now(self) -> float:
        return time.perf_counter() - self._origin


def peak_rss_mb() -> float | None:
    """The peak resident memory of this process in MB (None where it cannot be read)."""
    if sys.platform == "win32":
        return _windows_peak_mb()
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux and the BSDs, bytes on macOS
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def _windows_peak_mb() -> float | None:
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [
            ("cb", wintypes.DWORD),
            ("PageFaultCount", wintypes.DWORD),
            ("PeakWorkingSetSize", ctypes.c_size_t),
            ("WorkingSetSize", ctypes.c_size_t),
            ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
            ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
            ("PagefileUsage", ctypes.c_size_t),
            ("PeakPagefileUsage", ctypes.c_size_t),
        ]

    counters = Counters()
    counters.cb = ctypes.sizeof(Counters)
    try:
        info = ctypes.windll.psapi.GetProcessMemoryInfo  # type: ignore[attr-defined]
        info.argtypes = [wintypes.HANDLE, ctypes.POINTER(Counters), wintypes.DWORD]
        info.restype = wintypes.BOOL
        ok = info(_current_process(), ctypes.byref(counters), counters.cb)
    except (AttributeError, OSError):
        return None
    return counters.PeakWorkingSetSize / 1e6 if ok else None


def measure_open(path: str) -> int:
    """Run the measurement (see the module docstring); the exit code."""
    clock = ProcessClock()
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.app import app_icon, create_app
    from ui.loading import prefetch

    if not os.path.isfile(path):
        print(f"measure-open failed: {path} is not a file.", file=sys.stderr)
        return 1
    # as `main.py FILE` does: the file is read while Qt and the window load
    prefetch.start(path)
    app = create_app(sys.argv[:1])
    from ui.main_window import MainWindow
    from ui.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        win = MainWindow(settings=Settings(os.path.join(tmp, "measure.ini")), icon=app_icon())
        win.show()
        app.processEvents()  # the first paint
        shown = clock.now()
        outcome: dict[str, Any] = {}
        loop = QEventLoop()

        def finished(_path: str, _reg: Any) -> None:
            outcome["ok"] = True
            loop.quit()

        def failed(message: str) -> None:
            outcome.setdefault("error", message)
            loop.quit()

        win.load_task.finished.connect(finished)
        win.load_task.cancelled.connect(lambda _p: failed("the load was cancelled"))
        win.error = failed  # type: ignore[method-assign]
        win.internal_error = lambda what, exc: failed(  # type: ignore[method-assign]
            f"an internal error while {what}: {type(exc).__name__}: {exc}"
        )
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(MEASURE_TIMEOUT_S * 1000)

        # as main() does it: from the event loop, once the window is up
        def start() -> None:
            if not win.open_path(path):
                failed("the load did not start")

        QTimer.singleShot(0, start)
        loop.exec()
        usable = _until_usable(win, app, clock) if outcome.get("ok") else 0.0
        # the warm-up and the cache write after it (the next open reads that cache; the
        # peak memory of the first open includes the write)
        win.finish_task.wait_done(MEASURE_TIMEOUT_S * 1000)
        error = outcome.get("error") or ("" if outcome.get("ok") else "the load timed out")
        win.close()
        win.deleteLater()
        app.processEvents()
    if error:
        print(f"measure-open failed: {error}", file=sys.stderr)
        return 1
    doc = {
        "shown_s": round(shown, 3),
        "usable_s": round(usable, 3),
        "peak_rss_mb": None if (peak := peak_rss_mb()) is None else round(peak, 1),
    }
    print(json.dumps(doc), flush=True)
    return 0


def _until_usable(win: Any, app: Any, clock: ProcessClock) -> float:
    """Wait (running the event loop) until the window answers the user: the tree painted,
    a search answered at the window's date, the panel in front filled. The moment."""
    from sorviewer.search import find

    def paint() -> None:
        # posted update requests are painted here; a second round catches what the
        # first one posted
        app.processEvents()
        app.processEvents()

    paint()
    while not win._docks_built:  # built from a timer after the first paint
        paint()
        time.sleep(0.005)
    reg = win.state.register
    if win.model.rowCount() == 0:
        raise RuntimeError("the tree is empty after the load")
    # a first keystroke in the filter: answered when the search index is there (built
    # here if the load did not)
    find(reg, reg.snapshot(win.state.as_of), "a")
    for dock in win.docks:
        holder = dock.widget()
        panel = holder.widget(0) if holder is not None else None
        if dock.isVisible() and panel is not None and panel.isVisible():
            panel.update_now()
            panel.wait()
    paint()
    return clock.now()
