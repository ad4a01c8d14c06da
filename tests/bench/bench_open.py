"""Benchmark: what the user waits for opening a file in the window, first time and again.

    python tests/bench/bench_open.py [FILE] [--runs N]

FILE defaults to bench_data/full.zip. Each of N rounds (default 5) runs three fresh
processes, one after the other, so a busy machine slows all three alike:

- bare: pyarrow reading every member of the zip as text (pyarrow.csv over each member,
  every column a string, nothing else), timed from that process's start;
- first: `main.py --measure-open FILE` with an empty cache (SORVIEWER_CACHE_DIR set to
  a new folder);
- reopen: the same again, now served from the cache the first open wrote.

The program's modules are compiled to bytecode first, as an installed program's are.
Prints each run, the medians, the ratios first/bare (the medians of per-round ratios),
the CPU seconds of each process (steadier than wall time on a busy machine; POSIX
only, like the bare read's clock) and the cache's size on disk against the zip's.
Asserts nothing.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

#: the bare read, in its own process; seconds from the process start, as --measure-open
BARE = r"""
import json, os, sys, time
t_start = time.perf_counter()
def since_start():
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            up = float(f.read().split()[0])
        return up - ticks / os.sysconf("SC_CLK_TCK")
    except OSError:
        return time.perf_counter() - t_start
origin = time.perf_counter() - since_start()
import zipfile
import pyarrow as pa, pyarrow.csv as pacsv
t0 = time.perf_counter()
rows = 0
with zipfile.ZipFile(sys.argv[1]) as zf:
    for info in zf.infolist():
        if info.is_dir():
            continue
        data = zf.read(info)
        head = data[:65536].decode("utf-8-sig", "replace").splitlines()[0]
        names = head.split(";")
        tab = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=";", newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
        )
        rows += tab.num_rows
        del tab, data
end = time.perf_counter()
print(json.dumps({"read_s": end - t0, "done_s": end - origin, "rows": rows}))
"""


def run_json(cmd: list[str], env: dict[str, str]) -> dict[str, float] | None:
    """The JSON line `cmd` prints, with the CPU seconds (user + system, every thread)
    the process used as "cpu_s": on a busy machine a steadier measure than wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            doc: dict[str, float] = json.loads(line)
            doc["cpu_s"] = cpu
            return doc
    print("  failed:", (out.stderr.strip() or out.stdout.strip())[-400:])
    return None


def folder_size(folder: str) -> int:
    total = 0
    for base, _dirs, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(base, f)) for f in files)
    return total


def main(argv: list[str]) -> int:
    runs = 5
    if "--runs" in argv:
        i = argv.index("--runs")
        runs = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    files = [a for a in argv if not a.startswith("--")]
    path = files[0] if files else os.path.join(ROOT, "bench_data", "full.zip")
    if not os.path.isfile(path):
        print(f"{path} not found (python -m sorviewer generate -o {path} --entities 100000)")
        return 1
    path = os.path.abspath(path)
    zip_mb = os.path.getsize(path) / 1e6
    print(f"register {os.path.basename(path)} ({zip_mb:.1f} MB), {runs} rounds, load {load()}")
    # as an installed program starts: its modules compiled to bytecode once (pip and the
    # frozen build do that; a checkout run with PYTHONDONTWRITEBYTECODE=1 compiles the
    # program's ~60 modules again at every start, 0.3 s of CPU)
    import compileall

    for package in ("sorviewer", "ui"):
        compileall.compile_dir(os.path.join(ROOT, package), quiet=1)
    compileall.compile_file(os.path.join(ROOT, "main.py"), quiet=1)
    base_env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    base_env["PYTHONPATH"] = ROOT + os.pathsep + base_env.get("PYTHONPATH", "")
    bare: list[dict[str, float]] = []
    first: list[dict[str, float]] = []
    again: list[dict[str, float]] = []
    sizes: list[int] = []
    measure = [sys.executable, os.path.join(ROOT, "main.py"), "--measure-open", path]
    with tempfile.TemporaryDirectory(prefix="bench_open_") as tmp:
        for k in range(runs):
            cache = os.path.join(tmp, f"cache{k}")
            env = dict(base_env, SORVIEWER_CACHE_DIR=cache)
            b = run_json([sys.executable, "-c", BARE, path], env)
            f = run_json(measure, env)
            size = folder_size(cache) if os.path.isdir(cache) else 0
            r = run_json(measure, env)
            shutil.rmtree(cache, ignore_errors=True)
            if b is None or f is None or r is None:
                continue
            bare.append(b)
            first.append(f)
            again.append(r)
            sizes.append(size)
            print(
                f"  round {k + 1}: bare read {b['read_s']:.2f} s ({b['done_s']:.2f} s from start,"
                f" cpu {b['cpu_s']:.1f} s) | first open shown {f['shown_s']:.2f} usable"
                f" {f['usable_s']:.2f} s, peak {f['peak_rss_mb']:.0f} MB, cpu {f['cpu_s']:.1f} s"
                f" | reopen shown {r['shown_s']:.2f} usable {r['usable_s']:.2f} s,"
                f" peak {r['peak_rss_mb']:.0f} MB, cpu {r['cpu_s']:.1f} s"
                f" | cache {size / 1e6:.0f} MB"
            )
    if not first:
        return 1

    def med(docs: list[dict[str, float]], key: str) -> float:
        return statistics.median(d[key] for d in docs)

    def ratio(a: list[dict[str, float]], ka: str, b: list[dict[str, float]], kb: str) -> float:
        return statistics.median(x[ka] / y[kb] for x, y in zip(a, b, strict=True))

    print(f"medians of {len(first)} rounds (load now {load()}):")
    print(
        f"  bare pyarrow read of every member: {med(bare, 'read_s'):.2f} s read, "
        f"{med(bare, 'done_s'):.2f} s from process start"
    )
    print(
        f"  first open (empty cache): shown {med(first, 'shown_s'):.2f} s, usable "
        f"{med(first, 'usable_s'):.2f} s, peak {med(first, 'peak_rss_mb'):.0f} MB"
    )
    print(
        f"  reopen (from the cache):  shown {med(again, 'shown_s'):.2f} s, usable "
        f"{med(again, 'usable_s'):.2f} s, peak {med(again, 'peak_rss_mb'):.0f} MB"
    )
    print(
        f"  first open usable / bare read from process start: "
        f"{ratio(first, 'usable_s', bare, 'done_s'):.2f}x"
    )
    print(f"  first open usable / bare read alone: {ratio(first, 'usable_s', bare, 'read_s'):.2f}x")
    print(
        f"  reopen usable / bare read from process start: "
        f"{ratio(again, 'usable_s', bare, 'done_s'):.2f}x"
    )
    print(
        f"  CPU seconds of the whole process (user + system): bare {med(bare, 'cpu_s'):.1f},"
        f" first open {med(first, 'cpu_s'):.1f} (with the warm-up and cache write after"
        f" usable), reopen {med(again, 'cpu_s'):.1f}"
    )
    size = statistics.median(sizes)
    print(f"  cache on disk: {size / 1e6:.0f} MB = {size / 1e6 / zip_mb:.2f}x the zip")
    return 0


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    started = time.perf_counter()
    code = main(sys.argv[1:])
    print(f"({time.perf_counter() - started:.0f} s)")
    sys.exit(code)
