"""UI benchmarks (a script, not collected by pytest): prints numbers, asserts nothing.

    python tests/bench/bench_ui.py [FILE] [--entities N] [--no-panels]

1. First window: wall time from starting `python main.py` (and the frozen build in
   dist/SORViewer/ when it is there) to the painted window (the
   SORVIEWER_PROBE_FIRST_WINDOW hook in ui/app.py), and the import time of the
   window module (which must not pull pandas, pyarrow or pyqtgraph).
2. The whole window on FILE (default bench_data/full.zip, else a generated register):
   load through the worker (with the search warm-up), then with the panels docked
   and a few tree levels expanded:
   - date switch + repaint (tree, date bar, the visible panel), p50/p95/max;
   - filter as you type (each prefix of a few words) + repaint, p50/p95/max;
   - selecting a unit until the details panel has painted, p50/p95/max;
   and the cost of index/parent/data calls of the tree model.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def row(label: str, value: str) -> None:
    print(f"  {label:<52} {value}")


def stats(label: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    row(
        label,
        f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"
        f"   (n={len(ms)})",
    )


def first_window() -> None:
    print("first window")
    start_to_window([sys.executable, str(ROOT / "main.py")], "start -> painted window")
    frozen = ROOT / "dist" / "SORViewer" / ("SORViewer.exe" if os.name == "nt" else "SORViewer")
    if frozen.exists():
        start_to_window([str(frozen)], "frozen build: start -> painted window")
    else:
        row("frozen build", "not built (python build_scripts/build.py)")
    code = (
        "import time,os,sys;os.environ['QT_QPA_PLATFORM']='offscreen';t=time.perf_counter();"
        "import ui.main_window;print(time.perf_counter()-t,"
        "[m for m in ('pandas','pyarrow','pyqtgraph') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode == 0:
        secs, _, heavy = out.stdout.partition(" ")
        row("import ui.main_window", f"{float(secs) * 1000:.0f} ms, heavy modules: {heavy.strip()}")


def start_to_window(cmd: list[str], label: str) -> None:
    """Wall time from spawning `cmd` to its painted window, best and median of 5."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SORVIEWER_PROBE_FIRST_WINDOW="1")
    walls = []
    for _ in range(5):
        t = time.time()
        out = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        lines = [x for x in out.stdout.splitlines() if x.startswith("first-window ")]
        if not lines:
            row(label, "probe failed: " + out.stderr.strip()[-200:])
            return
        walls.append(float(lines[0].split()[1]) - t)
    row(
        f"{label} (5 runs)",
        f"best {min(walls) * 1000:.0f} ms, median {statistics.median(walls) * 1000:.0f} ms",
    )


def big_file(args: list[str], tmp: str) -> str:
    n = 20000
    if "--entities" in args:
        i = args.index("--entities")
        n = int(args[i + 1])
        args = args[:i] + args[i + 2 :]
    files = [a for a in args if not a.startswith("--")]
    if files:
        return files[0]
    full = ROOT / "bench_data" / "full.zip"
    if full.exists():
        return str(full)
    from sorviewer import synthetic

    path = os.path.join(tmp, f"synthetic_{n}.zip")
    t = time.perf_counter()
    synthetic.generate(path, entities=n, seed=1)
    row(f"generate {n} entities", f"{time.perf_counter() - t:.1f} s")
    return path


