"""Which SOR download a file is, decided from its content (never from its name alone).

`inspect(path)` opens the file read-only, looks at the zip directory or the first
bytes, and returns a `Plan`: the format and, for zips, which member holds which table.
It also applies the zip-bomb caps before anything is decompressed. Everything a file
can make go wrong here ends as `LoadError` (docs/FORMATS.md, "Zip members").
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
from dataclasses import dataclass, field

from .. import schema
from ..errors import FILE_ERRORS, LoadError
from ..messages import clean_text, msg
from .dialect import sniff

MAX_MEMBER_BYTES = 4 << 30  # 4 GiB uncompressed per member
MAX_RATIO = 200  # uncompressed / compressed
HEAD = 1 << 16


@dataclass
class Plan:
    path: str
    size: int
    format: str  # "sor2-zip" | "sor2-csv" | "sor-xml"
    is_zip: bool
    # canonical table name -> member name (zip) ; for a bare CSV {"SOREntity": ""}
    members: dict[str, str] = field(default_factory=dict)
    member_sizes: dict[str, int] = field(default_factory=dict)
    xml_member: str | None = None
    unknown_members: list[str] = field(default_factory=list)
    ignored_members: list[str] = field(default_factory=list)
    daily: bool = False


def shown(name: str) -> str:
    """A file or member name as it may appear in a sentence: on one line, no control
    characters, not cut to nothing (an empty zip member name is shown as '')."""
    return clean_text(name) if name else "''"


def _open_error(path: str, exc: OSError) -> LoadError:
    name = shown(os.path.basename(path))
    if isinstance(exc, FileNotFoundError):
        return LoadError(msg("load.not_found", name=name))
    if isinstance(exc, IsADirectoryError):
        return LoadError(msg("load.is_folder", name=name))
    if isinstance(exc, PermissionError):
        return LoadError(msg("load.no_permission", name=name))
    return LoadError(msg("load.os_error", name=name))


def _looks_xml(head: bytes) -> bool:
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False
    from .sor_xml import looks_like_sor_xml

    return looks_like_sor_xml(head)


def looks_like(header: tuple[str, ...]) -> str | None:
    """The SOR table a CSV header looks like most, whether or not it can be read as it.

    The table that knows the largest share of the header's names wins (a LocationsCode
    header is all LocationsCode names, and only some of them are SOREntity's); on a tie
    the one whose key columns are there, then the one whose own columns the header
    covers most, then SOREntity. None when no table knows a third of the names or, in a
    header of many extra columns, at least ten of them."""
    names = {n for n in header if n}
    if not names:
        return None
    best: tuple[float, bool, float, bool] | None = None
    choice = None
    for table, spec in schema.TABLES.items():
        known = {c for n in names if (c := schema.canonical_column(table, n)) is not None}
        if not known or (len(known) < 10 and len(known) < len(names) / 3):
            continue
        score = (
            len(known) / len(names),
            all(k in known for k in spec.key),
            len(known) / len(spec.columns),
            table == "SOREntity",
        )
        if best is None or score > best:
            best, choice = score, table
    return choice


def _readable_as(table: str, header: tuple[str, ...]) -> bool:
    """Whether `header` has every key column of `table` (what reading it needs)."""
    present = {schema.canonical_column(table, n) for n in header}
    return all(k in present for k in schema.TABLES[table].key)


def _table_from_header(head: bytes) -> str | None:
    """The table a member with an unknown name holds, judged by its header; None when it
    looks like no table or lacks that table's key columns."""
    d = sniff(head)
    if d is None:
        return None
    table = looks_like(d.header)
    return table if table is not None and _readable_as(table, d.header) else None


