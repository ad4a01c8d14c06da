"""Benchmark: the interactive queries of issue 4 on the full-scale register.

    python tests/bench/bench_asof.py [FILE]

FILE defaults to bench_data/full.zip (see bench_load.py; the register is loaded
through the cache when one exists). Prints p50/p95 in milliseconds for:
- a date move: a new Snapshot plus the roots and the first two tree levels,
- children of a node at a new date,
- search as you type (1-6 character prefixes and substrings),
- provenance (reg.entity) of one unit.
Targets (issue 4): 50 / 5 / 50 / 5 ms at p95.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from sorviewer import load  # noqa: E402
from sorviewer.asof import Snapshot  # noqa: E402
from sorviewer.dates import to_day  # noqa: E402


def pct(samples: list[float]) -> str:
    a = np.asarray(samples) * 1000
    return f"p50 {np.percentile(a, 50):7.2f} ms   p95 {np.percentile(a, 95):7.2f} ms   n={len(a)}"


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench_data", "full.zip")
    t0 = time.perf_counter()
    reg = load(path)
    took = time.perf_counter() - t0
    print(f"loaded {len(reg.ids)} units / {len(reg.entities)} rows in {took:.2f} s")
    rng = random.Random(1)
    lo, hi = reg.date_range()
    assert lo and hi
    lo = max(lo, dt.date(2006, 1, 1))
    span = (hi - lo).days

    def some_day() -> dt.date:
        return lo + dt.timedelta(days=rng.randrange(span))

    moves = []
    for _ in range(40):
        day = some_day()
        t = time.perf_counter()
        snap = Snapshot(reg, to_day(day))
        level2 = snap.children_of_many(snap.roots())
        snap.children_of_many(level2)  # what the view needs to know which rows expand
        snap.child_counts()
        moves.append(time.perf_counter() - t)
    print("date move + roots + 2 levels  ", pct(moves))

    kids = []
    for _ in range(30):
        day = some_day()
        snap = reg.snapshot(day)
        active = snap.active_entities()
        for e in rng.sample(list(active), min(20, len(active))):
            t = time.perf_counter()
            snap.children(int(e))
            kids.append(time.perf_counter() - t)
    print("children of a node            ", pct(kids))

    words = [
        "r",
        "re",
        "reg",
        "regi",
        "region",
        "hospi",
        "klinik",
        "aarhus",
        "ø",
        "øst",
        "læge",
        "tand",
        "8000",
        "5790",
        "afd",
        "kir",
        "apotek",
        "nord",
        "syd",
        "hjem",
    ]
    day = hi - dt.timedelta(days=30)
    reg.search("x", day)  # build the folded columns once (part of the first search)
    found = []
    for w in words:
        for k in range(1, min(6, len(w)) + 1):
            t = time.perf_counter()
            reg.search(w[:k], day, limit=200)
            found.append(time.perf_counter() - t)
    print("search as you type            ", pct(found))

    snap = reg.snapshot(day)
    ids = [str(reg.ids[int(e)]) for e in rng.sample(list(snap.active_entities()), 500)]
    prov = []
    for sid in ids:
        t = time.perf_counter()
        reg.entity(sid, day)
        prov.append(time.perf_counter() - t)
    print("provenance of one unit        ", pct(prov))


if __name__ == "__main__":
    main()
