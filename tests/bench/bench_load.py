"""Benchmark: opening the full-scale synthetic register, cold and from the cache.

    python tests/bench/bench_load.py [FILE]

FILE defaults to bench_data/full.zip, generated first when missing
(`python -m sorviewer generate -o bench_data/full.zip --entities 100000 --seed 1`).
Each phase runs in a fresh Python process so the peak memory (ru_maxrss) of one
phase does not hide another: (a) baseline = imports only, (b) first load with no
cache (parse + validate + write cache), (c) reopen served from the cache, and in
the same process as (c) the as-of work a date switch does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PHASE = r"""
import json, os, resource, sys, time, datetime as dt
t0 = time.perf_counter()
import sorviewer
from sorviewer.loading import load
t_import = time.perf_counter() - t0
mode, path = sys.argv[1], sys.argv[2]
out = {"import_s": round(t_import, 3)}
if mode != "baseline":
    t0 = time.perf_counter()
    reg = load(path, use_cache=True)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    out["rows"] = int(len(reg.entities))
    out["entities"] = int(len(reg.ids))
    out["report_rows"] = len(reg.report.rows)
    if mode == "cached":
        days = [dt.date(y, 6, 1) for y in range(2008, 2027, 2)]
        t0 = time.perf_counter()
        for d in days:
            snap = reg.snapshot(d)
            snap.roots()
        out["snapshot_first_ms"] = round((time.perf_counter() - t0) * 1000 / len(days), 1)
        t0 = time.perf_counter()
        for d in days:
            reg.snapshot(d).roots()
        out["snapshot_cached_ms"] = round((time.perf_counter() - t0) * 1000 / len(days), 2)
        d = dt.date(2026, 6, 1)
        ids = [str(x) for x in reg.ids[:: max(1, len(reg.ids) // 1000)][:1000]]
        t0 = time.perf_counter()
        for s in ids:
            reg.entity(s, d)
        out["entity_ms"] = round((time.perf_counter() - t0) * 1000 / len(ids), 3)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def phase(mode: str, path: str, cache: str) -> dict:
    env = dict(os.environ, SORVIEWER_CACHE_DIR=cache, PYTHONPATH=ROOT)
    res = subprocess.run(
        [sys.executable, "-c", PHASE, mode, path], env=env, capture_output=True, text=True
    )
    if res.returncode != 0:
        sys.exit(f"{mode} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench_data", "full.zip")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        print(f"generating {path} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "sorviewer", "generate", "-o", path, "--entities", "100000"],
            check=True,
            cwd=ROOT,
        )
    size_mb = os.path.getsize(path) / 2**20
    print(f"file: {os.path.basename(path)}  {size_mb:.1f} MB on disk")
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        base = phase("baseline", path, cache)
        first = phase("first", path, cache)
        first_wall = time.perf_counter() - t0
        cached = phase("cached", path, cache)
    print(f"(a) baseline: import {base['import_s']} s, peak RSS {base['peak_rss_mb']} MB")
    print(
        f"(b) first load: {first['load_s']} s for {first['rows']} rows / {first['entities']}"
        f" units, peak RSS {first['peak_rss_mb']} MB, {first['report_rows']} report rows"
    )
    print(f"(c) cache reopen: {cached['load_s']} s, peak RSS {cached['peak_rss_mb']} MB")
    print(
        f"    date switch: snapshot {cached['snapshot_first_ms']} ms first, "
        f"{cached['snapshot_cached_ms']} ms again; entity() {cached['entity_ms']} ms each"
    )
    print(f"    reopen / first load = {cached['load_s'] / first['load_s']:.3f}")
    del first_wall


if __name__ == "__main__":
    main()
