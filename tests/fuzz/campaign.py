"""A mutation campaign over SOR files, through the command line.

    python -m tests.fuzz.campaign --inputs 10000 --jobs 2 [--seed 1] [--keep DIR]
    python -m tests.fuzz.campaign --seed 1 --only 4711        # make and run one input again

Each input is made from the campaign seed and its number (mutate.make_case), written to
a temporary folder, and run as `python -m sorviewer COMMAND FILE ...` in a child process
with a time and a memory limit (runner.run_cli). The summary counts the outcomes by class
and by mutation family, and lists every input that crashed, hung, ran out of memory or
broke the CLI's promise, with the number that makes it again. `--keep DIR` saves those
inputs. The exit status is 1 when any input failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .mutate import Case, make_case
from .runner import MEMORY, TIMEOUT, Outcome, run_cli
from .seeds import SAMPLES, Seed, generated_seeds, sample_seeds

CLASSES = ("loaded", "refused", "crashed", "hung", "memory")


@dataclass
class Result:
    case: Case
    outcome: Outcome
    cached: Outcome | None = None  # the second run, reading the cache the first wrote

    @property
    def failed(self) -> bool:
        return not self.outcome.ok or (self.cached is not None and not self.cached.ok)


def run_case(case: Case, folder: Path, timeout: float, memory: int, cache: bool) -> Result:
    """Write the input and run its command on it (twice with a cache: write, then read)."""
    work = Path(tempfile.mkdtemp(prefix=f"case{case.index}-", dir=folder))
    try:
        f = work / case.filename
        f.write_bytes(case.data)
        args = [
            str(work / a.replace("OUT", "out")) if a.startswith("OUT") else a for a in case.command
        ]
        # the cache and the internal-error log of each input stay in its own folder
        env = dict(
            os.environ,
            SORVIEWER_CACHE_DIR=str(work / "cache"),
            XDG_STATE_HOME=str(work / "state"),
            XDG_CACHE_HOME=str(work / "xdg-cache"),
        )
        first = run_cli(
            [args[0], str(f), *args[1:], *([] if cache else ["--no-cache"])],
            timeout=timeout,
            memory=memory,
            env=env,
        )
        again = None
        if cache and first.kind == "loaded":
            again = run_cli([args[0], str(f), *args[1:]], timeout=timeout, memory=memory, env=env)
        return Result(case, first, again)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def campaign(
    seeds: list[Seed],
    *,
    inputs: int,
    seed: int,
    jobs: int,
    start: int = 0,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
    progress: bool = False,
    keep: Path | None = None,
    cache_every: int = 10,
) -> list[Result]:
    """Run inputs `start` .. `start + inputs - 1` of campaign `seed`; the inputs that fail
    are saved in `keep` (when given) as soon as they do. Every `cache_every`-th input
    runs twice with a cache (written, then read back)."""
    folder = Path(tempfile.mkdtemp(prefix="sorviewer-fuzz-"))
    results: list[Result] = []
    t0 = time.monotonic()
    try:

        def one(i: int) -> Result:
            case = make_case(seeds, seed, i)
            return run_case(case, folder, timeout, memory, cache=(i % cache_every == 3))

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for k, result in enumerate(pool.map(one, range(start, start + inputs)), 1):
                results.append(result)
                if keep is not None and result.failed:
                    keep.mkdir(parents=True, exist_ok=True)
                    case = result.case
                    (keep / f"{case.index}-{case.filename}").write_bytes(case.data)
                if progress and (k % 50 == 0 or result.failed):
                    mark = "FAIL " + result.outcome.summary() if result.failed else ""
                    print(
                        f"[{k}/{inputs} {time.monotonic() - t0:.0f}s] #{result.case.index} "
                        f"{result.case.family} {mark}",
                        flush=True,
                    )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def summary(results: list[Result], seconds: float) -> str:
    """The campaign's table: outcomes by class and family, then every failure."""
    by_class = Counter(r.outcome.kind for r in results)
    families = sorted({r.case.family for r in results})
    lines = [
        f"inputs: {len(results)}   time: {seconds:.0f} s",
        "",
        "| family | " + " | ".join(CLASSES) + " | promise broken | total |",
        "| --- | " + " | ".join("---:" for _ in CLASSES) + " | ---: | ---: |",
    ]
    for fam in [*families, "all"]:
        rows = [r for r in results if fam in ("all", r.case.family)]
        counts = Counter(r.outcome.kind for r in rows)
        broken = sum(1 for r in rows if r.outcome.problems)
        lines.append(
            f"| {fam} | "
            + " | ".join(str(counts.get(c, 0)) for c in CLASSES)
            + f" | {broken} | {len(rows)} |"
        )
    cached = [r for r in results if r.cached is not None]
    if cached:
        bad = sum(1 for r in cached if r.cached is not None and not r.cached.ok)
        lines += ["", f"read back from the cache: {len(cached)} inputs, {bad} failed"]
    peak = max((r.outcome.max_rss for r in results), default=0)
    slow = max((r.outcome.seconds for r in results), default=0.0)
    lines += ["", f"largest peak memory: {peak >> 20} MB; longest run: {slow:.1f} s"]
    failed = [r for r in results if r.failed]
    if failed:
        lines += ["", "failures (--only N makes one again):"]
        for r in failed:
            out = r.outcome if not r.outcome.ok or r.cached is None else r.cached
            lines.append(
                f"  #{r.case.index} {r.case.family} [{r.case.seed}] {r.case.label} "
                f"| {' '.join(r.case.command)} | {out.summary()}"
            )
    assert set(by_class) <= set(CLASSES)
    return "\n".join(lines)


def all_seeds(folder: Path, samples: Path = SAMPLES) -> list[Seed]:
    return generated_seeds(folder) + sample_seeds(samples)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz.campaign", description=__doc__)
    p.add_argument("--inputs", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", type=int, default=0, help="number of the first input")
    p.add_argument("--only", type=int, default=None, help="run this one input")
    p.add_argument("--timeout", type=float, default=TIMEOUT)
    p.add_argument("--memory-gb", type=float, default=MEMORY / 2**30)
    p.add_argument("--keep", type=Path, default=None, help="save failing inputs here")
    p.add_argument(
        "--samples",
        type=Path,
        default=SAMPLES,
        help="the real XML cuts (default: shared/samples beside the repository)",
    )
    args = p.parse_args(argv)
    seeds = all_seeds(Path(tempfile.gettempdir()) / "sorviewer-fuzz-seeds", args.samples)
    print(f"seeds: {', '.join(s.name for s in seeds)}")
    start, n = (args.only, 1) if args.only is not None else (args.start, args.inputs)
    t0 = time.monotonic()
    results = campaign(
        seeds,
        inputs=n,
        seed=args.seed,
        jobs=args.jobs,
        start=start,
        timeout=args.timeout,
        memory=int(args.memory_gb * 2**30),
        progress=True,
        keep=args.keep,
    )
    print(summary(results, time.monotonic() - t0))
    failed = [r for r in results if r.failed]
    if args.only is not None:
        r = results[0]
        print(r.case.label, r.case.command)
        print(r.outcome.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
