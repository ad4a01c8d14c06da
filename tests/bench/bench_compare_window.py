"""Benchmark: comparing two full-scale downloads in the window (a script: prints numbers).

    python tests/bench/bench_compare_window.py [NEW [OLD]] [--screenshot PNG] [--runs N]

NEW defaults to bench_data/full.zip (`python -m sorviewer generate -o bench_data/full.zip
--entities 100000 --seed 1`), OLD to bench_data/full_month_before.zip, the download of
2026-10-01 of the same register (`... generate -o bench_data/full_month_before.zip
--entities 100000 --seed 1 --known-on 2026-10-01`). Run each once before (`python -m
sorviewer info FILE`) so that both come from the load cache, as a user's second opening
does.

In an offscreen MainWindow with the real loader and threads: NEW is opened (timed
until the window has it), then File > Compare with OLD: the second load (from the
cache), then, timed from the moment the loader returns the second register on the
worker, the Differences panel until its rows are set and painted: first with the unit
lists (the comparison's first step, `ui.comparison.compare_in_steps`), then whole. Then the
kind filter, the text filter and "only under" the largest institution, each until the
rows are shown. "Since last time": what remembering an opened file costs (its cache key
and a settings write; timed alone, many times), and opening NEW with remembering on
and off. The machine is shared: compare numbers within one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def rss() -> str:
    """The process's resident memory now and at its peak."""
    got = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                got[line.split(":")[0]] = int(line.split()[1]) // 1024
    return f"{got.get('VmRSS', 0):,} MB resident, peak {got.get('VmHWM', 0):,} MB"


