"""A cache of loaded registers, so reopening the same file skips parsing and validation.

One folder per file version under the user cache dir (or `SORVIEWER_CACHE_DIR`):
Arrow IPC files for the tables, `.npy` files for the index arrays, the search index
(`search-*` files, `search.base_parts`), and `meta.json` for the source info and the
load report. The key covers the file's size, modification time, a hash of its first
and last MiB, the cache format and the loader version. A cache that cannot be written
or read is ignored; it never fails a load.

Small on disk: a text column with few distinct values (most of SOR's 113 columns
repeat a handful) is an Arrow dictionary (`encoding`: the register holds it as a
dictionary in memory too), and every Arrow file is compressed (`COMPRESSION`): the
full register's cache is about 1.3 times the zip's size instead of 20 times. Reading
keeps the dictionaries as they are (bounds-checked: a bad index fails the read), so
the register in memory is the one the file load builds, without a decoding pass.

Let go after the load: every file is read whole into memory and closed, never mapped
(Windows cannot delete or replace a file that is open or mapped, and the folder must
stay removable while the register is open). A folder is written under a temporary
name and renamed into place, so a crash leaves no half-written entry.

Bounded: the folders together stay under a size limit (`set_size_limit`, 2 GB by
default), the least recently used register going first (a read marks its folder used).

The cache is input too: what is read back is checked before it is trusted. meta.json
records every file's size and a CRC-32 of each (the large tables too, now that they
are compressed), and the arrays are checked against each other and the tables
(lengths, bounds, order) whatever the files say. On any mismatch the folder is removed
and the register is loaded from the file again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import search
from .api import Register
from .encoding import encoded, frame_types, plain
from .messages import Message
from .register import SourceInfo
from .report import LoadReport, ReportRow

SAMPLE = 1 << 20
#: 3: dictionary-encoded, compressed Arrow files, read into memory; the search index.
#: Folders of another format are not read, and are removed at the next write.
FORMAT = 3
#: files up to this size get a CRC-32 in meta.json (every file of a compressed cache
#: of a real register); larger ones are checked by size and Arrow's structure checks
CHECKSUM_LIMIT = 256 << 20
#: the Arrow files' compression (BENCHMARKS.md, "Opening and reopening")
COMPRESSION = "zstd"
#: the cache folder's default bound, in bytes
DEFAULT_LIMIT = 2_000_000_000
#: a temporary folder this old is a write that never finished (the program was killed)
STALE_TMP_S = 6 * 3600

_limit = DEFAULT_LIMIT


def set_size_limit(limit: int) -> None:
    """Bound the cache folder to `limit` bytes in total (the window's setting)."""
    global _limit
    _limit = max(0, int(limit))


def size_limit() -> int:
    return _limit


def cache_root() -> str:
    env = os.environ.get("SORVIEWER_CACHE_DIR")
    if env:
        return env
    from platformdirs import user_cache_dir

    return os.path.join(user_cache_dir("sorviewer", appauthor=False), "registers")


def cache_key(path: str, loader_version: str) -> str | None:
    """A key for this exact file content (cheap: stat plus two 1 MiB samples)."""
    try:
        st = os.stat(path)
        h = hashlib.sha256()
        h.update(f"{FORMAT}|{loader_version}|{st.st_size}|{st.st_mtime_ns}".encode())
        with open(path, "rb") as f:
            h.update(f.read(SAMPLE))
            if st.st_size > 2 * SAMPLE:
                f.seek(st.st_size - SAMPLE)
                h.update(f.read(SAMPLE))
        h.update(os.path.abspath(path).encode("utf-8", "surrogateescape"))
    except OSError:
        return None
    return h.hexdigest()[:32]


def _encoded(table: pa.Table) -> pa.Table:
    """`table` with its low-cardinality text columns as dictionaries (`encoding`'s rule;
    one dictionary per column, shared by every batch, as the IPC file format wants)."""
    columns = []
    for column in table.columns:
        enc = encoded(column)
        columns.append(column if enc is None else enc)
    return pa.Table.from_arrays(columns, names=table.column_names, metadata=table.schema.metadata)


def _write_arrow(table: pa.Table, file: str) -> None:
    options = pa.ipc.IpcWriteOptions(compression=COMPRESSION)
    with (
        pa.OSFile(file, "wb") as sink,
        pa.ipc.new_file(sink, table.schema, options=options) as writer,
    ):
        writer.write_table(table, max_chunksize=1 << 17)


def _write_table(df: pd.DataFrame, file: str) -> None:
    """A register's frame, its repeating columns dictionaries already (`encoding`)."""
    _write_arrow(pa.Table.from_pandas(df, preserve_index=False), file)


def _read_arrow(file: str) -> pa.Table:
    """The whole file read into memory (never mapped: the file is closed on return)."""
    with pa.OSFile(file, "rb") as source:
        table = pa.ipc.open_file(source).read_all()
    table.validate()  # buffer sizes and offsets fit the lengths (no pass over the data)
    return table


def _checked(table: pa.Table) -> pa.Table:
    """`table` once every dictionary index is known to be inside its dictionary (a bad
    one fails the read, as a bad offset does): the smallest and largest index of each
    chunk, read straight off its buffer (a full validation also checked the values'
    UTF-8, which no plain text column gets either, and cost 0.2 s on the full register;
    pyarrow's min_max, ten times what numpy takes)."""
    for column in table.columns:
        if not pa.types.is_dictionary(column.type):
            continue
        for chunk in column.chunks:
            if not _indices_fit(chunk):
                raise pa.ArrowInvalid("a dictionary index outside its dictionary")
    return table


def _indices_fit(chunk: pa.DictionaryArray) -> bool:
    indices, size = chunk.indices, len(chunk.dictionary)
    if not len(indices):
        return True
    data = indices.buffers()[1]
    if data is None:
        return False
    every = np.frombuffer(data, dtype=indices.type.to_pandas_dtype())
    every = every[indices.offset : indices.offset + len(indices)]
    if every.min() >= 0 and every.max() < size:  # null slots included: nearly always so
        return True
    # a null slot may hold anything: only the valid indices count
    low, high = pc.min_max(indices).values()
    return not low.is_valid or (low.as_py() >= 0 and high.as_py() < size)


def _read_table(file: str) -> pd.DataFrame:
    """A register's frame: its dictionary columns stay dictionaries (no decoding:
    `encoding`), the rest is pandas' pyarrow text."""
    return _checked(_read_arrow(file)).to_pandas(types_mapper=frame_types)


def write_cache(key: str, reg: Register) -> bool:
    """Store `reg` under `key` (with its search index, built here when the register has
    none yet), then keep the folder under its size limit. Returns False (silently) when
    that is not possible."""
    root = cache_root()
    final = os.path.join(root, key)
    tmp = None
    try:
        os.makedirs(root, exist_ok=True)
        if os.path.isdir(final):
            return True
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=root)
        parts = reg.to_parts()
        _write_table(parts["entities"], os.path.join(tmp, "entities.arrow"))
        names = []
        for i, (name, df) in enumerate(parts["tables"].items()):
            _write_table(df, os.path.join(tmp, f"table{i}.arrow"))
            names.append(name)
        for name, arr in parts["arrays"].items():
            np.save(os.path.join(tmp, f"{name}.npy"), np.ascontiguousarray(arr))
        texts, numbers, digits = search.base_parts(reg)
        for name, text in texts.items():
            _write_arrow(_encoded(pa.table({"v": text})), os.path.join(tmp, f"search-{name}.arrow"))
        for name, arr in numbers.items():
            np.save(os.path.join(tmp, f"search-{name}.npy"), np.ascontiguousarray(arr))
        src: SourceInfo = parts["source"]
        rep: LoadReport = parts["report"]
        meta = {
            "format": FORMAT,
            "files": _manifest(tmp),
            "tables": names,
            "inheritance": parts["inheritance"],
            "source": {
                "path": src.path,
                "format": src.format,
                "format_version": src.format_version,
                "snapshot_date": src.snapshot_date.isoformat() if src.snapshot_date else None,
                "has_history": src.has_history,
                "table_rows": src.table_rows,
            },
            "report": [_row_doc(r) for r in rep.rows],
            "counts": [[t, k, c, n] for (t, k, c), n in rep._counts.items()],
            "search": {"texts": sorted(texts), "numbers": sorted(numbers), "digits": digits},
        }
        with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        os.replace(tmp, final)
        tmp = None
        evict(keep=key)
        return True
    except (OSError, ValueError, TypeError, KeyError, pa.ArrowException):
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _manifest(folder: str) -> dict[str, list[int | None]]:
    """{file: [size, CRC-32 or None]} for every file in `folder`."""
    out: dict[str, list[int | None]] = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        size = os.path.getsize(path)
        crc = None
        if size <= CHECKSUM_LIMIT:
            with open(path, "rb") as f:
                crc = zlib.crc32(f.read())
        out[name] = [size, crc]
    return out


