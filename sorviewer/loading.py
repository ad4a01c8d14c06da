"""Open any SOR download as a `Register`: detect, read, validate, cache.

The file is opened read-only and only read; zip members are streamed, never
extracted. Every failure a file can cause ends as `LoadError` with one sentence; an
exception of any other kind is a bug in the program and propagates as what it is
(docs/ARCHITECTURE.md, "Errors").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import os
import time
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import schema
from .api import Register
from .dates import from_day, parse_day_column
from .errors import FILE_ERRORS, LoadCancelled, LoadError
from .formats.detect import ZIP_ERRORS, Plan, inspect, member_error, shown
from .messages import msg
from .register import STRING, RawData, SourceInfo
from .report import LoadReport

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def _choose_memory_pool() -> None:
    """jemalloc where pyarrow ships it: on the full register it loads ~20 % faster than
    mimalloc and returns freed memory sooner (BENCHMARKS.md). An explicit
    ARROW_DEFAULT_MEMORY_POOL setting wins."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    # Not every build has jemalloc (e.g. Windows): then the default stays.
    with contextlib.suppress(NotImplementedError, pa.ArrowNotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


_choose_memory_pool()

#: Bump when anything that shapes a loaded Register changes, so old caches are ignored.
LOADER_VERSION = "4"
#: progress() is reported in these units (per mille); the build phase takes the last 8 %.
TOTAL = 1000
READ_SHARE = 920


def load(
    path: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    use_cache: bool = True,
    write_cache: bool = True,
) -> Register:
    """Open `path` (SOR2 zip or CSV, XML zip or file) and return the validated Register.

    With `use_cache`, a register cached for this exact file is returned, and one read
    from the file is written to the cache, at once or, with `write_cache=False`, when
    the caller calls `save_cache(reg)` (the window does, after it shows the register)."""
    path = os.fspath(path)
    plan = inspect(path)
    key = None
    if use_cache:
        from .cache import cache_key, read_cache

        key = cache_key(path, LOADER_VERSION)
        if key is not None:
            cached = read_cache(key)
            if cached is not None:
                if progress is not None:
                    progress(TOTAL, TOTAL)
                return cached
    name = shown(os.path.basename(path))
    try:
        raw = read(plan, progress, cancelled)
        _check_cancel(cancelled)
        reg = Register.build(raw, cancelled=cancelled)
    except MemoryError as exc:
        raise LoadError(msg("load.no_memory")) from exc
    except FILE_ERRORS as exc:
        # the readers name what they can; this is the file failing under them (changed,
        # cut short or unreadable while it was read)
        if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
            raise LoadError(msg("load.os_error", name=name)) from exc
        raise LoadError(msg("load.damaged", name=name)) from exc
    if len(reg.ids) == 0:
        raise LoadError(msg("load.no_units", name=name))
    if progress is not None:
        progress(TOTAL, TOTAL)
    # the key was taken before the file was read: a file replaced meanwhile is not
    # cached under the new content's key
    reg.cache_key = key
    if write_cache:
        save_cache(reg)
    return reg


def save_cache(reg: Register) -> bool:
    """Write `reg` to the load cache when it was read from a file with the cache on and
    is not there yet (once: a second call does nothing). Whether it was written."""
    key, reg.cache_key = reg.cache_key, None
    if key is None:
        return False
    from .cache import write_cache

    return write_cache(key, reg)


class _ZipMember(io.RawIOBase):
    """A zip member open for reading whose failures name it: what zipfile raises for a
    damaged member (bad CRC, broken deflate or bzip2 data, an unknown method) becomes
    LoadError here, where nothing but zipfile's own code runs."""

    def __init__(self, zf: zipfile.ZipFile, member: str, name: str) -> None:
        self._member = member
        self._name = name
        try:
            self._raw = zf.open(member)
        except ZIP_ERRORS as exc:
            raise member_error(name, member, exc) from exc

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        try:
            return self._raw.read(-1 if n is None else n)
        except ZIP_ERRORS as exc:
            raise member_error(self._name, self._member, exc) from exc

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise LoadCancelled()


class _Meter:
    """Turns bytes read per member into overall per-mille progress, at most ~10 calls/s."""

    INTERVAL = 0.1

    def __init__(self, total_bytes: int, progress: Progress | None) -> None:
        self.total = max(total_bytes, 1)
        self.base = 0
        self.progress = progress
        self.last = -1
        self.last_time = 0.0

    def member(self, size: int) -> Callable[[int], None]:
        base = self.base
        self.base += size

        def tick(done: int) -> None:
            if self.progress is None:
                return
            value = min(READ_SHARE, (base + min(done, size)) * READ_SHARE // self.total)
            now = time.monotonic()
            if value > self.last and now - self.last_time >= self.INTERVAL:
                self.last = value
                self.last_time = now
                self.progress(value, TOTAL)

        return tick


def read(plan: Plan, progress: Progress | None, cancelled: Cancelled | None) -> RawData:
    """Read what `plan` names into RawData (no validation yet)."""
    if plan.format == "sor-xml":
        return _read_xml(plan, progress, cancelled)
    return _read_sor2(plan, progress, cancelled)


def _read_xml(plan: Plan, progress: Progress | None, cancelled: Cancelled | None) -> RawData:
    from .formats.sor_xml import read_xml

    report = LoadReport()

    last = [0.0]

    def scaled(done: int, total: int) -> None:
        now = time.monotonic()
        if progress is not None and total > 0 and now - last[0] >= _Meter.INTERVAL:
            last[0] = now
            progress(min(READ_SHARE, done * READ_SHARE // total), TOTAL)

    common: dict[str, Any] = {
        "path": plan.path,
        "report": report,
        "progress": scaled,
        "cancelled": cancelled,
    }
    if plan.is_zip:
        assert plan.xml_member is not None
        with zipfile.ZipFile(plan.path) as zf:
            info = zf.getinfo(plan.xml_member)
            for m in plan.ignored_members + plan.unknown_members:
                report.add(
                    "info",
                    "zip",
                    msg("report.unused_member", member=shown(m)),
                    kind="unused_member",
                )
            with _ZipMember(zf, info.filename, shown(os.path.basename(plan.path))) as member:
                return read_xml(member, size=info.file_size, **common)
    with open(plan.path, "rb") as stream:
        return read_xml(stream, size=plan.size, **common)


def _read_sor2(plan: Plan, progress: Progress | None, cancelled: Cancelled | None) -> RawData:
    from .formats.sor2_csv import read_table, zip_member_stream

    report = LoadReport()
    tables: dict[str, pd.DataFrame] = {}
    table_rows: dict[str, int] = {}
    name = shown(os.path.basename(plan.path))
    if not plan.is_zip:
        meter = _Meter(plan.size, progress)

        entities = read_table(
            lambda: open(plan.path, "rb"),  # noqa: SIM115 - read_table closes it
            table="SOREntity",
            member=name,
            report=report,
            size=plan.size,
            progress=meter.member(plan.size),
            cancelled=cancelled,
            native=functools.partial(pa.OSFile, plan.path, "rb"),
        )
        table_rows[_stem(name)] = len(entities)
    else:
        total = sum(plan.member_sizes.values())
        meter = _Meter(total, progress)
        with zipfile.ZipFile(plan.path) as zf:
            for m in plan.unknown_members:
                report.add(
                    "info",
                    "zip",
                    msg("report.unknown_member", member=shown(m)),
                    kind="unknown_member",
                )
            for m in plan.ignored_members:
                report.add(
                    "warning",
                    "zip",
                    msg("report.duplicate_member", member=shown(m)),
                    kind="duplicate_member",
                )
            # SOREntity first: it is required and by far the largest.
            order = sorted(plan.members, key=lambda t: t != "SOREntity")
            for table in order:
                member = plan.members[table]
                _check_cancel(cancelled)

                frame = read_table(
                    functools.partial(_ZipMember, zf, member, name),
                    table=table,
                    member=member,
                    report=report,
                    size=plan.member_sizes.get(member),
                    progress=meter.member(plan.member_sizes.get(member, 0)),
                    cancelled=cancelled,
                    native=zip_member_stream(plan.path, zf.getinfo(member)),
                    declared=plan.member_sizes.get(member),
                )
                tables[table] = frame
                table_rows[_stem(member)] = len(frame)
        entities = tables.pop("SOREntity")
        if not plan.daily:
            for table in schema.TABLES:
                if table != "SOREntity" and table not in tables:
                    report.add(
                        "warning",
                        table,
                        msg(f"report.missing_table.{table.lower()}", name=name),
                        kind="missing_table",
                    )
    if plan.daily:
        report.add("info", "SOREntity", msg("report.daily_file"), kind="daily_file")
    source = SourceInfo(
        path=plan.path,
        format=plan.format,
        format_version=None,
        snapshot_date=_newest_update(entities),
        has_history=not plan.daily,
        table_rows=table_rows,
    )
    return RawData(entities, tables, source, report, inheritance="sor2")


def _stem(member: str) -> str:
    base = member.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def _newest_update(entities: pd.DataFrame) -> dt.date | None:
    if "UpdatedAt" not in entities.columns or len(entities) == 0:
        return None
    # as text: a small file's UpdatedAt may repeat enough to be a dictionary
    dates = entities["UpdatedAt"].astype(STRING).dropna().str.slice(0, 10)
    if len(dates) == 0:
        return None
    days, _bad = parse_day_column(pd.Series(dates.unique()), np.iinfo(np.int32).min)
    good = days[days != np.iinfo(np.int32).min]
    return from_day(int(good.max())) if len(good) else None
