"""Units view benchmarks (a script, not collected by pytest): prints numbers, asserts nothing.

    python tests/bench/bench_units.py [FILE]

Drives the real window offscreen on FILE (default bench_data/full.zip, else a
generated full-scale register): loads it through the worker, then

1. opens the Units view on every unit at the date, after the window warmed the date
   in the background as it does after a load (target: painted <= 300 ms), and at a
   date nobody computed yet (the whole register's provenance, on the worker: the
   GUI thread's longest stall while it runs is printed too);
2. changes a filter (ticking and unticking facet values, typing free text, a
   postcode range) until the table, count and facets have been repainted (target:
   p95 <= 100 ms), sorts by a column, scrolls through the table;
3. the "done when" task of issue 15: general practices in one region that can
   receive an EDI type, with their EAN and visiting address: the count, a copy of
   every row, and an XLSX export through the export dialog's task;
4. copies 10,000 rows (TSV + HTML with ids marked as text; target <= 1 s);
5. the tree with its top level grouped by owner type against ungrouped: date
   switch + repaint with a region group expanded.

Timings include the worker hand-over (the runner looks at its task every 25 ms), as a
user would see them. The machine is shared: compare within one run.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
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
    print(f"  {label:<60} {value}")


def stats(label: str, samples: list[float], cpu: list[float] | None = None) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    text = (
        f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"
        f"   (n={len(ms)})"
    )
    if cpu:
        c = sorted(x * 1000 for x in cpu)
        c95 = c[min(len(c) - 1, round(0.95 * (len(c) - 1)))]
        text += f"   cpu p50 {statistics.median(c):.1f} p95 {c95:.1f} ms"
    row(label, text)


class Clock:
    """Wall and CPU time (the process's, worker threads included) of one step."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clock:
        self._t, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall.append(time.perf_counter() - self._t)
        self.cpu.append(time.process_time() - self._c)

    def last(self) -> str:
        return f"{self.wall[-1] * 1000:.0f} ms (cpu {self.cpu[-1] * 1000:.0f} ms)"


def big_file(args: list[str], tmp: str) -> str:
    if args:
        return args[0]
    full = ROOT / "bench_data" / "full.zip"
    if full.exists():
        return str(full)
    from sorviewer import synthetic

    path = os.path.join(tmp, "full.zip")
    print("generating a full-scale register (about 30 s) ...")
    synthetic.generate(path, entities=100_000, seed=1)
    return path


def main(args: list[str]) -> int:
    from PySide6.QtCore import QEventLoop, QItemSelection, QItemSelectionModel, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.app import create_app
    from ui.main_window import MainWindow
    from ui.settings import Settings

    tmp = tempfile.mkdtemp(prefix="bench-units-")
    path = big_file(args, tmp)
    app = create_app(sys.argv[:1])
    win = MainWindow(settings=Settings(os.path.join(tmp, "bench.ini")))
    win.resize(1600, 1000)
    win.show()
    app.processEvents()
    win.ensure_docks()
    print(f"register {os.path.basename(path)} ({os.path.getsize(path) / 1e6:.1f} MB)")

    def wait_signal(signal: Any, timeout_ms: int = 600_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

    t0 = time.perf_counter()
    win.open_path(path)
    wait_signal(win.load_task.finished)
    win.finish_task.wait_done(900_000)  # the warm-up and cache write after the load
    reg = win.state.register
    if reg is None:
        print("  the file did not load")
        return 1
    row("load through the worker (cache allowed)", f"{time.perf_counter() - t0:.2f} s")
    app.processEvents()
    view = win.ensure_units_view()
    table = view.table

    def paint() -> None:
        app.processEvents()
        table.viewport().repaint()
        view.sidebar.repaint()
        app.processEvents()

    def until_shown() -> None:
        """Until the newest query's result is in the table (the runner hands it over
        from the event loop), then paint."""
        while view.runner.busy:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
        paint()

    # 1. opening -------------------------------------------------------------------------
    print("opening the Units view")
    t = time.perf_counter()
    while (view.runner.busy or view._warm_timer.isActive()) and time.perf_counter() - t < 120:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
    row(
        "  background warm-up of the date after the load (worker)",
        f"{time.perf_counter() - t:.2f} s wall",
    )
    clock = Clock()
    with clock:
        win.show_units_view()
        until_shown()
    row(
        "open the Units view on every unit (date warmed), painted",
        f"{clock.last()}  ({view.count.text()})",
    )

    # a date nobody computed: the whole register's provenance, on the worker
    stalls: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stalls.append(now - last[0])
        last[0] = now

    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(tick)
    new_day = win.state.as_of - dt.timedelta(days=400)
    t = time.perf_counter()
    last[0] = t
    ticker.start()
    win.state.set_as_of(new_day)
    busy_seen = False
    while view.runner.busy:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
        busy_seen = busy_seen or view.busy.isVisible()
    paint()
    ticker.stop()
    row(
        "date move to a date not computed yet, until painted",
        f"{time.perf_counter() - t:.2f} s  (busy bar shown: {busy_seen})",
    )
    row("  the GUI thread's longest stall meanwhile", f"{max(stalls) * 1000:.0f} ms")
    t = time.perf_counter()
    win.state.set_as_of(new_day + dt.timedelta(days=400))
    until_shown()
    row(
        "date move back to the cached date, until painted",
        f"{(time.perf_counter() - t) * 1000:.0f} ms",
    )

    # 2. filter changes ----------------------------------------------------------------------
    print("filter changes (tick / untick / type), until table, count and facets are painted")
    side = view.sidebar

    def toggle(facet: str, rank: int) -> Callable[[], None]:
        def run() -> None:
            sec = side.sections[facet]
            if sec.model.rowCount() > rank:
                sec.model.toggle(rank)
            until_shown()

        return run

    def typed(text: str) -> Callable[[], None]:
        def run() -> None:
            side.text.setText(text)
            side.flush()
            until_shown()

        return run

    def post_range(lo: str, hi: str) -> Callable[[], None]:
        def run() -> None:
            side.post_from.setText(lo)
            side.post_to.setText(hi)
            side.flush()
            until_shown()

        return run

    steps: list[Callable[[], None]] = []
    for facet, rank in (
        ("level", 0),
        ("region", 1),
        ("entity_type", 2),
        ("edi_type", 0),
        ("ean", 0),
        ("owner_type", 0),
        ("main_speciality", 1),
        ("town", 3),
        ("municipality", 2),
        ("shak", 0),
    ):
        steps += [toggle(facet, rank), toggle(facet, 0 if rank else 1), toggle(facet, rank)]
    for word in ("k", "kl", "kli", "klin", "klinik", ""):
        steps.append(typed(word))
    steps += [post_range("2000", "2999"), post_range("", "")]
    clock = Clock()
    for step in steps:
        with clock:
            step()
    stats("filter change, repainted", clock.wall, clock.cpu)
    side.clear()
    until_shown()

    from PySide6.QtCore import Qt

    clock = Clock()
    for col in (1, 5, 7, 0, 4):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            with clock:
                table.sortByColumn(col, order)  # what a header click does
                until_shown()
    stats("sort all units by a column (core, on the worker), repainted", clock.wall, clock.cpu)
    view.sort_by_name()
    until_shown()

    clock = Clock()
    n = view.model.rowCount()
    bar = table.verticalScrollBar()
    for i in range(40):
        with clock:
            bar.setValue(bar.maximum() * ((i * 37) % 40) // 40)
            paint()
    stats(f"scroll to another screenful of {n:,} rows, repainted", clock.wall, clock.cpu)

    # 3. the "done when" task -------------------------------------------------------------------
    print("general practices in Region Hovedstaden that can receive EDI type 11")
    from sorviewer.find import Filters

    t = time.perf_counter()
    view.set_columns(
        [
            "EntityName",
            "SorId",
            "EanLocationCode",
            "VisitingAddressStreetName",
            "VisitingAddressStreetBuildingId",
            "VisitingAddressPostCodeId",
            "VisitingAddressDistrictName",
        ]
    )
    side.set_filters(Filters(entity_type=("394761003",), region=("1084",), edi_type=("11",)))
    until_shown()
    row(
        "filters and columns set, painted",
        f"{(time.perf_counter() - t) * 1000:.0f} ms  ({view.count.text()})",
    )
    t = time.perf_counter()
    table.clearSelection()
    view.copy_selection()
    row("copy every row (TSV + HTML)", f"{(time.perf_counter() - t) * 1000:.0f} ms")
    from ui.tasks import TaskState
    from ui.widgets.export_dialog import export_task

    out = os.path.join(tmp, "praksis.xlsx")
    t = time.perf_counter()
    count = export_task(
        reg,
        view.model.day,
        out,
        {
            "fmt": "xlsx",
            "stamp": True,
            "naming": "strict",
            "ents": view.model.ents,
            "columns": list(view.model.columns),
        },
        TaskState(),
    )
    row(
        f"export {count:,} units to XLSX (strict naming)",
        f"{(time.perf_counter() - t) * 1000:.0f} ms",
    )

    # 4. copying 10,000 rows -------------------------------------------------------------------
    side.clear()
    view.set_columns(
        [
            "EntityName",
            "SorId",
            "SorType",
            "EntityTypeName",
            "ParentName",
            "VisitingAddressStreetName",
            "VisitingAddressPostCodeId",
            "VisitingAddressDistrictName",
            "EanLocationCode",
            "EanLocationCodeSource",
            "ShakId",
            "ShakIdSource",
            "Status",
            "FromDate",
        ]
    )
    until_shown()
    clock = Clock()
    for start in (0, 20_000, 40_000):
        sel = QItemSelection(view.model.index(start, 0), view.model.index(start + 9_999, 13))
        table.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        with clock:
            view.copy_selection()
    mime = QApplication.clipboard().mimeData()
    row(
        "clipboard",
        f"{len(mime.text()) / 1e6:.1f} MB text, {len(mime.html()) / 1e6:.1f} MB html",
    )
    stats("copy 10,000 rows x 14 columns (TSV + HTML)", clock.wall, clock.cpu)

    # 5. the tree, grouped and not ---------------------------------------------------------------
    print("the tree: date switches with the top level grouped and not")
    win.show_tree_view()
    model, tree = win.model, win.tree
    today = reg.source.snapshot_date or dt.date.today()
    days = [today - dt.timedelta(days=30 * i) for i in range(20)]
    for mode in ("on", "off"):
        model.set_group_mode(mode)
        tree.collapseAll()
        win.state.set_as_of(today)
        app.processEvents()
        if mode == "on":
            top = model.index(3, 0)  # Private
            tree.expand(top)
            tree.expand(model.index(3, 0, top))  # the largest region
        clock = Clock()
        for d in days:
            with clock:
                win.state.set_as_of(d)
                app.processEvents()
                tree.viewport().repaint()
        opened = f" ({model.rowCount(model.index(3, 0, model.index(3, 0))):,} owners open)"
        stats(
            f"date switch + repaint, grouping {mode}" + (opened if mode == "on" else ""),
            clock.wall,
            clock.cpu,
        )
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
