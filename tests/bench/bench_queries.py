"""Benchmark: the heavier queries and exports on the full-scale register.

    python tests/bench/bench_queries.py [FILE] [--date YYYY-MM-DD]

FILE defaults to bench_data/full.zip, generated first when missing
(`python -m sorviewer generate -o bench_data/full.zip --entities 100000`); it is
loaded through the cache when one exists. Prints wall-clock times for:
changes over 1 and 10 years, quality at the date, export of every unit to CSV,
XLSX and JSON, reg.entity for 1000 random ids, search for 100 strings, the whole
tree at the date, and snapshots at 20 dates (first and cached). A script, not a
test: it prints numbers and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from sorviewer import load  # noqa: E402
from sorviewer.asof import tree  # noqa: E402
from sorviewer.changes import changes  # noqa: E402
from sorviewer.export import write_export  # noqa: E402
from sorviewer.quality import quality  # noqa: E402


def timed(label: str, fn: Callable[[], Any], note: Callable[[Any], str] | None = None) -> Any:
    t0 = time.perf_counter()
    result = fn()
    secs = time.perf_counter() - t0
    extra = f"  ({note(result)})" if note else ""
    print(f"{label:<42} {secs * 1000:10.1f} ms{extra}", flush=True)
    return result


def years_before(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year - n)
    except ValueError:  # 29 February
        return day.replace(year=day.year - n, day=28)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", default=os.path.join(ROOT, "bench_data", "full.zip"))
    ap.add_argument("--date", type=dt.date.fromisoformat, default=None)
    args = ap.parse_args()
    path = args.file
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        print(f"generating {path} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "sorviewer", "generate", "-o", path, "--entities", "100000"],
            check=True,
            cwd=ROOT,
        )
    reg = timed("load (cache when present)", lambda: load(path))
    day = args.date or reg.source.snapshot_date or dt.date.today()
    print(f"{len(reg.ids)} units, {len(reg.entities)} version rows; as of {day}")

    def counts(doc: dict[str, list[Any]]) -> str:
        return ", ".join(f"{k} {len(v)}" for k, v in doc.items())

    timed("changes over 1 year", lambda: changes(reg, years_before(day, 1), day), counts)
    timed("changes over 10 years", lambda: changes(reg, years_before(day, 10), day), counts)
    timed("quality at the date", lambda: quality(reg, day), lambda r: f"{len(r)} findings")
    timed("quality again (bulk view cached)", lambda: quality(reg, day))

    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "xlsx", "json"):
            out = os.path.join(tmp, f"all.{fmt}")
            timed(
                f"export {fmt.upper()} of every unit (--all)",
                lambda fmt=fmt, out=out: write_export(reg, day, out, fmt, include_all=True),
                lambda n, out=out: f"{n} rows, {os.path.getsize(out) / 2**20:.1f} MB",
            )

    rng = random.Random(1)
    ids = [str(x) for x in rng.sample(list(reg.ids), min(1000, len(reg.ids)))]
    timed("reg.entity for 1000 random ids", lambda: [reg.entity(s, day) for s in ids])

    names = reg.entities["EntityName"].dropna().sample(100, random_state=1, replace=True)
    queries = []
    for i, name in enumerate(names.tolist()):
        words = name.split()
        word = words[i % len(words)] if words else name
        queries.append(word[: 3 + i % 5])
    timed("search for 100 strings", lambda: [reg.search(q, day) for q in queries])

    timed("tree of the whole register", lambda: tree(reg, day), lambda t: f"{len(t)} roots")

    reg._snapshots.clear()
    dates = [dt.date(2000 + i, 1 + i % 12, 1) for i in range(20)]
    timed("snapshot at 20 dates, first", lambda: [reg.snapshot(d).roots() for d in dates])
    recent = dates[-16:]  # the register keeps the 16-17 most recent days
    timed("snapshot at 16 of them again (cached)", lambda: [reg.snapshot(d) for d in recent])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
