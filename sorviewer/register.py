"""The columnar store: every version row of every table, with array indexes.

Format readers hand over a `RawData` (text columns with canonical names, see
`raw`); `Store.build` validates it once (dates, ids, parents, cycles, duplicates,
overlaps, check digits) and derives the numpy arrays that every date query works
on. The store is immutable after the load. What is derived from it later lives in
its cache (`Store.cache`, a thread-safe `memo.Memo`; docs/ARCHITECTURE.md,
"Threads"). Queries live in their own modules above this one (asof, provenance,
mapping, ...); `api.Register` adds the stable convenience methods on top.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .arrays import cycle_members, index_of
from .dates import MAX_DAY, MIN_DAY, from_day, parse_day_column
from .encoding import dictionary_series, encoded, encoded_frame, is_dictionary, plain, series_of
from .memo import Memo
from .messages import Message, clean_text, msg
from .raw import LINE, STRING, Inheritance, RawData, SourceInfo
from .report import LoadReport, Severity
from .text import fold_text, name_sort_key, name_sort_keys

#: Names other modules imported from here before `raw` and `text` existed.
__all__ = [
    "LINE",
    "STRING",
    "Inheritance",
    "RawData",
    "SourceInfo",
    "Store",
    "digits_to_int64",
    "fold_text",
    "name_sort_key",
    "name_sort_keys",
]

T = TypeVar("T")


def digits_to_int64(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Convert id text to int64. Returns (ids with 0 for null/bad, bad mask for non-null bad).

    Tolerates a trailing `.0` (docs/FORMATS.md, "Identifiers"). Ids longer than 18 digits are
    bad, and so are digits other than ASCII 0-9 (Arabic-Indic or full-width digits pass a
    Unicode `\\d`, and the int64 conversion below would then fail).

    A column kept as a dictionary (`encoding`) is converted once per distinct value.
    """
    if is_dictionary(values):
        arr = pa.chunked_array(values.array.__arrow_array__()).combine_chunks()
        ids, bad = digits_to_int64(series_of(arr.dictionary))
        index = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        filled = index >= 0  # -1: a null cell, neither an id nor bad
        out_ids = np.zeros(len(index), dtype=np.int64)
        out_bad = np.zeros(len(index), dtype=bool)
        out_ids[filled] = ids[index[filled]]
        out_bad[filled] = bad[index[filled]]
        return out_ids, out_bad
    s = values.astype(STRING).str.strip()
    if s.str.endswith(".0").any():  # the CSV cleaning removed these already
        s = s.str.replace(r"\.0$", "", regex=True)
    ok = s.str.fullmatch(r"[0-9]{1,18}").fillna(False).to_numpy(dtype=bool)
    null = s.isna().to_numpy() | (s == "").fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(s), dtype=np.int64)
    if ok.any():
        out[ok] = s[ok].astype("int64[pyarrow]").to_numpy(dtype=np.int64)
    return out, ~ok & ~null


