"""A cache of loaded registers, so reopening the same file skips parsing and validation.

One folder per file version under the user cache dir (or `SORVIEWER_CACHE_DIR`):
Arrow IPC files for the tables (memory-mapped on reopen), `.npy` files for the index
arrays, and `meta.json` for the source info and the load report. The key covers the
file's size, modification time, a hash of its first and last MiB, and the loader
version. A cache that cannot be written or read is ignored; it never fails a load.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .api import Register
from .register import SourceInfo
from .report import LoadReport, ReportRow

KEEP = 4  # cached files kept; older ones are removed
SAMPLE = 1 << 20
FORMAT = 1


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
            "report": [r.__dict__ for r in rep.rows],
            "counts": [[t, k, c, n] for (t, k, c), n in rep._counts.items()],
        }
        with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        os.replace(tmp, final)
        tmp = None
        _evict(root, keep=final)
        return True
    except (OSError, ValueError, pa.ArrowException):
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def read_cache(key: str) -> Register | None:
    """The cached Register for `key`, or None when absent or unreadable."""
    folder = os.path.join(cache_root(), key)
    meta_file = os.path.join(folder, "meta.json")
    if not os.path.isfile(meta_file):
        return None
    try:
        with open(meta_file, encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("format") != FORMAT:
            return None
        entities = _read_table(os.path.join(folder, "entities.arrow"))
        tables = {
            name: _read_table(os.path.join(folder, f"table{i}.arrow"))
            for i, name in enumerate(meta["tables"])
        }
        arrays = {n: np.load(os.path.join(folder, f"{n}.npy")) for n in Register.ARRAY_NAMES}
        s = meta["source"]
        source = SourceInfo(
            path=s["path"],
            format=s["format"],
            format_version=s["format_version"],
            snapshot_date=dt.date.fromisoformat(s["snapshot_date"]) if s["snapshot_date"] else None,
            has_history=s["has_history"],
            table_rows=s["table_rows"],
        )
        report = LoadReport(rows=[ReportRow(**r) for r in meta["report"]])
        report._counts = Counter({(t, k, c): n for t, k, c, n in meta["counts"]})
        with contextlib.suppress(OSError):
            os.utime(folder)  # most recently used
        return Register.from_parts(entities, tables, source, report, meta["inheritance"], arrays)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
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
