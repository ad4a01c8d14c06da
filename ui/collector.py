"""Python's cycle collector, run on the GUI thread only, over a frozen register.

Why: CPython collects in whichever thread crosses its allocation threshold, here
often a worker (the loader, a panel's task). A collection there destroys cycles
holding Qt wrappers (a closed dialog's widgets, a slot's closure) from the wrong
thread, which crashed the GUI tests now and then ("Garbage-collecting" on a worker).
So automatic collection is off for the whole process, and a timer on the GUI thread
collects instead.

The policy uses only what means the same on Python 3.11 to 3.14 (3.14 made the
old generation incremental and changed what the second and third thresholds and
`gc.collect(1)` mean, so imitating the generations breaks there):

- every `INTERVAL_MS`, a young collection (`gc.collect(0)`) once the young
  generation's allocation count (`gc.get_count()[0]`) has passed its threshold
  (`gc.get_threshold()[0]`);
- every `FULL_EVERY_S`, a full collection (`gc.collect()`);
- when a register is installed or dropped, `settle()`: unfreeze, one full collection
  (the old register's cycles go), then `gc.freeze()`: the new register and the
  long-lived window objects move to the permanent generation, so the timer's
  collections never walk them (a full collection of the whole heap with the full
  register loaded took ~100 ms, enough to stall a selection).
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger(__name__)


class Collector(QObject):
    """The one collector of the application (see the module docstring)."""

    INTERVAL_MS = 1000
    #: the least time between two full collections of what is not frozen
    FULL_EVERY_S = 30.0

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
        """Let Python collect on its own again (tests do, between cases)."""
        self._timer.stop()
        gc.enable()

    def _on_timer_timeout(self) -> None:
        self.collect()

    def collect(self) -> int:
        """One step of the policy; the number of objects found unreachable."""
        _assert_gui_thread()
        now = time.monotonic()
        if now - self._last_full >= self.FULL_EVERY_S:
            self._last_full = now
            return gc.collect()
        if gc.get_count()[0] > gc.get_threshold()[0]:
            return gc.collect(0)
        return 0

    def settle(self) -> int:
        """A register was installed or dropped: free the old one's cycles, then freeze
        what is left so later collections skip it."""
        _assert_gui_thread()
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self._last_full = time.monotonic()
        log.debug(
            "heap settled: %d unreachable, %d frozen, %.0f ms",
            found,
            gc.get_freeze_count(),
            (time.perf_counter() - started) * 1000,
        )
        return found


def _assert_gui_thread() -> None:
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the cycle collector runs on the GUI thread only")


def install_collector(app: QCoreApplication) -> Collector:
    """The application's collector, made on first call."""
    existing = app.findChild(Collector)
    if isinstance(existing, Collector):
        return existing
    return Collector(app)


def settle_heap() -> None:
    """`Collector.settle()` of the running application's collector, if it has one
    (a window in a test without the collector still works)."""
    app = QCoreApplication.instance()
    collector = app.findChild(Collector) if app is not None else None
    if isinstance(collector, Collector):
        collector.settle()