class Store:
    """Columnar SOR register. Build with `build(raw)`; see the module docstring."""

    entities: pd.DataFrame  # version rows sorted by (SorId, FromDate)
    tables: dict[str, pd.DataFrame]
    source: SourceInfo
    report: LoadReport
    inheritance: Inheritance
    # per row
    sor_id: np.ndarray  # int64
    from_day: np.ndarray  # int32, MIN_DAY when empty
    to_day: np.ndarray  # int32, MAX_DAY when open
    parent_id: np.ndarray  # int64, 0 = none
    row_entity: np.ndarray  # int32 index into `ids`
    name_rank: np.ndarray  # int32 Danish collation rank of EntityName
    # per entity
    ids: np.ndarray  # int64, sorted unique
    id_start: np.ndarray  # int64 offsets into rows, len(ids) + 1
    first_day: np.ndarray  # int32, first valid day (FirstFromDate or smallest FromDate)
    last_day: np.ndarray  # int32, last valid day (MAX_DAY when open)
    #: the load cache's key for the file this was read from, while it is not written
    #: yet (`loading.save_cache`)
    cache_key: str | None

    def __init__(self) -> None:
        self._caches = Memo()
        self.cache_key = None

    # --- construction -------------------------------------------------------------

    @classmethod
    def build(cls: type[S], raw: RawData, cancelled: Callable[[], bool] | None = None) -> S:
        """Validate `raw` and derive the indexes. Problems go to `raw.report`.

        `cancelled` is polled between columns of the one slow step (row reordering).
        """
        reg = cls()
        reg.source = raw.source
        reg.report = raw.report
        reg.inheritance = raw.inheritance
        reg.tables = raw.tables
        reg.entities = _validated_entities(raw.entities, raw.report)
        # the register owns the rows from here: reordering them can then free each old
        # column as soon as it is copied (an empty slice would still hold every column)
        raw.entities = pd.DataFrame()
        for name, frame in reg.tables.items():
            _report_bad_dates(raw.report, name, frame)
        reg._derive_arrays(validate=True, cancelled=cancelled)
        # the tables' columns that repeat a few values, as dictionaries (the entity rows'
        # are, from `_derive_arrays`)
        reg.tables = {name: encoded_frame(frame) for name, frame in reg.tables.items()}
        raw.report.finish()
        return reg

    @classmethod
    def from_parts(
        cls: type[S],
        entities: pd.DataFrame,
        tables: dict[str, pd.DataFrame],
        source: SourceInfo,
        report: LoadReport,
        inheritance: Inheritance,
        arrays: dict[str, np.ndarray],
    ) -> S:
        """Rebuild from what `to_parts` gave (the cache path): no re-validation."""
        reg = cls()
        reg.entities = entities
        reg.tables = tables
        reg.source = source
        reg.report = report
        reg.inheritance = inheritance
        for name, arr in arrays.items():
            setattr(reg, name, arr)
        return reg

    ARRAY_NAMES = (
        "sor_id",
        "from_day",
        "to_day",
        "parent_id",
        "row_entity",
        "name_rank",
        "ids",
        "id_start",
        "first_day",
        "last_day",
    )

    def to_parts(self) -> dict[str, Any]:
        """Everything `from_parts` needs, for the cache."""
        return {
            "entities": self.entities,
            "tables": self.tables,
            "source": self.source,
            "report": self.report,
            "inheritance": self.inheritance,
            "arrays": {n: getattr(self, n) for n in self.ARRAY_NAMES},
        }

    def _derive_arrays(self, validate: bool, cancelled: Callable[[], bool] | None = None) -> None:
        ent = self.entities
        del self.entities  # `ent` is the one reference while rows are dropped and reordered
        rep = self.report
        lines = ent[LINE].to_numpy() if LINE in ent.columns else np.arange(len(ent)) + 2
        table = "SOREntity"

        sor_id, bad = digits_to_int64(ent["SorId"])
        drop = bad | (sor_id == 0)
        if drop.any():
            col = ent["SorId"]
            _list_rows(
                rep,
                np.nonzero(drop)[0],
                lambda i: msg("report.bad_id", value=clean_text(col.iloc[i], 60)),
                severity="error",
                table=table,
                kind="bad_id",
                column="SorId",
                lines=lines,
            )
            keep = ~drop
            ent = ent.loc[keep].reset_index(drop=True)
            sor_id = sor_id[keep]
            lines = lines[keep]

        from_d, bad_from = parse_day_column(ent["FromDate"], MIN_DAY)
        to_d, bad_to = parse_day_column(ent["ToDate"], MAX_DAY)
        first_d, bad_first = parse_day_column(ent["FirstFromDate"], MIN_DAY)
        for col_name, badm in (
            ("FromDate", bad_from),
            ("ToDate", bad_to),
            ("FirstFromDate", bad_first),
        ):
            _list_bad_dates(rep, table, ent[col_name], col_name, badm, lines, sor_id)
        _report_bad_dates(
            rep, table, ent, skip=("FromDate", "ToDate", "FirstFromDate"), sor_ids=sor_id
        )
        parent, bad_parent = digits_to_int64(ent["ParentSorId"])
        parent_col = ent["ParentSorId"]
        _list_rows(
            rep,
            np.nonzero(bad_parent)[0],
            lambda i: msg("report.bad_parent_id", value=clean_text(parent_col.iloc[i], 60)),
            severity="warning",
            table=table,
            kind="bad_id",
            column="ParentSorId",
            lines=lines,
            sor_ids=sor_id,
        )

        order = np.lexsort((from_d, sor_id))
        if not np.array_equal(order, np.arange(len(order))):
            holder = [ent]
            del ent
            ent = _take_rows(holder, order, cancelled)
            sor_id, from_d, to_d, first_d, parent, lines = (
                a[order] for a in (sor_id, from_d, to_d, first_d, parent, lines)
            )
        # the columns that repeat a few values, as dictionaries (reordered rows are
        # already): what the cache stores and reads back, a fraction of the memory
        ent = encoded_frame(ent)
        to_d = to_d.copy()

        n = len(sor_id)
        same_next = np.zeros(n, dtype=bool)
        if n > 1:
            same_next[:-1] = sor_id[1:] == sor_id[:-1]
        # NSP style: a superseded version without ToDate ends the day before the next one.
        nsp = np.nonzero(same_next & (to_d == MAX_DAY))[0]
        to_d[nsp] = from_d[nsp + 1] - 1
        _list_rows(
            rep,
            nsp,
            lambda i: msg("report.open_superseded"),
            severity="info",
            kind="open_superseded",
            column="ToDate",
            table=table,
            lines=lines,
            sor_ids=sor_id,
        )
        dup = same_next & (np.r_[from_d[1:], 0] == from_d) if n else same_next
        dup_at = np.nonzero(dup)[0]
        # the row reported is the later one of the two (the one that wins)
        _list_rows(
            rep,
            dup_at,
            lambda i: msg("report.duplicate_version"),
            severity="warning",
            kind="duplicate_version",
            column="FromDate",
            table=table,
            lines=np.r_[lines[1:], 0] if n else lines,
            sor_ids=sor_id,
        )
        overlap = same_next & ~dup & (to_d >= np.r_[from_d[1:], 0]) if n else same_next
        _list_rows(
            rep,
            np.nonzero(overlap)[0],
            lambda i: msg("report.overlapping_versions"),
            severity="warning",
            kind="overlapping_versions",
            column="ToDate",
            table=table,
            lines=lines,
            sor_ids=sor_id,
        )
        backwards = (to_d < from_d) & (to_d != MAX_DAY) & (from_d != MIN_DAY)
        _list_rows(
            rep,
            np.nonzero(backwards)[0],
            lambda i: msg("report.bad_interval"),
            severity="warning",
            kind="bad_interval",
            column="ToDate",
            table=table,
            lines=lines,
            sor_ids=sor_id,
        )

        ids, id_start = np.unique(sor_id, return_index=True)
        id_start = np.r_[id_start, n].astype(np.int64)
        row_entity = np.repeat(np.arange(len(ids), dtype=np.int32), np.diff(id_start))
        # first valid day: FirstFromDate where given, else the smallest FromDate
        first_row = (
            np.minimum.reduceat(np.where(first_d == MIN_DAY, MAX_DAY, first_d), id_start[:-1])
            if n
            else np.array([], dtype=np.int32)
        )
        min_from = from_d[id_start[:-1]] if n else np.array([], dtype=np.int32)
        first_day = np.where(first_row == MAX_DAY, min_from, np.minimum(first_row, min_from))
        last_day = np.maximum.reduceat(to_d, id_start[:-1]) if n else np.array([], dtype=np.int32)

        ent[LINE] = lines
        self.entities = ent
        self.sor_id = sor_id
        self.from_day = from_d.astype(np.int32)
        self.to_day = to_d.astype(np.int32)
        self.parent_id = parent
        self.ids = ids
        self.id_start = id_start
        self.row_entity = row_entity
        self.first_day = first_day.astype(np.int32)
        self.last_day = last_day.astype(np.int32)
        self.name_rank = _name_ranks(ent["EntityName"])
        if validate:
            _validate_references(self, lines)

    # --- small helpers used by the query modules ----------------------------------

    def entity_index(self, sor_id: int | str) -> int:
        """Index of `sor_id` in `ids`, or -1 when it is not in the file."""
        try:
            key = int(str(sor_id).strip())
        except ValueError:
            return -1
        if not 0 < key < 2**63:
            return -1
        return int(index_of(self.ids, np.asarray(key, dtype=np.int64)))

    def index_of(self, sor_ids: np.ndarray) -> np.ndarray:
        """Entity indices of int64 SorIds (0 or an id not in the file gives -1)."""
        return index_of(self.ids, sor_ids)

    def rows_of(self, e: int) -> range:
        """Version rows of entity index `e`, oldest first."""
        return range(int(self.id_start[e]), int(self.id_start[e + 1]))

    def value(self, row: int, column: str) -> str | None:
        """One cell as text (None when null or the column is missing)."""
        if column not in self.entities.columns:
            return None
        v = self.entities[column].iat[row]
        return None if _is_null(v) else str(v)

    def column_names(self) -> tuple[str, ...]:
        """The SOREntity columns in the file's order (internal ones included)."""
        return self.cache("column_names", lambda: tuple(str(c) for c in self.entities.columns))

    def column_values(self, column: str, rows: np.ndarray) -> np.ndarray:
        """One column's cells of many rows as an object array of str or None (a row
        index of -1, or a column the file lacks, gives None)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.full(len(rows), None, dtype=object)
        if column not in self.column_names():
            return out
        ok = rows >= 0
        out[ok] = self.take(column, rows[ok]).to_numpy(zero_copy_only=False)
        return out

    def encoded_column(self, column: str) -> pa.ChunkedArray:
        """One SOREntity column as the store holds it, as pyarrow: plain text, or a
        dictionary array for a column that repeats a few values (`encoding`). For readers
        that take rows first and decode only those (`plain`), or that need no text (null
        counts). Built once per column, without a copy."""

        def make() -> pa.ChunkedArray:
            values = self.entities[column].array
            if hasattr(values, "__arrow_array__"):  # pyarrow-backed (text, dictionary): no copy
                arr = values.__arrow_array__()
            else:
                arr = pa.array(np.asarray(values, dtype=object), from_pandas=True)
            return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])

        return self.cache(f"arrow:{column}", make)

    def arrow_column(self, column: str) -> pa.ChunkedArray:
        """One SOREntity column over every row as plain pyarrow text (a dictionary column
        decoded here, each call: ~5 ms on the full register, and not kept, so a register
        holds its repeating columns once)."""
        return plain(self.encoded_column(column))

    def series(self, column: str, rows: np.ndarray | None = None) -> pd.Series:
        """One SOREntity column (or the cells of `rows` in it, index 0..n-1) as a pandas
        text Series, decoded from its dictionary when it is one: what pandas readers of a
        column get, whatever the store holds."""
        if rows is None:
            return series_of(self.encoded_column(column))
        return series_of(self.take(column, np.asarray(rows, dtype=np.int64)))

    def take(self, column: str, rows: np.ndarray) -> pa.Array | pa.ChunkedArray:
        """The cells of `rows` in one column, as a pyarrow array."""
        return self.takes([column], rows)[column]

    def takes(
        self, columns: list[str], rows: np.ndarray, *, encoded: bool = False
    ) -> dict[str, pa.Array | pa.ChunkedArray]:
        """The cells of `rows` in each of `columns` (present in the file), as pyarrow text
        arrays; with `encoded`, a column the store keeps as a dictionary stays one (for a
        reader that needs no text of most of them, e.g. only which cells are filled).

        Columns that share chunk boundaries are taken together, one record batch per
        chunk, so a few rows of a hundred columns cost a few calls, not hundreds; and
        chunk by chunk, because pyarrow's take on a chunked array first joins the
        chunks (~30 ms a column on the full register, even for one row)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == len(self.sor_id) and np.array_equal(rows, np.arange(len(rows))):
            # every row: nothing to take
            whole = self.encoded_column if encoded else self.arrow_column
            return {c: whole(c) for c in columns}
        out: dict[str, pa.Array | pa.ChunkedArray] = {}
        for taken in self._taken(columns, rows):
            for c in taken.schema.names:
                out[c] = taken.column(c) if encoded else plain(taken.column(c))
        return out

    def reader(self, rows: np.ndarray, nulls: np.ndarray | None = None) -> RowsReader:
        """A reader of the cells of `rows` in any column, one column at a time (many
        columns of the same rows: the plan is worked out once); positions where `nulls`
        is true read as null."""
        return RowsReader(self, rows, nulls)

    def _taken(self, columns: list[str], rows: np.ndarray) -> list[pa.RecordBatch]:
        """`rows` of `columns` as one record batch per chunk layout (see `takes`)."""
        wanted = set(columns)
        out = []
        for ends, names, batches in self._layouts():
            mine = [c for c in names if c in wanted]
            if not mine:
                continue
            if 0 < len(rows) <= 16:  # a few rows: zero-copy slices (a take costs ~0.5 ms)
                which = np.searchsorted(ends, rows, side="right")
                starts = np.r_[0, ends[:-1]]
                chosen = {k: batches[k].select(mine) for k in set(which.tolist())}
                slices = [
                    chosen[k].slice(int(r - starts[k]), 1)
                    for k, r in zip(which.tolist(), rows.tolist(), strict=True)
                ]
                out.append(slices[0] if len(slices) == 1 else pa.concat_batches(slices))
                continue
            parts, back = _take_plan(ends, rows)
            if not parts:
                taken = batches[0].select(mine).slice(0, 0)
            else:
                taken = pa.concat_batches([batches[k].select(mine).take(ix) for k, ix in parts])
                if back is not None:
                    taken = taken.take(back)
            out.append(taken)
        return out

    def _layouts(self) -> list[tuple[np.ndarray, list[str], list[pa.RecordBatch]]]:
        """The entity columns grouped by chunk boundaries: (chunk ends, names, one record
        batch per chunk holding those columns; no data is copied)."""

        def make() -> list[tuple[np.ndarray, list[str], list[pa.RecordBatch]]]:
            groups: dict[tuple[int, ...], list[str]] = {}
            for c in self.entities.columns:
                arr = self.encoded_column(str(c))
                groups.setdefault(tuple(len(k) for k in arr.chunks), []).append(str(c))
            out = []
            for lengths, names in groups.items():
                cols = [self.encoded_column(c) for c in names]
                if not lengths:  # no rows: one empty batch
                    batches = [
                        pa.RecordBatch.from_arrays([a.combine_chunks() for a in cols], names)
                    ]
                    lengths = (0,)
                else:
                    batches = [
                        pa.RecordBatch.from_arrays([a.chunk(k) for a in cols], names)
                        for k in range(len(lengths))
                    ]
                out.append((np.cumsum(lengths), names, batches))
            return out

        layouts: list[tuple[np.ndarray, list[str], list[pa.RecordBatch]]]
        layouts = self.cache("column_layouts", make)
        return layouts

    def cells(self, rows: np.ndarray, columns: list[str]) -> dict[str, np.ndarray]:
        """The cells of `rows` in each of `columns`: object arrays of str or None."""
        rows = np.asarray(rows, dtype=np.int64)
        present = set(self.column_names())
        out = {c: np.full(len(rows), None, dtype=object) for c in columns if c not in present}
        wanted = [c for c in columns if c in present]
        if len(rows) <= 16:  # a few rows (one unit's view): one conversion per batch
            for taken in self._taken(wanted, rows):
                for c, vals in taken.to_pydict().items():  # a dictionary gives its values
                    cells = np.empty(len(rows), dtype=object)
                    cells[:] = vals
                    out[c] = cells
        else:
            for c, arr in self.takes(wanted, rows).items():
                out[c] = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
        return {c: out[c] for c in columns}

    def row_dict(self, row: int) -> dict[str, str | None]:
        """All data columns of one version row (not the internal line column)."""
        rec = self.entities.iloc[row]
        return {c: (None if _is_null(v) else str(v)) for c, v in rec.items() if c != LINE}

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        """[earliest FirstFromDate or FromDate, latest FromDate or ToDate]."""
        if not len(self.ids):
            return (None, None)
        lo = int(self.first_day[self.first_day != MIN_DAY].min(initial=MAX_DAY))
        to = self.to_day[self.to_day != MAX_DAY]
        fr = self.from_day[self.from_day != MIN_DAY]
        hi = max(int(to.max(initial=MIN_DAY)), int(fr.max(initial=MIN_DAY)))
        return (from_day(lo) if lo != MAX_DAY else None, from_day(hi) if hi != MIN_DAY else None)

    def peek(self, key: str) -> Any | None:
        """What `cache` holds for `key`, or None when nothing has computed it yet."""
        return self._caches.peek(key)

    def cache(self, key: str, make: Callable[[], T]) -> T:
        """A structure derived from the store that does not depend on the date, computed
        once (thread-safe: see `memo.Memo`)."""
        return self._caches.get(key, make)


