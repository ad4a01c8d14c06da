"""The CSV dialect of the SOR2 files, sniffed from the first bytes (SOR_FORMATS.md §3).

The real files are UTF-8 with a BOM, `;`-separated, RFC-4180 quoted, with ids in an
Excel `="…"` wrapper. None of that is assumed: the delimiter is counted outside quotes
in the header line, the encoding falls back to cp1252 on the first invalid byte, and
every value is cleaned column by column with pyarrow compute kernels (no Python loop
over rows).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..report import LoadReport

BOM = b"\xef\xbb\xbf"
CANDIDATES = (";", ",", "\t", "|")
NULL_WORDS = ("NULL", "null", "Null")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    encoding: str  # "utf8" or "cp1252"
    header: tuple[str, ...]  # raw header names, BOM and surrounding space removed


def _first_record(text: str) -> str:
    """The header record: up to the first line end that is not inside quotes."""
    inside = False
    for i, ch in enumerate(text):
        if ch == '"':
            inside = not inside
        elif ch in "\r\n" and not inside:
            return text[:i]
    return text


def sniff(head: bytes) -> Dialect | None:
    """The dialect of a CSV whose first bytes are `head`; None when it is not text CSV."""
    if head.startswith(BOM):
        head = head[len(BOM) :]
    if b"\x00" in head[:4096]:
        return None  # binary, or UTF-16 which SOR never uses
    try:
        text = head.decode("utf-8")
        encoding = "utf8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start >= len(head) - 3:
            text = head[: exc.start].decode("utf-8")
            encoding = "utf8"
        else:
            text = head.decode("cp1252", errors="replace")
            encoding = "cp1252"
    line = _first_record(text.lstrip("\ufeff"))
    if not line.strip():
        return None
    counts = {}
    for d in CANDIDATES:
        inside = False
        n = 0
        for ch in line:
            if ch == '"':
                inside = not inside
            elif ch == d and not inside:
                n += 1
        counts[d] = n
    delimiter = max(CANDIDATES, key=lambda d: (counts[d], d == ";"))
    if counts[delimiter] == 0:
        delimiter = ";"
    names = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    header = tuple(n.lstrip("\ufeff").strip() for n in names)
    return Dialect(delimiter, encoding, header)


_WRAPPED = r'(?s)^=\s*"(.*)"$'  # (?s): a wrapped value may hold a line break
_DOT_ZERO = r"^(\d+)\.0+$"

_BLANK = np.array([ord(" "), ord("\t"), ord("\r"), ord("\n")])
_NULL_START = np.array([ord("N"), ord("n")])


def _edges(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(first byte, last byte, value starts, value ends, the data bytes) of every value,
    read straight off the string array's buffers: one gather per column instead of a
    compute kernel per question. For an empty or null value the two bytes are some
    other value's (a neighbour's first or last byte, clipped at the ends of the data),
    so counting them over a column finds no byte that no value has there; where it
    matters per value, `end > start` tells the filled ones."""
    n = len(arr)
    wide = pa.types.is_large_string(arr.type)
    bufs = arr.buffers()
    raw = np.frombuffer(bufs[1], dtype=np.int64 if wide else np.int32)
    offsets: np.ndarray = raw[arr.offset : arr.offset + n + 1].astype(np.int64, copy=False)
    start, end = offsets[:-1], offsets[1:]
    if bufs[2] is None or bufs[2].size == 0:
        zero = np.zeros(n, dtype=np.uint8)
        return zero, zero, start, end, np.zeros(1, dtype=np.uint8)
    data = np.frombuffer(bufs[2], dtype=np.uint8)
    first = np.take(data, start, mode="clip")
    last = np.take(data, end - 1, mode="clip")
    return first, last, start, end, data


