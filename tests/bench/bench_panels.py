"""Panel benchmarks (a script, not collected by pytest): prints numbers, asserts nothing.

    python tests/bench/bench_panels.py [FILE] [--units N]

Loads FILE (default bench_data/full.zip) with `sorviewer.load`, then for each right-hand
panel, shown on its own offscreen at a realistic size:
- selecting a unit until the panel has refreshed and painted, p50/p95/max over N units
  (roots, hospitals and wards picked evenly from the tree at the date);
- moving the as-of date by one month with a unit selected, p50/p95/max.
Panels with a worker (Changes, the whole SHAK map) are timed until the GUI thread is
free again (what the user feels) and, separately, until the result is shown.
Also: the whole SHAK map tab, and EDI recipients under the largest root (pinned).
Run the panel you care about with `--only OverviewPanel`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def stats(label: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"  {label:<34} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms"
        f"   max {ms[-1]:7.1f} ms (n={len(ms)})"
    )


def pick_units(reg: object, day: dt.date, n: int) -> list[str]:
    """Units at the day spread over the levels: some roots, their children, grandchildren."""
    roots = reg.roots(day)  # type: ignore[attr-defined]
    out: list[str] = []
    level = roots
    while level and len(out) < n:
        step = max(1, len(level) // max(1, n // 3))
        out.extend(level[::step][: max(1, n // 3)])
        nxt: list[str] = []
        for sid in level[::step][:50]:
            nxt.extend(reg.children(sid, day))  # type: ignore[attr-defined]
        level = nxt
    return out[:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(ROOT / "bench_data" / "full.zip"))
    ap.add_argument("--units", type=int, default=40)
    ap.add_argument("--only", default="")
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication

    from sorviewer import load
    from ui.app_state import AppState
    from ui.widgets.changes_panel import ChangesPanel
    from ui.widgets.details_panel import AllFieldsPanel, OverviewPanel
    from ui.widgets.edi_panel import EanEdiPanel, EdiPanel
    from ui.widgets.history_panel import HistoryPanel
    from ui.widgets.mapping_panel import MappingPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    t = time.perf_counter()
    reg = load(args.file)
    print(f"loaded {args.file}: {len(reg.ids)} units in {time.perf_counter() - t:.1f} s")
    day = dt.date.today()
    units = pick_units(reg, day, args.units)
    classes = [
        OverviewPanel,
        AllFieldsPanel,
        HistoryPanel,
        EanEdiPanel,
        EdiPanel,
        MappingPanel,
        ChangesPanel,
    ]
    variants: list[tuple[str, type, Callable[[Any, Any], None]]] = [
        (cls.__name__, cls, lambda _p, _r: None) for cls in classes
    ]

    def whole_map(panel: Any, _reg: Any) -> None:
        panel.tabs.setCurrentIndex(2)

    def code_box(panel: Any, _reg: Any) -> None:
        panel.tabs.setCurrentIndex(1)
        panel.code_edit.setText("1")

    def biggest_root(panel: Any, r: Any) -> None:
        snap = r.snapshot(day)
        roots = [(len(snap.subtree(e)), e) for e in snap.roots()]
        e = max(roots)[1]
        panel.set_root(str(r.ids[e]), pin=True)
        print(f"  (EDI recipients pinned under {r.ids[e]}: {max(roots)[0]} units below)")

    variants += [
        ("MappingPanel/whole map", MappingPanel, whole_map),
        ("MappingPanel/SHAK code box", MappingPanel, code_box),
        ("EdiPanel/largest root", EdiPanel, biggest_root),
    ]
    for label, cls, setup in variants:
        if args.only and not label.startswith(args.only):
            continue
        state = AppState()
        state.set_language("da")
        state.set_as_of(day)
        panel = cls(state)
        panel.resize(560, 760)
        panel.show()
        app.processEvents()
        t = time.perf_counter()
        state.set_register(reg)
        state.select(units[0])
        setup(panel, reg)
        app.processEvents()
        if hasattr(panel, "wait"):
            panel.wait()
        first = time.perf_counter() - t
        select: list[float] = []
        for sid in units[1:]:
            t = time.perf_counter()
            state.select(sid)
            panel.repaint()
            app.processEvents()
            select.append(time.perf_counter() - t)
        moves: list[float] = []
        shown: list[float] = []
        state.select(units[len(units) // 2])
        for k in range(1, 13):
            m = day.month - 1 - k
            target = dt.date(day.year + m // 12, m % 12 + 1, 1)
            t = time.perf_counter()
            state.set_as_of(target)
            panel.repaint()
            app.processEvents()
            moves.append(time.perf_counter() - t)
            if hasattr(panel, "wait"):
                panel.wait()
                shown.append(time.perf_counter() - t)
        print(f"{label} (first fill {first * 1000:.0f} ms)")
        print(stats("select a unit", select))
        print(stats("move the date one month (GUI busy)", moves))
        if shown:
            print(stats("  ... until the result is shown", shown))
        panel.close()
        panel.deleteLater()
        app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
