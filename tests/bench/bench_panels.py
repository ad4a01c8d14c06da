"""Panel benchmarks (a script, not collected by pytest): prints numbers, asserts nothing.

    python tests/bench/bench_panels.py [FILE] [--units N]

Loads FILE (default bench_data/full.zip) with `sorviewer.load`, then for each right-hand
panel, shown on its own offscreen at a realistic size:
- selecting a unit until the panel has refreshed and painted, p50/p95/max over N units
  (roots, hospitals and wards picked evenly from the tree at the date);
- moving the as-of date by one month with a unit selected, p50/p95/max.
Run the panel you care about with `--only OverviewPanel`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

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
    for cls in classes:
        if args.only and cls.__name__ != args.only:
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
        app.processEvents()
        first = time.perf_counter() - t
        select: list[float] = []
        for sid in units[1:]:
            t = time.perf_counter()
            state.select(sid)
            panel.repaint()
            app.processEvents()
            select.append(time.perf_counter() - t)
        moves: list[float] = []
        state.select(units[len(units) // 2])
        for k in range(1, 13):
            m = day.month - 1 - k
            target = dt.date(day.year + m // 12, m % 12 + 1, 1)
            t = time.perf_counter()
            state.set_as_of(target)
            panel.repaint()
            app.processEvents()
            moves.append(time.perf_counter() - t)
        print(f"{cls.__name__} (first fill {first * 1000:.0f} ms)")
        print(stats("select a unit", select))
        print(stats("move the date one month", moves))
        panel.close()
        panel.deleteLater()
        app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