def _stat_regular(path: str) -> os.stat_result:
    """stat() the path and refuse anything that is not a regular file, before opening it:
    reading a named pipe or a device would block or never end."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise LoadError(msg("load.is_folder", name=shown(os.path.basename(path))))
    if not stat.S_ISREG(st.st_mode):
        raise LoadError(msg("load.not_regular", name=shown(os.path.basename(path))))
    return st


def _read_head(path: str) -> tuple[int, bytes]:
    """(size, first bytes) of a regular file, opened without blocking; the file is checked
    again once open, in case it was swapped for a pipe in between."""
    _stat_regular(path)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(msg("load.not_regular", name=shown(os.path.basename(path))))
        with os.fdopen(fd, "rb", closefd=False) as f:
            head = f.read(HEAD)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    finally:
        os.close(fd)
    return st.st_size, head


def inspect(path: str) -> Plan:
    """Decide what `path` is. Raises LoadError with one sentence when it is not SOR."""
    name = shown(os.path.basename(path))
    size, head = _read_head(path)
    if size == 0:
        raise LoadError(msg("load.empty", name=name))
    if head.startswith(b"PK"):
        return _inspect_zip(path, size)
    if _looks_xml(head):
        return Plan(path, size, "sor-xml", False, xml_member=None)
    dialect = sniff(head)
    table = looks_like(dialect.header) if dialect is not None else None
    if table == "SOREntity":
        assert dialect is not None
        if not _readable_as(table, dialect.header):
            keys = " or ".join(schema.TABLES[table].key)
            raise LoadError(msg("load.missing_key", member=name, columns=keys, table=table))
        return Plan(path, size, "sor2-csv", False, members={"SOREntity": ""}, daily=True)
    if table is not None:
        raise LoadError(msg("load.lone_table", name=name, table=table))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        raise LoadError(msg("load.xml_not_sor_file", name=name))
    raise LoadError(msg("load.not_sor", name=name))


#: What zipfile raises for a damaged or hostile archive besides FILE_ERRORS: ValueError
#: for impossible offsets and sizes, NotImplementedError for an unknown compression
#: method, RuntimeError for an encrypted member. Caught only around zipfile's own calls.
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    *FILE_ERRORS,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


def _is_dir(info: zipfile.ZipInfo) -> bool:
    # ZipInfo.is_dir() indexes the name's last character: an empty name raises
    return info.filename.endswith("/")


def _inspect_zip(path: str, size: int) -> Plan:
    name = shown(os.path.basename(path))
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
            raise _open_error(path, exc) from exc
        raise LoadError(msg("load.bad_zip", name=name)) from exc
    with zf:
        infos = [i for i in zf.infolist() if not _is_dir(i)]
        plan = Plan(path, size, "sor2-zip", True)
        for info in infos:
            _check_bomb(name, info)
        csv_tables: dict[str, str] = {}
        for info in infos:
            member = info.filename
            low = member.lower()
            if info.flag_bits & 0x1:
                raise LoadError(msg("load.password", name=name))
            if low.endswith(".xml"):
                head = _member_head(zf, info, name)
                if _looks_xml(head) and plan.xml_member is None:
                    plan.xml_member = member
                else:
                    plan.ignored_members.append(member)
                continue
            if not low.endswith((".csv", ".txt")):
                plan.unknown_members.append(member)
                continue
            table = schema.table_for_member(member)
            if table is None:
                table = _table_from_header(_member_head(zf, info, name))
            if table is None:
                plan.unknown_members.append(member)
                continue
            if table in csv_tables:
                # Two members for one table: keep the larger one (real SOREntity is the largest).
                prev = zf.getinfo(csv_tables[table])
                if prev.file_size >= info.file_size:
                    plan.ignored_members.append(member)
                    continue
                plan.ignored_members.append(csv_tables[table])
            csv_tables[table] = member
            plan.member_sizes[member] = info.file_size
    if "SOREntity" in csv_tables:
        plan.members = csv_tables
        ent = csv_tables["SOREntity"].lower()
        if len(csv_tables) == 1 and "daily" in ent:
            plan.format = "sor2-csv"
            plan.daily = True
        return plan
    if plan.xml_member is not None:
        plan.format = "sor-xml"
        return plan
    if csv_tables:
        raise LoadError(msg("load.no_entity_table", name=name))
    raise LoadError(msg("load.no_tables", name=name))


def _check_bomb(name: str, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise LoadError(
            msg(
                "load.bomb_size",
                name=name,
                member=shown(info.filename),
                gb=math.ceil(info.file_size / 2**30),
            )
        )
    # Tiny members may compress very well without harm; only big ones are suspect.
    ratio = info.file_size / info.compress_size if info.compress_size > 0 else 0
    if ratio > MAX_RATIO and info.file_size > (1 << 20):
        raise LoadError(
            msg("load.bomb_ratio", name=name, member=shown(info.filename), ratio=int(ratio))
        )


def _member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with zf.open(info) as f:
            return f.read(HEAD)
    except ZIP_ERRORS as exc:
        raise member_error(name, info.filename, exc) from exc


def member_error(name: str, member: str, exc: BaseException) -> LoadError:
    """The sentence for a zip member that cannot be unpacked (`exc` from zipfile)."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return LoadError(msg("load.password", name=name))
    if isinstance(exc, NotImplementedError):
        return LoadError(msg("load.member_method", name=name, member=shown(member)))
    return LoadError(msg("load.member_damaged", name=name, member=shown(member)))
