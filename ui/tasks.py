"""Long work off the GUI thread: a plain function, a state object, one Qt adapter.

A task is a plain function `fn(state: TaskState) -> result`. It reports progress
with `state.set_progress(done, total)` (and `set_stage(name)`, `set_partial(value)`),
polls `state.cancelled` (or calls `state.check()`, which raises `Cancelled`), and
knows nothing of Qt: it must not create or touch a Qt object.

`TaskRunner` is the adapter. `start(fn, key)` runs one task on a worker thread;
`request(key, fn)` is for panels, where only the latest request counts (a running
task is told to stop, and at most one waits to run after it). The runner looks at
its task from the GUI thread on a timer (every few milliseconds at first, so a short
task's result is not left waiting, then less often), so progress reaches the window at most
`PROGRESS_MS` apart however often the task reports it, and the task's thread never
emits a signal, creates or frees a Qt object: when it has ended the runner hands
over the outcome in one step, as exactly one of

    finished(key, result)   failed(key, exception)   cancelled(key)

on the GUI thread. Everything the task held (the function, its closure, the result,
an exception and its traceback) stays referenced by the runner until then, so its
last reference is always dropped on the GUI thread, never on the worker (a closure
holding a widget must not free it there).

`wait()` cancels and joins (quitting waits for the workers). Tests make the runner
synchronous by setting `ui.tasks.default_executor = run_inline` (the `sync_tasks`
fixture in tests/gui/conftest.py does), or per runner with `executor=run_inline`.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")
Task = Callable[["TaskState"], Any]
#: starts `work()` somewhere; returns a handle whose `is_alive()` says it still runs, or
#: None when it ran `work()` to the end already (inline)
Executor = Callable[[Callable[[], None]], Any]

#: at most one progress signal per this many milliseconds (the first and last apart)
PROGRESS_MS = 150
#: how often the GUI thread looks at a running task: every FAST_POLL_MS during its first
#: FAST_FOR_MS (most panel and filter queries end within that, and a user waits for
#: each; a timer event every few ms costs nothing measurable), then every POLL_MS
POLL_MS = 25
FAST_POLL_MS = 3
FAST_FOR_MS = 300


class Cancelled(Exception):
    """Raised inside a task by `TaskState.check()` once cancelling was asked for."""


class TaskState:
    """What a task receives. Its methods may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._progress: tuple[int, int] | None = None
        self._stages: list[str] = []
        self._partial: list[Any] = []

    # --- the task's side -----------------------------------------------------------

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_cancelled(self) -> bool:
        """The same as `cancelled`, as a callable (sorviewer.load takes one)."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise `Cancelled` when the task was asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def set_progress(self, done: int, total: int) -> None:
        with self._lock:
            self._progress = (int(done), int(total))

    def report(self, done: int, total: int) -> None:
        """`set_progress` that also stops the task when it was cancelled: a progress
        callback for core functions that stop when their callback raises
        (`sorviewer.export.write_export`)."""
        self.set_progress(done, total)
        self.check()

    def set_stage(self, stage: str) -> None:
        """Name the step the task is in; every change is delivered, in order."""
        with self._lock:
            if not self._stages or self._stages[-1] != stage:
                self._stages.append(stage)

    def set_partial(self, value: Any) -> None:
        """Hand over a partial result (delivered by `TaskRunner.partial`)."""
        with self._lock:
            self._partial.append(value)

    # --- the runner's side ---------------------------------------------------------

    def cancel(self) -> None:
        self._cancel.set()

    def take(self) -> tuple[tuple[int, int] | None, list[str], list[Any]]:
        """The latest progress, the stages and the partial results since the last take."""
        with self._lock:
            stages, self._stages = self._stages, []
            partial, self._partial = self._partial, []
            return self._progress, stages, partial


class _Job(Generic[T]):
    """One task's run: everything it holds, until the GUI thread lets go of it."""

    def __init__(self, key: Any, fn: Callable[[TaskState], T], owner: TaskRunner) -> None:
        self.key = key
        self.owner = weakref.ref(owner)
        self.fn: Callable[[TaskState], T] | None = fn
        self.state = TaskState()
        self.result: T | None = None
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self.handle: Any = None

    def work(self) -> None:
        """Run the task (on the worker). Only attributes of the job keep what it made."""
        fn = self.fn
        assert fn is not None
        try:
            self.result = fn(self.state)
        except BaseException as exc:  # handed to the GUI thread, never lost
            self.error = exc
        finally:
            del fn
            self.ended.set()

    def running(self) -> bool:
        if not self.ended.is_set():
            return True
        alive = getattr(self.handle, "is_alive", None)
        return bool(alive()) if alive is not None else False


def run_in_thread(work: Callable[[], None]) -> threading.Thread:
    """The default executor: a daemon thread per task (a stuck task cannot keep the
    process alive after the window closed and waited for it)."""
    thread = threading.Thread(target=work, name="sorviewer-task", daemon=True)
    thread.start()
    return thread


def run_inline(work: Callable[[], None]) -> None:
    """The synchronous executor for tests: the task runs inside `start()`."""
    work()


#: the executor runners use unless given one (tests swap in `run_inline`)
default_executor: Executor = run_in_thread

#: every job handed to an executor and not yet handed over, held here (GUI thread
#: only): when its runner is freed before the job ends (a panel closed mid-task), the
#: job, its closure and its result are still let go of on the GUI thread, by `_reap`
_live: set[_Job[Any]] = set()


def _reap() -> None:
    """Let go of jobs that ended after their runner was freed (on the GUI thread)."""
    for job in [j for j in _live if j.owner() is None and not j.running()]:
        _live.discard(job)


