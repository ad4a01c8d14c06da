"""Benchmark: `diff` of two full-scale downloads a month apart, both loaded from the cache.

    python tests/bench/bench_diff.py [NEW [OLD]]

NEW defaults to bench_data/full.zip (`python -m sorviewer generate -o
bench_data/full.zip --entities 100000 --seed 1`), OLD to bench_data/full_month_before.zip,
the download of 2026-10-01 of the same register (`... generate -o
bench_data/full_month_before.zip --entities 100000 --seed 1 --known-on 2026-10-01`);
both are generated when missing. Each is opened once first so that the measured
process reads both from the load cache.

Then, in one fresh process: both loads (from the cache), `compare` at each file's own
snapshot date (the first time: this is what a user waits for after the loads, and it
pays for touching the memory-mapped columns), the CLI document (`as_json`), the table
form, the same compare again (warm), one with `--as-of` (both at one day), a filter
under a hospital, and the peak resident memory of the process (both registers held at
once). A script, not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PHASE = r"""
import json, resource, sys, time

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024)
    return None

out = {}
def timed(key, fn, *args, **kw):
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kw)
    out[key] = round(time.perf_counter() - t0, 3)
    if key.startswith("compare"):  # CPU of all threads: what a busy machine cannot inflate
        out[key.replace("_s", "_cpu_s")] = round(time.process_time() - c0, 3)
    return result

import sorviewer
from sorviewer.diff import compare
new_path, old_path = sys.argv[1], sys.argv[2]
old = timed("load_old_s", sorviewer.load, old_path)
new = timed("load_new_s", sorviewer.load, new_path)
out["rss_after_loads_mb"] = rss_mb()
d = timed("compare_s", compare, old, new)
doc = timed("as_json_s", d.as_json)
out["compare_plus_document_s"] = round(out["compare_s"] + out["as_json_s"], 3)
with open("/proc/loadavg") as f:
    out["load_average_1min"] = float(f.read().split()[0])
timed("json_dumps_s", json.dumps, doc, ensure_ascii=False)
cols = timed("table_s", d.table)
out["table_rows"] = len(cols[0])
out["counts"] = d.counts()
out["columns_compared"] = len(d.columns)
out["rss_after_compare_mb"] = rss_mb()
timed("compare_again_s", compare, old, new)
same_day = timed("compare_as_of_s", compare, old, new, d.old.day, d.old.day)
out["as_of_counts"] = same_day.counts()
# --under the institution with the most units below it
snap = new.snapshot(d.new.day)
si = [e for e in snap.active_entities().tolist() if new.value(snap.row(e), "SorType") == "SI"]
big = max(si, key=lambda e: len(snap.subtree(e)))
part = timed("filter_under_s", d.filter, under=str(new.ids[big]))
out["under_units"] = int(len(snap.subtree(big)))
out["under_counts"] = part.counts()
timed("filter_text_s", d.filter, text="afdeling")
ids = timed("differing_ids_s", d.differing_ids)
out["differing_ids"] = int(len(ids))
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def ensure(path: str, *extra: str) -> None:
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    print(f"generating {path} ...", flush=True)
    cmd = [sys.executable, "-m", "sorviewer", "generate", "-o", path, "--entities", "100000"]
    env = {**os.environ, "PYTHONPATH": ROOT}
    subprocess.run([*cmd, "--seed", "1", *extra], check=True, cwd=ROOT, env=env)


def main() -> None:
    new = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench_data", "full.zip")
    old = (
        sys.argv[2]
        if len(sys.argv) > 2
        else os.path.join(ROOT, "bench_data", "full_month_before.zip")
    )
    ensure(new)
    ensure(old, "--known-on", "2026-10-01")
    env = {**os.environ, "PYTHONPATH": ROOT}
    # fill the load cache first, each file in its own process
    for path in (old, new):
        subprocess.run(
            [sys.executable, "-m", "sorviewer", "info", path],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
    res = subprocess.run(
        [sys.executable, "-c", PHASE, new, old],
        check=True,
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    out = json.loads(res.stdout.strip().splitlines()[-1])
    width = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
