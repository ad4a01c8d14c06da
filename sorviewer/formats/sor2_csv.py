"""SOR2 CSV tables (`Sor_complete.zip` members and `SorEntity_daily.csv`).

Every member is streamed straight from the zip into pyarrow's multi-threaded CSV
reader with all columns as bytes; ids therefore stay exact, and text is decoded column
by column afterwards: UTF-8 where a value is valid UTF-8, Windows-1252 where it is not
(dialect.repair_text), so one odd byte costs one value, not the file. Header names are
matched to the canonical spelling (schema.canonical_column); unknown and repeated
columns are kept and reported once; values are cleaned per column
(dialect.clean_column). The result per table is a pandas DataFrame of pyarrow-backed
strings. Memory follows what is actually read, never what a zip header declares
(docs/FORMATS.md, "Zip members").
"""

from __future__ import annotations

import functools
import io
import os
import struct
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import schema
from ..encoding import encoded, is_dictionary
from ..errors import FILE_ERRORS, LoadCancelled, LoadError
from ..messages import clean_text, msg
from ..report import LoadReport
from .detect import shown
from .dialect import (
    Dialect,
    clean_column,
    decode_mixed,
    header_end,
    is_id_column,
    repair_text,
    report_cleaning,
    sniff,
)

STRING = pd.StringDtype("pyarrow")
BLOCK = 8 << 20  # read size while decompressing
PARSE_BLOCK = 4 << 20  # pyarrow's parse block
WORKERS = max(1, min(4, os.cpu_count() or 1))
#: the longest header record read (a header of a hundred thousand columns fits)
MAX_HEADER = 16 << 20
#: rows listed one by one in the report for a problem that repeats (the rest are counted)
LISTED_ROWS = 20

Opener = Callable[[], IO[bytes] | io.RawIOBase]
NativeOpener = Callable[[], pa.NativeFile]  # a fresh pyarrow stream of the member's bytes
Progress = Callable[[int], None]  # bytes read so far in this member


