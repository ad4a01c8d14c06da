"""The child process of tests/gui/test_clean_exit.py (and a manual stress run):

    python -m tests.gui.exit_child FILE [ROUNDS] [--no-guard]

Opens FILE in the real window with every panel docked, then ROUNDS times moves the
date, selects a unit and brings the next panel to the front (the Changes panel and
the whole SHAK mapping start their workers, which newer requests supersede), and
finally quits while a panel's worker still runs. faulthandler is on, the
interpreter's own teardown runs (no os._exit), and an exception in any slot makes
the exit code 3: the parent treats anything but 0 and a clean stderr as a failure.
`--no-guard` leaves out the guard against the binding's dropped references
(ui.refcounts), to show what it prevents.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import os
import sys
import tempfile
import time
import traceback
from types import TracebackType

LOAD_TIMEOUT_S = 600


def main(argv: list[str]) -> int:
    faulthandler.enable()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args = [a for a in argv if not a.startswith("--")]
    path = args[0]
    rounds = int(args[1]) if len(args) > 1 else 30
    if "--no-guard" in argv:
        import ui.refcounts

        ui.refcounts.guard_singletons = lambda: None  # type: ignore[assignment]

    from PySide6.QtCore import QEventLoop, QTimer

    from ui.app import create_app
    from ui.main_window import MainWindow
    from ui.settings import Settings

    errors: list[str] = []

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        errors.append("".join(traceback.format_exception(etype, value, tb)))

    sys.excepthook = hook
    app = create_app(["exit_child"])
    folder = tempfile.mkdtemp(prefix="sorviewer-exit-")
    win = MainWindow(settings=Settings(os.path.join(folder, "exit.ini")))
    win.error = lambda message: errors.append(message)  # type: ignore[method-assign]
    win.internal_error = lambda what, exc: errors.append(f"{what}: {exc!r}")  # type: ignore[method-assign]
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    win.ensure_docks()

    loop = QEventLoop()
    win.load_task.finished.connect(lambda *_: loop.quit())
    win.load_task.failed.connect(lambda *_: loop.quit())
    QTimer.singleShot(LOAD_TIMEOUT_S * 1000, loop.quit)
    started = time.perf_counter()
    win.open_path(path)
    loop.exec()
    reg = win.state.register
    if reg is None:
        print(f"not loaded: {errors}", file=sys.stderr)
        return 2
    print(f"loaded {len(reg.ids)} units in {time.perf_counter() - started:.1f} s", flush=True)
    win.panels["MappingPanel"].tabs.setCurrentIndex(2)  # the whole map: a worker per date
    model = win.model
    # the owners (the top rows may be owner-type groups, which are not units)
    snap = model.snapshot()
    assert snap is not None
    ids = [str(reg.ids[e]) for e in snap.roots()[:40].tolist()]
    lo, _hi = reg.date_range()
    first = max(lo or dt.date(2000, 1, 1), dt.date(2000, 1, 1))
    span = max((dt.date.today() - first).days, 1)

    def settle(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    started = time.perf_counter()
    for i in range(rounds):
        win.state.set_as_of(first + dt.timedelta(days=(i * 397) % span))
        win.reveal(ids[i % len(ids)])
        win.docks[i % len(win.docks)].raise_()
        settle(0.02 if i % 5 else 0.15)  # mostly too short for a worker to finish
    print(f"{rounds} rounds in {time.perf_counter() - started:.1f} s", flush=True)
    # quit while the Changes panel compares two new dates on its worker
    changes = next(d for d in win.docks if d.objectName() == "dock_ChangesPanel")
    changes.raise_()
    win.state.set_as_of(first + dt.timedelta(days=span // 3))
    app.processEvents()
    win.close()
    app.processEvents()
    del reg, win
    app.quit()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 3
    print("closed cleanly", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
