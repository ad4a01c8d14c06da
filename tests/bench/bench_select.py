"""Benchmark: selecting a unit in the tree until the front details panel is painted.

    python tests/bench/bench_select.py [FILE] [--units N] [--scroll] [--profile]

FILE defaults to bench_data/full.zip (see bench_load.py). The window opens offscreen
(1600×1000, panels docked, the Overview in front), loads FILE through the worker (the
cache is allowed), and N units (default 200) spread over the register's id order
and existing at the date are selected one after another: before each, the tree path
is expanded and scrolled into view (not timed: the user clicks a row on screen;
with `--scroll` the tree's own scroll to the new current row is timed too, as a
jump across the register does); the time runs from `setCurrentIndex` on the tree to the
event loop having run the panel's refresh and painted it (two rounds of
`processEvents`, as bench_ui.py). Prints p50/p95/max of wall time with the process's
CPU time beside it (the machine may be shared: CPU time is what the selection
itself costs). `--profile` prints the top of cProfile over the timed steps.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main(args: list[str]) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui import main_window as mw
    from ui.app import create_app
    from ui.settings import Settings

    profile = "--profile" in args
    scroll = "--scroll" in args
    args = [a for a in args if a not in ("--profile", "--scroll")]
    units = 200
    if "--units" in args:
        i = args.index("--units")
        units = int(args[i + 1])
        del args[i : i + 2]
    path = args[0] if args else str(ROOT / "bench_data" / "full.zip")

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(sys.argv[:1])
        win = mw.MainWindow(settings=Settings(os.path.join(tmp, "bench.ini")))
        win.resize(1600, 1000)
        win.show()
        app.processEvents()
        win.ensure_docks()
        loop = QEventLoop()
        win.load_task.finished.connect(lambda *_: loop.quit())
        win.load_task.failed.connect(lambda _p, exc: (print("load failed:", exc), loop.quit()))
        QTimer.singleShot(900_000, loop.quit)
        t0 = time.perf_counter()
        win.open_path(path)
        loop.exec()
        reg = win.state.register
        if reg is None:
            return 1
        print(f"{os.path.basename(path)}: loaded in {time.perf_counter() - t0:.1f} s")
        for _ in range(5):
            app.processEvents()
        model, tree = win.model, win.tree
        picks = []
        step = max(1, len(reg.ids) // (units * 3))
        for e in range(0, len(reg.ids), step):
            model.ensure_fetched(e)
            idx = model.index_of_entity(e)
            if idx.isValid():
                picks.append(e)
        stride = max(1, len(picks) // units)
        picks = picks[::stride][:units]

        from ui.widgets.details_panel import OverviewPanel

        refresh_cpu: list[float] = []
        plain_refresh = OverviewPanel.refresh

        def timed_refresh(panel: OverviewPanel) -> None:
            c = time.process_time()
            plain_refresh(panel)
            refresh_cpu.append((time.process_time() - c) * 1000)

        OverviewPanel.refresh = timed_refresh  # type: ignore[method-assign]
        walls: list[float] = []
        cpus: list[float] = []
        prof = None
        if profile:
            import cProfile

            prof = cProfile.Profile()
        for e in picks:
            model.ensure_fetched(e)
            for anc in model.ancestors(e):
                tree.expand(anc)
            idx = model.index_of_entity(e)
            if not scroll:
                # the row on screen first, as when the user clicks it (not timed)
                tree.scrollTo(idx)
            app.processEvents()
            app.processEvents()
            w, c = time.perf_counter(), time.process_time()
            if prof is not None:
                prof.enable()
            tree.setCurrentIndex(idx)
            app.processEvents()
            app.processEvents()
            if prof is not None:
                prof.disable()
            walls.append((time.perf_counter() - w) * 1000)
            cpus.append((time.process_time() - c) * 1000)
        print(f"select a unit until the Overview is painted, n={len(walls)}:")
        for name, s in (("wall", walls), ("cpu ", cpus)):
            print(
                f"  {name} p50 {statistics.median(s):.1f} ms  p95 {pct(s, 0.95):.1f} ms"
                f"  max {max(s):.1f} ms"
            )
        s = refresh_cpu
        print(
            f"  of which the Overview's refresh (cpu) p50 {statistics.median(s):.1f} ms"
            f"  p95 {pct(s, 0.95):.1f} ms  (n={len(s)})"
        )
        if prof is not None:
            import pstats

            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        win.close()
        QApplication.processEvents()
    sys.stdout.flush()
    os._exit(0)  # skip teardown (see bench_ui.py)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
