"""The CSV dialect of the SOR2 files, sniffed from the first bytes (docs/FORMATS.md,
"The CSV dialect").

The real files are UTF-8 with a BOM, `;`-separated, RFC-4180 quoted, with ids in an
Excel `="…"` wrapper. None of that is assumed: the delimiter is counted outside quotes
in the header line, text is UTF-8 where it is valid and Windows-1252 (cp1252) where it
is not, value by value (`repair_text`), and every value is cleaned column by column
with pyarrow compute kernels (no Python loop over rows).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import msg
from ..report import LoadReport

BOM = b"\xef\xbb\xbf"
CANDIDATES = (";", ",", "\t", "|")
NULL_WORDS = ("NULL", "null", "Null")


def decode_mixed(data: bytes) -> str:
    """A piece of text (one value, or one line) as UTF-8 when it is valid UTF-8, else as
    Windows-1252 (the five bytes cp1252 leaves undefined become U+FFFD). Deciding per
    value keeps a file's UTF-8 intact around a value that is not, and costs one decode."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    header: tuple[str, ...]  # header names, BOM and surrounding space removed


def header_end(data: bytes) -> int | None:
    """Where the header record ends: the first line end that is not inside quotes, or
    None when `data` holds no whole record yet."""
    inside = False
    start = 0
    while True:
        # jump from quote to line end with bytes.find instead of a Python step per byte
        quote = data.find(b'"', start)
        if not inside:
            ends = [i for i in (data.find(b"\n", start), data.find(b"\r", start)) if i >= 0]
            end = min(ends) if ends else -1
            if end >= 0 and (quote < 0 or end < quote):
                return end
        if quote < 0:
            return None
        inside = not inside
        start = quote + 1


def _first_record(data: bytes) -> bytes:
    """The header record: up to the first line end that is not inside quotes."""
    end = header_end(data)
    return data if end is None else data[:end]


def _binary(head: bytes) -> bool:
    """UTF-16/32 text or binary data: many NUL bytes early on (SOR text has none; one
    stray NUL in a value does not make a file binary)."""
    sample = head[:4096]
    return sample.count(b"\x00") > max(8, len(sample) // 16)


def sniff(head: bytes) -> Dialect | None:
    """The dialect of a CSV whose first bytes are `head`; None when it is not text CSV."""
    if head.startswith(BOM):
        head = head[len(BOM) :]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _binary(head):
        return None
    line = decode_mixed(_first_record(head)).lstrip("\ufeff")
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
    try:
        names = next(csv.reader(io.StringIO(line.replace("\x00", " ")), delimiter=delimiter), [])
    except csv.Error:  # a quote in the middle of a name, with a line break after it
        names = line.split(delimiter)
    header = tuple(n.lstrip("\ufeff").strip() for n in names)
    return Dialect(delimiter, header)


def repair_text(arr: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """A binary column as text: UTF-8 where each value is valid UTF-8, Windows-1252 for
    the values that are not (`decode_mixed`).

    Returns (a string array, the row numbers of the values that were not UTF-8, or None
    when all were). Only a column that fails pyarrow's UTF-8 check is looked at value by
    value, and then only its distinct values holding a byte >= 0x80."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr, None
    target = pa.large_string() if pa.types.is_large_binary(arr.type) else pa.string()
    try:
        return arr.cast(target), None
    except pa.ArrowInvalid:
        pass
    n = len(arr)
    wide = target == pa.large_string()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    high = np.nonzero(data[offsets[0] : offsets[-1]] >= 0x80)[0] + offsets[0]
    rows = np.unique(np.searchsorted(offsets, high, side="right") - 1)
    values = arr.take(pa.array(rows, type=pa.int64())).to_pylist()
    # every value with a high byte is decoded here (valid UTF-8 decodes the same either
    # way), so the replaced column is valid whatever pyarrow objected to
    decoded: dict[bytes, tuple[str, bool]] = {}
    texts = []
    bad_rows = []
    for row, value in zip(rows.tolist(), values, strict=True):
        hit = decoded.get(value)
        if hit is None:
            try:
                hit = (value.decode("utf-8"), False)
            except UnicodeDecodeError:
                hit = (decode_mixed(value), True)
            decoded[value] = hit
        texts.append(hit[0])
        if hit[1]:
            bad_rows.append(row)
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    pmask = pa.array(mask)
    good = pc.if_else(pmask, pa.scalar(None, arr.type), arr).cast(target)
    fixed = pc.replace_with_mask(good, pmask, pa.array(texts, type=target))
    return fixed, np.asarray(bad_rows, dtype=np.int64)


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
    for key, kind, code in (
        ("wrapped", "excel_wrapper", "report.excel_wrapper"),
        ("null_word", "null_word", "report.null_word"),
        ("dot_zero", "dot_zero", "report.dot_zero"),
    ):
        if stats.get(key):
            report.add("info", table, msg(code, count=stats[key]), kind=kind)


def is_id_column(name: str) -> bool:
    """Columns holding identifiers or codes, kept as exact text."""
    return (
        name.endswith(("Id", "SorId", "Code", "Number", "NumberId"))
        or name in ("EanLocationCode", "ShakId", "SorId", "ParentSorId")
    ) and not name.endswith("Indicator")