def _manifest_holds(folder: str, files: dict[str, list[int | None]]) -> bool:
    """Whether every file listed is there with its size, and its CRC where one is kept."""
    for name, (size, crc) in files.items():
        path = os.path.join(folder, name)
        if os.path.getsize(path) != size:
            return False
        if crc is not None:
            with open(path, "rb") as f:
                if zlib.crc32(f.read()) != crc:
                    return False
    return True


def _param_doc(value: object) -> object:
    """A report row's value as JSON (sentences and dates keep what they are)."""
    if isinstance(value, Message):
        return {"$msg": value.code, "params": {k: _param_doc(v) for k, v in value.params.items()}}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, np.integer):
        return int(value)
    return value


def _param_value(doc: object) -> object:
    if isinstance(doc, dict) and "$msg" in doc:
        params = doc.get("params") or {}
        return Message(str(doc["$msg"]), {k: _param_value(v) for k, v in params.items()})
    if isinstance(doc, dict) and "$date" in doc:
        return dt.date.fromisoformat(str(doc["$date"]))
    return doc


def _row_doc(row: ReportRow) -> dict[str, Any]:
    doc = dict(row.__dict__)
    if row.params is not None:
        doc["params"] = {k: _param_doc(v) for k, v in row.params.items()}
    return doc


