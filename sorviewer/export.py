"""Export of units at a date: CSV, XLSX, JSON, and TSV/HTML for the clipboard.

One row per unit, the SOREntity columns in the file's order with their
*effective* values at the date (inherited groups filled in from the unit that
holds them, by the provenance engine), plus `Status`, or the columns a find asked
for. The files read their columns through `columns.table`, which adds the
provenance columns (`...Source`) beside inheritable ones.

Every text cell a spreadsheet could run as a formula is neutralised (CSV, TSV:
a leading apostrophe; XLSX: a string cell with quotePrefix; HTML: marked as text).
`write_table` writes a plain table of text cells the same ways (`write_diff`: the
differences between two downloads, the XLSX with a sheet per kind).
`csv-excel` writes ids as `="…"` as the official files do. XLSX is SpreadsheetML
built column-wise with pyarrow (see `_write_xlsx` for why). `write_export` reports
progress for a progress bar. Files are written beside the target and moved into
place, so a failed or cancelled export never leaves half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .asof import Snapshot, day_number, reference_days, snapshot, statuses, version_rows
from .diff import KINDS, TABLE_HEADER, Diff
from .provenance import at as provenance_at
from .provenance import effective
from .records import UnitView
from .register import Store
from .unit_view import views

# --- neutralising cells and clipboard text ---------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*", re.ASCII)


def needs_neutralising(text: str) -> bool:
    """True when a spreadsheet would treat `text` as a formula (plain numbers are safe)."""
    return bool(text) and text.startswith(_FORMULA_START) and _PLAIN_NUMBER.fullmatch(text) is None


def neutralise(text: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula.

    A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is one,
    unless it is a plain number such as `-12,5` or `+4512345678`.
    """
    return "'" + text if needs_neutralising(text) else text


_CELL_BREAKS = re.compile(r"[\t\r\n]")