def clean_column(arr: pa.ChunkedArray, *, is_id: bool, stats: dict[str, int]) -> pa.ChunkedArray:
    """Trim, unwrap `="…"`, drop a `.0` on ids, turn blank and NULL into null.

    Returns one large_string array (what pandas' pyarrow strings hold). Columns that
    are entirely null (most of SOREntity's are mostly empty) cost nothing, and each
    question (a blank edge? a wrapper? a NULL word? a `.0`?) is first asked of a count
    of the values' first and last bytes, so a column that needs nothing is only looked
    at. `stats` counts what was changed ("wrapped", "null_word", "dot_zero") for the
    report.
    """
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    if arr.null_count == len(arr):
        return arr

    def look(a: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any, Any]:
        first, last, start, end, data = _edges(a)
        return (
            first,
            last,
            start,
            end,
            data,
            (np.bincount(first, minlength=256), np.bincount(last, minlength=256)),
        )

    first, last, start, end, data, (heads, tails) = look(arr)
    padded = bool(heads[_BLANK].any() or tails[_BLANK].any())
    if padded:
        arr = pc.ascii_trim_whitespace(arr)
        first, last, start, end, data, (heads, tails) = look(arr)
    wrapped_here = 0
    if heads[ord("=")]:
        starts_eq = (first == ord("=")) & (end > start)
        at = np.nonzero(starts_eq)[0]
        second = data[np.minimum(start[at] + 1, len(data) - 1)]
        long_enough = (end[at] - start[at]) >= 3
        if len(at) and bool(
            (second == ord('"')).all() and (last[at] == ord('"')).all() and long_enough.all()
        ):
            # the usual ="…" with nothing between = and the quote: cut two and one off
            wrapped_here = len(at)
            cut = pc.utf8_slice_codeunits(arr, 2, -1)
            if wrapped_here == len(arr) - arr.null_count:
                arr = cut
            else:
                arr = pc.if_else(pa.array(starts_eq), cut, arr)
        else:
            wrapped = pc.match_substring_regex(arr, _WRAPPED)
            wrapped_here = pc.sum(wrapped).as_py() or 0
            if wrapped_here:
                arr = pc.replace_substring_regex(arr, _WRAPPED, r"\1")
        if wrapped_here:
            stats["wrapped"] = stats.get("wrapped", 0) + wrapped_here
            first, last, start, end, data, (heads, tails) = look(arr)
            if heads[_BLANK].any() or tails[_BLANK].any():
                arr = pc.ascii_trim_whitespace(arr)
                padded = True
                first, last, start, end, data, (heads, tails) = look(arr)
    # Empty fields are null already (the reader's null_values); only trimming or
    # unwrapping can leave new empty strings behind.
    blank = pc.equal(arr, "") if padded or wrapped_here else None
    if heads[_NULL_START].any():
        words = pc.is_in(arr, value_set=pa.array(NULL_WORDS))
        n_words = pc.sum(words).as_py() or 0
        if n_words:
            stats["null_word"] = stats.get("null_word", 0) + n_words
            blank = words if blank is None else pc.or_kleene(blank, words)
    if is_id and tails[ord("0")]:
        ends_zero = np.nonzero((last == ord("0")) & (end - start >= 2))[0]
        before = data[end[ends_zero] - 2]
        if (before == ord(".")).any():  # some value ends in ".0"
            dotted = pc.match_substring_regex(arr, _DOT_ZERO)
            n = pc.sum(dotted).as_py() or 0
            if n:
                stats["dot_zero"] = stats.get("dot_zero", 0) + n
                arr = pc.replace_substring_regex(arr, _DOT_ZERO, r"\1")
    if blank is not None and pc.any(blank).as_py():
        arr = pc.if_else(blank, pa.scalar(None, arr.type), arr)
    return arr if pa.types.is_large_string(arr.type) else arr.cast(pa.large_string())


def report_cleaning(report: LoadReport, table: str, stats: dict[str, int]) -> None:
    """One info line per kind of cleaning done on a table."""
    if stats.get("wrapped"):
        report.add(
            "info",
            table,
            f'{stats["wrapped"]} values carried the Excel wrapper ="…"; it was removed.',
            kind="excel_wrapper",
        )
    if stats.get("null_word"):
        report.add(
            "info",
            table,
            f"{stats['null_word']} values were the word NULL; they are treated as empty.",
            kind="null_word",
        )
    if stats.get("dot_zero"):
        report.add(
            "info",
            table,
            f"{stats['dot_zero']} ids ended in '.0' (a spreadsheet export); it was removed.",
            kind="dot_zero",
        )


def is_id_column(name: str) -> bool:
    """Columns holding identifiers or codes, kept as exact text."""
    return (
        name.endswith(("Id", "SorId", "Code", "Number", "NumberId"))
        or name in ("EanLocationCode", "ShakId", "SorId", "ParentSorId")
    ) and not name.endswith("Indicator")