S = TypeVar("S", bound=Store)


def _is_null(value: object) -> bool:
    """Whether a cell read from a frame is empty (NA; None or NaN from other frames)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


class RowsReader:
    """The cells of fixed version rows, read from any column chunk by chunk (as
    `Store.takes` does), with the plan (which rows come from which chunk, and the order
    that puts them back) worked out once per chunk layout and reused for every column.
    Positions where `nulls` is true read as null. Safe to share between threads."""

    def __init__(self, store: Store, rows: np.ndarray, nulls: np.ndarray | None = None) -> None:
        self.store = store
        self.rows = np.asarray(rows, dtype=np.int64)
        self.nulls = None if nulls is None or not nulls.any() else np.asarray(nulls, dtype=bool)
        self._plans = Memo()

    def __len__(self) -> int:
        return len(self.rows)

    def _plan(self, lengths: tuple[int, ...]) -> tuple[list[tuple[int, pa.Array]], pa.Array | None]:
        def make() -> tuple[list[tuple[int, pa.Array]], pa.Array | None]:
            parts, back = _take_plan(np.cumsum(lengths), self.rows)
            if self.nulls is not None:  # the put-back take also empties those positions
                order = back if back is not None else np.arange(len(self.rows))
                back = pa.array(np.asarray(order, dtype=np.int64), mask=self.nulls)
            return parts, back

        result: tuple[list[tuple[int, pa.Array]], pa.Array | None]
        result = self._plans.get(lengths, make)
        return result

    def take(self, column: str) -> pa.Array:
        """The column's cells of the rows (large or plain string, as the store holds it;
        a dictionary column's rows decoded after the take)."""
        arr = self.store.encoded_column(column)
        lengths = tuple(len(c) for c in arr.chunks)
        if not lengths or not len(self.rows):
            return pa.nulls(len(self.rows), plain(arr).type)
        parts, back = self._plan(lengths)
        pieces = [arr.chunk(k).take(ix) for k, ix in parts]
        out = pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)
        return plain(out if back is None else out.take(back))


