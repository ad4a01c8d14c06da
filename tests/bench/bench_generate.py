"""Benchmark: writing the full-scale synthetic register.

    python tests/bench/bench_generate.py [--entities N] [--seed S] [--format F] [-o OUT]

Defaults: 100,000 entities, seed 1, sor2-zip, into bench_data/full.zip (git-ignored).
Prints entities, rows per table, uncompressed and on-disk megabytes, seconds and the
peak resident memory of this process. A script, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def main() -> None:
    from sorviewer.synthetic import FORMATS, generate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=FORMATS, default="sor2-zip")
    ap.add_argument("--dialect", default="default")
    ap.add_argument("-o", "--output", default=os.path.join(ROOT, "bench_data", "full.zip"))
    args = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)

    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  {done:,}/{total:,} entities written", flush=True)

    t0 = time.perf_counter()
    stats = generate(
        args.output,
        entities=args.entities,
        seed=args.seed,
        fmt=args.format,
        dialect=args.dialect,
        progress=progress,
    )
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"file        {args.output}")
    print(f"entities    {stats.entities:,}")
    for table, n in stats.rows.items():
        print(f"rows        {table:<26} {n:>10,}")
    print(f"data MB     {stats.bytes_written / 1e6:,.1f} (uncompressed)")
    print(f"file MB     {stats.file_bytes / 1e6:,.1f}")
    print(f"seconds     {wall:.1f}")
    print(f"peak RSS MB {peak_mb:,.0f}")


if __name__ == "__main__":
    main()
