"""Benchmark: the heavier queries and exports on the full-scale register (issue 4).

    python tests/bench/bench_queries.py [FILE] [--date YYYY-MM-DD]

FILE defaults to bench_data/full.zip, generated first when missing
(`python -m sorviewer generate -o bench_data/full.zip --entities 100000`); it is
loaded through the cache when one exists. The date defaults to the file's
snapshot date. Prints wall-clock times for: changes over 1 and 10 years, export
of 10,000 units to XLSX, quality at the date and at today, export of every unit
to CSV, XLSX and JSON, reg.entity for 1000 random ids (p50/p95), search as you
type for 300 prefixes and substrings of 1-6 characters (p50/p95), the whole tree
at the date, and snapshots at 20 dates. The issue's targets are printed beside
the numbers they apply to. A script, not a test: it asserts nothing.
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
from sorviewer.asof import snapshots, tree  # noqa: E402
from sorviewer.changes import changes  # noqa: E402
from sorviewer.export import write_export  # noqa: E402
from sorviewer.quality import quality  # noqa: E402


def timed(label: str, fn: Callable[[], Any], note: Callable[[Any], str] | None = None) -> Any:
    t0 = time.perf_counter()
    result = fn()
    secs = time.perf_counter() - t0
    extra = f"  ({note(result)})" if note else ""
    print(f"{label:<48} {secs * 1000:10.1f} ms{extra}", flush=True)
    return result


def target(limit_ms: float) -> Callable[[Any], str]:
    """A note for `timed` that says the issue's target (the time is printed already)."""
    return lambda _r: f"target <= {limit_ms:g} ms"


def percentiles(label: str, calls: list[Callable[[], Any]], limit_ms: float | None = None) -> None:
    """Time each call on its own; print p50, p95 and the worst."""
    times = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50 = times[len(times) // 2]
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    goal = f", target p95 <= {limit_ms:g} ms" if limit_ms is not None else ""
    print(
        f"{label:<48} p95 {p95:8.2f} ms  (p50 {p50:.2f}, max {times[-1]:.2f}, "
        f"{len(times)} calls{goal})",
        flush=True,
    )


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

    def after(note: Callable[[Any], str], goal: Callable[[Any], str]) -> Callable[[Any], str]:
        return lambda r: f"{note(r)}; {goal(r)}"

    timed(
        "changes over 1 year",
        lambda: changes(reg, years_before(day, 1), day),
        after(counts, target(2000)),
    )
    timed("changes over 10 years", lambda: changes(reg, years_before(day, 10), day), counts)

    rng = random.Random(1)
    all_ids = [str(x) for x in reg.ids]
    # units that exist at the date: export follows the date unless told otherwise
    active = [str(reg.ids[e]) for e in reg.snapshot(day).active_entities()]
    with tempfile.TemporaryDirectory() as tmp:
        picked = rng.sample(active, min(10_000, len(active)))
        out = os.path.join(tmp, "picked.xlsx")
        timed(
            "export XLSX of 10,000 picked units",
            lambda: write_export(reg, day, out, "xlsx", sor_ids=picked),
            after(lambda n: f"{n} rows, {os.path.getsize(out) / 2**20:.1f} MB", target(10_000)),
        )
        timed("quality at the date", lambda: quality(reg, day), lambda r: f"{len(r)} findings")
        timed("quality again (bulk view cached)", lambda: quality(reg, day))
        today = dt.date.today()
        timed(f"quality at today ({today})", lambda: quality(reg, today), lambda r: f"{len(r)}")
        for fmt in ("csv", "json", "xlsx"):
            out = os.path.join(tmp, f"all.{fmt}")
            ticks: list[float] = []
            timed(
                f"export {fmt.upper()} of every unit (--all)",
                lambda fmt=fmt, out=out, ticks=ticks: write_export(
                    reg,
                    day,
                    out,
                    fmt,
                    include_all=True,
                    progress=lambda _d, _t, ticks=ticks: ticks.append(time.perf_counter()),
                ),
                lambda n, out=out, ticks=ticks: (
                    f"{n} rows, {os.path.getsize(out) / 2**20:.1f} MB, {len(ticks)} progress calls"
                ),
            )

    sample = rng.sample(all_ids, min(1000, len(all_ids)))
    percentiles(  # the target is for the provenance part of it
        "reg.entity (with provenance), 1000 random ids",
        [lambda s=s: reg.entity(s, day) for s in sample],
        5,
    )

    names = reg.entities["EntityName"].dropna().sample(300, random_state=1, replace=True)
    queries = []
    for i, name in enumerate(names.tolist()):
        size = 1 + i % 6
        if i % 2 and len(name) > size:  # a substring from inside the name
            at = rng.randrange(0, len(name) - size)
            queries.append(name[at : at + size])
        else:  # a prefix, as typed
            queries.append(name[:size])
    percentiles(
        "search as you type, 300 strings of 1-6 chars",
        [lambda q=q: reg.search(q, day) for q in queries],
        50,
    )

    timed("tree of the whole register", lambda: tree(reg, day), lambda t: f"{len(t)} roots")

    snapshots(reg).clear()
    dates = [dt.date(2000 + i, 1 + i % 12, 1) for i in range(20)]
    timed("snapshot at 20 dates, first", lambda: [reg.snapshot(d).roots() for d in dates])
    recent = dates[-16:]  # the register keeps the 16-17 most recent days
    timed("snapshot at 16 of them again (cached)", lambda: [reg.snapshot(d) for d in recent])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
