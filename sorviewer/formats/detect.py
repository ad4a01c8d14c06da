"""Which SOR download a file is, decided from its content (never from its name alone).

`inspect(path)` opens the file read-only, looks at the zip directory or the first
bytes, and returns a `Plan`: the format and, for zips, which member holds which table.
It also applies the zip-bomb caps before anything is decompressed.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field

from .. import schema
from ..errors import LoadError
from .dialect import sniff

MAX_MEMBER_BYTES = 4 << 30  # 4 GiB uncompressed per member
MAX_RATIO = 200  # uncompressed / compressed
HEAD = 1 << 16

# Header columns that identify a table when the member name is unknown (§2.2).
_HEADER_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("SHAKSORMap", frozenset({"shakid", "sorid", "isdirectsorshakmapping"})),
    ("SOREntity", frozenset({"sorid", "entityname"})),
    ("LocationsCodeEDITypeMap", frozenset({"eanlocationcode", "ediid"})),
    ("EDITypes", frozenset({"ediid", "edifactnavn"})),
    ("EDITypes", frozenset({"ediid", "messagetypeid"})),
    ("LocationsCode", frozenset({"eanlocationcode"})),
    ("SORReplacedEntities", frozenset({"replacedsorid"})),
    ("Geolocations", frozenset({"geolocalisationid"})),
    ("SORClassifications", frozenset({"classificationtype", "typeid"})),
)


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


def _open_error(path: str, exc: OSError) -> LoadError:
    if isinstance(exc, FileNotFoundError):
        return LoadError(f"The file {os.path.basename(path)} does not exist.")
    if isinstance(exc, IsADirectoryError):
        return LoadError(f"{os.path.basename(path)} is a folder, not a SOR file.")
    if isinstance(exc, PermissionError):
        return LoadError(f"You do not have permission to read {os.path.basename(path)}.")
    return LoadError(f"{os.path.basename(path)} cannot be read ({exc.strerror or exc}).")


def _looks_xml(head: bytes) -> bool:
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False
    from .sor_xml import looks_like_sor_xml

    return looks_like_sor_xml(head)


def _table_from_header(head: bytes) -> str | None:
    d = sniff(head)
    if d is None:
        return None
    names = {n.lower() for n in d.header}
    for table, sig in _HEADER_SIGNATURES:
        if sig <= names:
            return table
    return None


def inspect(path: str) -> Plan:
    """Decide what `path` is. Raises LoadError with one sentence when it is not SOR."""
    name = os.path.basename(path)
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(path)
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(HEAD)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    if size == 0:
        raise LoadError(f"{name} is empty.")
    if head.startswith(b"PK"):
        return _inspect_zip(path, size)
    if _looks_xml(head):
        return Plan(path, size, "sor-xml", False, xml_member=None)
    table = _table_from_header(head)
    if table == "SOREntity":
        return Plan(path, size, "sor2-csv", False, members={"SOREntity": ""}, daily=True)
    if table is not None:
        raise LoadError(
            f"{name} is the SOR table {table}, which cannot be opened alone; open "
            "Sor_complete.zip or SorEntity_daily.csv instead."
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        raise LoadError(f"{name} is an XML file, but not a SOR register (Sor.xml).")
    raise LoadError(
        f"{name} is not a SOR download: expected Sor_complete.zip, SorEntity_daily.csv or "
        "sor.zip / Sor.xml."
    )


def _inspect_zip(path: str, size: int) -> Plan:
    name = os.path.basename(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise LoadError(f"{name} is damaged or not a complete zip file ({exc}).") from exc
    except OSError as exc:
        raise _open_error(path, exc) from exc
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        plan = Plan(path, size, "sor2-zip", True)
        for info in infos:
            _check_bomb(name, info)
        csv_tables: dict[str, str] = {}
        for info in infos:
            member = info.filename
            low = member.lower()
            if info.flag_bits & 0x1:
                raise LoadError(f"{name} is password-protected; SOR downloads never are.")
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
        raise LoadError(
            f"{name} holds SOR tables but no SOREntity.csv, which is needed to show the units."
        )
    raise LoadError(f"{name} holds no SOR tables: expected SOREntity.csv or Sor.xml.")


def _check_bomb(name: str, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise LoadError(
            f"{name} was refused for safety: its member {info.filename} would unpack to "
            f"{info.file_size / 2**30:.1f} GB, more than any SOR file."
        )
    # Tiny members may compress very well without harm; only big ones are suspect.
    ratio = info.file_size / info.compress_size if info.compress_size > 0 else 0
    if ratio > MAX_RATIO and info.file_size > (1 << 20):
        raise LoadError(
            f"{name} was refused for safety: its member {info.filename} is compressed "
            f"{int(ratio)} to 1, which only zip bombs are."
        )


def _member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with zf.open(info) as f:
            return f.read(HEAD)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise LoadError(f"{name} is damaged: {info.filename} cannot be unpacked ({exc}).") from exc
    except Exception as exc:  # zlib.error and friends
        raise LoadError(f"{name} is damaged: {info.filename} cannot be unpacked ({exc}).") from exc