def _take_plan(
    ends: np.ndarray, rows: np.ndarray
) -> tuple[list[tuple[int, pa.Array]], pa.Array | None]:
    """How to take `rows` from chunks that end at `ends`: per chunk the local indices (in
    chunk order), and the order that puts the joined result back in the order of `rows`
    (None when it already is)."""
    if len(ends) == 1:
        return ([(0, pa.array(rows, type=pa.int64()))] if len(rows) else []), None
    which = np.searchsorted(ends, rows, side="right")
    in_order = bool((np.diff(which) >= 0).all())
    order = np.arange(len(rows)) if in_order else np.argsort(which, kind="stable")
    starts = np.r_[0, ends[:-1]]
    sorted_rows, sorted_which = rows[order], which[order]
    bounds = np.searchsorted(sorted_which, np.arange(len(ends) + 1))
    parts = [
        (k, pa.array(sorted_rows[bounds[k] : bounds[k + 1]] - starts[k], type=pa.int64()))
        for k in range(len(ends))
        if bounds[k + 1] > bounds[k]
    ]
    if in_order:
        return parts, None
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    return parts, pa.array(back, type=pa.int64())


def _take_rows(
    holder: list[pd.DataFrame], order: np.ndarray, cancelled: Callable[[], bool] | None
) -> pd.DataFrame:
    """Reorder the rows of the one frame in `holder`, column by column, letting go of each
    old column as soon as it is copied, so reordering never holds two copies of the whole
    table. The columns are taken out of the frame once, up front: removing them from the
    frame one at a time costs pandas a pass over all the others each time (a file with a
    few thousand columns took minutes). All-null columns stay as they are."""
    from concurrent.futures import ThreadPoolExecutor

    from .errors import LoadCancelled

    def take(col: pd.Series) -> Any:
        values = col.array  # the column's values without its index: no alignment later
        if col.isna().all():
            return values
        # a column that repeats a few values is encoded first (`encoding`): reordering
        # its one-byte indices is cheaper than moving its text
        enc = encoded(pa.array(values, from_pandas=True)) if col.dtype == STRING else None
        if enc is not None:
            return dictionary_series(enc.take(pa.array(order))).array
        return values.take(order)

    df = holder.pop()
    names = list(df.columns)
    columns = [series for _name, series in df.items()]
    columns.reverse()  # popped from the end, first column first
    del df
    out: list[Any] = []
    workers = max(1, min(4, os.cpu_count() or 1))
    # pyarrow's take releases the GIL: reorder on every core, a few columns at a time
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = []
        while columns:
            if cancelled is not None and cancelled():
                raise LoadCancelled()
            pending.append(pool.submit(take, columns.pop()))
            if len(pending) > workers:
                out.append(pending.pop(0).result())
        out += [fut.result() for fut in pending]
    if not out:
        return pd.DataFrame(index=range(len(order)))
    frame = pd.DataFrame(dict(enumerate(out)), copy=False)
    frame.columns = pd.Index(names)
    return frame