def _tsv_cell(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    return neutralise(_CELL_BREAKS.sub(" ", str(value)))


def to_tsv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Clipboard text: a header line, tab-separated cells, one `\\n`-ended line per row.

    None becomes an empty cell; tabs and line breaks inside a cell become spaces.
    """
    lines = ["\t".join(_tsv_cell(v) for v in header)]
    lines += ["\t".join(_tsv_cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


# --- effective values of the units chosen ------------------------------------------------


_ID_TRAIL = re.compile(r"^\s*(\d+)(?:\.0)?\s*$")


def _plain_ids(values: np.ndarray) -> np.ndarray:
    """Ids as plain digits (a trailing `.0` from a spreadsheet round trip dropped)."""
    out = values.copy()
    for i, v in enumerate(values):
        if v is not None:
            m = _ID_TRAIL.match(v)
            if m:
                out[i] = m.group(1)
    return out


# --- which units, in which order -----------------------------------------------------


def select_units(
    reg: Store,
    day: dt.date,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
) -> np.ndarray:
    """Entity indices to export, in export order.

    Only units active at the day take part unless `include_all` (then closed and
    future units too), whichever way they are chosen (docs/ARCHITECTURE.md, "The
    command line"). A subtree gives its units at the day in tree order (depth first,
    children by name); otherwise units come by name. Listed `sor_ids` narrow the choice
    to those units (ids not in the file are skipped; `inactive_ids` tells which listed
    ones the day leaves out); with a subtree too, only listed units in it. The window passes
    `include_all` as its "show closed" switch stands, so what it lists is what it
    exports.
    """
    n = day_number(day)
    snap = snapshot(reg, day)
    wanted: np.ndarray | None = None
    if sor_ids is not None:
        idx = [reg.entity_index(s) for s in sor_ids]
        wanted = np.unique(np.asarray([i for i in idx if i >= 0], dtype=np.int64))
        if not include_all:
            wanted = wanted[snap.active_mask[wanted]]
    if subtree is not None:
        root = reg.entity_index(subtree)
        tsnap = Snapshot(reg, n, include_all=True) if include_all else snap
        if root < 0 or not tsnap.present[root]:
            return np.zeros(0, dtype=np.int64)
        order = tsnap.depth_first(root)
        if wanted is not None:
            order = order[np.isin(order, wanted)]
        return order
    if wanted is not None:
        ents = wanted
    elif include_all:
        ents = np.arange(len(reg.ids), dtype=np.int64)
    else:
        ents = np.nonzero(snap.active_mask)[0]
    rows = version_rows(reg, ents, reference_days(reg, ents, n))[0]
    rank = reg.name_rank[rows] if len(ents) else np.zeros(0, dtype=np.int32)
    return ents[np.lexsort((reg.ids[ents], rank))]


def inactive_ids(reg: Store, day: dt.date, sor_ids: Iterable[int | str]) -> list[str]:
    """The listed ids that are in the file but not active at the day (so `select_units`
    leaves them out unless `include_all`), in the order given, without repeats."""
    active = snapshot(reg, day).active_mask
    out: dict[str, None] = {}
    for s in sor_ids:
        e = reg.entity_index(s)
        if e >= 0 and not active[e]:
            out.setdefault(str(reg.ids[e]), None)
    return list(out)


def export_columns_at(
    reg: Store,
    day: dt.date,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
) -> tuple[list[str], list[np.ndarray]]:
    """Header and the export's values column by column (object arrays of str or None)."""
    ents = select_units(reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all)
    eff = effective(provenance_at(reg, day), ents)
    cols = [eff.values[c] for c in eff.columns]
    for i, c in enumerate(eff.columns):
        if c in schema.ID_COLUMNS_ENTITY:
            cols[i] = _plain_ids(cols[i])
    cols.append(statuses(reg, ents, day_number(day)))
    return [*eff.columns, "Status"], cols


def export_rows(
    reg: Store,
    day: dt.date,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows of an export: effective values at `day`, plus `Status`."""
    header, cols = export_columns_at(
        reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all
    )
    rows = [list(r) for r in zip(*cols, strict=True)] if len(cols[0]) else []
    return header, rows


def export_views(reg: Store, day: dt.date, ents: np.ndarray) -> list[UnitView]:
    """`reg.entity(id, day)` for many units at once (the JSON export)."""
    return [view for view, _problems in views(reg, day, ents)]


# --- files ---------------------------------------------------------------------------

FORMATS = ("csv", "csv-excel", "xlsx", "json")

#: id-like columns (README.md, "Find"): names ending so hold codes that a spreadsheet
#: would turn into numbers (16-18 digit ids lose digits, postcodes and phone numbers
#: their leading zeros); coordinates ("...Measure") stay numbers
_ID_SUFFIXES = ("Id", "Code", "Number")
DATE_COLUMNS = ("FirstFromDate", "FromDate", "ToDate", "AsOfDate")
DATETIME_COLUMNS = ("UpdatedAt",)


def is_id_column(name: str) -> bool:
    """Whether column `name` holds ids or codes that must stay text (SorId, parent and
    owner ids, EAN, ShakId, ProviderId, PharmacyId, CVR, P-numbers, postcodes, phone
    numbers, type and speciality codes, and their `Effective...` forms)."""
    return name.endswith(_ID_SUFFIXES)


def _atomic_write(path: str, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temp file beside `path`, then move it into place."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(4)}.part")
    # os.open with 0o666 lets the umask decide, as for any new file (mkstemp would give
    # 0600, and the export would end up readable by its owner only).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean array (nulls false) as a numpy bool array."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


_RISKY_RE = "^[=+\\-@\t\r]"
_PLAIN_NUMBER_RE = "^[+-]?\\d+(?:[.,]\\d+)*$"  # _PLAIN_NUMBER for pyarrow
_DIGITS_RE = "^\\d+$"


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _all(mask: pa.Array) -> bool:
    """True when no non-null value of `mask` is false."""
    return pc.all(mask).as_py() is not False


def _false(n: int) -> pa.Array:
    return pa.array(np.zeros(n, dtype=bool))


def _plain(arr: pa.Array) -> pa.Array:
    """Cells of printable ASCII only (no control character, line break or letter
    beyond ASCII): most SOR values. Checks only other characters can trip are skipped
    for a column chunk where every cell is plain."""
    return pc.ascii_is_printable(arr)


def _risky(arr: pa.Array, plain: pa.Array | None = None) -> pa.Array:
    """Cells `needs_neutralising` would flag, column-wise (a cheap look at the first
    character before the number pattern)."""
    starts = [pc.starts_with(arr, c) for c in "=+-@"]
    if plain is None or not _all(plain):
        starts += [pc.starts_with(arr, "\t"), pc.starts_with(arr, "\r")]
    flag = starts[0]
    for m in starts[1:]:
        flag = pc.or_(flag, m)
    if not _any(flag):
        return _false(len(arr))
    return pc.and_(flag, pc.invert(pc.match_substring_regex(arr, _PLAIN_NUMBER_RE)))


def _as_text(arr: pa.Array | np.ndarray | Sequence[object]) -> pa.Array:
    """Any column as a pyarrow string array (None -> null)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if isinstance(arr, pa.Array):
        return arr if arr.type == pa.string() else arr.cast(pa.string())
    return pa.array(list(arr) if not isinstance(arr, np.ndarray) else arr, type=pa.string())


def _join(parts: Sequence[object], null_empty: bool = False) -> pa.Array:
    """Element-wise concatenation of arrays and plain strings."""
    args = [p if isinstance(p, pa.Array) else pa.scalar(p, pa.string()) for p in parts]
    if null_empty:
        return pc.binary_join_element_wise(*args, "", null_handling="replace", null_replacement="")
    return pc.binary_join_element_wise(*args, "")


def _array_bytes(arr: pa.Array) -> memoryview:
    """The text of a string array without nulls, all cells back to back."""
    arr = _as_text(arr)
    if not len(arr):
        return memoryview(b"")
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    if bufs[2] is None:
        return memoryview(b"")
    return memoryview(bufs[2])[int(offsets[0]) : int(offsets[-1])]


#: `progress(rows_written, total_rows)`
Progress = Callable[[int, int], None]


class _Ticker:
    """Calls `progress(done, total)` at most ten times a second, and once at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.last = -1.0
        self.ended = False
        self.first: float | None = None

    def __call__(self, done: int) -> None:
        if self.progress is None or self.ended:
            return
        now = time.monotonic()
        if done >= self.total:
            self.ended = True
        elif now - self.last < 0.1:
            return
        self.last = now
        self.progress(min(done, self.total), self.total)

    def within(self, done: int) -> None:
        """A report from inside a chunk (column by column): never in the first 0.1 s of
        the writing, so a short export reports only its end."""
        if self.progress is None or self.ended:
            return
        now = time.monotonic()
        if self.first is None:
            self.first = now
        elif now - max(self.first, self.last) >= 0.1:
            self(done)


_CHUNK = 10_000  # rows written between progress reports

# --- CSV: the cells of a column at once (pyarrow), as the csv module would quote them ---


def _csv_cells(arr: pa.Array, excel_id: bool) -> pa.Array:
    """CSV text of each cell (no nulls): formula-like text neutralised, `="…"` around
    all-digit values of an id column when `excel_id`, then quoted where the csv module
    would quote (`;`, `"`, line breaks) with inner quotes doubled."""
    a = _as_text(arr)
    if a.null_count == len(a):
        return pa.array([""] * len(a), type=pa.string())
    plain = _plain(a)
    risky = _risky(a, plain)
    if _any(risky):
        a = pc.if_else(risky, _join(["'", a]), a)
    if excel_id:
        digits = pc.ascii_is_decimal(a)
        if _any(digits):
            a = pc.if_else(digits, _join(['="', a, '"']), a)
    quote = pc.or_(pc.match_substring(a, ";"), pc.match_substring(a, '"'))
    if not _all(plain):
        quote = pc.or_(quote, pc.match_substring_regex(a, "[\\r\\n]"))
    if _any(quote):
        a = pc.if_else(quote, _join(['"', pc.replace_substring(a, '"', '""'), '"']), a)
    return pc.fill_null(a, "")


def _write_csv(
    fh: IO[bytes],
    header: list[str],
    cols: Sequence[pa.Array],
    tick: _Ticker,
    excel: bool = False,
) -> None:
    """`;`-separated UTF-8 with a BOM and CRLF line ends; `excel` writes id-like columns'
    all-digit values as `="…"` (the official files' form) so a spreadsheet keeps them."""
    fh.write(b"\xef\xbb\xbf")
    head = _csv_cells(pa.array(header, type=pa.string()), False).to_pylist()
    fh.write((";".join(head) + "\r\n").encode("utf-8"))
    n = len(cols[0]) if cols else 0
    wrap = [excel and is_id_column(h) for h in header]
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        cells = []
        for j, (c, w) in enumerate(zip(cols, wrap, strict=True)):
            cells.append(_csv_cells(c.slice(lo, hi - lo), w))
            tick.within(lo + (hi - lo) * j // len(cols))
        lines = pc.binary_join_element_wise(*cells, ";")
        fh.write(_array_bytes(_join([lines, "\r\n"])))
        tick(hi)
    tick(n)


# --- XLSX: SpreadsheetML written directly ------------------------------------------------
#
# Measured on the full register (BENCHMARKS.md, "Find and export"): openpyxl's write-only
# mode and XlsxWriter's constant_memory mode both spend 8-11 us of Python per cell, over a
# minute for the 6.3 million filled cells of all 100,000 units. So the sheet's XML is built
# here, a column at a time with pyarrow string kernels, and zipped as it is made; the
# workbook around it (styles, the frozen header row, the autofilter, the sheet about the
# export) is a few fixed parts. Every text cell is an inline string (never a formula);
# dates are real date cells. Styles (cellXfs) by index:

_XF_HEADER, _XF_TEXT, _XF_DATE, _XF_QUOTED, _XF_DATETIME = 1, 2, 3, 4, 5
_XLSX_MAX_CELL = 32767
_XLSX_MAX_COLUMNS = 16384
_XLSX_MAX_ROWS = 1048576
#: text Excel would reinterpret when a cell is edited (RE2 syntax, for pyarrow)
_NUMBER_LIKE = "^\\s*[+-]?\\d[\\d\\s.,:/+-]*(?:[eE][+-]?\\d+)?%?\\s*$|^(?i:true|false)$"
#: characters XML 1.0 forbids (C0 controls but tab and line feed, U+FFFE, U+FFFF), and
#: a carriage return (XML parsers turn it into a line feed): written as Excel's _xHHHH_
_XML_UNSAFE = "[\\x00-\\x08\\x0b-\\x1f\\x{fffe}\\x{ffff}]"
_XML_UNSAFE_PY = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
#: text that already looks like an _xHHHH_ escape keeps its leading underscore escaped
_ESCAPE_LIKE = "_(x[0-9A-Fa-f]{4}_)"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'quotePrefix="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class _Deflater:
    """Writes chunks to a zip member on a second thread: zlib releases the GIL, so the
    compression of one chunk runs while the next chunk's XML is built. An error on the
    writer comes back at the next `write` or at the end; leaving early (a cancel) stops
    the writer before the member is closed."""

    def __init__(self, sheet: IO[bytes]) -> None:
        import queue
        import threading

        self.sheet = sheet
        self.queue: queue.Queue[memoryview | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.stopped = False  # left early: what is still queued is dropped
        self.thread = threading.Thread(target=self._run, name="xlsx-deflate", daemon=True)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is None and not self.stopped:
                try:
                    self.sheet.write(item)
                except BaseException as exc:  # handed to the writing thread
                    self.error = exc

    def __enter__(self) -> _Deflater:
        self.thread.start()
        return self

    def write(self, data: memoryview) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(data)

    def __exit__(self, *exc: object) -> None:
        self.stopped = exc[0] is not None
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error


def _col_letter(j: int) -> str:
    """Column letters of 0-based column `j` (0 -> A, 26 -> AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _xml_text(arr: pa.Array, plain: pa.Array) -> pa.Array:
    """Cell text made safe for an inline string: cut at Excel's 32,767 characters, an
    existing `_xHHHH_` look-alike escaped, unsafe characters as `_xHHHH_` (Excel reads
    both back to the exact text), `&`, `<`, `>` as entities."""
    a = _as_text(arr)
    if _any(pc.greater(pc.binary_length(a), _XLSX_MAX_CELL)):
        a = pc.utf8_slice_codeunits(a, 0, _XLSX_MAX_CELL)
    if _any(pc.match_substring(a, "_x")):
        a = pc.replace_substring_regex(a, _ESCAPE_LIKE, "_x005F_\\1")
    if not _all(plain):
        odd = _mask(pc.match_substring_regex(a, _XML_UNSAFE))
        if odd.any():  # rare: fixed one by one
            idx = np.nonzero(odd)[0]
            fixed = [
                _XML_UNSAFE_PY.sub(lambda m: f"_x{ord(m.group()):04X}_", v)
                for v in a.take(pa.array(idx)).to_pylist()
            ]
            a = pc.replace_with_mask(a, pa.array(odd), pa.array(fixed, type=pa.string()))
    for ch, ent in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if _any(pc.match_substring(a, ch)):
            a = pc.replace_substring(a, ch, ent)
    return a


def _inline_cells(letter: str, num: pa.Array, text: pa.Array, style: pa.Array | str) -> pa.Array:
    """`<c>` elements holding inline strings in column `letter`, rows `num` (null where
    `text` is null or empty)."""
    raw = _as_text(text)
    raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw)
    plain = _plain(raw)
    xml = _xml_text(raw, plain)
    edges = pc.or_(pc.starts_with(raw, " "), pc.ends_with(raw, " "))
    if not _all(plain):
        edges = pc.or_(edges, pc.match_substring_regex(raw, "^\\s|\\s$"))
    open_t: pa.Array | str = "<t>"
    if _any(edges):
        open_t = pc.if_else(edges, '<t xml:space="preserve">', "<t>")
    parts = [
        f'<c r="{letter}',
        num,
        '"',
        style,
        ' t="inlineStr"><is>',
        open_t,
        xml,
        "</t></is></c>",
    ]
    return _join(parts)


def _text_style(raw: pa.Array, id_column: bool) -> pa.Array | str:
    """The style attribute of text cells: quotePrefix and Text format on formula-like
    text; the Text format on every cell of an id-like column and on what Excel would
    turn into a number, date or truth value when the cell is edited; none otherwise."""
    risky = _risky(raw, _plain(raw))
    if id_column:
        if not _any(risky):
            return f' s="{_XF_TEXT}"'
        return pc.if_else(risky, f' s="{_XF_QUOTED}"', f' s="{_XF_TEXT}"')
    numberish = pc.ascii_is_decimal(raw)
    first = pc.utf8_slice_codeunits(raw, 0, 1)
    maybe = pc.and_(pc.invert(numberish), pc.is_in(first, value_set=_NUMBER_START))
    if _any(maybe):
        numberish = pc.or_(numberish, pc.match_substring_regex(raw, _NUMBER_LIKE))
    if not _any(risky) and not _any(numberish):
        return ""
    return pc.if_else(
        pc.fill_null(risky, False),
        f' s="{_XF_QUOTED}"',
        pc.if_else(pc.fill_null(numberish, False), f' s="{_XF_TEXT}"', ""),
    )


_NUMBER_START = pa.array(list(" \t+-0123456789tTfF"), type=pa.string())

_EXCEL_EPOCH = 25569  # Excel's serial number of 1970-01-01


_ISO_DATE = "^(?P<d>\\d{4}-\\d{2}-\\d{2})(?:[T ](?P<h>\\d{2}):(?P<m>\\d{2})(?::(?P<s>\\d{2}))?)?"


def _date_serials(raw: pa.Array, with_time: bool) -> pa.Array:
    """Excel serial numbers (as text) of date or date-time text, null where it is not
    one. ISO text is read with kernels; other forms (dd-mm-yyyy, ...) go through the
    `dates` parser, distinct values only."""
    from .dates import MIN_DAY, parse_day_column

    text = pc.utf8_trim_whitespace(_as_text(raw))
    n = len(text)
    parts = pc.extract_regex(text, _ISO_DATE)
    day_text = pc.struct_field(parts, "d")
    stamp = pc.strptime(day_text, format="%Y-%m-%d", unit="s", error_is_null=True)
    secs = pc.cast(stamp, pa.int64()).to_numpy(zero_copy_only=False)
    days = np.where(np.isnan(secs.astype(np.float64)), np.nan, secs // 86400)
    missing = np.isnan(days) & _mask(pc.is_valid(text))
    if missing.any():  # other date forms: the tolerant parser, on distinct values
        idx = np.nonzero(missing)[0]
        other, bad = parse_day_column(text.take(pa.array(idx)).to_pandas(), MIN_DAY)
        days[idx] = np.where((other != MIN_DAY) & ~bad, other, np.nan)
    serial = days + _EXCEL_EPOCH
    if with_time:
        frac = np.zeros(n, dtype=np.float64)
        for name, scale in (("h", 3600), ("m", 60), ("s", 1)):
            part = pc.struct_field(parts, name)
            part = pc.if_else(pc.equal(part, ""), pa.scalar(None, pa.string()), part)
            frac += (
                np.nan_to_num(pc.cast(part, pa.float64()).to_numpy(zero_copy_only=False)) * scale
            )
        serial = serial + frac / 86400
    out = pa.array(serial, type=pa.float64(), from_pandas=True)  # NaN -> null
    return pc.cast(out, pa.string())


def _xlsx_kind(name: str) -> int:
    if name in DATE_COLUMNS:
        return _XF_DATE
    if name in DATETIME_COLUMNS:
        return _XF_DATETIME
    return 0


def _xlsx_column_cells(
    letter: str, num: pa.Array, raw: pa.Array, kind: int, id_column: bool, serial: pa.Array | None
) -> pa.Array:
    """The `<c>` elements of one column for a chunk of rows (null for empty cells);
    `serial` holds the Excel dates of a date column's cells (null where not a date)."""
    if raw.null_count == len(raw):
        return pa.nulls(len(raw), pa.string())
    if serial is not None and serial.null_count == 0:
        return _join([f'<c r="{letter}', num, f'" s="{kind}"><v>', serial, "</v></c>"])
    text = _inline_cells(letter, num, raw, _text_style(raw, id_column))
    if serial is None:
        return text
    dates = _join([f'<c r="{letter}', num, f'" s="{kind}"><v>', serial, "</v></c>"])
    return pc.coalesce(dates, text)


def _column_width(title: str, col: pa.Array, kind: int) -> float:
    """Width from the header and the first 500 values, kept within 8-50 characters."""
    if kind:
        return 19.0 if kind == _XF_DATETIME else 11.0
    lengths = pc.utf8_length(_as_text(col).slice(0, 500))
    longest = max(len(title), int(pc.max(lengths).as_py() or 0))
    return float(min(max(longest + 2, 8), 50))


def _sheet_start(header: list[str], cols: Sequence[pa.Array], n: int, selected: bool = True) -> str:
    last = f"{_col_letter(len(header) - 1)}{n + 1}"
    tab = ' tabSelected="1"' if selected else ""
    widths = "".join(
        f'<col min="{j + 1}" max="{j + 1}" width="{_column_width(h, c, _xlsx_kind(h))}" '
        'customWidth="1"/>'
        for j, (h, c) in enumerate(zip(header, cols, strict=True))
    )
    return (
        _XML_HEAD + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView{tab} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols><sheetData>"
    )


def _header_row(header: list[str]) -> str:
    one = pa.array(["1"], type=pa.string())
    cells = [
        _inline_cells(_col_letter(j), one, pa.array([h], type=pa.string()), f' s="{_XF_HEADER}"')
        for j, h in enumerate(header)
    ]
    return '<row r="1">' + "".join(c[0].as_py() or "" for c in cells) + "</row>"


def _about_sheet(about: list[tuple[str, object]]) -> str:
    """The second sheet: label/value rows. Text is an inline string (a source file name
    may start with "="); whole numbers stay numbers."""
    rows = []
    for r, (label, value) in enumerate(about, start=1):
        cells = []
        for j, v in enumerate((label, value)):
            if v is None:
                continue
            if isinstance(v, int) and not isinstance(v, bool):
                cells.append(f'<c r="{_col_letter(j)}{r}"><v>{v}</v></c>')
                continue
            text = str(v)
            style = _XF_QUOTED if needs_neutralising(text) else 0
            if j == 0 and value is not None:
                style = _XF_HEADER
            style_attr = f' s="{style}"' if style else ""
            cell = _inline_cells(
                _col_letter(j),
                pa.array([str(r)], type=pa.string()),
                pa.array([text], type=pa.string()),
                style_attr,
            )[0].as_py()
            cells.append(cell or "")
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        _XML_HEAD + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="1" width="24" customWidth="1"/>'
        '<col min="2" max="2" width="40" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def _workbook(sheets: list[str], filter_ref: str | Sequence[str]) -> tuple[str, str]:
    """workbook.xml and its relationships for `sheets` (names, in order); `filter_ref`
    is the autofilter range of the first sheet, or of each of the first sheets."""
    entries = "".join(
        f'<sheet name="{_xml_escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    refs = [filter_ref] if isinstance(filter_ref, str) else list(filter_ref)
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_xml_escape(ref)}</definedName>"
        for i, ref in enumerate(refs)
    )
    book = (
        _XML_HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        "<bookViews><workbookView/></bookViews>"
        f"<sheets>{entries}</sheets>"
        f"<definedNames>{names}</definedNames></workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    return book, _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">{rels}</Relationships>'


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_columns(n_columns: int) -> None:
    """Refuse a table a spreadsheet cannot hold (16,384 columns)."""
    if n_columns > _XLSX_MAX_COLUMNS:
        from .messages import msg

        raise ValueError(str(msg("find.too_many_columns", n=n_columns)))


#: name of the XLSX sheet that says what the export is (with `stamp`)
ABOUT_SHEET = "Om udtrækket"


def _write_xlsx(
    fh: IO[bytes],
    header: list[str],
    cols: Sequence[pa.Array],
    tick: _Ticker,
    about: list[tuple[str, object]] | None = None,
    sheets: Sequence[tuple[str, int, int]] | None = None,
) -> None:
    """The table as a workbook: one sheet "SOR", or with `sheets` [(name, start,
    stop)] one sheet per range of rows, each with the header, its own autofilter and
    frozen header row; then the sheet `about` describes, if given."""
    import zipfile

    check_columns(len(header))
    n = len(cols[0]) if cols else 0
    parts = list(sheets) if sheets is not None else [("SOR", 0, n)]
    longest = max((stop - start for _name, start, stop in parts), default=0)
    if longest + 1 > _XLSX_MAX_ROWS:
        raise ValueError(
            f"A spreadsheet holds at most {_XLSX_MAX_ROWS:,} rows; this has {longest + 1}."
        )
    cols = [_as_text(c) for c in cols]
    kinds = [_xlsx_kind(h) for h in header]
    ids = [is_id_column(h) for h in header]
    # dates once per column (distinct values parsed once), sliced per chunk below
    serials = [
        _date_serials(c, k == _XF_DATETIME) if k and c.null_count < len(c) else None
        for c, k in zip(cols, kinds, strict=True)
    ]
    letters = [_col_letter(j) for j in range(len(header))]
    names = [name for name, _start, _stop in parts]
    sheet_names = [*names, *([ABOUT_SHEET] if about is not None else [])]
    end_col = _col_letter(max(len(header) - 1, 0))
    refs = [f"{name}!$A$1:${end_col}${stop - start + 1}" for name, start, stop in parts]
    book, book_rels = _workbook(sheet_names, refs)
    types = _CONTENT_TYPES.format(
        sheets="".join(_SHEET_TYPE.format(i=i) for i in range(1, len(sheet_names) + 1))
    )
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", book_rels)
        zf.writestr("xl/styles.xml", _STYLES)
        for i, (_name, start, stop) in enumerate(parts, start=1):
            m = stop - start
            part = [c.slice(start, m) for c in cols]
            last = f"{end_col}{m + 1}"
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as sheet:
                sheet.write(_sheet_start(header, part, m, selected=i == 1).encode("utf-8"))
                sheet.write(_header_row(header).encode("utf-8"))
                with _Deflater(sheet) as out:
                    for lo in range(0, m, _CHUNK):
                        hi = min(lo + _CHUNK, m)
                        num = pc.cast(pa.array(np.arange(lo + 2, hi + 2)), pa.string())
                        cells = []
                        for j, (letter, c, kind, id_col, ser) in enumerate(
                            zip(letters, part, kinds, ids, serials, strict=True)
                        ):
                            piece = None if ser is None else ser.slice(start + lo, hi - lo)
                            cells.append(
                                _xlsx_column_cells(
                                    letter, num, c.slice(lo, hi - lo), kind, id_col, piece
                                )
                            )
                            # column by column: a smooth bar, and a cancel is honoured soon
                            tick.within(start + lo + (hi - lo) * j // len(cols))
                        rows = _join(['<row r="', num, '">', *cells, "</row>"], null_empty=True)
                        out.write(_array_bytes(rows))
                        tick(start + hi)
                sheet.write(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>'.encode())
        if about is not None:
            zf.writestr(f"xl/worksheets/sheet{len(parts) + 1}.xml", _about_sheet(about))
    tick(n)


# --- JSON ----------------------------------------------------------------------------------


def _write_json(
    fh: IO[bytes], chunks: Iterable[Sequence[Mapping[str, Any]]], total: int, tick: _Ticker
) -> None:
    # One unit per line: readable, and the C encoder (indent= would use the slow one).
    fh.write(b"[")
    done = 0
    for chunk in chunks:
        for v in chunk:
            fh.write(b",\n" if done else b"\n")
            fh.write(json.dumps(v, ensure_ascii=False).encode("utf-8"))
            done += 1
            if not done % 500:
                tick(done)
    fh.write(b"\n]\n" if done else b"]\n")
    tick(total)


# --- the clipboard: TSV and an HTML table with ids marked as text ------------------------------

#: Excel reads `mso-number-format:"\@"` and LibreOffice `sdnum="1030;0;@"` as "this cell
#: is text": without them a pasted 100456781000016007 becomes 1.00456781000016E+17 and
#: 034567 becomes 34567 (tried with LibreOffice's HTML import)
_HTML_TEXT_CELL = '<td style=\'mso-number-format:"\\@"\' sdnum="1030;0;@">'


def to_html(
    header: Sequence[str], rows: Iterable[Sequence[object]], columns: Sequence[str] | None = None
) -> str:
    """An HTML table for the clipboard. `columns` names the column of each position (the
    header texts when None): every cell of an id-like column, every all-digit value and
    every formula-like text is marked as text for Excel and LibreOffice, so ids keep
    their digits, codes their leading zeros, and nothing is run as a formula."""
    import html

    names = list(columns) if columns is not None else [str(h) for h in header]
    id_col = [is_id_column(c) for c in names]
    out = [
        '<html><head><meta charset="utf-8"></head><body><table>',
        "<tr>" + "".join(f"<th>{html.escape(str(h), quote=False)}</th>" for h in header) + "</tr>",
    ]
    for row in rows:
        cells = []
        for j, v in enumerate(row):
            if v is None or v is pd.NA:
                cells.append("<td></td>")
                continue
            text = str(v)
            mark = (
                (j < len(id_col) and id_col[j])
                or (text.isascii() and text.isdigit())
                or needs_neutralising(text)
            )
            body = html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")
            cells.append(f"{_HTML_TEXT_CELL if mark else '<td>'}{body}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"


def clipboard(
    header: Sequence[str], rows: Sequence[Sequence[object]], columns: Sequence[str] | None = None
) -> tuple[str, str]:
    """What Ctrl+C puts on the clipboard: (`text/plain` TSV with a header row,
    `text/html` table with id-like cells marked as text, see `to_html`)."""
    return to_tsv(header, rows), to_html(header, rows, columns)


# --- write_export ------------------------------------------------------------------------------


def _table_objects(
    reg: Store, day: dt.date, ents: np.ndarray, columns: Sequence[str]
) -> list[dict[str, Any]]:
    """JSON objects of the strict export table (`columns.table`), one per unit."""
    from .columns import table

    header, cols = table(reg, day, ents, list(columns), "strict")
    lists = [c.to_pylist() for c in cols]
    return [dict(zip(header, r, strict=True)) for r in zip(*lists, strict=True)]


def write_export(
    reg: Store,
    day: dt.date,
    path: str,
    fmt: str,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
    progress: Progress | None = None,
    stamp: bool = False,
    ents: np.ndarray | None = None,
    columns: Sequence[str] | None = None,
    naming: str = "plain",
) -> int:
    """Write the export to `path` as csv, csv-excel, xlsx or json; returns the number of
    units.

    Which units: `ents` (entity indices, in that order, e.g. a find result), else
    `select_units(sor_ids, subtree, include_all)`. Which columns: `columns` (any known
    column, `columns.known_columns`), else the SOREntity columns in the file's order
    plus `Status`; `naming` "plain" writes just those, "cli" or "strict" add the
    provenance columns (`columns.expand_columns`). JSON with `columns` writes `find`
    rows (with "strict": one object per unit keyed as the CSV header), without them
    `show` documents.

    `progress(rows_written, total)` is called at most about ten times a second while
    the rows are written, and once with `(total, total)` when the file is complete.
    An exception raised in `progress` stops the export and leaves no file behind (a
    way to cancel).

    With `stamp` (the window sets it; the CLI keeps the contract's columns) the as-of
    date travels inside the file, so it survives renaming the file: a last column
    `AsOfDate` (CSV, XLSX), an `as_of` key on every object (JSON), and in XLSX a second
    sheet "Om udtrækket" with the date, the source file, the export time and the
    number of units.
    """
    from .columns import all_columns, table

    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use csv, csv-excel, xlsx or json.")
    if naming not in ("plain", "cli", "strict"):
        raise ValueError(f"Unknown column naming {naming!r}; use plain, cli or strict.")
    if ents is None:
        ents = select_units(reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all)
    ents = np.asarray(ents, dtype=np.int64)
    total = len(ents)
    as_of = day.isoformat()
    if fmt == "json":
        step = 10_000  # each chunk costs ~0.1 s of column work whatever its size
        if columns is None:
            chunks: Iterable[Sequence[Mapping[str, Any]]] = (
                export_views(reg, day, ents[lo : lo + step]) for lo in range(0, total, step)
            )
        elif naming == "strict":
            # the window's naming: the unit's own values under the file's names, the
            # effective ones and their source beside them, keyed as the CSV header
            chunks = (
                _table_objects(reg, day, ents[lo : lo + step], columns)
                for lo in range(0, total, step)
            )
        else:
            from .find import rows

            chunks = (rows(reg, day, ents[lo : lo + step], columns) for lo in range(0, total, step))
        if stamp:
            chunks = ([{**v, "as_of": as_of} for v in views] for views in chunks)
        _atomic_write(path, lambda fh: _write_json(fh, chunks, total, _Ticker(progress, total)))
        return total
    header, cols = table(
        reg,
        day,
        ents,
        list(columns) if columns is not None else all_columns(reg),
        naming,  # type: ignore[arg-type]
    )
    check_columns(len(header) + (1 if stamp else 0))
    about: list[tuple[str, object]] | None = None
    if stamp:
        header = [*header, "AsOfDate"]
        cols = [*cols, pa.array([as_of] * total, type=pa.string())]
        about = [
            (f"Værdier som de var gældende på {day:%d-%m-%Y}", None),
            ("", None),
            ("Gældende dato", as_of),
            ("Kildefil", os.path.basename(reg.source.path)),
            ("Udtrukket", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
            ("Antal enheder", total),
        ]
    if fmt in ("csv", "csv-excel"):
        excel = fmt == "csv-excel"
        _atomic_write(
            path, lambda fh: _write_csv(fh, header, cols, _Ticker(progress, total), excel)
        )
    else:
        _atomic_write(
            path, lambda fh: _write_xlsx(fh, header, cols, _Ticker(progress, total), about)
        )
    return total


def write_table(
    path: str,
    fmt: str,
    header: Sequence[str],
    cols: Sequence[pa.Array | np.ndarray | Sequence[object]],
    *,
    sheets: Sequence[tuple[str, int, int]] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write a plain table of text cells (not units of a register: `diff`'s rows) to
    `path` as csv, csv-excel, xlsx or json (a list of objects keyed by the header);
    returns the number of rows. With `sheets` [(name, start, stop)] the XLSX holds one
    sheet per range of rows, each with the header; CSV and JSON hold every row. Cells
    are neutralised, ids kept text, and the file written whole or not at all, as
    `write_export` does."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use csv, csv-excel, xlsx or json.")
    head = [str(h) for h in header]
    arrays = [_as_text(c) for c in cols]
    total = len(arrays[0]) if arrays else 0
    if fmt == "json":
        values = [a.to_pylist() for a in arrays]
        objects = [dict(zip(head, row, strict=True)) for row in zip(*values, strict=True)]
        _atomic_write(path, lambda fh: _write_json(fh, [objects], total, _Ticker(progress, total)))
    elif fmt in ("csv", "csv-excel"):
        excel = fmt == "csv-excel"
        _atomic_write(
            path, lambda fh: _write_csv(fh, head, arrays, _Ticker(progress, total), excel)
        )
    else:
        _atomic_write(
            path,
            lambda fh: _write_xlsx(fh, head, arrays, _Ticker(progress, total), sheets=sheets),
        )
    return total


#: formats `write_diff` writes
DIFF_FORMATS = ("csv", "xlsx", "json")


def write_diff(d: Diff, path: str, fmt: str, progress: Progress | None = None) -> int:
    """Write a comparison's table form (`diff.Diff.table`) to `path` as csv, xlsx (a
    sheet per kind, every sheet with the header) or json (a list of row objects)
    through `write_table` (cells neutralised, ids text, the file whole or not at all);
    returns the number of rows. An exception raised in `progress(rows_written, total)`
    stops the writing (a way to cancel)."""
    if fmt not in DIFF_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use csv, xlsx or json.")
    d.require_complete()
    parts = [d.table((kind,)) for kind in KINDS]
    cols = [np.concatenate([p[i] for p in parts]) for i in range(len(TABLE_HEADER))]
    sheets = []
    start = 0
    for kind, part in zip(KINDS, parts, strict=True):
        sheets.append((kind, start, start + len(part[0])))
        start += len(part[0])
    return write_table(path, fmt, TABLE_HEADER, cols, sheets=sheets, progress=progress)
