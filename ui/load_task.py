"""Runs the loader off the GUI thread and hands the Register over in one step.

The loader is the plain function `sorviewer.load(path, progress, cancelled)`; this
adapter runs it on a QThread, forwards progress a few times a second, and emits
exactly one of `finished(register, path)`, `failed(message, path)` or
`cancelled(path)`. Those signals belong to the task object, which lives on the GUI
thread, so connected slots run there. Tests inject their own loader.

`staged(name)` tells which stage the load is in: "read" (the loader's progress below
its read share), "build" (the index), "prepare" (after the loader: the search
columns and today's snapshot are built on the worker, so the first keystroke in the
filter does not stall the window).
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

Loader = Callable[[str, Callable[[int, int], None], Callable[[], bool]], Any]

#: at most one progress signal per this many seconds (plus the first and the last)
PROGRESS_INTERVAL = 0.08
#: the loader reports reading up to this share of its total (sorviewer.loading.READ_SHARE)
READ_SHARE = 0.92


def prepare_register(reg: Any) -> None:
    """Warm the caches a first search, the first tree and the first selected unit need
    (runs on the worker): the SHAK map arrays took 0.4-0.5 s on the full register, all
    of it spent on the GUI thread the first time a unit was selected."""
    import datetime as dt

    if not hasattr(reg, "search"):
        return
    reg.search("0", dt.date.today(), limit=1)
    from sorviewer import mapping

    mapping.map_table(reg)


def default_loader(path: str, progress: Callable[[int, int], None], cancelled: Any) -> Any:
    import sorviewer

    return sorviewer.load(path, progress=progress, cancelled=cancelled)


class _Thread(QThread):
    def __init__(self, task: LoadTask) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._run()


class LoadTask(QObject):
    """One load at a time. `start(path)`; then one of the three outcome signals."""

    started = Signal(str)
    progressed = Signal(int, int)
    finished = Signal(object, str)
    failed = Signal(str, str)
    cancelled = Signal(str)
    staged = Signal(str)
    #: internal: the worker's outcome, delivered to the GUI thread by a queued connection
    _outcome = Signal(str, object, str)

    def __init__(self, loader: Loader | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader: Loader = loader or default_loader
        self._run_loader: Loader = self.loader
        self._thread: _Thread | None = None
        self._cancel = threading.Event()
        self._path = ""
        self._last_emit = 0.0
        self._stage = ""
        self.last_detail = ""
        #: called with the loaded register on the worker before it is handed over
        self.prepare: Callable[[Any], None] | None = prepare_register
        self._outcome.connect(self._on_outcome)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def path(self) -> str:
        return self._path

    def start(self, path: str, loader: Loader | None = None) -> bool:
        """Begin loading `path` (with `loader` for this once). False when one is running."""
        if self._thread is not None:
            return False
        self._path = path
        self._run_loader = loader or self.loader
        self._cancel.clear()
        self._last_emit = 0.0
        self._stage = ""
        self._thread = _Thread(self)
        self.started.emit(path)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Ask the loader to stop; `cancelled` follows once it did."""
        self._cancel.set()

    def wait(self, msecs: int = 30000) -> None:
        """Block until the worker thread ended (used on quit)."""
        if self._thread is not None:
            self._thread.wait(msecs)

    # --- worker thread ---------------------------------------------------------------

    def _set_stage(self, stage: str) -> None:
        if stage != self._stage:
            self._stage = stage
            self.staged.emit(stage)

    def _progress(self, done: int, total: int) -> None:
        if self._stage != "prepare":
            self._set_stage("read" if done < total * READ_SHARE else "build")
        now = time.monotonic()
        if done >= total or now - self._last_emit >= PROGRESS_INTERVAL:
            self._last_emit = now
            self.progressed.emit(int(done), int(total))

    def _run(self) -> None:
        from sorviewer.errors import LoadCancelled, LoadError

        path = self._path
        try:
            self._set_stage("read")
            reg = self._run_loader(path, self._progress, self._cancel.is_set)
            if self.prepare is not None and not self._cancel.is_set():
                self._set_stage("prepare")
                # only a warm-up: when it fails, the search builds on first use instead
                with contextlib.suppress(Exception):
                    self.prepare(reg)
        except LoadCancelled:
            self._outcome.emit("cancelled", None, path)
        except LoadError as exc:
            self._outcome.emit("failed", str(exc) or "The file could not be read.", path)
        except MemoryError:
            self._outcome.emit("failed", "There is not enough memory to open this file.", path)
        except Exception as exc:  # a bug, not the user's fault: say so, keep the details
            detail = "".join(traceback.format_exception(exc))
            self._outcome.emit(
                "failed",
                f"The file could not be opened because of an internal error: {exc}",
                detail,
            )
        else:
            if self._cancel.is_set():
                self._outcome.emit("cancelled", None, path)
            else:
                self._outcome.emit("finished", reg, path)

    # --- GUI thread --------------------------------------------------------------------

    def _on_outcome(self, kind: str, payload: object, extra: str) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
        path = self._path
        if kind == "finished":
            self.finished.emit(payload, path)
        elif kind == "cancelled":
            self.cancelled.emit(path)
        else:
            self.last_detail = extra if extra != path else ""
            self.failed.emit(str(payload), path)


class _JobThread(QThread):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job._run()


class Job(QObject):
    """Any slow plain function on a worker thread: `done(result)` or `failed(message)`.

    Exceptions whose type is in `user_errors` give their own message; anything else
    is reported as an internal error with its text.
    """

    done = Signal(object)
    failed = Signal(str)
    _outcome = Signal(bool, object)

    def __init__(
        self,
        fn: Callable[[], Any],
        user_errors: tuple[type[BaseException], ...] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.fn = fn
        self.user_errors = user_errors
        self._thread: _JobThread | None = None
        self._outcome.connect(self._on_outcome)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        self._thread = _JobThread(self)
        self._thread.start()

    def wait(self, msecs: int = 30000) -> None:
        if self._thread is not None:
            self._thread.wait(msecs)

    def _run(self) -> None:
        try:
            result = self.fn()
        except self.user_errors as exc:
            self._outcome.emit(False, str(exc))
        except OSError as exc:
            self._outcome.emit(False, f"The file could not be written: {exc.strerror or exc}.")
        except Exception as exc:
            self._outcome.emit(False, f"An internal error stopped the task: {exc}")
        else:
            self._outcome.emit(True, result)

    def _on_outcome(self, ok: bool, payload: object) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
        if ok:
            self.done.emit(payload)
        else:
            self.failed.emit(str(payload))
