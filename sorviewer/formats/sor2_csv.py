"""SOR2 CSV tables (`Sor_complete.zip` members and `SorEntity_daily.csv`).

Every member is streamed straight from the zip into pyarrow's multi-threaded CSV
reader with all columns as text; ids therefore stay exact. Header names are matched to
the canonical spelling (schema.canonical_column); unknown columns are kept and reported
once; values are cleaned per column (dialect.clean_column). The result per table is a
pandas DataFrame of pyarrow-backed strings.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import schema
from ..errors import LoadCancelled, LoadError
from ..report import LoadReport
from .dialect import Dialect, clean_column, is_id_column, report_cleaning, sniff

STRING = pd.StringDtype("pyarrow")
BLOCK = 8 << 20  # read size while decompressing
PARSE_BLOCK = 4 << 20  # pyarrow's parse block
WORKERS = max(1, min(4, os.cpu_count() or 1))

Opener = Callable[[], IO[bytes]]
NativeOpener = Callable[[], pa.NativeFile]  # a fresh pyarrow stream of the member's bytes
Progress = Callable[[int], None]  # bytes read so far in this member


class _Counting(io.RawIOBase):
    """A read-only stream that reports bytes read and can be cancelled."""

    def __init__(
        self, raw: IO[bytes], progress: Progress | None, cancelled: Callable[[], bool] | None
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
    decompresses and parses on its own threads while this thread only collects batches
    (progress and cancel between them). Without it the member is decompressed into
    one buffer first, then parsed: parsing through a Python file object was four
    times slower. `declared` is the size a zip header promises: reading past it is
    refused (a zip bomb lies about it); a plain file has none. Raises LoadError when
    the member is not readable CSV.
    """
    total = size or 0

    def phase(lo: float, hi: float, scale: Callable[[int], float]) -> Progress | None:
        """Map this phase's own measure to overall bytes of the member."""
        if progress is None:
            return None
        return lambda done: progress(int(total * (lo + (hi - lo) * min(1.0, scale(done)))))

    if native is not None and size:
        with opener() as raw:
            head = raw.read(1 << 16)
        source: Callable[[], pa.NativeFile] = native
        parse_progress = phase(0.0, 0.85, lambda d: d / max(total, 1))
    else:
        data = _slurp(opener, size, phase(0.0, 0.4, lambda d: d / max(total, 1)), cancelled)
        total = len(data)
        head = bytes(data[: 1 << 16])
        buffer = pa.py_buffer(data)
        del data
        source = functools.partial(pa.BufferReader, buffer)
        parse_progress = phase(0.4, 0.85, lambda d: d / max(total, 1))
        declared = None  # zipfile itself stops at the declared size
    dialect = sniff(head)
    if dialect is None or not any(dialect.header):
        raise LoadError(f"{member} is not a readable CSV table.")
    ragged = _Ragged()
    if dialect.encoding == "cp1252":
        _say_cp1252(report, table, member)
    read = functools.partial(
        _read_arrow, dialect=dialect, progress=parse_progress, cancelled=cancelled
    )

    def limit(encoding: str) -> int | None:
        # the reader counts text after decoding: a cp1252 byte may become 3 UTF-8 bytes
        if declared is None:
            return None
        return declared * (3 if encoding == "cp1252" else 1) + 2 * PARSE_BLOCK

    try:
        tab = read(
            source(),
            encoding=dialect.encoding,
            ragged=ragged,
            member=member,
            limit=limit(dialect.encoding),
        )
    except _BadEncoding:
        _say_cp1252(report, table, member)
        ragged = _Ragged()
        tab = read(source(), encoding="cp1252", ragged=ragged, member=member, limit=limit("cp1252"))
    source = None  # type: ignore[assignment]  # the decompressed buffer goes
    n_cols = tab.num_columns
    clean_progress = phase(0.85, 1.0, lambda k: k / max(n_cols, 1))
    holder = [tab]
    del tab  # _to_frame frees each raw column once it is cleaned
    return _to_frame(holder, ragged, table, member, report, clean_progress, cancelled)


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
            f.seek(info.header_offset)
            local = f.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            f.seek(info.header_offset + 30 + name_len + extra_len)
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