def window_bench(path: str, tmp: str, panels: bool) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ui import main_window as mw
    from ui.app import create_app
    from ui.settings import Settings

    app = create_app(sys.argv[:1])
    win = mw.MainWindow(
        settings=Settings(os.path.join(tmp, "bench.ini")), panels=None if panels else ()
    )
    win.resize(1600, 1000)
    win.show()
    app.processEvents()
    win.ensure_docks()
    print(f"register {os.path.basename(path)} ({os.path.getsize(path) / 1e6:.1f} MB)")

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    win.load_task.staged.connect(lambda s: stages.setdefault(s, time.perf_counter() - t0))
    loop = QEventLoop()
    win.load_task.finished.connect(lambda *_: loop.quit())
    win.load_task.failed.connect(lambda _p, exc: (print("  load failed:", exc), loop.quit()))
    QTimer.singleShot(900_000, loop.quit)
    win.open_path(path)
    loop.exec()
    total = time.perf_counter() - t0
    # the warm-up and the cache write run after the window has the register: let them
    # end before anything is timed, so they do not run beside the measured steps
    win.finish_task.wait_done(900_000)
    reg = win.state.register
    if reg is None:
        return
    prep = total - stages.get("prepare", total)
    row("load through the worker (cache allowed)", f"{total:.2f} s")
    row("  of which the search warm-up on the worker", f"{prep:.2f} s")
    print(f"  {len(reg.ids):,} entities, {len(reg.sor_id):,} version rows")
    app.processEvents()

    def paint() -> None:
        # posted update requests are painted here (offscreen backing store); a second
        # round catches what the first one posted
        app.processEvents()
        app.processEvents()

    def measure(label: str, actions: list[Callable[[], Any]]) -> None:
        samples = []
        for fn in actions:
            t = time.perf_counter()
            fn()
            paint()
            samples.append(time.perf_counter() - t)
        stats(label, samples)

    model, tree = win.model, win.tree
    lo, _hi = reg.date_range()
    lo = max(lo or dt.date(2000, 1, 1), dt.date(2005, 1, 1))
    today = dt.date.today()
    span = (today - lo).days
    days = [lo + dt.timedelta(days=span * i // 40) for i in range(41)]
    near = [today - dt.timedelta(days=7 * i) for i in range(40)]

    def switches(dates: list[dt.date]) -> list[Callable[[], Any]]:
        return [lambda d=d: win.state.set_as_of(d) for d in dates]

    def expand(tops: int, kids: int, small: bool) -> int:
        """Expand `tops` top rows (only those with under 100 children when `small`) and
        `kids` children of each; the number of rows in the view."""
        win.state.set_as_of(today)
        tree.collapseAll()
        chosen = [model.index(r, 0) for r in range(model.rowCount())]
        if small:
            chosen = [i for i in chosen if 0 < model.rowCount(i) < 100]
        for top in chosen[:tops]:
            tree.expand(top)
            for c in range(min(model.rowCount(top), kids)):
                tree.expand(model.index(c, 0, top))
        if small:
            return count_rows()
        # a unit selected, so the details panel (the front tab) follows the date too
        for r in range(model.rowCount()):
            top = model.index(r, 0)
            if model.rowCount(top):
                win.reveal(model.sor_id_of(model.index(0, 0, top)))
                break
        return count_rows()

    def count_rows() -> int:
        paint()
        count = 0
        stack = [model.index(r, 0) for r in range(model.rowCount())]
        while stack:
            idx = stack.pop()
            count += 1
            if tree.isExpanded(idx):
                stack.extend(model.index(c, 0, idx) for c in range(model.rowCount(idx)))
        return count

    for tops, kids, small in ((6, 3, True), (12, 4, False)):
        n = expand(tops, kids, small)
        print(f"  -- {tops} top rows and {kids} children each expanded: {n:,} rows in the view")
        measure("date switch + repaint (dates across the range)", switches(days))
        measure("date switch + repaint (weekly scrub back from today)", switches(near))
        measure("date switch + repaint (two dates, cached)", switches([days[5], days[30]] * 10))
    win.state.set_as_of(today)
    paint()

    def type_word(word: str) -> list[Callable[[], Any]]:
        out: list[Callable[[], Any]] = []
        for i in range(1, len(word) + 1):

            def step(text: str = word[:i]) -> None:
                win.search.setText(text)
                win._on_search_timer_timeout()

            out.append(step)
        out.append(win.clear_filter)
        return out

    words = ["klinik", "aarhus", "kirurgisk", "8000", "5790", "anæstesi", "hjemmepleje"]
    keystrokes = [step for w in words for step in type_word(w)]
    measure("filter as you type + repaint (each keystroke)", keystrokes)

    ids = []
    for r in range(model.rowCount()):
        top = model.index(r, 0)
        for c in range(model.rowCount(top)):
            ids.append(model.sor_id_of(model.index(c, 0, top)))
            if len(ids) >= 40:
                break
        if len(ids) >= 40:
            break
    measure("select a unit until the details are painted", [lambda s=s: win.reveal(s) for s in ids])

    top = model.index(0, 0)
    rows = model.rowCount(top)
    idx = [model.index(i % max(rows, 1), c, top) for i in range(2000) for c in (0, 1)]
    t = time.perf_counter()
    for i in idx:
        model.parent(i)
        model.data(i)
        model.rowCount(i)
    per = (time.perf_counter() - t) / len(idx) * 1e6
    row("tree model parent+data+rowCount per index", f"{per:.1f} us")
    win.close()
    QApplication.processEvents()


def main(args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        first_window()
        path = big_file(args, tmp)
        window_bench(path, tmp, panels="--no-panels" not in args)
    sys.stdout.flush()
    # skip interpreter teardown: PySide6 and pyqtgraph objects freed in arbitrary order
    # at exit have crashed it ("none_dealloc"), which would hide the numbers' exit code
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