def wait_for(app: Any, done: Any, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not done():
        app.processEvents()
        time.sleep(0.002)
        if time.perf_counter() > end:
            raise TimeoutError("gave up waiting")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("new", nargs="?", default=str(ROOT / "bench_data" / "full.zip"))
    ap.add_argument("old", nargs="?", default=str(ROOT / "bench_data" / "full_month_before.zip"))
    ap.add_argument("--screenshot", default="", help="save the Differences panel here")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui import settings as st
    from ui.app import create_app
    from ui.main_window import MainWindow
    from ui.widgets.diff_panel import DifferencesPanel

    app = QApplication.instance() or create_app([])
    folder = tempfile.mkdtemp(prefix="bench_compare_")
    settings = st.Settings(os.path.join(folder, "s.ini"))
    win = MainWindow(settings=settings)
    win.resize(1600, 1000)
    win.show()
    win.ensure_docks()
    win.state.set_language("en")
    app.processEvents()

    t0 = time.perf_counter()
    assert win.open_path(args.new)
    wait_for(app, lambda: not win.load_task.busy)
    print(f"open NEW (from the cache, with warm-up): {time.perf_counter() - t0:.2f} s")
    panel = win.panels["DifferencesPanel"]
    assert isinstance(panel, DifferencesPanel)

    for run in range(args.runs):
        win.close_comparison()
        app.processEvents()
        marks: dict[str, float] = {}
        got: dict[str, Any] = {}
        real_loader = win.loader

        def timed_loader(*a: Any, m: dict[str, float] = marks, load: Any = real_loader) -> Any:
            reg = load(*a)
            m["loaded"] = time.perf_counter()  # on the worker: the second register is in
            return reg

        def on_stage(stage: str, m: dict[str, float] = marks) -> None:
            m.setdefault(stage, time.perf_counter())

        def on_partial(comp: Any, g: dict[str, Any] = got) -> None:
            g.setdefault("first", comp)

        def on_finished(_key: Any, comp: Any, g: dict[str, Any] = got) -> None:
            g["whole"] = comp

        def shown(comp: Any) -> bool:
            return (
                comp is not None
                and panel._rows is not None
                and panel._key is not None
                and panel._key[0] == id(comp.diff)
                and not panel.job.busy
            )

        win.loader = timed_loader
        win.compare_task.staged.connect(on_stage)
        win.compare_task.partial.connect(on_partial)
        win.compare_task.finished.connect(on_finished)
        t0 = time.perf_counter()
        assert win.compare_with(args.old)
        end = t0 + 300
        while "whole_shown" not in marks and time.perf_counter() < end:
            app.processEvents()
            if "first_shown" not in marks and shown(got.get("first")):
                panel.grab()  # painted
                marks["first_shown"] = time.perf_counter()
                first_rows = panel.table.records.rowCount()
            if shown(got.get("whole")):
                panel.grab()
                marks["whole_shown"] = time.perf_counter()
            time.sleep(0.001)
        win.loader = real_loader
        win.compare_task.staged.disconnect(on_stage)
        win.compare_task.partial.disconnect(on_partial)
        win.compare_task.finished.disconnect(on_finished)
        assert win.state.comparison is not None and win.state.comparison.complete
        got.clear()  # the script holds no comparison: a closed one is freed as in the window
        loaded = marks["loaded"]
        first = (
            f"{marks['first_shown'] - loaded:.2f} s ({first_rows:,} rows: the unit lists)"
            if "first_shown" in marks
            else "never (the whole came first)"
        )
        print(
            f"run {run + 1}: second load {loaded - t0:.2f} s; after it, the Differences "
            f"panel shown {first}, whole {marks['whole_shown'] - loaded:.2f} s "
            f"({panel.table.records.rowCount():,} rows); from the click "
            f"{marks['whole_shown'] - t0:.2f} s; {rss()}"
        )

    def timed_filter(label: str, change: Any) -> None:
        t = time.perf_counter()
        change()
        panel.update_now()
        wait_for(app, lambda: not panel.job.busy)
        app.processEvents()
        panel.grab()
        rows = panel.table.records.rowCount()
        print(f"  {label:<44} {time.perf_counter() - t:.2f} s ({rows:,} rows)")

    print("filters (until the rows are shown):")
    timed_filter("kinds: changed unticked", lambda: panel.kind_boxes["changed"].setChecked(False))
    timed_filter("kinds: all again", lambda: panel.kind_boxes["changed"].setChecked(True))
    panel.text_edit.setText("kirurg")
    timed_filter("text 'kirurg'", panel._text_timer.timeout.emit)
    panel.text_edit.setText("")
    timed_filter("text cleared", panel._text_timer.timeout.emit)
    reg = win.state.register
    assert reg is not None
    snap = reg.snapshot(win.state.as_of)
    roots = [str(r) for r in reg.roots(win.state.as_of)]
    if roots:
        from sorviewer.diff import subtree_mask

        # the largest owner among the public ones (regions and municipalities come first)
        sizes = {r: int(subtree_mask(reg, snap, r).sum()) for r in roots[:400]}
        big = max(sizes, key=sizes.__getitem__)
        win.state.select(big)
        timed_filter(
            f"only under {big} ({sizes[big]:,} units)", lambda: panel.under_box.setChecked(True)
        )
        panel.under_box.setChecked(False)
        panel.update_now()
        wait_for(app, lambda: not panel.job.busy)

    print(f"memory with both registers and the comparison: {rss()}")
    if args.screenshot:
        # the picture for the README: the changed units with old and new values, the
        # first one selected in the tree
        win.state.set_language("da")
        for kind in ("created", "closed"):
            panel.kind_boxes[kind].setChecked(False)
        panel.update_now()
        panel.wait()
        app.processEvents()
        dock = win.findChild(type(win.docks[0]), "dock_DifferencesPanel")
        win.bring_to_front(dock)
        win.resizeDocks([dock], [820], Qt.Orientation.Horizontal)
        records = panel.table.records
        row = next(
            i
            for i, k in enumerate(panel._rows.kinds)
            if k == "changed" and all(records.record(i)[4:6])
        )
        panel.table.select_source_row(row)
        index = panel.table.proxy.mapFromSource(records.index(row, 0))
        panel.table.scrollTo(index, panel.table.ScrollHint.PositionAtTop)
        win.resize(1600, 1100)
        settle = time.perf_counter() + 0.5  # the dock tabs are fitted on timers
        while time.perf_counter() < settle:
            app.processEvents()
            time.sleep(0.01)
        win.grab().save(args.screenshot)
        print(f"screenshot: {args.screenshot}")

    # since last time: the remembering alone, and opening with it on and off
    samples = []
    for _ in range(50):
        t = time.perf_counter()
        win.remember_download(reg, args.new)
        samples.append(time.perf_counter() - t)
    print(
        f"remembering an opened file (cache key + settings write): "
        f"median {statistics.median(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms"
    )
    win.close_comparison()
    for on in (True, False, True, False):
        win.action_map["remember_downloads"].setChecked(on)
        t = time.perf_counter()
        assert win.open_path(args.new)
        wait_for(app, lambda: not win.load_task.busy)
        print(
            f"open NEW again, remembering {'on ' if on else 'off'}: {time.perf_counter() - t:.2f} s"
        )
    win.stop_tasks()
    win.close()


if __name__ == "__main__":
    main()
