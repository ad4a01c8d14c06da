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


_WRAPPED = r'^=\s*"(.*)"$'
_DOT_ZERO = r"^(\d+)\.0+$"


def clean_column(arr: pa.ChunkedArray, *, is_id: bool, stats: dict[str, int]) -> pa.ChunkedArray:
    """Trim, unwrap `="…"`, drop a `.0` on ids, turn blank and NULL into null.

    Returns one large_string chunk (what pandas' pyarrow strings hold). Columns that
    are entirely null (most of SOREntity's are mostly empty) cost nothing. `stats`
    counts what was changed ("wrapped", "null_word", "dot_zero") for the report.
    """
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if arr.null_count == len(arr):
        return arr.cast(pa.large_string())
    # Trimming copies every value; first look whether any value has a blank edge.
    padded = any(
        pc.any(edge(arr, ch)).as_py()
        for ch in (" ", "\t", "\r", "\n")
        for edge in (pc.starts_with, pc.ends_with)
    )
    if padded:
        arr = pc.ascii_trim_whitespace(arr)
    if pc.any(pc.starts_with(arr, "=")).as_py():
        wrapped = pc.match_substring_regex(arr, _WRAPPED)
        n = pc.sum(wrapped).as_py() or 0
        if n:
            stats["wrapped"] = stats.get("wrapped", 0) + n
            arr = pc.replace_substring_regex(arr, _WRAPPED, r"\1")
            arr = pc.ascii_trim_whitespace(arr)
    # Empty fields are null already (the reader's null_values); only trimming or
    # unwrapping can leave new empty strings behind.
    blank = pc.equal(arr, "") if padded or stats.get("wrapped") else None
    if pc.any(pc.starts_with(arr, "N", ignore_case=True)).as_py():
        words = pc.is_in(arr, value_set=pa.array(NULL_WORDS))
        n_words = pc.sum(words).as_py() or 0
        if n_words:
            stats["null_word"] = stats.get("null_word", 0) + n_words
            blank = words if blank is None else pc.or_kleene(blank, words)
    if is_id and pc.any(pc.ends_with(arr, ".0")).as_py():
        dotted = pc.match_substring_regex(arr, _DOT_ZERO)
        n = pc.sum(dotted).as_py() or 0
        if n:
            stats["dot_zero"] = stats.get("dot_zero", 0) + n
            arr = pc.replace_substring_regex(arr, _DOT_ZERO, r"\1")
    if blank is not None and pc.any(blank).as_py():
        arr = pc.if_else(blank, pa.scalar(None, arr.type), arr)
    return arr.cast(pa.large_string())


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
