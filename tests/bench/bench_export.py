"""Benchmark: exports and the clipboard on the full-scale register (issue 15).

    python tests/bench/bench_export.py [FILE] [--date YYYY-MM-DD] [--writers]

FILE defaults to bench_data/full.zip, generated first when missing. Prints wall-clock
times for: 50,000 filtered units (the first 50,000 of `find --level OE,SI`) to CSV,
CSV for Excel, XLSX and JSON, with the find columns and with every column; every unit
(`export --all`) to CSV and XLSX; copying 10,000 rows (display values + TSV + HTML);
and how soon a cancel (an exception from the progress callback) is honoured. With
`--writers` it also times the two XLSX libraries' own streaming modes on the first
20,000 rows of every column, per filled cell: openpyxl write-only and XlsxWriter
constant_memory (XlsxWriter must be installed for that; the program does not use it).
The issue's targets are printed beside the numbers they apply to. A script, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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

from sorviewer import find, load  # noqa: E402
from sorviewer.columns import all_columns, table  # noqa: E402
from sorviewer.export import clipboard, write_export  # noqa: E402
from sorviewer.find import Filters  # noqa: E402


def timed(label: str, fn: Callable[[], Any], note: Callable[[Any], str] | None = None) -> Any:
    """Wall time, and the CPU time of this process (all its threads): on a busy machine
    the CPU time is the better guess of the wall time on a quiet one."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    result = fn()
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    extra = f"  ({note(result)})" if note else ""
    print(f"{label:<56} {secs:7.2f} s  cpu {cpu:6.2f} s{extra}", flush=True)
    return result


FIND_COLUMNS = [
    *find.BASE_COLUMNS,
    "EntityTypeName",
    "ShakId",
    "EanLocationCode",
    "VisitingAddressStreetName",
    "VisitingAddressStreetBuildingId",
    "VisitingAddressPostCodeId",
    "VisitingAddressDistrictName",
    "VirtualAddressTelephoneNumber",
    "FromDate",
]


def writers(reg: Any, day: dt.date, rows: int) -> None:
    """The libraries' streaming writers on the same cells (plain strings, no styles)."""
    ents = find.query(reg, day, Filters(status=("all",))).ents[:rows]
    header, arrays = table(reg, day, ents, all_columns(reg))
    lists = [a.to_pylist() for a in arrays]
    filled = sum(v is not None for col in lists for v in col)
    with tempfile.TemporaryDirectory() as tmp:

        def openpyxl_write_only() -> None:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet("SOR")
            ws.append(header)
            for row in zip(*lists, strict=True):
                ws.append(row)
            wb.save(os.path.join(tmp, "o.xlsx"))

        def xlsxwriter_constant_memory() -> None:
            import xlsxwriter  # type: ignore[import-not-found]

            wb = xlsxwriter.Workbook(
                os.path.join(tmp, "x.xlsx"), {"constant_memory": True, "tmpdir": tmp}
            )
            ws = wb.add_worksheet("SOR")
            ws.write_row(0, 0, header)
            write = ws.write_string
            for i, row in enumerate(zip(*lists, strict=True), start=1):
                for j, v in enumerate(row):
                    if v is not None:
                        write(i, j, v)
            wb.close()

        def ours() -> None:
            write_export(reg, day, os.path.join(tmp, "s.xlsx"), "xlsx", ents=ents)

        for name, fn in (
            ("openpyxl write-only", openpyxl_write_only),
            ("XlsxWriter constant_memory", xlsxwriter_constant_memory),
            ("ours (column-wise SpreadsheetML)", ours),
        ):
            try:
                t0 = time.perf_counter()
                c0 = time.process_time()
                fn()
                secs = time.perf_counter() - t0
                cpu = time.process_time() - c0
            except ImportError as exc:
                print(f"{name:<40} not installed ({exc})")
                continue
            print(
                f"{name:<40} {secs:7.2f} s (cpu {cpu:.2f} s) for {rows:,} rows, {filled:,} "
                f"filled cells: {secs / filled * 1e6:.2f} us a cell, 100,000 rows "
                f"~{secs * 100_000 / rows:.0f} s",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", default=os.path.join(ROOT, "bench_data", "full.zip"))
    ap.add_argument("--date", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--writers", action="store_true")
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
    timed("provenance of every unit at the date", lambda: find.query(reg, day, Filters()))
    ents = find.query(reg, day, Filters(level=("OE", "SI"))).ents[:50_000]
    print(f"50,000 filtered units: the first {len(ents):,} of find --level OE,SI")

    def size(out: str) -> Callable[[int], str]:
        return lambda n: f"{n:,} rows, {os.path.getsize(out) / 2**20:.1f} MB"

    with tempfile.TemporaryDirectory() as tmp:
        for cols, what in (
            (FIND_COLUMNS, f"{len(FIND_COLUMNS)} find columns"),
            (None, "every column"),
        ):
            for fmt, goal in (
                ("csv", " (target <= 3 s)"),
                ("csv-excel", ""),
                ("xlsx", " (target <= 10 s)"),
                ("json", ""),
            ):
                if fmt == "json" and cols is None:
                    continue
                out = os.path.join(tmp, f"f.{fmt}")
                timed(
                    f"50,000 filtered, {what}, {fmt}{goal}",
                    lambda fmt=fmt, out=out, cols=cols: write_export(
                        reg, day, out, fmt, ents=ents, columns=cols
                    ),
                    size(out),
                )
        for fmt, goal in (("csv", ""), ("xlsx", " (target <= 20 s)")):
            out = os.path.join(tmp, f"all.{fmt}")
            timed(
                f"every unit (export --all), {fmt}{goal}",
                lambda fmt=fmt, out=out: write_export(reg, day, out, fmt, include_all=True),
                size(out),
            )

        class Stop(Exception):
            pass

        started: list[float] = []

        def cancel_at_half(done: int, total: int) -> None:
            if done >= total // 2 and not started:
                started.append(time.perf_counter())
                raise Stop

        out = os.path.join(tmp, "cancelled.xlsx")
        try:
            write_export(reg, day, out, "xlsx", include_all=True, progress=cancel_at_half)
        except Stop:
            print(
                f"{'cancel half-way through every unit to XLSX':<56} honoured after "
                f"{(time.perf_counter() - started[0]) * 1000:.0f} ms; file left: "
                f"{os.path.exists(out)}",
                flush=True,
            )

    rows10k = find.query(reg, day, Filters()).ents[:10_000]

    def copy() -> tuple[str, str]:
        header, rows = find.column_values(reg, day, rows10k, FIND_COLUMNS)
        return clipboard(header, rows, header)

    timed(
        "copy 10,000 rows x 14 columns (values + TSV + HTML)",
        copy,
        lambda r: f"TSV {len(r[0]) / 2**20:.1f} MB, HTML {len(r[1]) / 2**20:.1f} MB; target <= 1 s",
    )
    if args.writers:
        writers(reg, day, 20_000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
