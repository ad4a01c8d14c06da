"""Stress: many threads querying one full-scale register at once (the threading contract).

    python tests/bench/stress_threads.py [FILE] [--threads 12] [--seconds 60]

FILE defaults to bench_data/full.zip (loaded through the cache when one exists).
Every thread runs a random mix of what the window and its panel workers do (date
moves over more days than the snapshot cache keeps, the tree, unit details, search,
EDI recipients, the SHAK map, provenance of whole days, quality) with a switch
interval of a microsecond, and checks the unit details it gets on three fixed days
against answers computed before the threads started. Prints how many queries of
each kind ran, every error, the largest size the snapshot cache reached, and the
peak memory. A script, not a test: it asserts nothing, it reports.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import resource
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from sorviewer import asof, edi, load, mapping, provenance, quality  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", default=os.path.join(ROOT, "bench_data", "full.zip"))
    ap.add_argument("--threads", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    reg = load(args.file)
    print(f"{len(reg.ids)} units, {len(reg.entities)} version rows", flush=True)
    rng = random.Random(7)
    days = [dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(7300)) for _ in range(40)]
    fixed = days[:3]
    ids = [str(x) for x in rng.sample(list(reg.ids), 200)]
    t0 = time.perf_counter()
    want = {(s, d): reg.entity(s, d) for d in fixed for s in ids[:30]}
    print(f"reference answers: {time.perf_counter() - t0:.1f} s", flush=True)
    asof.snapshots(reg).clear()

    counts: collections.Counter[str] = collections.Counter()
    errors: list[str] = []
    wrong: list[str] = []
    biggest = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + args.seconds

    def one(r: random.Random) -> str:
        day = r.choice(days)
        kind = r.choices(
            ["move", "tree", "show", "check", "search", "edi", "shak", "provenance", "quality"],
            weights=[20, 8, 30, 10, 15, 5, 4, 4, 1],
        )[0]
        if kind == "move":
            snap = reg.snapshot(day)
            snap.children_of_many(snap.roots())
        elif kind == "tree":
            asof.tree(reg, day, depth=2)
        elif kind == "show":
            reg.entity(r.choice(ids), day)
        elif kind == "check":
            key = r.choice(list(want))
            if reg.entity(*key) != want[key]:
                with lock:
                    wrong.append(f"{key}")
        elif kind == "search":
            reg.search(r.choice(["a", "sy", "hospital", "8000", "ø"]), day, limit=50)
        elif kind == "edi":
            snap = reg.snapshot(day)
            if len(snap.roots()):
                edi.recipients(reg, str(reg.ids[int(r.choice(snap.roots()))]), "1", day)
        elif kind == "shak":
            mapping.mapping_frame(reg, day)
        elif kind == "provenance":
            provenance.at(reg, day).group(r.choice(provenance.GROUPS))
        else:
            quality.quality(reg, day)
        return kind

    def work(i: int) -> None:
        r = random.Random(i)
        while time.perf_counter() < stop:
            try:
                kind = one(r)
            except Exception:  # reported at the end
                with lock:
                    errors.append(traceback.format_exc())
                continue
            with lock:
                counts[kind] += 1
                biggest[0] = max(biggest[0], len(asof.snapshots(reg)))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - t0
    sys.setswitchinterval(old)
    print(f"{args.threads} threads for {took:.0f} s, switch interval 1 us")
    print("queries: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"errors: {len(errors)}; wrong answers: {len(wrong)}")
    for e in errors[:3]:
        print(e)
    print(f"snapshot cache: at most {biggest[0]} (bound {asof.SNAPSHOTS_KEPT})")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
