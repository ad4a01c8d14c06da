"""A cache of loaded registers, so reopening the same file skips parsing and validation.

One folder per file version under the user cache dir (or `SORVIEWER_CACHE_DIR`):
Arrow IPC files for the tables (memory-mapped on reopen), `.npy` files for the index
arrays, and `meta.json` for the source info and the load report. The key covers the
file's size, modification time, a hash of its first and last MiB, and the loader
version. A cache that cannot be written or read is ignored; it never fails a load.

The cache is input too: what is read back is checked before it is trusted. meta.json
records every file's size and a CRC-32 of the small ones (the index arrays; hashing the
large tables would cost more than the cache saves), and the arrays are checked against
each other and the tables (lengths, bounds, order) whatever the files say. On any
mismatch the folder is removed and the register is loaded from the file again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .api import Register
from .messages import Message
from .register import SourceInfo
from .report import LoadReport, ReportRow

KEEP = 4  # cached files kept; older ones are removed
SAMPLE = 1 << 20
FORMAT = 2
#: files up to this size get a CRC-32 in meta.json (the index arrays); larger ones (the
#: Arrow tables) are checked by size and by Arrow's own structure checks
CHECKSUM_LIMIT = 64 << 20


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


def _strings(t: pa.DataType) -> Any:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype("pyarrow")
    return None


def _write_table(df: pd.DataFrame, file: str) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    with pa.OSFile(file, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=1 << 17)


def _read_table(file: str) -> pd.DataFrame:
    with pa.memory_map(file, "r") as source:
        table = pa.ipc.open_file(source).read_all()
    table.validate()  # buffer sizes and offsets fit the lengths (no pass over the data)
    return table.to_pandas(types_mapper=_strings)


def write_cache(key: str, reg: Register) -> bool:
    """Store `reg` under `key`. Returns False (silently) when that is not possible."""
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
        }
        with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        os.replace(tmp, final)
        tmp = None
        _evict(root, keep=final)
        return True
    except (OSError, ValueError, TypeError, pa.ArrowException):
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
        arrays = {n: np.load(os.path.join(folder, f"{n}.npy")) for n in Register.ARRAY_NAMES}
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
        with contextlib.suppress(OSError):
            os.utime(folder)  # most recently used
        return Register.from_parts(entities, tables, source, report, meta["inheritance"], arrays)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None


def _evict(root: str, keep: str) -> None:
    try:
        entries = [
            os.path.join(root, d)
            for d in os.listdir(root)
            if not d.startswith(".") and os.path.isdir(os.path.join(root, d))
        ]
        entries.sort(key=lambda p: os.path.getmtime(p), reverse=True)
        for old in entries[KEEP:]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass


def clear() -> None:
    """Remove every cached register (used by tests and the settings dialog)."""
    shutil.rmtree(cache_root(), ignore_errors=True)