class TaskRunner(QObject):
    """Runs tasks for one owner (a window, a panel, a dialog); see the module docstring.

    `latest_only`: `request()` semantics for `start()` too (a new task replaces the
    running one instead of being refused)."""

    started = Signal(object)
    progressed = Signal(int, int)
    staged = Signal(str)
    partial = Signal(object)
    finished = Signal(object, object)
    failed = Signal(object, object)
    cancelled = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        latest_only: bool = False,
        executor: Executor | None = None,
    ) -> None:
        super().__init__(parent)
        self.latest_only = latest_only
        self.executor = executor
        self._job: _Job[Any] | None = None
        self._waiting: _Job[Any] | None = None
        self._last_progress: tuple[int, int] | None = None
        self._last_emit = 0.0
        self._launched = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    # --- asking ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """A task runs (or a finished one has not been handed over yet)."""
        return self._job is not None

    @property
    def busy(self) -> bool:
        """A task runs or waits to run."""
        return self._job is not None or self._waiting is not None

    @property
    def key(self) -> Any:
        """The key of the task that runs (None when none does)."""
        return None if self._job is None else self._job.key

    def start(self, fn: Callable[[TaskState], Any], key: Any = None) -> bool:
        """Run `fn(state)` on a worker. False (nothing started) when a task runs and
        the runner is not `latest_only`."""
        if self._job is not None and not self.latest_only:
            return False
        self.request(key, fn)
        return True

    def request(self, key: Any, fn: Callable[[TaskState], Any]) -> None:
        """Run `fn(state)`; only the latest request counts: a running task is asked to
        stop (its outcome is dropped) and this one runs after it ends."""
        job: _Job[Any] = _Job(key, fn, self)
        if self._job is None:
            self._launch(job)
            return
        self._job.state.cancel()
        self._waiting = job

    def cancel(self) -> None:
        """Ask the running task to stop (`cancelled` follows) and forget a waiting one."""
        self._waiting = None
        if self._job is not None:
            self._job.state.cancel()

    def wait(self, timeout_ms: int = 30_000, cancel: bool = True) -> bool:
        """Block until every task of this runner has ended (cancelling them first,
        unless `cancel` is False); the outcome is handed over before returning. True
        when none runs any more."""
        if cancel:
            self.cancel()
        deadline = time.monotonic() + timeout_ms / 1000
        while self.busy and time.monotonic() < deadline:
            job = self._job
            if job is not None:
                job.ended.wait(max(0.0, min(0.05, deadline - time.monotonic())))
                handle = job.handle
                if job.ended.is_set() and isinstance(handle, threading.Thread):
                    handle.join(max(0.0, deadline - time.monotonic()))
            self._poll()
        return not self.busy

    def wait_done(self, timeout_ms: int = 10_000) -> bool:
        """Like `wait(cancel=False)`: until every requested task was handed over
        (tests and scripts)."""
        return self.wait(timeout_ms, cancel=False)

    # --- the GUI thread's side ----------------------------------------------------------

    def _launch(self, job: _Job[Any]) -> None:
        self._job = job
        self._last_progress = None
        self._last_emit = 0.0
        self._launched = time.monotonic()
        self.started.emit(job.key)
        executor = self.executor or default_executor
        _reap()
        _live.add(job)
        job.handle = executor(job.work)
        if job.handle is None:  # ran inline: hand over now
            self._poll()
        else:  # on a thread: handed over from the event loop, always
            self._timer.start(FAST_POLL_MS)

    def _on_timer_timeout(self) -> None:
        if (
            self._timer.interval() != POLL_MS
            and time.monotonic() - self._launched > FAST_FOR_MS / 1000
        ):
            self._timer.setInterval(POLL_MS)
        self._poll()

    def _poll(self) -> None:
        """Forward what the running task reported, hand over its outcome once its thread
        has ended, and start the one waiting after it."""
        job = self._job
        if job is not None:
            ended = not job.running()
            self._forward(job, final=ended)
            if ended:
                self._job = None
                _live.discard(job)
                self._deliver(job)
                waiting, self._waiting = self._waiting, None
                if waiting is not None and self._job is None:
                    self._launch(waiting)
        if not self.busy:
            self._timer.stop()

    def _forward(self, job: _Job[Any], final: bool) -> None:
        if job.state.cancelled:
            return  # nobody waits for a superseded or cancelled task's progress
        progress, stages, partial = job.state.take()
        for stage in stages:
            self.staged.emit(stage)
        for value in partial:
            self.partial.emit(value)
        now = time.monotonic()
        if (
            progress is not None
            and progress != self._last_progress
            and (final or now - self._last_emit >= PROGRESS_MS / 1000)
        ):
            self._last_progress = progress
            self._last_emit = now
            self.progressed.emit(*progress)

    def _deliver(self, job: _Job[Any]) -> None:
        key, result, error = job.key, job.result, job.error
        cancelled = job.state.cancelled
        job.fn, job.result, job.error = None, None, None
        if cancelled:
            if error is not None and not _is_cancellation(error):
                log.info("a cancelled task ended with %r (ignored)", error)
            if self._waiting is None:
                self.cancelled.emit(key)
        elif error is not None:
            if _is_cancellation(error):
                self.cancelled.emit(key)
            else:
                self.failed.emit(key, error)
        else:
            self.finished.emit(key, result)


def _is_cancellation(exc: BaseException) -> bool:
    if isinstance(exc, Cancelled):
        return True
    from sorviewer.errors import LoadCancelled

    return isinstance(exc, LoadCancelled)
