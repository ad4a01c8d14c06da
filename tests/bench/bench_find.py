"""Benchmark: find on the full-scale register (issue 15).

    python tests/bench/bench_find.py [FILE] [--date YYYY-MM-DD] [--rounds N]

FILE defaults to bench_data/full.zip, generated first when missing; it is loaded
through the cache when one exists. The date defaults to the file's snapshot date.
Prints wall-clock times for: the first query at a date (provenance of every unit and
the columns' encodings are built then), queries with three filters (p50/p95 over
varied values), the same with the counts of every facet, sorting by a column, the
display values of a screenful of rows, and the issue's "done when" question (general
practices in a region that can receive an EDI type, with EAN and visiting address).
The issue's targets are printed beside the numbers they apply to. A script, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from sorviewer import find, load  # noqa: E402
from sorviewer.find import FACETS, Filters  # noqa: E402


def timed(label: str, fn: Callable[[], Any], note: Callable[[Any], str] | None = None) -> Any:
    t0 = time.perf_counter()
    result = fn()
    secs = time.perf_counter() - t0
    extra = f"  ({note(result)})" if note else ""
    print(f"{label:<52} {secs * 1000:10.1f} ms{extra}", flush=True)
    return result


def percentiles(label: str, calls: list[Callable[[], Any]], limit_ms: float | None = None) -> None:
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
        f"{label:<52} p95 {p95:8.2f} ms  (p50 {p50:.2f}, max {times[-1]:.2f}, "
        f"{len(times)} calls{goal})",
        flush=True,
    )


def three_filters(reg: Any, day: dt.date, rng: random.Random, n: int) -> list[Filters]:
    """`n` filter sets of three filters each, with values the register holds."""
    every = find.query(reg, day, Filters(), facets=FACETS).facet_counts

    def some(facet: str, k: int = 2) -> tuple[str, ...]:
        values = [v.code for v in every[facet]]
        return tuple(rng.sample(values, min(k, len(values))))

    makers: list[Callable[[], Filters]] = [
        lambda: Filters(level=some("level", 1), region=some("region", 1), ean=some("ean", 2)),
        lambda: Filters(
            entity_type=some("entity_type", 1),
            region=some("region", 1),
            edi_type=some("edi_type", 1),
        ),
        lambda: Filters(
            speciality=some("speciality", 2), municipality=some("municipality", 3), ean=("own",)
        ),
        lambda: Filters(
            postcode=(f"{rng.randrange(1000, 9000)}-{rng.randrange(9000, 9999)}",),
            owner_type=some("owner_type", 1),
            shak=(rng.choice(["1", "13", "66", "50"]),),
        ),
        lambda: Filters(
            text=rng.choice(["aarhus", "klinik", "læge", "tand", "1084", "hospital", "apotek"]),
            level=some("level", 1),
            status=("all",),
        ),
        lambda: Filters(
            town=some("town", 3), main_speciality=some("main_speciality", 2), level=("OE",)
        ),
    ]
    return [makers[i % len(makers)]() for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", default=os.path.join(ROOT, "bench_data", "full.zip"))
    ap.add_argument("--date", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--rounds", type=int, default=120)
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

    timed(
        "first query at the date (cold: provenance of all)",
        lambda: find.query(reg, day, Filters(level=("OE",))),
        lambda r: f"{len(r.ents)} units",
    )
    timed(
        "first facet counts at the date (builds encodings)",
        lambda: find.query(reg, day, Filters(), facets=FACETS),
        lambda r: f"{len(FACETS)} facets",
    )
    rng = random.Random(15)
    sets = three_filters(reg, day, rng, args.rounds)
    sizes = [len(find.query(reg, day, f).ents) for f in sets]
    print(
        f"three-filter sets: {len(sets)}, matching units min {min(sizes)}, "
        f"median {sorted(sizes)[len(sizes) // 2]}, max {max(sizes)}"
    )
    percentiles(
        "find, three filters",
        [lambda f=f: find.query(reg, day, f) for f in sets],
        30,
    )
    percentiles(
        "find, three filters + counts of every facet",
        [lambda f=f: find.query(reg, day, f, facets=FACETS) for f in sets],
        60,
    )
    percentiles(
        "find, no filter (all active units) + every facet",
        [lambda: find.query(reg, day, Filters(), facets=FACETS) for _ in range(20)],
    )
    ents = find.query(reg, day, Filters(status=("all",))).ents
    for column in ("EntityName", "VisitingAddressPostCodeId", "EanLocationCode", "ParentName"):
        find.sort_units(reg, day, ents, column)  # the column's encoding, once per date
        percentiles(
            f"sort all 100,000 by {column}",
            [
                lambda c=column, d=d: find.sort_units(reg, day, ents, c, descending=d)
                for d in (False, True) * 5
            ],
        )
    columns = [
        "SorId",
        "EntityName",
        "EntityTypeName",
        "ParentName",
        "ShakId",
        "ShakIdSource",
        "EanLocationCode",
        "EanState",
        "VisitingAddressStreetName",
        "VisitingAddressPostCodeId",
        "VisitingAddressDistrictName",
        "Status",
    ]
    starts = [rng.randrange(0, len(ents) - 60) for _ in range(50)]
    percentiles(
        "display values, 60 rows x 12 columns",
        [lambda s=s: find.column_values(reg, day, ents[s : s + 60], columns) for s in starts],
    )

    # the "done when": general practices in one region that can receive an EDI
    # type, with their EAN and visiting address
    question = Filters(entity_type=("394761003",), region=("1084",), edi_type=("11",))
    result = timed(
        "general practices, region 1084, can receive EDI 11",
        lambda: find.query(reg, day, question, facets=FACETS),
        lambda r: f"{len(r.ents)} units",
    )
    timed(
        "  ... their rows with EAN and visiting address",
        lambda: find.rows(
            reg,
            day,
            result.ents,
            [
                "EanLocationCode",
                "VisitingAddressStreetName",
                "VisitingAddressStreetBuildingId",
                "VisitingAddressPostCodeId",
                "VisitingAddressDistrictName",
            ],
        ),
        lambda r: f"{len(r)} rows",
    )
    other = day - dt.timedelta(days=365)
    timed(f"first query at another date ({other})", lambda: find.query(reg, other, question))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
