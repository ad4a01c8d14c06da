"""UI benchmarks (a script, not collected by pytest): prints numbers, asserts nothing.

    python tests/bench/bench_ui.py [FILE] [--entities N]

1. Time to first window: wall time of `main.py --smoke-test` on a small file, and
   the import time of the window module.
2. On FILE (default bench_data/full.zip when present, else a register generated
   with --entities units when the generator exists): load, tree model build, date
   switches (layout changes), the show-closed switch, filter-as-you-type, and the
   cost of index/parent/data calls.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def timed(label: str, fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    print(f"  {label:<44} {best * 1000:10.1f} ms")
    return result


def small_file(tmp: str) -> str:
    import pandas as pd

    from sorviewer import schema
    from tests.unit import tiny

    path = os.path.join(tmp, "SorEntity_daily.csv")
    pd.DataFrame(tiny.ROWS).reindex(columns=list(schema.SOR_ENTITY_COLUMNS)).to_csv(
        path, sep=";", index=False
    )
    return path


def first_window(tmp: str) -> None:
    print("time to first window")
    path = small_file(tmp)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    walls = []
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--smoke-test", path],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        walls.append(time.perf_counter() - t)
        if out.returncode != 0:
            print("  smoke test failed:", out.stderr.strip().splitlines()[-1:])
            return
    print(f"  {'main.py --smoke-test (tiny file), best of 3':<44} {min(walls) * 1000:10.1f} ms")
    code = (
        "import time,os;os.environ['QT_QPA_PLATFORM']='offscreen';t=time.perf_counter();"
        "import ui.main_window;print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode == 0:
        print(f"  {'import ui.main_window':<44} {float(out.stdout) * 1000:10.1f} ms")


def big_file(args: list[str], tmp: str) -> str | None:
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
    try:
        from sorviewer import synthetic
    except ImportError:
        return None
    path = os.path.join(tmp, f"synthetic_{n}.zip")
    timed(f"generate {n} entities", lambda: synthetic.generate(path, entities=n, seed=1))
    return path


def tree_bench(path: str) -> None:
    from PySide6.QtWidgets import QApplication, QTreeView

    import sorviewer
    from ui.models.tree_model import TreeModel

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"register {os.path.basename(path)} ({os.path.getsize(path) / 1e6:.1f} MB)")
    reg = timed("load (cache off)", lambda: sorviewer.load(path, use_cache=False))
    print(f"  {len(reg.ids):,} entities, {len(reg.sor_id):,} version rows")
    today = dt.date.today()
    model = TreeModel()
    timed("model build (set_register, cold snapshot)", lambda: model.set_register(reg, today))
    view = QTreeView()
    view.setModel(model)
    view.setUniformRowHeights(True)
    view.resize(800, 900)
    for r in range(min(model.rowCount(), 30)):
        view.expand(model.index(r, 0))
    days = [dt.date(y, 6, 1) for y in (2012, 2015, 2018, 2021, 2024)]
    for d in days:
        timed(f"date switch to {d} (cold snapshot)", lambda d=d: model.set_day(d))
    timed(
        "date switch back and forth (cached)",
        lambda: (model.set_day(days[0]), model.set_day(today)),
        3,
    )
    timed("show closed on", lambda: model.set_show_closed(True))
    timed("show closed off", lambda: model.set_show_closed(False))
    for text in ("a", "kir", "afdeling", "8000"):
        timed(f"filter {text!r}", lambda t=text: model.set_filter(t))
        print(f"    {len(model.matches):,} matches, {model.visible_count():,} rows shown")
    timed("filter cleared", lambda: model.set_filter(""))

    top = model.index(0, 0)
    rows = model.rowCount(top)
    idx = [model.index(i % max(rows, 1), c, top) for i in range(2000) for c in (0, 1)]
    n = len(idx)

    def calls() -> None:
        for i in idx:
            model.parent(i)
            model.data(i)
            model.rowCount(i)

    t = time.perf_counter()
    calls()
    per = (time.perf_counter() - t) / n * 1e6
    print(f"  {'parent+data+rowCount per index':<44} {per:10.1f} us")


def main(args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        first_window(tmp)
        path = big_file(args, tmp)
        if path is None:
            print("no large register: pass FILE, add bench_data/full.zip, or add the generator")
            return 0
        tree_bench(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