def _validated_entities(df: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Add missing SOREntity columns as null (one report line for all of them)."""
    present = set(df.columns)
    missing = [c for c in schema.SOR_ENTITY_COLUMNS if c not in present]
    if missing:
        empty = pd.Series(pd.NA, index=df.index, dtype=STRING)
        df = pd.concat([df, pd.DataFrame(dict.fromkeys(missing, empty), index=df.index)], axis=1)
    if missing and "SorId" not in missing:
        listed = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        report.add(
            "info",
            "SOREntity",
            msg("report.missing_columns", count=len(missing), names=listed),
            kind="missing_column",
        )
    return df


#: columns holding dates or date-times, by name (FromDate, ToDate, FirstFromDate,
#: ShakDateFrom, SorToDate, GeoLocalisationEndDate, UpdatedAt, ...)
def _is_date_column(name: str) -> bool:
    return name.endswith(("Date", "DateFrom", "DateTo", "UpdatedAt"))


def _list_rows(
    rep: LoadReport,
    rows: np.ndarray,
    message: Callable[[int], Message],
    *,
    severity: Severity,
    table: str,
    kind: str,
    column: str | None,
    lines: np.ndarray | None,
    sor_ids: np.ndarray | None = None,
) -> None:
    """One report row for each of `rows` (row numbers) while the report lists this kind,
    and a count for the rest: a file with a million bad values costs no sentence each."""
    room = rep.room(table, kind, column)
    for i in rows[:room].tolist():
        rep.add(
            severity,
            table,
            message(i),
            line=int(lines[i]) if lines is not None else None,
            column=column,
            sor_id=(str(sor_ids[i]) or None) if sor_ids is not None else None,
            kind=kind,
        )
    rep.tally(table, kind, column, len(rows) - min(room, len(rows)))


def _list_bad_dates(
    rep: LoadReport,
    table: str,
    values: pd.Series,
    column: str,
    bad: np.ndarray,
    lines: np.ndarray | None,
    sor_ids: np.ndarray | None,
) -> None:
    _list_rows(
        rep,
        np.nonzero(bad)[0],
        lambda i: msg("report.bad_date", column=column, value=clean_text(values.iloc[i], 60)),
        severity="warning",
        table=table,
        kind="bad_date",
        column=column,
        lines=lines,
        sor_ids=sor_ids,
    )


def _report_bad_dates(
    rep: LoadReport,
    table: str,
    frame: pd.DataFrame,
    skip: tuple[str, ...] = (),
    sor_ids: np.ndarray | None = None,
) -> None:
    """Report every value of a date column of `frame` that is not a date (each table's
    readers take such a value as empty, so a bad FromDate reads as "always" and a bad
    ToDate as "open": the report says so, once, at load time)."""
    lines = frame[LINE].to_numpy() if LINE in frame.columns else None
    if sor_ids is None and "SorId" in frame.columns:
        sor_ids = frame["SorId"].astype(object).where(frame["SorId"].notna(), "").to_numpy()
    for column in frame.columns:
        if column in skip or not isinstance(column, str) or not _is_date_column(column):
            continue
        _days, bad = parse_day_column(frame[column], MIN_DAY)
        if bad.any():
            _list_bad_dates(rep, table, frame[column], column, bad, lines, sor_ids)


def _name_ranks(names: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    keys = name_sort_keys(pa.array(np.asarray(uniques, dtype=object), type=pa.large_string()))
    order = pc.sort_indices(keys).to_numpy()
    rank = np.empty(len(uniques) + 1, dtype=np.int32)
    rank[order] = np.arange(len(uniques), dtype=np.int32)
    rank[-1] = len(uniques)  # unnamed units sort last
    return rank[np.asarray(codes)]


def _sor_id_message(sid: str) -> Message | None:
    """The report sentence for a malformed SOR id (ids.sor_id_problem says what is wrong;
    here it is turned into a catalogue sentence), or None when the id is well-formed."""
    from .ids import sor_id_problem

    problem = sor_id_problem(sid)
    if problem is None:
        return None
    if problem.startswith("has "):
        return msg("report.sor_id_digits", sor_id=sid, n=len(sid))
    if problem.startswith("lacks "):
        return msg("report.sor_id_namespace", sor_id=sid)
    return msg("report.sor_id_check", sor_id=sid)


def _validate_references(reg: Store, lines: np.ndarray) -> None:
    """Unknown parents, cycles, level mismatches and check digits (report only)."""
    from .ids import ean_ok, eans_look_ok, sor_ids_look_ok

    rep = reg.report
    table = "SOREntity"
    has_parent = reg.parent_id != 0
    pidx = reg.index_of(reg.parent_id)
    known = pidx >= 0
    unknown = np.nonzero(has_parent & ~known)[0]
    if len(unknown):
        # one row per (unit, missing parent), at its first version naming that parent
        pairs = np.stack((reg.sor_id[unknown], reg.parent_id[unknown]), axis=1)
        _pairs, first = np.unique(pairs, axis=0, return_index=True)
        unknown = np.sort(unknown[first])
    _list_rows(
        rep,
        unknown,
        lambda i: msg("report.unknown_parent", parent=str(reg.parent_id[i])),
        severity="warning",
        table=table,
        kind="unknown_parent",
        column="ParentSorId",
        lines=lines,
        sor_ids=reg.sor_id,
    )
    # cycles in each unit's latest parent (a cycle at a past date is caught by the tree)
    last_rows = reg.id_start[1:] - 1
    in_cycle = cycle_members(pidx[last_rows])
    _list_rows(
        rep,
        np.nonzero(in_cycle)[0],
        lambda e: msg("report.cycle"),
        severity="error",
        table=table,
        kind="cycle",
        column="ParentSorId",
        lines=lines[last_rows] if len(last_rows) else lines,
        sor_ids=reg.ids,
    )
    suspects = np.nonzero(~sor_ids_look_ok(reg.ids))[0]
    problems: list[tuple[int, Message]] = []
    room = rep.room(table, "bad_check_digit", "SorId")
    for k in suspects.tolist():
        if len(problems) >= room:
            rep.tally(table, "bad_check_digit", "SorId", 1)
            continue
        message = _sor_id_message(str(int(reg.ids[k])))
        if message is not None:
            problems.append((k, message))
    for k, message in problems:
        rep.add(
            "warning",
            table,
            message,
            line=int(lines[reg.id_start[k]]),
            column="SorId",
            sor_id=str(int(reg.ids[k])),
            kind="bad_check_digit",
        )
    eans = reg.series("EanLocationCode")
    own = reg.series("EanLocationCodeState").str.lower() == "own"
    cand = eans[own.fillna(True) & eans.notna()]
    distinct = [v for v in pd.unique(cand.astype(STRING)) if isinstance(v, str)]
    good = eans_look_ok(distinct)
    bad_eans = [v for v, ok in zip(distinct, good.tolist(), strict=True) if not ok]
    for val in bad_eans[: rep.room(table, "bad_ean", "EanLocationCode")]:
        if not ean_ok(val):
            rep.add(
                "warning",
                table,
                msg("report.bad_ean", ean=clean_text(val, 60)),
                column="EanLocationCode",
                kind="bad_ean",
            )