def _row(doc: dict[str, Any]) -> ReportRow:
    params = doc.get("params")
    if params is not None:
        doc = dict(doc, params={k: _param_value(v) for k, v in params.items()})
    return ReportRow(**doc)


def consistent(entities: pd.DataFrame, arrays: dict[str, np.ndarray]) -> bool:
    """Whether the index arrays fit each other and the entity rows: the lengths, the
    bounds every query indexes with, and the order the binary searches assume. Cheap
    (a few passes over int arrays), and true of every register `Register.build` makes."""
    try:
        n = len(entities)
        per_row = ("sor_id", "from_day", "to_day", "parent_id", "row_entity", "name_rank")
        if any(arrays[k].ndim != 1 or len(arrays[k]) != n for k in per_row):
            return False
        ids, start = arrays["ids"], arrays["id_start"]
        m = len(ids)
        if len(start) != m + 1 or len(arrays["first_day"]) != m or len(arrays["last_day"]) != m:
            return False
        if any(not np.issubdtype(a.dtype, np.integer) for a in arrays.values()):
            return False
        if start[0] != 0 or start[-1] != n or np.any(np.diff(start) <= 0):
            return False
        if m > 1 and np.any(np.diff(ids) <= 0):
            return False
        rows = arrays["row_entity"]
        if not np.array_equal(rows, np.repeat(np.arange(m), np.diff(start))):
            return False
        if not np.array_equal(arrays["sor_id"], ids[rows]):
            return False
        rank = arrays["name_rank"]
        return bool(n == 0 or (rank.min() >= 0 and rank.max() <= n))
    except (KeyError, ValueError, TypeError, IndexError):
        return False


def read_cache(key: str) -> Register | None:
    """The cached Register for `key`, or None when absent, unreadable or not what was
    written (then the folder is removed, so that the next load writes it anew)."""
    folder = os.path.join(cache_root(), key)
    meta_file = os.path.join(folder, "meta.json")
    if not os.path.isfile(meta_file):
        return None
    reg = _read(folder, meta_file)
    if reg is None:
        shutil.rmtree(folder, ignore_errors=True)
    return reg


