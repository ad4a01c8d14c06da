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
if mode == "arrow":
    # (a): pyarrow reading every CSV member of the zip, all columns as text, nothing else
    import zipfile
    import pyarrow as pa, pyarrow.csv as pacsv
    t0 = time.perf_counter()
    rows = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            head = data[:65536].decode("utf-8-sig", "replace").splitlines()[0]
            names = head.split(";")
            tab = pacsv.read_csv(
                pa.BufferReader(data),
                parse_options=pacsv.ParseOptions(delimiter=";", newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
            )
            rows += tab.num_rows
            del tab, data
    out["load_s"] = round(time.perf_counter() - t0, 3)
    out["rows"] = rows
elif mode == "cancel":
    import threading
    flag = threading.Event()
    asked = []
    def cancelled():
        return flag.is_set()
    def later():
        time.sleep(float(sys.argv[3]))
        asked.append(time.perf_counter())
        flag.set()
    threading.Thread(target=later, daemon=True).start()
    try:
        load(path, cancelled=cancelled, use_cache=False)
        out["cancel_ms"] = None
    except sorviewer.LoadCancelled:
        out["cancel_ms"] = round((time.perf_counter() - asked[0]) * 1000, 1)
elif mode == "first":
    from sorviewer.cache import cache_key, write_cache
    from sorviewer.loading import LOADER_VERSION
    t0 = time.perf_counter()
    reg = load(path, use_cache=False)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    write_cache(cache_key(path, LOADER_VERSION), reg)
    out["cache_write_s"] = round(time.perf_counter() - t0, 3)
    out["rows"] = int(len(reg.entities))
    out["entities"] = int(len(reg.ids))
    out["report_rows"] = len(reg.report.rows)
elif mode != "baseline":
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


def phase(mode: str, path: str, cache: str, *extra: str) -> dict:
    env = dict(os.environ, SORVIEWER_CACHE_DIR=cache, PYTHONPATH=ROOT)
    res = subprocess.run(
        [sys.executable, "-c", PHASE, mode, path, *extra], env=env, capture_output=True, text=True
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
        base = phase("baseline", path, cache)
        arrow = phase("arrow", path, cache)
        first = phase("first", path, cache)
        cached = phase("cached", path, cache)
        cancels = [phase("cancel", path, cache, str(at))["cancel_ms"] for at in (0.5, 2, 4, 6)]
    print(f"    imports only: {base['import_s']} s, peak RSS {base['peak_rss_mb']} MB")
    print(
        f"(a) pyarrow reading every member: {arrow['load_s']} s for {arrow['rows']} rows,"
        f" peak RSS {arrow['peak_rss_mb']} MB"
    )
    print(
        f"(b) first load: {first['load_s']} s for {first['rows']} rows / {first['entities']}"
        f" units, peak RSS {first['peak_rss_mb']} MB, {first['report_rows']} report rows;"
        f" then writing the cache {first['cache_write_s']} s"
    )
    print(f"(c) cache reopen: {cached['load_s']} s, peak RSS {cached['peak_rss_mb']} MB")
    print(f"    (b)/(a) = {first['load_s'] / arrow['load_s']:.2f}   (c) = {cached['load_s']} s")
    print(
        f"    date switch: snapshot {cached['snapshot_first_ms']} ms first, "
        f"{cached['snapshot_cached_ms']} ms again; entity() {cached['entity_ms']} ms each"
    )
    print(f"    cancel honoured after (ms), asked at 0.5/2/4/6 s: {cancels}")


if __name__ == "__main__":
    main()