def _slurp(
    opener: Opener,
    size: int | None,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> memoryview:
    """The whole (decompressed) member as one buffer, read in blocks."""
    with opener() as raw:
        stream = _Counting(raw, progress, cancelled)
        if size:
            buf = bytearray(size)
            view = memoryview(buf)
            done = 0
            while done < size:
                n = stream.readinto(view[done : min(size, done + BLOCK)])
                if n == 0:
                    break
                done += n
            if done == size:
                extra = raw.read(1)  # a member longer than declared: keep reading
                if extra:
                    rest = bytearray(extra)
                    while more := raw.read(BLOCK):
                        rest += more
                    return memoryview(bytes(buf) + bytes(rest))
            return view[:done]
        out = bytearray()
        cview = memoryview(bytearray(BLOCK))
        while n := stream.readinto(cview):
            out += cview[:n]
        return memoryview(out)


def _say_cp1252(report: LoadReport, table: str, member: str) -> None:
    report.add(
        "warning",
        table,
        f"{member} is not valid UTF-8; it was read as Windows-1252 (cp1252).",
        kind="encoding",
    )


class _BadEncoding(Exception):
    pass


def _read_arrow(
    stream: pa.NativeFile,
    *,
    dialect: Dialect,
    encoding: str,
    ragged: _Ragged,
    member: str,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    limit: int | None,
) -> pa.Table:
    """Parse the stream batch by batch, so progress moves and cancel is honoured.

    Each batch is one parse block of (decoded) input, so batches x block size is how far
    the reader got; past `limit` (what the zip header declared, with room for decoding
    and slack) the member is refused: a member that unpacks to more than it declares is
    a zip bomb."""
    names = _unique_names(dialect.header)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1,
        block_size=PARSE_BLOCK,
        encoding=encoding,
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
        column_types={n: pa.string() for n in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=True,
    )
    batches = []
    try:
        reader = pacsv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=convert
        )
        for i, batch in enumerate(reader):
            batches.append(batch)
            if cancelled is not None and cancelled():
                raise LoadCancelled()
            done = (i + 1) * PARSE_BLOCK
            if limit is not None and done > limit:
                raise LoadError(
                    f"{member} was refused for safety: it unpacks to more than its zip "
                    "header declares."
                )
            if progress is not None:
                progress(done)
        return pa.Table.from_batches(batches, schema=reader.schema)
    except (pa.ArrowInvalid, pa.ArrowException, OSError, ValueError) as exc:
        text = str(exc)
        if encoding == "utf8" and ("UTF8" in text or "UTF-8" in text or "utf-8" in text):
            raise _BadEncoding() from exc
        if "length check" in text:  # zlib: more (or fewer) bytes than the header said
            raise LoadError(
                f"{member} was refused for safety: it does not unpack to the size its zip "
                "header declares."
            ) from exc
        if "zlib" in text or "inflate" in text or "gzip" in text.lower():
            raise LoadError(f"{member} is damaged and cannot be unpacked ({text}).") from exc
        raise LoadError(_arrow_sentence(text)) from exc
    finally:
        stream.close()


class _Ragged:
    """pyarrow's invalid-row handler: skip rows with the wrong field count, keep a few."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[object] = []

    def __call__(self, row: object) -> str:
        self.count += 1
        if len(self.rows) < 20:
            self.rows.append(row)
        return "skip"


def _merge(total: dict[str, int], part: dict[str, int]) -> None:
    for key, n in part.items():
        total[key] = total.get(key, 0) + n


def _row_number(row: object) -> int | None:
    n = getattr(row, "number", None)
    return int(n) if isinstance(n, int) and n >= 0 else None


def _arrow_sentence(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return f"The CSV data could not be read ({first})."


def _unique_names(header: tuple[str, ...]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        base = name or f"Column{i + 1}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}.{n + 1}")
    return out


def _to_frame(
    holder: list[pa.Table],
    ragged: _Ragged,
    table: str,
    member: str,
    report: LoadReport,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> pd.DataFrame:
    tab = holder.pop()
    if ragged.count:
        for row in ragged.rows:
            report.add(
                "warning",
                table,
                f"Row skipped: it has {getattr(row, 'actual_columns', '?')} fields where the "
                f"header has {getattr(row, 'expected_columns', '?')}.",
                line=_row_number(row),
                kind="ragged_row",
            )
        if ragged.count > 20:
            report.add(
                "warning",
                table,
                f"{ragged.count} rows in all had the wrong number of fields and were skipped.",
                kind="ragged_row",
            )
    renamed: list[str] = []
    unknown: list[str] = []
    known = table in schema.TABLES
    for name in tab.column_names:
        canon = schema.canonical_column(table, name) if known else None
        if canon is None or canon in renamed:
            unknown.append(name)
            renamed.append(name)
        else:
            renamed.append(canon)
    tab = tab.rename_columns(renamed)
    if unknown and known:
        shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        report.add(
            "info",
            table,
            f"{len(unknown)} columns not in the official field tables are kept as extra "
            f"attributes: {shown}",
            kind="unknown_column",
        )
    stats: dict[str, int] = {}
    names = tab.column_names
    raw = {name: tab.column(name) for name in names}
    del tab
    cols: dict[str, pd.Series] = {}

    def clean(name: str, arr: pa.ChunkedArray) -> tuple[pd.Series, dict[str, int]]:
        mine: dict[str, int] = {}
        out = clean_column(arr, is_id=is_id_column(name), stats=mine)
        return pd.Series(pd.arrays.ArrowStringArray(out), copy=False), mine

    # pyarrow kernels release the GIL: clean columns on every core, a few at a time so
    # each raw column is freed soon after it is cleaned.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        pending = []
        for k, name in enumerate(names):
            if cancelled is not None and cancelled():
                raise LoadCancelled()
            pending.append((name, pool.submit(clean, name, raw.pop(name))))
            if len(pending) > WORKERS:
                done_name, fut = pending.pop(0)
                cols[done_name], mine = fut.result()
                _merge(stats, mine)
                if progress is not None:
                    progress(k)
        for done_name, fut in pending:
            cols[done_name], mine = fut.result()
            _merge(stats, mine)
    cols = {name: cols[name] for name in names}
    report_cleaning(report, table, stats)
    frame = pd.DataFrame(cols, copy=False)
    if known:
        spec = schema.TABLES[table]
        missing_keys = [k for k in spec.key if k not in frame.columns]
        if missing_keys:
            raise LoadError(
                f"{member} has no {' or '.join(missing_keys)} column, so it cannot be read as "
                f"{table}."
            )
        order = [c for c in spec.columns if c in frame.columns]
        order += [c for c in frame.columns if c not in spec.columns]
        frame = frame[order]
    frame["__line__"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame


def frame_types_ok(frame: pd.DataFrame) -> bool:
    """True when every data column is a pyarrow-backed string column (for tests)."""
    return all(frame[c].dtype == STRING for c in frame.columns if c != "__line__")
