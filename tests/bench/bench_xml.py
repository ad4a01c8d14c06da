"""Benchmark: loading a 100,000-unit XML `sor.zip` against a bare lxml parse of it.

    python tests/bench/bench_xml.py [FILE] [--runs N]

FILE defaults to bench_data/full_xml.zip, generated first when missing
(`python -m sorviewer generate -o bench_data/full_xml.zip --entities 100000 --seed 1
--format sor-xml`). Each measurement runs in a fresh Python process, alternating:

- `load`: `sorviewer.load(FILE, use_cache=False)`, the whole first open (read, build,
  validate) as the CLI and the window do it;
- `lxml`: the zip member parsed by a bare `lxml.etree.iterparse` with an event only
  at the end of each unit record (which is cleared), nothing else: the floor of any
  streaming reader built on lxml (an event for every element would cost a Python step
  for each of the ~3.7 million elements and make the floor look slower than it is).

Prints the median of N runs (default 3) of each, wall and CPU seconds side by side
(the machine may be shared: CPU time is the steadier number), peak RSS, and the
ratio load/lxml.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PHASE = r"""
import json, os, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
if mode == "lxml":
    import zipfile
    from lxml import etree
    n = 0
    with zipfile.ZipFile(path) as zf, zf.open(zf.namelist()[0]) as f:
        names = ("InstitutionOwner", "HealthInstitution", "OrganizationalUnit")
        units = [f"{{*}}{t}" for t in names]
        for _event, elem in etree.iterparse(f, events=("end",), tag=units):
            n += 1
            elem.clear()
    out = {"units": n}
else:
    from sorviewer.loading import load
    reg = load(path, use_cache=False)
    out = {"units": len(reg.ids)}
out["wall_s"] = round(time.perf_counter() - t0, 3)
out["cpu_s"] = round(time.process_time() - c0, 3)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def run(mode: str, path: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-c", PHASE, mode, path],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,  # `python -c` puts the working folder first on sys.path
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(args: list[str]) -> int:
    runs = 3
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i : i + 2]
    path = args[0] if args else os.path.join(ROOT, "bench_data", "full_xml.zip")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "sorviewer", "generate", "-o", path),
                *("--entities", "100000", "--seed", "1", "--format", "sor-xml"),
            ],
            cwd=ROOT,
            check=True,
        )
    print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB zip, {runs} runs of each, alternating")
    results: dict[str, list[dict[str, float]]] = {"lxml": [], "load": []}
    for _ in range(runs):
        for mode in results:
            results[mode].append(run(mode, path))
    med: dict[str, dict[str, float]] = {}
    for mode, rs in results.items():
        med[mode] = {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s")}
        peak = max(r["peak_rss_mb"] for r in rs)
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in rs)
        print(
            f"{mode:5}  median wall {med[mode]['wall_s']:.2f} s  cpu {med[mode]['cpu_s']:.2f} s"
            f"  peak RSS {peak:.0f} MB  (walls: {walls})"
        )
    for k in ("wall_s", "cpu_s"):
        print(f"load/lxml ({k[:-2]}): {med['load'][k] / med['lxml'][k]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