def _read(folder: str, meta_file: str) -> Register | None:
    try:
        with open(meta_file, encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("format") != FORMAT or not _manifest_holds(folder, meta["files"]):
            return None
        entities = _read_table(os.path.join(folder, "entities.arrow"))
        tables = {
            name: _read_table(os.path.join(folder, f"table{i}.arrow"))
            for i, name in enumerate(meta["tables"])
        }
        found = meta["search"]
        texts = {  # the search index's own columns, small: decoded to the text it reads
            n: plain(
                _checked(_read_arrow(os.path.join(folder, f"search-{n}.arrow"))).column(0)
            ).combine_chunks()
            for n in found["texts"]
        }
        arrays = {n: np.load(os.path.join(folder, f"{n}.npy")) for n in Register.ARRAY_NAMES}
        numbers = {n: np.load(os.path.join(folder, f"search-{n}.npy")) for n in found["numbers"]}
        if not consistent(entities, arrays):
            return None
        s = meta["source"]
        source = SourceInfo(
            path=s["path"],
            format=s["format"],
            format_version=s["format_version"],
            snapshot_date=dt.date.fromisoformat(s["snapshot_date"]) if s["snapshot_date"] else None,
            has_history=s["has_history"],
            table_rows=s["table_rows"],
        )
        report = LoadReport(rows=[_row(r) for r in meta["report"]])
        report._counts = Counter({(t, k, c): n for t, k, c, n in meta["counts"]})
        reg = Register.from_parts(entities, tables, source, report, meta["inheritance"], arrays)
        if not search.restore_base(reg, texts, numbers, found["digits"]):
            return None
        with contextlib.suppress(OSError):
            os.utime(folder)  # most recently used
        return reg
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None


@dataclass(frozen=True)
class Entry:
    """One cached register: its folder, its size on disk, when it was last used."""

    key: str
    path: str
    size: int
    used: float


def _folder_size(folder: str) -> int:
    total = 0
    for base, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(base, name))
    return total


def entries() -> list[Entry]:
    """The cached registers, most recently used first (stale temporary folders of
    writes that never finished are removed on the way)."""
    root = cache_root()
    out = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    now = time.time()
    for name in names:
        path = os.path.join(root, name)
        try:
            if not os.path.isdir(path):
                continue
            used = os.path.getmtime(path)
        except OSError:
            continue
        if name.startswith("."):
            if name.startswith(".tmp-") and now - used > STALE_TMP_S:
                shutil.rmtree(path, ignore_errors=True)
            continue
        out.append(Entry(name, path, _folder_size(path), used))
    out.sort(key=lambda e: e.used, reverse=True)
    return out


def total_size() -> int:
    """Bytes the cached registers take on disk."""
    return sum(e.size for e in entries())


def _format_of(folder: str) -> object:
    try:
        with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
            return json.load(f).get("format")
    except (OSError, ValueError, AttributeError):
        return None


def evict(limit: int | None = None, keep: str | None = None) -> list[str]:
    """Remove the least recently used registers until the rest take at most `limit`
    bytes (the size limit when None). The entry `keep` (just written) goes last, only
    when it alone is over the limit. Folders of another cache format go first, whatever
    the limit. The keys removed (of this format's folders)."""
    limit = _limit if limit is None else limit
    found = []
    for entry in entries():
        if _format_of(entry.path) == FORMAT:
            found.append(entry)
        else:  # another version's folder (or a broken one): never read, so not kept
            shutil.rmtree(entry.path, ignore_errors=True)
    total = sum(e.size for e in found)
    others = [e for e in found if e.key != keep]
    mine = [e for e in found if e.key == keep]
    removed = []
    for entry in [*reversed(others), *mine]:  # the least recently used first
        if total <= limit:
            break
        shutil.rmtree(entry.path, ignore_errors=True)
        total -= entry.size
        removed.append(entry.key)
    return removed


def clear() -> int:
    """Remove every cached register (the window's "Clear cache"; an open register is in
    memory and stays open). The bytes freed."""
    freed = 0
    root = cache_root()
    try:
        names = os.listdir(root)
    except OSError:
        return 0
    for name in names:
        path = os.path.join(root, name)
        if os.path.isdir(path) and not name.startswith(".tmp-"):
            freed += _folder_size(path)
            shutil.rmtree(path, ignore_errors=True)
    return freed