class _Counting(io.RawIOBase):
    """A read-only stream that reports bytes read and can be cancelled."""

    def __init__(
        self,
        raw: IO[bytes] | io.RawIOBase,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self._raw = raw
        self._progress = progress
        self._cancelled = cancelled
        self.done = 0
        self.was_cancelled = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        if self._cancelled is not None and self._cancelled():
            self.was_cancelled = True
            raise LoadCancelled()
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.done += n
        if self._progress is not None:
            self._progress(self.done)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def read_table(
    opener: Opener,
    *,
    table: str,
    member: str,
    report: LoadReport,
    size: int | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    native: NativeOpener | None = None,
    declared: int | None = None,
) -> pd.DataFrame:
    """Read one CSV table into text columns with canonical names.

    `table` is the canonical table name (schema.TABLES) or the member stem for an
    unknown table; `size` is the uncompressed size when known. With `native` (a
    pyarrow stream of the member's bytes, see `zip_member_stream`), pyarrow reads,
    decompresses and parses on its own threads while this thread only collects batches;
    a thin Python layer between them counts the bytes (`_Limited`: progress, cancel and
    the declared size; measured at no cost against the bare stream, while unpacking
    through Python's zipfile was four times slower). Without `native` the member is
    unpacked into one buffer first (grown as it is read, never sized by a header), then
    parsed. `declared` is the size a zip header promises: reading past it is refused (a
    zip bomb lies about it); a plain file has none. Raises LoadError when the member is
    not readable CSV.
    """
    total = size or 0

    def phase(lo: float, hi: float, scale: Callable[[int], float]) -> Progress | None:
        """Map this phase's own measure to overall bytes of the member."""
        if progress is None:
            return None
        return lambda done: progress(int(total * (lo + (hi - lo) * min(1.0, scale(done)))))

    if native is not None and size:
        with opener() as raw:
            head = _header_bytes(raw.read)
        parse_progress = phase(0.0, 0.85, lambda d: d / max(total, 1))
        limit = None if declared is None else declared + 2 * PARSE_BLOCK

        def source() -> Any:
            # pyarrow inflates in C++; this Python layer only counts what comes out, so
            # a member that unpacks to more than it declares is stopped right there (the
            # CSV reader reads ahead of the batches it hands over, and skips rows it
            # cannot use without handing over anything)
            return _Limited(native(), limit, member, parse_progress, cancelled)

    else:
        data = _slurp(opener, phase(0.0, 0.4, lambda d: d / max(total, 1)), cancelled)
        total = len(data)
        head = _header_bytes(io.BytesIO(data[:MAX_HEADER]).read)
        buffer = pa.py_buffer(data)
        del data
        parse_progress = phase(0.4, 0.85, lambda d: d / max(total, 1))

        def source() -> Any:  # zipfile itself stopped at the declared size
            return _Limited(pa.BufferReader(buffer), None, member, parse_progress, cancelled)

    dialect = sniff(head)
    if dialect is None or not any(dialect.header):
        raise LoadError(msg("load.csv_unreadable", member=shown(member)))
    read = functools.partial(_read_arrow, dialect=dialect, member=member, cancelled=cancelled)
    ragged = _Ragged()
    repaired_lines: list[int] | None = None
    try:
        tab = read(source(), ragged=ragged)
    except _UndecodableRow:
        # A row pyarrow skips is handed to Python as text, which fails on bytes that are
        # not UTF-8; read again through a stream that makes the bytes valid first (slower,
        # and only for such a file).
        ragged = _Ragged()
        stream = _Utf8Repair(source())
        tab = read(_Limited(stream, None, member, None, None), ragged=ragged)
        repaired_lines = stream.bad_lines
    source = None  # type: ignore[assignment]  # the decompressed buffer goes
    buffer = None
    n_cols = tab.num_columns
    clean_progress = phase(0.85, 1.0, lambda k: k / max(n_cols, 1))
    holder = [tab]
    del tab  # _to_frame frees each raw column once it is cleaned
    frame, bad_rows = _to_frame(holder, ragged, table, member, report, clean_progress, cancelled)
    if repaired_lines is not None:
        _say_not_utf8(report, table, member, repaired_lines)
    else:
        lines = frame["__line__"].to_numpy()
        _say_not_utf8(report, table, member, [int(x) for x in lines[bad_rows]])
    return frame


#: a gzip member header (RFC 1952) with no name, time or extra field; after it comes the
#: raw DEFLATE data a zip member holds (RFC 1951), then CRC-32 and size
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def zip_member_stream(path: str, info: zipfile.ZipInfo) -> NativeOpener | None:
    """A pyarrow stream of one zip member's uncompressed bytes, or None to read it the
    ordinary way (through zipfile).

    A deflated zip member is the payload of a gzip stream: wrapped in a gzip header
    and a trailer holding the member's CRC-32 and size, pyarrow inflates it in C++
    on its reader thread, while its CSV reader parses on the others, and zlib checks
    the CRC at the end. A stored member is its own bytes (CRC checked here). Other
    methods, encryption, or a local header that does not read back go the ordinary
    way, which reports them. Only the member's compressed bytes are read into memory;
    nothing is written anywhere.
    """
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    try:
        with open(path, "rb") as f:
            end = os.fstat(f.fileno()).st_size
            if not 0 <= info.header_offset <= end - 30:
                return None
            f.seek(info.header_offset)
            local = f.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len + extra_len
            # a header may claim more bytes than the file has: never ask for those
            if info.compress_size > end - start:
                return None
            f.seek(start)
            payload = f.read(info.compress_size)
    except OSError:
        return None
    if len(payload) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        if zlib.crc32(payload) != info.CRC:
            return None  # zipfile names the damage
        stored = pa.py_buffer(payload)
        return functools.partial(pa.BufferReader, stored)
    trailer = struct.pack("<II", info.CRC, info.file_size & 0xFFFFFFFF)
    wrapped = pa.py_buffer(_GZIP_HEADER + payload + trailer)
    return lambda: pa.CompressedInputStream(pa.BufferReader(wrapped), "gzip")


def _header_bytes(read: Callable[[int], bytes]) -> bytes:
    """The first bytes of a table, at least its whole header record (a very wide header
    is longer than the usual sample), at most MAX_HEADER."""
    head = bytearray()
    while True:
        chunk = read(1 << 16)
        head += chunk
        if not chunk or header_end(bytes(head)) is not None or len(head) >= MAX_HEADER:
            return bytes(head)


def _slurp(
    opener: Opener,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> memoryview:
    """The whole (decompressed) member as one buffer, read in blocks and grown as it
    comes: a header that declares gigabytes allocates nothing until they arrive."""
    with opener() as raw:
        stream = _Counting(raw, progress, cancelled)
        out = bytearray()
        cview = memoryview(bytearray(BLOCK))
        while n := stream.readinto(cview):
            out += cview[:n]
        return memoryview(out)


def _say_not_utf8(report: LoadReport, table: str, member: str, lines: list[int]) -> None:
    """The rows whose text was not UTF-8 (read as Windows-1252): one line that counts
    them, then each one (as far as the report lists a kind)."""
    if not lines:
        return
    lines = sorted(set(lines))
    report.add(
        "warning",
        table,
        msg("report.not_utf8", count=len(lines), member=shown(member)),
        kind="encoding",
    )
    for line in lines:
        report.add("warning", table, msg("report.not_utf8_row"), line=line, kind="encoding")


class _UndecodableRow(Exception):
    """pyarrow could not hand a skipped row to the handler: its bytes are not UTF-8."""


class _Limited(io.RawIOBase):
    """A read-only stream over a pyarrow stream that counts what it hands on: progress,
    cancel, and past `limit` bytes a LoadError (a member unpacking to more than its zip
    header declares is a zip bomb)."""

    def __init__(
        self,
        raw: Any,
        limit: int | None,
        member: str,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self._raw = raw
        self._limit = limit
        self._member = member
        self._progress = progress
        self._cancelled = cancelled
        self.done = 0
        self.last_call = 0.0
        self.stopped = False

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        self.last_call = time.monotonic()
        if self.stopped or self.closed:
            raise ValueError("read from a stream the reader gave up")
        if self._cancelled is not None and self._cancelled():
            raise LoadCancelled()
        data = self._raw.read(-1 if n is None else n)
        self.done += len(data)
        if self._limit is not None and self.done > self._limit:
            raise LoadError(msg("load.bomb_longer", member=shown(self._member)))
        if self._progress is not None:
            self._progress(self.done)
        return bytes(data)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()

    def settle(self, *also: Any, quiet: float = 0.05, longest: float = 2.0) -> None:
        """Stop answering reads, and wait until pyarrow's reader threads stop asking.

        A reader abandoned on an error may still have reads queued on its I/O threads;
        each needs the interpreter, and one that runs while the interpreter shuts down
        aborts the process. Stopped, every read fails at once (the stream stays open so
        that the reads still arrive here and are seen); this waits, letting go of the
        interpreter, until none came for `quiet` seconds (nor, to the objects in `also`,
        calls of their own: the bad-row handler runs on pyarrow's threads too). The caller
        closes it then."""
        self.stopped = True
        start = time.monotonic()
        while time.monotonic() - start < longest:
            last = max([self.last_call, *(getattr(o, "last_call", 0.0) for o in also)])
            if time.monotonic() - last >= quiet:
                return
            time.sleep(quiet / 5)


def _complete(data: bytes) -> int:
    """The length of `data` without a UTF-8 sequence cut off at its end."""
    for back in range(1, min(3, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back
            continue
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if need > back else len(data)
        return len(data)
    return len(data)


class _Utf8Repair(io.RawIOBase):
    """A read-only stream of `raw`'s bytes in which every line that is not UTF-8 was read
    as Windows-1252 (and written as UTF-8), noting the (physical) lines where that
    happened."""

    CHUNK = 1 << 20

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._carry = b""
        self._pending = b""
        self._pos = 0
        self._eof = False
        self.read_bytes = 0
        self.lines_before = 0
        self.bad_lines: list[int] = []

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        chunk = self._raw.read(self.CHUNK)
        if not chunk:
            self._eof = True
            data, cut = self._carry, len(self._carry)
        else:
            self.read_bytes += len(chunk)
            data = self._carry + bytes(chunk)
            cut = _complete(data)
        part, self._carry = data[:cut], data[cut:]
        try:
            part.decode("utf-8")
            out = part
        except UnicodeDecodeError:
            lines = part.split(b"\n")
            for number, line in enumerate(lines):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    self.bad_lines.append(self.lines_before + number + 1)
                    lines[number] = decode_mixed(line).encode("utf-8")
            out = b"\n".join(lines)
        self.lines_before += part.count(b"\n")
        self._pending, self._pos = out, 0

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        while self._pos >= len(self._pending) and not self._eof:
            self._fill()
        n = min(len(b), len(self._pending) - self._pos)
        b[:n] = self._pending[self._pos : self._pos + n]
        self._pos += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


#: Rows pyarrow could not hand to a `_Ragged` handler (it decodes them as UTF-8 before
#: calling it, and reports the failure through sys.unraisablehook instead of raising).
_hook_lock = threading.Lock()
_hook_users = 0
_hook_saved: Any = None


def _unraisable(info: Any) -> None:
    handler = getattr(info, "object", None)
    if isinstance(handler, _Ragged) and isinstance(info.exc_value, UnicodeDecodeError):
        handler.undecodable = True
        return
    (_hook_saved or sys.__unraisablehook__)(info)


@contextmanager
def _quiet_undecodable_rows() -> Iterator[None]:
    """While pyarrow parses, a row it cannot pass to the handler is noted on the handler
    (and the read retried) instead of printed as "Exception ignored ..." on stderr."""
    global _hook_users, _hook_saved
    with _hook_lock:
        if _hook_users == 0:
            _hook_saved = sys.unraisablehook
            sys.unraisablehook = _unraisable
        _hook_users += 1
    try:
        yield
    finally:
        with _hook_lock:
            _hook_users -= 1
            if _hook_users == 0:
                if sys.unraisablehook is _unraisable:
                    sys.unraisablehook = _hook_saved
                _hook_saved = None


def _read_arrow(
    source: _Limited,
    *,
    dialect: Dialect,
    ragged: _Ragged,
    member: str,
    cancelled: Callable[[], bool] | None,
) -> pa.Table:
    """Parse the stream batch by batch (cancel is honoured between batches, and by the
    stream, see `_Limited`). Columns come out as bytes (`repair_text` decodes them)."""
    names = _unique_names(dialect.header)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1,
        block_size=PARSE_BLOCK,
        use_threads=True,
    )
    parse = pacsv.ParseOptions(
        delimiter=dialect.delimiter,
        quote_char='"',
        double_quote=True,
        newlines_in_values=True,
        ignore_empty_lines=True,
        invalid_row_handler=ragged,
    )
    convert = pacsv.ConvertOptions(
        # 32-bit offsets while the whole table is held (half the offset memory: the peak
        # of a full load); each column turns into pandas' large_string as it is cleaned
        column_types={n: pa.binary() for n in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=False,
    )
    batches = []
    stream = pa.PythonFile(source, mode="r")
    failed = True
    try:
        with _quiet_undecodable_rows():
            reader = pacsv.open_csv(
                stream, read_options=read, parse_options=parse, convert_options=convert
            )
            for batch in reader:
                batches.append(batch)
                if cancelled is not None and cancelled():
                    raise LoadCancelled()
        failed = False
        return pa.Table.from_batches(batches, schema=reader.schema)
    except MemoryError:
        raise
    except (pa.ArrowInvalid, *FILE_ERRORS) as exc:
        if ragged.undecodable:
            raise _UndecodableRow() from exc
        text = str(exc)
        if "length check" in text:  # zlib: more (or fewer) bytes than the header said
            raise LoadError(msg("load.bomb_length", member=shown(member))) from exc
        low = text.lower()
        if isinstance(exc, FILE_ERRORS) or any(w in low for w in ("zlib", "inflate", "gzip")):
            raise LoadError(msg("load.member_unpack", member=shown(member))) from exc
        raise LoadError(msg("load.csv_damaged", member=shown(member))) from exc
    finally:
        if failed:
            reader = None
            source.settle(ragged)
        stream.close()


class _Ragged:
    """pyarrow's invalid-row handler: skip rows with the wrong field count, keep a few."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[object] = []
        self.undecodable = False  # set by _unraisable: a row was not UTF-8
        self.last_call = 0.0

    def __call__(self, row: object) -> str:
        self.last_call = time.monotonic()
        if self.undecodable:
            return "error"  # the file is read again anyway: stop this reading early
        self.count += 1
        if len(self.rows) < LISTED_ROWS:
            self.rows.append(row)
        return "skip"


def _merge(total: dict[str, int], part: dict[str, int]) -> None:
    for key, n in part.items():
        total[key] = total.get(key, 0) + n


def _row_number(row: object) -> int | None:
    n = getattr(row, "number", None)
    return int(n) if isinstance(n, int) and n >= 0 else None


def _count(value: object) -> int:
    return value if isinstance(value, int) else -1


def _unique_names(header: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    out = []
    for i, name in enumerate(header):
        base = name or f"Column{i + 1}"
        candidate, k = base, 1
        while candidate in seen:
            k += 1
            candidate = f"{base}.{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


@functools.lru_cache(maxsize=64)
def _canonical_lookup(table: str) -> dict[str, str]:
    """Header spelling (folded as schema.canonical_column folds it) -> canonical column,
    for every column and alias of `table`: one dictionary look-up per header name, so a
    header of many thousands of columns costs no more than its length."""
    spec = schema.TABLES[table]
    names = (*spec.columns, *schema.COLUMN_ALIASES.get(table, {}))
    out: dict[str, str] = {}
    for name in names:
        canon = schema.canonical_column(table, name)
        if canon is not None:
            out.setdefault(_fold(name), canon)
    return out


def _fold(name: str) -> str:
    return name.lstrip("\ufeff").strip().lower()


def _rename(names: list[str], table: str, report: LoadReport) -> list[str]:
    """Canonical names for a table's header; unknown and repeated columns keep their own
    names (made unique), reported once each."""
    known = table in schema.TABLES
    lookup = _canonical_lookup(table) if known else {}
    canon = [lookup.get(_fold(n)) for n in names]
    taken = {c for c in canon if c is not None}
    used: set[str] = set()
    out: list[str] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for name, c in zip(names, canon, strict=True):
        if c is not None and c not in used:
            used.add(c)
            out.append(c)
            continue
        if c is not None:
            repeated.append(c)
        else:
            unknown.append(name)
        candidate, k = name, 1
        while candidate in used or candidate in taken:
            k += 1
            candidate = f"{name}.{k}"
        used.add(candidate)
        out.append(candidate)
    if unknown and known:
        listed = ", ".join(clean_text(n, 60) for n in unknown[:10])
        report.add(
            "info",
            table,
            msg(
                "report.unknown_columns",
                count=len(unknown),
                names=listed + (" ..." if len(unknown) > 10 else ""),
            ),
            kind="unknown_column",
        )
    for c in dict.fromkeys(repeated):
        # kept as an extra column, like an unknown one
        report.add(
            "warning", table, msg("report.duplicate_column", column=c), kind="unknown_column"
        )
    return out


def _to_frame(
    holder: list[pa.Table],
    ragged: _Ragged,
    table: str,
    member: str,
    report: LoadReport,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The parsed table as a frame of cleaned text columns with canonical names, and the
    row numbers whose text was not UTF-8."""
    tab = holder.pop()
    if ragged.count:
        for row in ragged.rows:
            report.add(
                "warning",
                table,
                msg(
                    "report.ragged_row",
                    got=_count(getattr(row, "actual_columns", None)),
                    expected=_count(getattr(row, "expected_columns", None)),
                ),
                line=_row_number(row),
                kind="ragged_row",
            )
        if ragged.count > LISTED_ROWS:
            report.add(
                "warning", table, msg("report.ragged_total", count=ragged.count), kind="ragged_row"
            )
    names = _rename(tab.column_names, table, report)
    stats: dict[str, int] = {}
    raw = dict(zip(names, tab.columns, strict=True))
    del tab
    cols: dict[str, Any] = {}
    bad: list[np.ndarray] = []

    def clean(name: str, arr: pa.ChunkedArray) -> tuple[Any, dict[str, int], np.ndarray | None]:
        mine: dict[str, int] = {}
        text, not_utf8 = repair_text(arr)
        del arr
        out = clean_column(pa.chunked_array([text]), is_id=is_id_column(name), stats=mine)
        # a column that repeats a few values becomes a dictionary here, as it is cleaned
        # (`encoding`): the text of the whole table is never held at once, which is the
        # peak memory of a load
        enc = encoded(out)
        if enc is not None:
            return pd.arrays.ArrowExtensionArray(enc), mine, not_utf8
        # the values alone: a frame built from Series aligns every one on its index
        return pd.arrays.ArrowStringArray(out), mine, not_utf8

    def collect(name: str, fut: Any) -> None:
        cols[name], mine, not_utf8 = fut.result()
        _merge(stats, mine)
        if not_utf8 is not None:
            bad.append(not_utf8)

    # pyarrow kernels release the GIL: clean columns on every core, a few at a time so
    # each raw column is freed soon after it is cleaned.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        pending = []
        for k, name in enumerate(names):
            if cancelled is not None and cancelled():
                raise LoadCancelled()
            pending.append((name, pool.submit(clean, name, raw.pop(name))))
            if len(pending) > WORKERS:
                collect(*pending.pop(0))
                if progress is not None:
                    progress(k)
        for done_name, fut in pending:
            collect(done_name, fut)
    cols = {name: cols[name] for name in names}
    report_cleaning(report, table, stats)
    frame = pd.DataFrame(cols, copy=False)
    if table in schema.TABLES:
        spec = schema.TABLES[table]
        missing_keys = [k for k in spec.key if k not in cols]
        if missing_keys:
            raise LoadError(
                msg(
                    "load.missing_key",
                    member=shown(member),
                    columns=" or ".join(missing_keys),
                    table=table,
                )
            )
        official = set(spec.columns)
        order = [c for c in spec.columns if c in cols]
        order += [c for c in names if c not in official]
        frame = frame[order]
    frame["__line__"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    rows = np.unique(np.concatenate(bad)) if bad else np.zeros(0, dtype=np.int64)
    return frame, rows


def frame_types_ok(frame: pd.DataFrame) -> bool:
    """True when every data column is a pyarrow-backed string column or a dictionary of
    such text (for tests)."""
    return all(
        frame[c].dtype == STRING or is_dictionary(frame[c])
        for c in frame.columns
        if c != "__line__"
    )
