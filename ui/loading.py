"""Opening a file as tasks: the loader, the demo register, the work after the window has it.

`load_register` is the task the window runs on a `ui.tasks.TaskRunner`: it calls a
loader (`sorviewer.load`, the demo loader, or a test's own) with the state's progress
and cancel flag, then makes sure the search index is there (restored from the load
cache, or built), still on the worker, so the first keystroke in the filter does not
stall the window. Its stages: "read" (the loader's progress below its read share),
"build" (the index), "prepare" (the search index).

`finish_register` runs after the window shows the register, on another worker: the
rest of the warm-up (the SHAK map, every row's provenance facts, the day's EAN
sources) and then the load cache write, so neither delays the first open.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ui.i18n import tr
from ui.tasks import TaskState

if TYPE_CHECKING:  # the register pulls pandas; the window starts without it
    from sorviewer.api import Register

log = logging.getLogger(__name__)

#: `loader(path, progress, cancelled)`: sorviewer.load's shape
Loader = Callable[[str, Callable[[int, int], None], Callable[[], bool]], Any]

#: the loader reports reading up to this share of its total (sorviewer.loading.READ_SHARE)
READ_SHARE = 0.92
DEMO_FILE = "sor_demo_1500_seed7.zip"


class DemoError(Exception):
    """The demo register could not be written (the disk, not the program)."""

    def __init__(self, strerror: str) -> None:
        super().__init__(f"The demo register could not be written: {strerror}.")
        self.strerror = strerror

    def render(self, lang: str) -> str:
        return tr(
            lang,
            f"Demo-registeret kunne ikke skrives: {self.strerror}.",
            f"The demo register could not be written: {self.strerror}.",
        )


class Prefetch:
    """The file named on the command line ("Open with", a double-click), loaded on a
    thread of its own from the moment the program starts, while Qt, the window and its
    modules load on the main thread: the load task then takes the result instead of
    starting the read only once the window is up. Only `sorviewer.load` runs on that
    thread (no Qt object is made or touched there)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: str | None = None
        self._done = threading.Event()
        self._result: Any = None
        self._error: BaseException | None = None

    def start(self, path: str) -> bool:
        """Start loading `path` (a file) unless a prefetch is under way. Whether it started."""
        with self._lock:
            if self._path is not None or not os.path.isfile(path):
                return False
            self._path = os.path.abspath(path)
            self._done.clear()
        threading.Thread(
            target=self._run, args=(path,), name="sorviewer-prefetch", daemon=True
        ).start()
        return True

    def _run(self, path: str) -> None:
        try:
            import sorviewer

            self._result = sorviewer.load(path, write_cache=False)
        except BaseException as exc:  # handed to the load task, which raises it
            self._error = exc
        finally:
            self._done.set()

    def take(self, path: str, cancelled: Callable[[], bool]) -> tuple[bool, Any]:
        """(True, the register) when `path` is the file being prefetched (waiting for it,
        while not `cancelled`; raises what its load raised); (False, None) otherwise.
        The prefetch is handed over once."""
        with self._lock:
            if self._path is None or self._path != os.path.abspath(path):
                return False, None
        while not self._done.wait(0.05):
            if cancelled():
                from sorviewer.errors import LoadCancelled

                raise LoadCancelled()
        with self._lock:
            result, error = self._result, self._error
            self._path, self._result, self._error = None, None, None
        if error is not None:
            raise error
        return True, result


#: the program's one prefetch (ui.app.main starts it for a file on the command line)
prefetch = Prefetch()


def default_loader(
    path: str, progress: Callable[[int, int], None], cancelled: Callable[[], bool]
) -> Any:
    import sorviewer

    taken, reg = prefetch.take(path, cancelled)
    if taken:
        progress(1000, 1000)
        return reg
    # the cache is written after the window has the register (finish_register)
    return sorviewer.load(path, progress=progress, cancelled=cancelled, write_cache=False)


def demo_path() -> str:
    """Where the generated demo register is kept (made once, then reused)."""
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("sorviewer", appauthor=False), DEMO_FILE)


def demo_loader(
    path: str, progress: Callable[[int, int], None], cancelled: Callable[[], bool]
) -> Any:
    """Generate the demo register on first use, then load it like any file."""
    import sorviewer
    from sorviewer import synthetic

    if not os.path.exists(path):
        tmp = path + ".part"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            synthetic.generate(tmp, entities=1500, seed=7)
            os.replace(tmp, path)
        except OSError as exc:
            raise DemoError(exc.strerror or str(exc)) from exc
    return sorviewer.load(path, progress=progress, cancelled=cancelled, write_cache=False)


def prepare_search(reg: Register) -> None:
    """Make sure the search index is there (a register from the load cache has it
    already; one read from the file builds it here: about a second on the full one)."""
    from sorviewer.search import base_parts

    base_parts(reg)


def prepare_register(reg: Register) -> None:
    """Warm the caches a first search and the first selected unit need (the search
    columns, the SHAK map arrays, every version row's provenance facts: about a second
    on the full register that would otherwise be spent on the GUI thread the first time
    a unit is selected)."""
    reg.warm(dt.date.today())


def finish_register(state: TaskState, reg: Any, cache_limit: int | None = None) -> bool:
    """The work after the window shows `reg` (a task): the warm-up, then the load cache
    write under `cache_limit` bytes. Whether the cache was written. Cancelled (another
    file opened, the window closing), the warm-up is skipped but the write is not: a
    file closed right after it opened should still open fast the next time."""
    if hasattr(reg, "warm") and not state.cancelled:
        try:
            prepare_register(reg)
        except Exception:  # only a warm-up: the caches are built on first use instead
            log.exception("warming the caches failed; they are built on first use")
    if getattr(reg, "cache_key", None) is None:
        return False
    from sorviewer import cache
    from sorviewer.loading import save_cache

    if cache_limit is not None:
        cache.set_size_limit(cache_limit)
    started = time.perf_counter()
    written = save_cache(reg)
    log.info("cache written: %s in %.2f s", written, time.perf_counter() - started)
    return written


def load_register(
    state: TaskState,
    path: str,
    loader: Loader = default_loader,
    prepare: Callable[[Any], None] | None = prepare_search,
) -> Any:
    """The load task: the register at `path` (raises what the loader raises)."""
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        state.set_stage("read" if done < total * READ_SHARE else "build")
        state.set_progress(done, total)

    state.set_stage("read")
    reg = loader(path, progress, state.is_cancelled)
    log.info("loaded %s in %.2f s", os.path.basename(path), time.perf_counter() - started)
    if prepare is not None and hasattr(reg, "search") and not state.cancelled:
        state.set_stage("prepare")
        try:
            prepare(reg)
        except Exception:  # only a warm-up: the search builds on first use instead
            log.exception("building the search index failed; it is built on first use")
    return reg
