"""A synthetic SOR register, shaped like the real downloads, from a seed.

No real SOR2 CSV file has been seen by this project (docs/FORMATS.md), so tests and
benchmarks stand on this generator. It writes:

* ``sor2-zip``: ``Sor_complete.zip`` with the eight SOR2 tables, full history;
* ``sor2-csv``: ``SorEntity_daily.csv``, the one-day view (active units, pending
  closures and future units with their current and future versions; units whose
  closure is in force are left out, docs/FORMATS.md, "Status at a date");
* ``sor-xml``: ``sor.zip`` holding ``Sor.xml`` in version 1.0.0 or 2.0.0, a snapshot
  with one version per unit (active, closed and future units, seed 001).

How it works: phase 1 plans the organisation tree (owners, institutions, units)
with lifetimes; phase 2 draws each unit's versions (renames, moves, address,
virtual-address, speciality and EAN changes, ID27 levels); phase 3 streams the
rows into the output. Memory is a few hundred bytes per version.

Modelling choices that are not facts about SOR (all [PROJECT]):

* FirstFromDate equals the first version's FromDate; history starts in 2006, older
  units keep one version from their first day up to their first change.
* UpdatedAt of versions that start before 2012-03-01 is the NSP load time
  (2012-03-01 02:13), mirroring the "Før den XX" caveat of seed 003.
* Inherited groups have blank value columns (the ``inherited-copies`` option
  copies the values in). ``HealthInstitutionSorId`` of an SI and
  ``InstitutionOwnerSorId`` of an IE are the row's own id. ``ShakId`` holds only
  direct SHAK codes; SHAKSORMap holds direct and inherited mappings. Units created
  after April 2025 get no SHAK code (SHAK was frozen then).
* Type names, EDI types, suppliers, SHAK type codes and ID27 level names are
  invented or taken from the fallback lists in ``codes.py``.
* Realistic defects are planted only with the ``defects`` dialect option: a few
  SOR ids with a wrong Verhoeff digit and EANs with a wrong GS1 digit (bad check
  digits are among the known quirks, docs/FORMATS.md; the 2.0.0 sample holds one).
  By default every id is valid and every parent exists at the child's dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import math
import random
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import codes, schema
from . import synthetic_names as nm
from .ids import make_ean, make_sor_id

DEFAULT_SNAPSHOT = dt.date(2026, 11, 1)
FORMATS = ("sor2-zip", "sor2-csv", "sor-xml")
XML_VERSIONS = ("1.0.0", "2.0.0")

DIALECT_OPTIONS: dict[str, str] = {
    "lf": "LF line ends instead of CRLF",
    "no-bom": "no UTF-8 byte-order mark",
    "comma": "',' as delimiter",
    "tab": "tab as delimiter",
    "pipe": "'|' as delimiter",
    "no-excel-wrap": 'SOR ids as plain digits, without the ="…" Excel wrapper',
    "wrap-all-ids": 'every id and code column in the ="…" wrapper, not only SOR ids',
    "decimal-point": "'.' as decimal mark in coordinates instead of ','",
    "bool-lower": "booleans as true/false",
    "bool-01": "booleans as 1/0",
    "bool-ja-nej": "booleans as ja/nej",
    "dates-dmy": "dates as dd-mm-yyyy",
    "dates-datetime": "dates as yyyy-mm-ddT00:00:00, datetimes with a 7-digit fraction",
    "quote-all": "every field in double quotes",
    "cp1252": "Windows-1252 text instead of UTF-8 (no BOM)",
    "nsp-open": "superseded versions keep an empty ToDate, as in the NSP copy",
    "nsp-fields": "NSP bookkeeping columns ValidFrom, ValidTo, UniqueCurrentKey, Unreliable",
    "inherited-copies": "inherited address, virtual and EAN values copied into the child row",
    "member-variants": "member names LocationsCodes.csv, GeoLocations.csv and lower case",
    "member-folder": "members inside a folder in the zip",
    "no-id27": "no OrganisationalLevelCode/OrganisationalLevelName columns (before 2025)",
    "no-shak": "SHAK phased out: empty ShakId and no SHAKSORMap member",
    "no-replaced": "seven members: no SORReplacedEntities.csv",
    "null-literal": "the word NULL for empty fields",
    "trailing-dot-zero": "unwrapped numeric ids written as 123.0 (a broken Excel export)",
    "no-final-newline": "no line end after the last row",
    "defects": "plant a few bad check digits in SOR ids and EANs",
}

_EXCLUSIVE = (("comma", "tab", "pipe"), ("bool-lower", "bool-01", "bool-ja-nej"))
_EXCLUSIVE_DATES = ("dates-dmy", "dates-datetime")


@dataclass
class GenerateStats:
    """What `generate` wrote."""

    entities: int
    rows: dict[str, int]
    bytes_written: int  # uncompressed bytes of all tables / XML
    seconds: float
    file_bytes: int = 0
    planted: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        return (
            f"{self.entities:,} entities; rows: {rows}; {self.bytes_written / 1e6:,.1f} MB "
            f"of data ({self.file_bytes / 1e6:,.1f} MB on disk) in {self.seconds:.1f} s"
        )


# --------------------------------------------------------------------------------------
# Dialect and value rendering


class _Dialect:
    """The chosen quirks, and how each kind of value is written as CSV text."""

    def __init__(self, options: frozenset[str]) -> None:
        self.o = options
        self.delim = ";"
        for opt, d in (("comma", ","), ("tab", "\t"), ("pipe", "|")):
            if opt in options:
                self.delim = d
        self.eol = "\n" if "lf" in options else "\r\n"
        self.encoding = "cp1252" if "cp1252" in options else "utf-8"
        self.bom = self.encoding == "utf-8" and "no-bom" not in options
        self.quote_all = "quote-all" in options
        if "null-literal" in options:
            self.null = '"NULL"' if self.quote_all else "NULL"
        else:
            self.null = '""' if self.quote_all else ""
        self.wrap = "no-excel-wrap" not in options
        self.wrap_all = "wrap-all-ids" in options
        self.dot_zero = "trailing-dot-zero" in options
        self.dec_comma = "decimal-point" not in options
        self.true, self.false = "TRUE", "FALSE"
        if "bool-lower" in options:
            self.true, self.false = "true", "false"
        elif "bool-01" in options:
            self.true, self.false = "1", "0"
        elif "bool-ja-nej" in options:
            self.true, self.false = "ja", "nej"
        self.nsp_open = "nsp-open" in options
        self.copies = "inherited-copies" in options
        self.id27 = "no-id27" not in options
        self.shak = "no-shak" not in options
        self._needs = re.compile("[" + re.escape(self.delim) + '"\r\n]')
        self._dates: dict[int, str] = {}
        self.TRUE = self.t(self.true)
        self.FALSE = self.t(self.false)

    def t(self, s: str | None) -> str:
        """A text field."""
        if not s:
            return self.null
        if self.quote_all or self._needs.search(s):
            return '"' + s.replace('"', '""') + '"'
        return s

    def sid(self, s: str | None) -> str:
        """A SOR id column (Excel-wrapped by default)."""
        if not s:
            return self.null
        if self.wrap:
            return '"=""' + s + '"""'
        if self.dot_zero:
            return self.t(s + ".0")
        return self.t(s)

    def bi(self, s: str | None) -> str:
        """Another big-integer id column (type ids, EAN, CVR, region ids)."""
        if not s:
            return self.null
        if self.wrap_all:
            return '"=""' + s + '"""'
        if self.dot_zero:
            return self.t(s + ".0")
        return self.t(s)

    def code(self, s: str | None) -> str:
        """Short codes kept as text (region, municipality); wrapped with wrap-all-ids."""
        if not s:
            return self.null
        if self.wrap_all:
            return '"=""' + s + '"""'
        return self.t(s)

    def b(self, v: bool | None) -> str:
        if v is None:
            return self.null
        return self.TRUE if v else self.FALSE

    def dec(self, x: float) -> str:
        s = f"{x:.3f}"
        return self.t(s.replace(".", ",") if self.dec_comma else s)

    def d(self, day: int) -> str:
        """A date column from a day ordinal; 0 = empty."""
        if not day:
            return self.null
        s = self._dates.get(day)
        if s is None:
            x = dt.date.fromordinal(day)
            if "dates-dmy" in self.o:
                s = f"{x.day:02d}-{x.month:02d}-{x.year:04d}"
            elif "dates-datetime" in self.o:
                s = x.isoformat() + "T00:00:00"
            else:
                s = x.isoformat()
            s = self.t(s)
            self._dates[day] = s
        return s

    def dt(self, day: int, secs: int) -> str:
        """A datetime column: day ordinal plus seconds of the day."""
        if not day:
            return self.null
        x = dt.date.fromordinal(day)
        hh, rest = divmod(secs, 3600)
        mm, ss = divmod(rest, 60)
        if "dates-dmy" in self.o:
            s = f"{x.day:02d}-{x.month:02d}-{x.year:04d} {hh:02d}:{mm:02d}:{ss:02d}"
        elif "dates-datetime" in self.o:
            frac = (day * 7919 + secs * 104729) % 10_000_000
            s = f"{x.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}.{frac:07d}"
        else:
            s = f"{x.isoformat()} {hh:02d}:{mm:02d}:{ss:02d}"
        return self.t(s)

    def row(self, fields: Iterable[str]) -> str:
        return self.delim.join(fields)

    def empty(self, n: int) -> str:
        return self.delim.join([self.null] * n)


def _parse_dialect(dialect: str) -> frozenset[str]:
    opts = [o.strip().lower() for o in (dialect or "").split(",") if o.strip()]
    chosen = set()
    for o in opts:
        if o == "default":
            continue
        if o not in DIALECT_OPTIONS:
            known = ", ".join(sorted(DIALECT_OPTIONS))
            raise ValueError(f"Unknown dialect option {o!r}; choose from: default, {known}.")
        chosen.add(o)
    for group in (*_EXCLUSIVE, _EXCLUSIVE_DATES):
        both = [g for g in group if g in chosen]
        if len(both) > 1:
            raise ValueError(f"Dialect options {' and '.join(both)} cannot be combined.")
    return frozenset(chosen)


# --------------------------------------------------------------------------------------
# Geography


def _utm32(lat: float, lon: float) -> tuple[float, float]:
    """(northing, easting) in ETRS89 / UTM zone 32N for a GRS80 latitude/longitude."""
    a = 6378137.0
    f = 1 / 298.257222101
    k0 = 0.9996
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    phi = math.radians(lat)
    lam = math.radians(lon - 9.0)
    sin_p, cos_p, tan_p = math.sin(phi), math.cos(phi), math.tan(phi)
    n = a / math.sqrt(1 - e2 * sin_p * sin_p)
    t = tan_p * tan_p
    c = ep2 * cos_p * cos_p
    aa = cos_p * lam
    m = a * (
        (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256) * phi
        - (3 * e2 / 8 + 3 * e2**2 / 32 + 45 * e2**3 / 1024) * math.sin(2 * phi)
        + (15 * e2**2 / 256 + 45 * e2**3 / 1024) * math.sin(4 * phi)
        - (35 * e2**3 / 3072) * math.sin(6 * phi)
    )
    east = (
        k0
        * n
        * (aa + (1 - t + c) * aa**3 / 6 + (5 - 18 * t + t * t + 72 * c - 58 * ep2) * aa**5 / 120)
        + 500000.0
    )
    north = k0 * (
        m
        + n
        * tan_p
        * (
            aa * aa / 2
            + (5 - t + 9 * c + 4 * c * c) * aa**4 / 24
            + (61 - 58 * t + t * t + 600 * c - 330 * ep2) * aa**6 / 720
        )
    )
    return north, east


# Address tuple fields
(A_STREET, A_CODE, A_NO, A_FLOOR, A_SUITE, A_EXTRA, A_POST, A_TOWN, A_MUNI, A_REGION) = range(10)
A_COUNTRY, A_N, A_E = 10, 11, 12

_EXTRAS = (
    "Indgang B",
    "Bygning 5, 2. sal",
    "c/o Sundhedshuset; indgang fra gården",
    'Lokale "Kastanjen"',
    "Opgang 3",
)

# --------------------------------------------------------------------------------------
# The plan


class _Ent:
    __slots__ = (
        "children",
        "cvr",
        "ean",
        "ean_attrs",
        "ean_state",
        "end",
        "first",
        "geo",
        "hi",
        "home",
        "hosp",
        "idx",
        "kind",
        "level",
        "moved",
        "owner",
        "parent",
        "pharmacy",
        "pnum",
        "provider",
        "region",
        "shak",
        "sid",
        "spec",
        "type_id",
        "vdays",
        "versions",
    )

    def __init__(self, idx: int, level: str, kind: str, parent: _Ent | None) -> None:
        self.idx = idx
        self.level = level  # IE / SI / OE
        self.kind = kind
        self.parent = parent
        self.owner: _Ent = parent.owner if parent is not None else self
        self.hi: _Ent | None = (
            self if level == "SI" else (parent.hi if parent is not None else None)
        )
        self.children: list[_Ent] = []
        self.first = 0
        self.end = 0  # 0 = open
        self.sid = ""
        self.type_id = ""
        self.shak = ""
        self.provider = ""
        self.pharmacy = ""
        self.cvr = ""
        self.pnum = ""
        self.ean = ""
        self.ean_state = "none"
        self.ean_attrs: list[tuple[int, int, int, str, bool]] = []
        self.region: str = parent.region if parent is not None else "1084"
        self.home: tuple[str, str, str, float, float] | None = None  # muni, post, town, lat, lon
        self.hosp: bool = parent.hosp if parent is not None else False
        self.geo = 0
        self.spec: tuple[str, ...] = ()
        self.moved = False
        self.versions: list[list[Any]] = []
        self.vdays: list[int] = []


# Version list fields
(V_FROM, V_TO, V_UPD, V_SECS, V_NAME, V_PARENT, V_POST, V_VISIT, V_ACT, V_VIRT) = range(10)
(V_SPEC, V_FLAGS, V_LEVEL, V_EANV, V_LOCAL, V_ATTR) = range(10, 16)


def _day(y: int, m: int, d: int) -> int:
    return dt.date(y, m, d).toordinal()


HISTORY_START = _day(2006, 1, 1)
NSP_LOADED = _day(2012, 3, 1)
ID27_DAY = _day(2025, 1, 15)
SHAK_FROZEN = _day(2025, 4, 1)
#: days before it takes effect that a closure is registered (an earlier download, `cut`)
CLOSURE_LEAD = 30

_OWNER_TYPE = {
    "region": "550881000005103",
    "muni": "547211000005108",
    "state": "398070004",
    "private": "550891000005100",
}
_TYPE_NAMES: dict[str, str] = {
    **codes.OWNER_TYPES,
    **codes.INSTITUTION_TYPES,
    **codes.UNIT_TYPES,
}

# Private institution kinds: (weight, SI type, speciality, OE count range, EAN own share)
_PRIVATE: dict[str, tuple[float, str, str, tuple[int, int]]] = {
    "gp": (30, "394761003", "408443003", (1, 4)),
    "spec": (12, "550671000005100", "", (1, 2)),
    "dent": (18, "550681000005102", "394812008", (1, 3)),
    "physio": (12, "547011000005103", "", (1, 4)),
    "chiro": (3, "550641000005106", "", (1, 2)),
    "foot": (5, "554061000005105", "", (1, 1)),
    "psych": (6, "550711000005101", "394587001", (1, 1)),
    "midwife": (1, "550631000005103", "394585009", (1, 1)),
    "lab": (1, "550651000005108", "394596001", (1, 2)),
    "pharm": (5, "264372000", "", (1, 4)),
    "phosp": (2, "22232009", "", (2, 9)),
    "chain": (2, "550681000005102", "394812008", (3, 8)),
    "hospice": (1, "284546000", "394587001", (1, 2)),
}
_SPECIALIST = (
    "394594003",
    "394582007",
    "394604002",
    "394585009",
    "394587001",
    "394537008",
    "394810000",
    "394801008",
    "394609007",
    "419192003",
)
_SI_WORD = {
    "gp": ("Lægerne {s}", "Læge {p}", "Lægehuset {t}"),
    "spec": ("Speciallæge {p}", "Speciallægerne {t}", "{t} Specialklinik"),
    "dent": ("Tandlægerne {s}", "Tandlæge {p}", "{t} Tandklinik"),
    "physio": ("Fysioterapi {t}", "{t} Fysioterapi og Træning", "Fysioterapeut {p}"),
    "chiro": ("Kiropraktisk Klinik {t}", "Kiropraktor {p}"),
    "foot": ("Fodterapeut {p}", "{t} Fodterapi"),
    "psych": ("Psykolog {p}", "Psykologhuset {t}"),
    "midwife": ("Jordemoderklinikken {t}", "Jordemoder {p}"),
    "lab": ("Laboratoriet {t}",),
    "pharm": ("{t} Apotek", "{t} {s} Apotek"),
    "phosp": ("Privathospitalet {t}", "{t} Øjenklinik", "Klinik {s}"),
    "chain": ("Tandlægerne {t}", "Smil {t}"),
    "hospice": ("Hospice {w}",),
}


class _Planner:
    """Phase 1 and 2: the organisation tree, lifetimes and versions."""

    def __init__(self, n: int, seed: int, snapshot: dt.date, defects: bool) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.snap = snapshot.toordinal()
        self.horizon = self.snap + 150
        self.ents: list[_Ent] = []
        self.addrs: list[tuple[Any, ...]] = []
        self.virts: list[tuple[str, str, str, str]] = []
        self.replaced: list[tuple[_Ent, _Ent]] = []
        self.geos: list[tuple[int, str, _Ent, int, int, int]] = []  # id, name, region ent, ...
        self.defects = defects
        self.planted: dict[str, int] = {"bad_sor_id": 0, "bad_ean": 0}
        self.muni_by_region: dict[str, list[tuple[str, str, str, tuple[Any, ...]]]] = {}
        for m in nm.MUNICIPALITIES:
            self.muni_by_region.setdefault(m[2], []).append(m)
        self._provider = 1000
        self._ean = 100000
        self._shak_next: dict[str, int] = {}
        self._shak_used: set[str] = set()
        self._street_codes: dict[tuple[str, str], str] = {}
        self.region_ents: dict[str, _Ent] = {}

    # ---- small helpers

    def person(self) -> str:
        r = self.rng
        return f"{r.choice(nm.FIRST_NAMES)} {r.choice(nm.SURNAMES)}"

    def home_in(self, region: str | None = None) -> tuple[str, str, str, float, float]:
        r = self.rng
        pool = nm.MUNICIPALITIES if region is None else self.muni_by_region[region]
        m = r.choice(pool)
        post, town, lat, lon = r.choice(m[3])
        return (m[0], post, town, lat, lon)

    def new_addr(self, home: tuple[str, str, str, float, float], region: str) -> int:
        r = self.rng
        muni, post, town, lat, lon = home
        street = r.choice(nm.STREETS)
        key = (muni, street)
        code = self._street_codes.get(key)
        if code is None:
            code = f"{r.randint(1, 9899):04d}"
            self._street_codes[key] = code
        no = str(r.randint(1, 180)) + (r.choice("ABC") if r.random() < 0.06 else "")
        floor = r.choice(("st", "1", "2", "3", "4")) if r.random() < 0.25 else ""
        suite = r.choice(("th", "tv", "mf")) if floor and r.random() < 0.6 else ""
        extra = r.choice(_EXTRAS) if r.random() < 0.04 else ""
        north, east = _utm32(lat + r.uniform(-0.02, 0.02), lon + r.uniform(-0.03, 0.03))
        self.addrs.append(
            (street, code, no, floor, suite, extra, post, town, muni, region, "DK", north, east)
        )
        return len(self.addrs) - 1

    def new_virt(self, name: str, full: bool) -> int:
        r = self.rng
        phone = f"{r.choice('2345679')}{r.randint(0, 9999999):07d}"
        slug = re.sub(r"[^a-z0-9]", "", name.lower().translate(_ASCII))[:24] or "klinik"
        web = f"www.{slug}.dk" if full and r.random() < 0.6 else ""
        mail = f"kontakt@{slug}.dk" if full and r.random() < 0.5 else ""
        fax = f"{r.choice('4789')}{r.randint(0, 9999999):07d}" if r.random() < 0.15 else ""
        self.virts.append((phone, web, mail, fax))
        return len(self.virts) - 1

    def new_ean(self) -> str:
        self._ean += self.rng.randint(1, 40)
        ean = make_ean(f"579000{self._ean:06d}")
        if self.defects and self.rng.random() < 0.002:
            ean = ean[:-1] + str((int(ean[-1]) + 3) % 10)
            self.planted["bad_ean"] += 1
        return ean

    def new_cvr(self) -> str:
        r = self.rng
        while True:
            body = [r.randint(1, 9)] + [r.randint(0, 9) for _ in range(6)]
            s = sum(d * w for d, w in zip(body, (2, 7, 6, 5, 4, 3, 2), strict=True))
            check = (11 - s % 11) % 11
            if check < 10:
                return "".join(map(str, body)) + str(check)

    def new_provider(self) -> str:
        r = self.rng
        if r.random() < 0.01 and self._provider > 1100:
            return f"{r.randint(1000, self._provider):06d}"  # a duplicate number
        self._provider += r.randint(1, 9)
        p = f"{self._provider:06d}"
        if r.random() < 0.005:
            p = "99" + p[2:]  # SDS's 2018 prefix for hidden duplicates
        return p

    def new_shak(self, parent_shak: str, region: str) -> str:
        if not parent_shak:
            # Hospital codes: a per-region range, never reused (a code on two hospitals
            # would be a planted defect, and the real classification has none).
            base = {"1084": 13, "1085": 38, "1083": 50, "1082": 66, "1081": 80}.get(region, 25)
            k = self._shak_next.get(region, 0)
            code = f"{(base * 100 + k) % 10000:04d}"
            while code in self._shak_used:
                k += 1
                code = f"{(base * 100 + k) % 10000:04d}"
            self._shak_next[region] = k + 1
            self._shak_used.add(code)
            return code
        n = self._shak_next.get(parent_shak, 0)
        self._shak_next[parent_shak] = n + 1
        if len(parent_shak) == 4:
            return f"{parent_shak}{(n % 99) + 1:02d}" if n < 99 else ""
        if len(parent_shak) == 6:
            return parent_shak + "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"[n] if n < 34 else ""
        return ""

    # ---- lifetimes

    def _root_first(self) -> int:
        r = self.rng
        x = r.random()
        if x < 0.45:
            return r.randint(_day(1990, 1, 1), HISTORY_START - 1)
        if x < 0.99:
            return r.randint(HISTORY_START, self.snap)
        return r.randint(self.snap + 1, self.snap + 300)

    def make(
        self,
        level: str,
        kind: str,
        parent: _Ent | None,
        *,
        close: float = 0.0,
        same_start: float = 0.6,
        first: int = 0,
    ) -> _Ent | None:
        """A new entity with a lifetime inside its parent's; None when the budget is used."""
        if len(self.ents) >= self.n:
            return None
        r = self.rng
        e = _Ent(len(self.ents), level, kind, parent)
        if parent is None:
            e.first = first or self._root_first()
            lim = 0
        else:
            lim = parent.end
            top = min(lim, self.horizon) if lim else self.horizon
            top = max(top, parent.first)
            if first:
                e.first = first
            elif r.random() < same_start:
                e.first = parent.first
            else:
                e.first = r.randint(parent.first, top)
        if r.random() < close:
            lo = e.first + 60
            hi = max(lo, self.snap + 120)
            e.end = r.randint(lo, hi)
        if lim and (not e.end or e.end > lim):
            e.end = lim
        if e.end and e.end < e.first:
            e.end = e.first
        self.ents.append(e)
        if parent is not None:
            parent.children.append(e)
        return e

    def successor(self, prev: _Ent | None, parent: _Ent) -> int:
        """A start day right after a closed sibling, when it is replaced (else 0)."""
        if (
            prev is not None
            and prev.end
            and prev.end < self.snap
            and (not parent.end or prev.end + 1 < parent.end)
            and self.rng.random() < 0.35
        ):
            return prev.end + 1
        return 0

    # ---- phase 1: the tree

    def plan(self) -> None:
        n = self.n
        r = self.rng
        n_regions = 5 if n >= 400 else max(1, n // 80)
        n_munis = min(98, max(1, n // 50)) if n >= 100 else (1 if n >= 30 else 0)
        n_state = 3 if n >= 3000 else (1 if n >= 600 else 0)
        hosp_budget = int(0.24 * n)
        muni_budget = int(0.14 * n)
        state_budget = int(0.01 * n)
        weights = {"1084": 0.3, "1085": 0.15, "1083": 0.22, "1082": 0.22, "1081": 0.11}
        regions = nm.REGIONS[:n_regions]
        for code, name, _short in regions:
            ie = self.make(
                "IE", "region", None, first=r.randint(_day(2006, 12, 1), _day(2007, 1, 1))
            )
            if ie is None:
                break
            ie.region = code
            ie.home = self.home_in(code)
            ie.type_id = _OWNER_TYPE["region"]
            ie.cvr = self.new_cvr()
            ie.spec = (name,)  # name holder for regions
            self.region_ents[code] = ie
            budget = int(hosp_budget * weights[code] / sum(weights[c] for c, _, _ in regions))
            self.build_hospitals(ie, code, budget)
        munis = list(nm.MUNICIPALITIES)
        r.shuffle(munis)
        munis = sorted(munis[:n_munis])
        for m in munis:
            self.build_municipality(m, muni_budget // max(1, len(munis)))
        for i in range(n_state):
            self.build_state(i, state_budget // max(1, n_state))
        kinds = list(_PRIVATE)
        kw = [_PRIVATE[k][0] for k in kinds]
        while len(self.ents) < n:
            self.build_private(r.choices(kinds, kw)[0])

    def build_hospitals(self, ie: _Ent, region: str, budget: int) -> None:
        r = self.rng
        names = list(nm.HOSPITALS[region])
        n_h = max(1, min(len(names) + 4, round(math.sqrt(max(budget, 1)) / 6)))
        shares = _split(r, max(budget - n_h, 0), n_h)
        prev = None
        for i in range(n_h):
            base = names[i] if i < len(names) else f"{names[i % len(names)]}, matrikel {i + 1}"
            succ = self.successor(prev, ie)
            first = succ or r.randint(ie.first, ie.first + 400)
            si = self.make("SI", "hospital", ie, close=0.08, first=first)
            if si is None:
                return
            if succ and prev is not None:
                self.replaced.append((prev, si))
            si.hosp = True
            si.type_id = "22232009"
            si.home = self.home_in(region)
            si.spec = (base,)
            si.shak = self.new_shak("", region)
            si.pnum = str(r.randint(1000000000, 1999999999))
            self.geos.append((len(self.geos) + 1001, base, ie, si.idx, si.first, si.end))
            si.geo = len(self.geos)
            self.grow_hospital(si, shares[i])
            prev = si

    def grow_hospital(self, si: _Ent, budget: int) -> None:
        r = self.rng
        n_dept = max(1, min(60, round(budget / 28)))
        shares = _split(r, max(budget - n_dept, 0), n_dept)
        depts = r.sample(nm.DEPARTMENTS, min(n_dept, len(nm.DEPARTMENTS)))
        prev = None
        for i in range(n_dept):
            dname, dspec = depts[i % len(depts)]
            if i >= len(depts):
                dname = f"{dname} {i // len(depts) + 1}"
            first = self.successor(prev, si)
            oe = self.make("OE", "dept", si, close=0.12, same_start=0.5, first=first)
            if oe is None:
                return
            if first and prev is not None:
                self.replaced.append((prev, oe))
            oe.type_id = "550811000005108" if r.random() < 0.7 else "550851000005109"
            oe.spec = (dname, dspec)
            oe.shak = self.new_shak(si.shak, si.region) if oe.first < SHAK_FROZEN else ""
            self.grow_units(oe, shares[i], 1)
            prev = oe

    def grow_units(self, parent: _Ent, budget: int, depth: int) -> None:
        """Sections (depth 1), sub-units (2) and deeper teams (3-5) of a hospital."""
        r = self.rng
        if budget <= 0:
            return
        if depth >= 4:
            n_child = budget
        elif depth == 1:
            n_child = max(1, min(budget, round(budget / 3.2)))
        else:
            n_child = max(1, min(budget, r.randint(1, 4)))
        shares = _split(r, budget - n_child, n_child)
        dname, dspec = parent.spec[0], parent.spec[1]
        short = dname.split(",")[0]
        prev = None
        for i in range(n_child):
            first = self.successor(prev, parent)
            oe = self.make("OE", "sect" if depth == 1 else "sub", parent, close=0.15, first=first)
            if oe is None:
                return
            if first and prev is not None:
                self.replaced.append((prev, oe))
            if depth == 1:
                pattern, utype = r.choice(nm.SECTIONS)
                name = pattern.format(d=short, n=i + 1)
            else:
                utype = r.choice(("550851000005109", "550851000005109", "550821000005102"))
                name = r.choice(nm.SUBUNITS).format(
                    name=r.choice(nm.SURNAMES),
                    spec=codes.SPECIALITIES.get(dspec, "medicin"),
                    n=i + 1,
                    town=self.home_in(parent.region)[2],
                )
                name = f"{short}, {name}"
            oe.type_id = utype
            oe.spec = (name, dspec)
            if depth == 1 and parent.shak and oe.first < SHAK_FROZEN and r.random() < 0.8:
                oe.shak = self.new_shak(parent.shak, parent.region)
            self.grow_units(oe, shares[i], depth + 1)
            prev = oe

    def build_municipality(self, m: tuple[str, str, str, tuple[Any, ...]], budget: int) -> None:
        r = self.rng
        code, name, region, towns = m
        ie = self.make("IE", "muni", None, first=r.randint(_day(2006, 12, 1), _day(2007, 1, 1)))
        if ie is None:
            return
        ie.region = region
        post, town, lat, lon = towns[0]
        ie.home = (code, post, town, lat, lon)
        ie.type_id = _OWNER_TYPE["muni"]
        ie.cvr = self.new_cvr()
        ie.spec = (f"{name} Kommune",)
        n_si = max(1, min(14, budget // 7))
        shares = _split(r, max(budget - 1 - n_si, 0), n_si)
        for i in range(n_si):
            pattern, stype, spec = nm.MUNICIPAL_UNITS[i % len(nm.MUNICIPAL_UNITS)]
            if i >= len(nm.MUNICIPAL_UNITS) or pattern.startswith("Plejecenter"):
                pattern, stype, spec = nm.MUNICIPAL_UNITS[6]
            si = self.make("SI", "muni_si", ie, close=0.1, same_start=0.5)
            if si is None:
                return
            si.type_id = stype
            si.home = (code, *r.choice(towns))
            si.spec = (pattern.format(m=name, p=r.choice(nm.PLACE_WORDS)), spec)
            prev = None
            for j in range(shares[i]):
                first = self.successor(prev, si)
                oe = self.make("OE", "muni_oe", si, close=0.15, same_start=0.3, first=first)
                if oe is None:
                    return
                if first and prev is not None:
                    self.replaced.append((prev, oe))
                oe.type_id = stype
                word = r.choice(nm.DISTRICTS) if j < 8 else f"{r.choice(nm.PLACE_WORDS)} {j}"
                oe.spec = (f"{si.spec[0]}, {word}", spec)
                prev = oe

    def build_state(self, i: int, budget: int) -> None:
        r = self.rng
        owner, pattern = nm.STATE_OWNERS[i % len(nm.STATE_OWNERS)]
        ie = self.make("IE", "state", None, first=r.randint(_day(1995, 1, 1), _day(2007, 1, 1)))
        if ie is None:
            return
        ie.home = self.home_in("1084")
        ie.region = "1084"
        ie.type_id = _OWNER_TYPE["state"]
        ie.cvr = self.new_cvr()
        ie.spec = (owner,)
        n_si = max(1, budget // 3)
        for _ in range(n_si):
            si = self.make("SI", "state_si", ie, close=0.1, same_start=0.3)
            if si is None:
                return
            si.home = self.home_in()
            si.region = _region_of(si.home[0])
            si.type_id = "264361005"
            si.spec = (pattern.format(t=si.home[2]), "394581000")
            for _ in range(r.randint(0, 2)):
                oe = self.make("OE", "state_oe", si, close=0.1)
                if oe is None:
                    return
                oe.type_id = "264361005"
                oe.spec = (f"{si.spec[0]}, {r.choice(nm.DISTRICTS)}", "394581000")

    def build_private(self, kind: str) -> None:
        r = self.rng
        _w, stype, spec, (lo, hi) = _PRIVATE[kind]
        home = self.home_in()
        region = _region_of(home[0])
        person = self.person()
        street = r.choice(nm.STREETS)
        words = {"s": street, "p": person, "t": home[2], "w": r.choice(nm.PLACE_WORDS)}
        si_name = r.choice(_SI_WORD[kind]).format(**words)
        if kind in ("pharm", "phosp", "chain", "hospice", "lab") or r.random() < 0.3:
            ie_name = si_name + r.choice((" ApS", " A/S", " I/S", ""))
        else:
            ie_name = person
        ie = self.make("IE", "private", None)
        if ie is None:
            return
        ie.home = home
        ie.region = region
        ie.type_id = _OWNER_TYPE["private"]
        ie.cvr = self.new_cvr()
        ie.spec = (ie_name,)
        n_si = r.randint(lo, hi) if kind == "chain" else 1
        pharm_no = r.randint(1, 990)
        for k in range(n_si):
            si = self.make("SI", kind, ie, close=0.2, same_start=0.85 if k == 0 else 0.2)
            if si is None:
                return
            si.type_id = stype
            si.home = home if k == 0 else self.home_in(region)
            name = (
                si_name
                if k == 0
                else r.choice(_SI_WORD[kind]).format(
                    s=r.choice(nm.STREETS), p=self.person(), t=si.home[2], w=""
                )
            )
            this_spec = spec or r.choice(_SPECIALIST)
            si.spec = (name, this_spec)
            si.pnum = str(r.randint(1000000000, 1999999999)) if r.random() < 0.7 else ""
            if kind == "phosp":
                si.hosp = True
                si.shak = self.new_shak("", region)
                self.grow_private_hospital(si, r.randint(lo, hi))
                continue
            n_oe = 1 if kind == "chain" else r.randint(lo, hi)
            prev = None
            for j in range(n_oe):
                first = self.successor(prev, si)
                oe = self.make("OE", "prov", si, close=0.2, same_start=0.8, first=first)
                if oe is None:
                    return
                if first and prev is not None:
                    self.replaced.append((prev, oe))
                oe.type_id = stype
                if kind == "pharm":
                    oe.pharmacy = f"{pharm_no},{j + 1}"
                    oe_name = name if j == 0 else f"{name}, filial {r.choice(nm.STREETS)}"
                elif kind in ("gp", "spec", "dent", "physio", "chiro", "foot", "psych"):
                    oe.provider = self.new_provider()
                    oe_name = self.person() if (j or r.random() < 0.6) else person
                else:
                    oe_name = f"{name}, {r.choice(nm.DISTRICTS)}"
                oe.spec = (oe_name, this_spec)
                prev = oe

    def grow_private_hospital(self, si: _Ent, n: int) -> None:
        r = self.rng
        for _ in range(n):
            oe = self.make("OE", "dept", si, close=0.15, same_start=0.7)
            if oe is None:
                return
            dname, dspec = r.choice(nm.DEPARTMENTS[:12])
            oe.type_id = "550851000005109"
            oe.spec = (f"{si.spec[0]}, {dname.lower()}", dspec)
            if oe.first < SHAK_FROZEN:
                oe.shak = self.new_shak(si.shak, si.region)
            for _ in range(r.randint(0, 2)):
                sub = self.make("OE", "sect", oe, close=0.1)
                if sub is None:
                    return
                sub.type_id = "550851000005109"
                sub.spec = (f"{oe.spec[0]}, {r.choice(('ambulatorium', 'sengeafsnit'))}", dspec)
                if oe.shak and sub.first < SHAK_FROZEN:
                    sub.shak = self.new_shak(oe.shak, si.region)

    # ---- ids

    def assign_ids(self) -> None:
        r = self.rng
        order = sorted(self.ents, key=lambda e: (e.first, e.idx))
        running = 999
        for e in order:
            running += r.randint(1, 15)
            sid = make_sor_id(running)
            if self.defects and r.random() < 0.001:
                sid = sid[:-1] + str((int(sid[-1]) + 1) % 10)
                self.planted["bad_sor_id"] += 1
            e.sid = sid

    # ---- phase 2: EAN states and versions

    def assign_eans(self) -> None:
        r = self.rng
        for e in self.ents:  # parents come before their children
            p = e.parent
            avail = p is not None and p.ean_state != "none"
            x = r.random()
            if e.level == "IE":
                own = 0.45 if e.kind == "private" else 0.6
                e.ean_state = "own" if x < own else "none"
            elif e.level == "SI":
                e.ean_state = "own" if x < 0.3 else ("inherited" if avail and x < 0.85 else "none")
            else:
                own = 0.35 if e.kind == "dept" else 0.12
                e.ean_state = (
                    "own" if x < own else ("inherited" if avail and x < own + 0.7 else "none")
                )
            if e.ean_state == "own":
                e.ean = self.new_ean()
                e.ean_attrs.append(self.ean_attr(e))

    def ean_attr(self, e: _Ent) -> tuple[int, int, int, str, bool]:
        r = self.rng
        note = ""
        if r.random() < 0.15:
            note = r.choice(
                (
                    "Modtager epikriser og henvisninger",
                    "Bruges til: laboratoriesvar; røntgensvar",
                    "Kun intern brug\nKontakt sekretariatet ved fejl",
                    "Ny leverandør, se note",
                )
            )
        return (
            r.randrange(len(nm.SYSTEM_TYPES)),
            r.randrange(len(nm.SYSTEM_SUPPLIERS)),
            r.randrange(len(nm.COMMUNICATION_SUPPLIERS)),
            note,
            r.random() < 0.03,
        )

    def _rate(self, e: _Ent) -> float:
        """Change events per year."""
        if e.hosp:
            return 0.75 if e.level == "OE" else 1.1
        if e.kind in ("region", "muni", "state"):
            return 0.8
        if e.kind in ("muni_si", "muni_oe", "state_si", "state_oe"):
            return 0.52
        return 0.32

    def build_versions(self) -> None:
        for e in self.ents:
            self.versions_of(e)

    def versions_of(self, e: _Ent) -> None:
        r = self.rng
        own_post = e.level == "IE" or r.random() < (0.85 if e.level == "SI" else 0.8)
        home = e.home or (e.parent.home if e.parent is not None else None) or self.home_in()
        if e.home is None:
            e.home = home
        post = self.new_addr(home, e.region) if own_post else -1
        visit = -1
        act = -1
        if e.level != "IE" and r.random() < (0.75 if e.level == "SI" else 0.7):
            # Like the 2.0.0 sample: often an own visiting address equal to the postal one.
            visit = post if post >= 0 and r.random() < 0.6 else self.new_addr(home, e.region)
        if e.level == "OE" and r.random() < 0.6:
            act = visit if visit >= 0 and r.random() < 0.5 else self.new_addr(home, e.region)
        if e.level == "IE" or r.random() < (0.9 if e.level == "SI" else 0.7):
            virt = self.new_virt(e.spec[0], True)
        else:
            virt = -1
        name = e.spec[0]
        specs: tuple[str, ...] = ()
        if e.level == "OE" and len(e.spec) > 1 and e.spec[1]:
            specs = (e.spec[1],)
            if e.hosp and r.random() < 0.7:
                specs += tuple(r.sample(_SPECIALIST, r.randint(1, 6)))
            specs = tuple(dict.fromkeys(specs))
        flags = None
        if e.hosp and e.level == "OE":
            flags = (r.random() < 0.4, r.random() < 0.6, r.random() < 0.5)
        local = ""
        if e.hosp and r.random() < 0.3:
            local = f"{r.choice('ABCDEFGHK')}{r.randint(100, 9999)}"
        attr = "Omkostningssted " + str(r.randint(1000, 9999)) if r.random() < 0.2 else ""
        level = -1
        if e.hosp and e.level == "OE":
            level = 3 if e.kind == "dept" else (4 if e.kind == "sect" else 5)
        elif e.hosp and e.level == "SI":
            level = 1
        # creation registered a little before it took effect
        upd = max(e.first - r.randint(0, 20), e.first - 400)
        v: list[Any] = [
            e.first,
            0,
            upd,
            r.randint(0, 86399),
            name,
            e.parent,
            post,
            visit,
            act,
            virt,
        ]
        v += [specs, flags, -1 if level < 0 else -2, 0, local, attr]
        # -2 means "level not set yet"; it is set by the ID27 event below.
        versions = [v]
        days = self.event_days(e)
        if level >= 0 and e.first >= ID27_DAY:
            v[V_LEVEL] = level
        elif (
            level >= 0
            and (not e.end or e.end >= ID27_DAY)
            and r.random() < 0.6
            and ID27_DAY not in days
        ):
            days.append(ID27_DAY)
            days.sort()
        for day in days:
            nv = list(versions[-1])
            nv[V_FROM] = day
            nv[V_UPD] = max(day - r.randint(0, 30), min(day, self.snap) - 30)
            nv[V_SECS] = r.randint(0, 86399)
            if day == ID27_DAY and level >= 0 and nv[V_LEVEL] == -2:
                nv[V_LEVEL] = level
            else:
                self.change(e, nv, day)
            versions.append(nv)
        for a, b in itertools.pairwise(versions):
            a[V_TO] = b[V_FROM] - 1
        versions[-1][V_TO] = e.end
        for v in versions:
            if v[V_FROM] < NSP_LOADED:
                v[V_UPD], v[V_SECS] = NSP_LOADED, 7980 + (e.idx % 60)
            v[V_UPD] = min(v[V_UPD], self.snap)
            if v[V_LEVEL] == -2:
                v[V_LEVEL] = -1
        e.versions = versions
        e.vdays = [v[V_FROM] for v in versions]

    # ---- an earlier download of the same register

    def cut(self, known_on: int) -> None:
        """Keep what a download made on day `known_on` would have held.

        A version is known once registered (its UpdatedAt day is on or before
        `known_on`); a unit is known with its first version. A closure is taken to be
        registered CLOSURE_LEAD days before it takes effect: one further away is not
        known yet, so the unit's last known version stays open. A version naming a
        parent the download does not hold yet is not known either (nor what follows
        it), so every parent a known row names is in the file. The register as it
        stood on any day up to `known_on` is the same in the cut as in the full plan.
        """
        keep: dict[int, list[list[Any]]] = {}
        for e in self.ents:
            vs = [v for v in e.versions if v[V_UPD] <= known_on]
            if vs:
                keep[e.idx] = vs
        changed = True
        while changed:  # a dropped unit can make versions of others unknown
            changed = False
            for idx, vs in list(keep.items()):
                n = next(
                    (
                        i
                        for i, v in enumerate(vs)
                        if v[V_PARENT] is not None and v[V_PARENT].idx not in keep
                    ),
                    len(vs),
                )
                if n < len(vs):
                    changed = True
                    if n:
                        keep[idx] = vs[:n]
                    else:
                        del keep[idx]
        ents = []
        for e in self.ents:
            got = keep.get(e.idx)
            if got is None:
                continue
            vs = got
            closure_known = bool(e.end) and e.end <= known_on + CLOSURE_LEAD
            if len(vs) < len(e.versions) or not closure_known:
                last = list(vs[-1])
                last[V_TO] = e.end if closure_known else 0
                vs = [*vs[:-1], last]
            if not closure_known:
                e.end = 0
            e.versions = vs
            e.vdays = [v[V_FROM] for v in vs]
            if e.ean_attrs:
                e.ean_attrs = e.ean_attrs[: max(v[V_EANV] for v in vs) + 1]
            ents.append(e)
        known = {e.idx for e in ents}
        self.ents = ents
        self.replaced = [(a, b) for a, b in self.replaced if a.idx in known and b.idx in known]
        # geos stay: units refer to them by position; geo_rows skips the unknown ones
        self.snap = known_on

    def home_of(self, e: _Ent) -> tuple[str, str, str, float, float]:
        if e.home is None:
            e.home = self.home_in(e.region)
        return e.home

    def event_days(self, e: _Ent) -> list[int]:
        r = self.rng
        start = max(e.first, HISTORY_START)
        stop = min(e.end, self.horizon) if e.end else self.horizon
        rate = self._rate(e) / 365.25
        days: set[int] = set()
        t = float(start)
        while True:
            t += r.expovariate(rate)
            if t > stop:
                break
            d = int(t)
            if d > e.first:
                days.add(d)
        return sorted(days)

    def change(self, e: _Ent, v: list[Any], day: int) -> None:
        r = self.rng
        if e.level == "IE":
            renames = 0 if e.kind in ("region", "muni") else 2
            what = r.choices(("name", "post", "virt", "ean"), (renames, 3, 3, 1))[0]
        elif e.level == "SI":
            what = r.choices(("name", "post", "visit", "virt", "ean", "local"), (2, 3, 1, 3, 1, 1))[
                0
            ]
        else:
            what = r.choices(
                ("name", "post", "visit", "act", "virt", "spec", "move", "flags", "local", "ean"),
                (2, 2, 1, 1, 2, 2, 1.2, 1, 1, 1),
            )[0]
        if what == "ean" and e.ean_state != "own":
            what = "virt"
        if what == "flags" and v[V_FLAGS] is None:
            what = "spec"
        if what == "spec" and not v[V_SPEC]:
            what = "name"
        if what == "move" and not self.move(e, v, day):
            what = "name"
        if what == "name":
            v[V_NAME] = _rename(r, v[V_NAME])
        elif what == "post":
            if e.level != "IE" and r.random() < 0.3:
                v[V_POST] = -1 if v[V_POST] >= 0 else self.new_addr(self.home_of(e), e.region)
            else:
                v[V_POST] = self.new_addr(self.home_of(e), e.region)
        elif what == "visit":
            v[V_VISIT] = -1 if v[V_VISIT] >= 0 else self.new_addr(self.home_of(e), e.region)
        elif what == "act":
            v[V_ACT] = -1 if v[V_ACT] >= 0 else self.new_addr(self.home_of(e), e.region)
        elif what == "virt":
            if e.level != "IE" and r.random() < 0.25:
                v[V_VIRT] = -1 if v[V_VIRT] >= 0 else self.new_virt(v[V_NAME], True)
            else:
                v[V_VIRT] = self.new_virt(v[V_NAME], True)
        elif what == "spec":
            main = v[V_SPEC][0]
            extra = tuple(s for s in r.sample(_SPECIALIST, r.randint(0, 3)) if s != main)
            v[V_SPEC] = (main, *extra)
        elif what == "flags":
            v[V_FLAGS] = (r.random() < 0.4, r.random() < 0.6, r.random() < 0.5)
        elif what == "local":
            v[V_LOCAL] = f"{r.choice('ABCDEFGHK')}{r.randint(100, 9999)}"
        elif what == "ean":
            e.ean_attrs.append(self.ean_attr(e))
            v[V_EANV] = len(e.ean_attrs) - 1

    def move(self, e: _Ent, v: list[Any], day: int) -> bool:
        """Move an OE to another unit of its parent's level in the same institution."""
        p = v[V_PARENT]
        if e.moved or e.level != "OE" or p is None or p.level != "OE" or p.parent is None:
            return False
        cands = [
            c
            for c in p.parent.children
            if c is not p
            and c.level == "OE"
            and c.first < day
            and (not c.end or (e.end and e.end <= c.end))
            and (e.ean_state != "inherited" or c.ean_state != "none")
        ]
        if not cands:
            return False
        v[V_PARENT] = self.rng.choice(cands)
        e.moved = True
        return True


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})


def _rename(r: random.Random, name: str) -> str:
    base = re.sub(r" \((tidl\.|ny)\)$|, afd\. [A-E]$", "", name)
    options = [
        base + " (ny)",
        base + ", afd. " + r.choice("ABCDE"),
        base.replace("Afdeling", "Klinik") if "Afdeling" in base else base + " (tidl.)",
    ]
    if " og " in base:
        options.append(base.replace(" og ", " & "))
    options = [o for o in options if o != name] or [name + " (ny)"]
    return r.choice(options)


def _region_of(muni: str) -> str:
    for m in nm.MUNICIPALITIES:
        if m[0] == muni:
            return m[2]
    return "1084"


def _split(r: random.Random, total: int, k: int) -> list[int]:
    """A random split of `total` into `k` non-negative parts (skewed, like real trees)."""
    if k <= 0:
        return []
    w = [r.paretovariate(1.6) for _ in range(k)]
    s = sum(w)
    parts = [int(total * x / s) for x in w]
    for i in range(total - sum(parts)):
        parts[i % k] += 1
    return parts


def _at(e: _Ent, day: int) -> list[Any]:
    """The version of `e` valid on `day` (the nearest one outside its life)."""
    i = bisect.bisect_right(e.vdays, day) - 1
    return e.versions[max(i, 0)]


def _eff_post(e: _Ent, day: int) -> int:
    """Address index of the effective postal address of `e` on `day`."""
    for _ in range(12):
        v = _at(e, day)
        if v[V_POST] >= 0 or v[V_PARENT] is None:
            return int(v[V_POST])
        e = v[V_PARENT]
    return -1


def _eff_virt(e: _Ent, day: int) -> int:
    for _ in range(12):
        v = _at(e, day)
        if v[V_VIRT] >= 0 or v[V_PARENT] is None:
            return int(v[V_VIRT])
        e = v[V_PARENT]
    return -1


def _ean_source(e: _Ent, day: int) -> _Ent | None:
    for _ in range(12):
        if e.ean_state == "own":
            return e
        if e.ean_state == "none":
            return None
        p = _at(e, day)[V_PARENT]
        if p is None:
            return None
        e = p
    return None


def _shak_source(e: _Ent, day: int) -> _Ent | None:
    return _shak_walk(e, day)[0]


def _shak_walk(e: _Ent, day: int) -> tuple[_Ent | None, list[_Ent]]:
    """(the unit holding the SHAK code `e` has on `day`, or None; the units above `e`
    whose versions on `day` the walk read, up to and including that holder)."""
    seen: list[_Ent] = []
    for _ in range(12):
        if e.shak:
            return e, seen
        p = _at(e, day)[V_PARENT]
        if p is None:
            return None, seen
        e = p
        seen.append(e)
    return None, seen


_NO_END = 10**7  # a day number after every generated date: an open version's end


def _next_start(units: list[_Ent], day: int) -> int:
    """The first version start after `day` among `units` (after _NO_END when none)."""
    nxt = _NO_END + 1
    for u in units:
        i = bisect.bisect_right(u.vdays, day)
        if i < len(u.vdays) and u.vdays[i] < nxt:
            nxt = u.vdays[i]
    return nxt


def _moves_on(units: list[_Ent], day: int) -> bool:
    """Whether a version of one of `units` starting on `day` has another parent."""
    for u in units:
        i = bisect.bisect_left(u.vdays, day)
        if (
            0 < i < len(u.vdays)
            and u.vdays[i] == day
            and u.versions[i][V_PARENT] is not u.versions[i - 1][V_PARENT]
        ):
            return True
    return False


def _shak_pieces(e: _Ent, start: int, stop: int) -> Iterator[tuple[int, int, _Ent]]:
    """Split the days start..stop (inclusive; one version of `e`) into (from, to, holder)
    pieces for SHAKSORMap: a new piece starts at every version start of the holder, as
    the real map does, and wherever the holder changes because a unit on the way up
    moved; days without a holder give no piece."""
    t = start
    while t <= stop:
        src, above = _shak_walk(e, t)
        nxt = _next_start(above, t)
        # other version starts on the way up continue the piece, unless a move there
        # changes the holder (the walk is redone only at moves: they are rare)
        while nxt <= stop:
            if src is not None and src is not e and nxt in src.vdays:
                break
            if _moves_on(above, nxt):
                src2, above2 = _shak_walk(e, nxt)
                if src2 is not src:
                    break
                above = above2
            nxt = _next_start(above, nxt)
        if src is not None:
            yield t, min(nxt - 1, stop), src
        t = nxt


# --------------------------------------------------------------------------------------
# Phase 3: writing SOR2 CSV


class _Writer:
    """Renders rows of every table for one dialect, with caches for repeated blocks."""

    def __init__(self, plan: _Planner, d: _Dialect) -> None:
        self.p = plan
        self.d = d
        self._addr: dict[tuple[int, bool], str] = {}
        self._virt: dict[int, str] = {}
        self._spec: dict[tuple[str, ...], str] = {}
        self._owner: dict[tuple[int, str], str] = {}
        self._hi: dict[tuple[int, str], str] = {}
        self._ean: dict[tuple[int, int], str] = {}
        self.spec_ids = tuple(codes.SPECIALITIES)
        self.e_addr = d.empty(13)
        self.e_virt = d.empty(4)
        self.e_ean = d.empty(12)
        self.e_spec = d.empty(16)
        self.e_hi = d.empty(5)

    # -- blocks

    def addr(self, i: int, visiting: bool) -> str:
        key = (i, visiting)
        s = self._addr.get(key)
        if s is None:
            d = self.d
            a = self.p.addrs[i]
            name, code = d.t(a[A_STREET]), d.t(a[A_CODE])
            first2 = (code, name) if visiting else (name, code)
            s = d.row(
                (
                    *first2,
                    d.t(a[A_NO]),
                    d.t(a[A_FLOOR]),
                    d.t(a[A_SUITE]),
                    d.t(a[A_EXTRA]),
                    d.t(a[A_POST]),
                    d.t(a[A_TOWN]),
                    d.code(a[A_MUNI]),
                    d.code(a[A_REGION]),
                    d.t(a[A_COUNTRY]),
                    d.dec(a[A_N]),
                    d.dec(a[A_E]),
                )
            )
            self._addr[key] = s
        return s

    def virt(self, i: int) -> str:
        s = self._virt.get(i)
        if s is None:
            d = self.d
            s = d.row(d.t(x) for x in self.p.virts[i])
            self._virt[i] = s
        return s

    def spec(self, specs: tuple[str, ...]) -> str:
        s = self._spec.get(specs)
        if s is None:
            d = self.d
            parts = []
            for c in specs[:8]:
                parts += [d.bi(c), d.t(codes.SPECIALITIES.get(c, ""))]
            parts += [d.null] * (16 - len(parts))
            s = d.row(parts)
            self._spec[specs] = s
        return s

    def ean_block(self, e: _Ent, variant: int) -> str:
        key = (e.idx, variant)
        s = self._ean.get(key)
        if s is None:
            d = self.d
            st, sup, com, note, internal = e.ean_attrs[variant]
            region = e.region
            s = d.row(
                (
                    d.bi(e.ean),
                    d.b(internal),
                    d.b(bool(e.end and e.end < self.p.snap)),
                    d.t(note),
                    d.bi(region),
                    d.t(codes.REGIONS.get(region, "")),
                    d.bi(nm.SYSTEM_TYPES[st][0]),
                    d.t(nm.SYSTEM_TYPES[st][1]),
                    d.bi(nm.SYSTEM_SUPPLIERS[sup][0]),
                    d.t(nm.SYSTEM_SUPPLIERS[sup][1]),
                    d.bi(nm.COMMUNICATION_SUPPLIERS[com][0]),
                    d.t(nm.COMMUNICATION_SUPPLIERS[com][1]),
                )
            )
            self._ean[key] = s
        return s

    def owner_block(self, e: _Ent, day: int) -> str:
        o = e.owner
        name = _at(o, day)[V_NAME]
        key = (o.idx, name)
        s = self._owner.get(key)
        if s is None:
            d = self.d
            s = d.row(
                (d.sid(o.sid), d.t(name), d.bi(o.type_id), d.t(_TYPE_NAMES[o.type_id]), d.bi(o.cvr))
            )
            self._owner[key] = s
        return s

    def hi_block(self, e: _Ent, day: int) -> str:
        h = e.hi
        if h is None:
            return self.e_hi
        name = _at(h, day)[V_NAME]
        key = (h.idx, name)
        s = self._hi.get(key)
        if s is None:
            d = self.d
            s = d.row(
                (
                    d.sid(h.sid),
                    d.t(name),
                    d.bi(h.type_id),
                    d.t(_TYPE_NAMES.get(h.type_id, "")),
                    d.bi(h.pnum),
                )
            )
            self._hi[key] = s
        return s

    # -- SOREntity

    def entity_rows(self, e: _Ent, versions: list[list[Any]] | None = None) -> Iterator[str]:
        d = self.d
        p = self.p
        copies = d.copies
        tname = d.t(_TYPE_NAMES.get(e.type_id, ""))
        head_tail = d.row((d.bi(e.type_id), tname, d.d(e.first)))
        sid = d.sid(e.sid)
        ids = d.row(
            (
                d.null,  # ProductionUnitId: "not used at present"
                d.t(e.shak if d.shak else ""),
                d.t(e.provider),
                d.t(e.pharmacy),
            )
        )
        is_ie = e.level == "IE"
        vs = e.versions if versions is None else versions
        last = len(e.versions) - 1
        for v in vs:
            day = v[V_FROM]
            to = v[V_TO]
            if d.nsp_open and v is not e.versions[last]:
                to = 0
            parent = v[V_PARENT]
            # virtual address
            if v[V_VIRT] >= 0:
                virt = d.FALSE + d.delim + self.virt(v[V_VIRT])
            else:
                src = _eff_virt(e, day) if copies else -1
                virt = d.TRUE + d.delim + (self.virt(src) if src >= 0 else self.e_virt)
            # EAN
            if e.ean_state == "own":
                ean = d.t("own") + d.delim + self.ean_block(e, v[V_EANV])
            elif e.ean_state == "inherited":
                src_e = _ean_source(e, day) if copies else None
                blk = self.ean_block(src_e, len(src_e.ean_attrs) - 1) if src_e else self.e_ean
                ean = d.t("inherited") + d.delim + blk
            else:
                ean = d.t("none") + d.delim + self.e_ean
            # postal
            if v[V_POST] >= 0:
                post_i = v[V_POST]
                post = d.FALSE + d.delim + self.addr(post_i, False)
            else:
                post_i = _eff_post(e, day) if copies else -1
                post = d.TRUE + d.delim + (self.addr(post_i, False) if post_i >= 0 else self.e_addr)
            geo = e.geo
            geo_s = (
                d.bi(str(p.geos[geo - 1][0])) + d.delim + d.t(p.geos[geo - 1][1])
                if geo
                else d.null + d.delim + d.null
            )
            # visiting and activity
            if is_ie:
                visit = d.null + d.delim + self.e_addr
                act = d.null + d.delim + self.e_addr
            else:
                if v[V_VISIT] >= 0:
                    visit_i = v[V_VISIT]
                    visit = d.FALSE + d.delim + self.addr(visit_i, True)
                else:
                    visit_i = post_i if copies else -1
                    visit = (
                        d.TRUE
                        + d.delim
                        + (self.addr(visit_i, True) if visit_i >= 0 else self.e_addr)
                    )
                if e.level != "OE":
                    act = d.null + d.delim + self.e_addr
                elif v[V_ACT] >= 0:
                    act = d.FALSE + d.delim + self.addr(v[V_ACT], False)
                else:
                    act_i = visit_i if copies else -1
                    act = (
                        d.TRUE + d.delim + (self.addr(act_i, False) if act_i >= 0 else self.e_addr)
                    )
            spec = self.spec(v[V_SPEC]) if v[V_SPEC] else self.e_spec
            flags = v[V_FLAGS]
            if flags is None:
                fl = d.null + d.delim + d.null + d.delim + d.null
            else:
                fl = d.row((d.b(flags[0]), d.b(flags[1]), d.b(flags[2])))
            local_attr = d.t(v[V_ATTR]) + d.delim + d.empty(4)
            parts = [
                sid,
                d.t(e.level),
                d.t(v[V_NAME]),
                head_tail,
                d.d(day),
                d.d(to),
                d.dt(v[V_UPD], v[V_SECS]),
                d.sid(parent.sid) if parent is not None else d.null,
                self.owner_block(e, day),
                self.hi_block(e, day),
                ids,
                d.t(v[V_LOCAL]),
                virt,
                ean,
                post,
                geo_s,
                visit,
                act,
                spec,
                fl,
                local_attr,
            ]
            if d.id27:
                lv = v[V_LEVEL]
                if lv >= 0:
                    parts.append(
                        d.t(nm.ORG_LEVELS[lv - 1][0]) + d.delim + d.t(nm.ORG_LEVELS[lv - 1][1])
                    )
                else:
                    parts.append(d.null + d.delim + d.null)
            if "nsp-fields" in d.o:
                parts.append(self.nsp_fields(e, v))
            yield d.delim.join(parts)

    def nsp_fields(self, e: _Ent, v: list[Any]) -> str:
        d = self.d
        valid_to = (
            d.dt(v[V_TO] + 1, 0)
            if v[V_TO] and v is not e.versions[-1]
            else d.dt(_day(2999, 12, 31), 0)
        )
        return d.row(
            (
                d.dt(v[V_UPD], v[V_SECS]),
                valid_to,
                d.t(f"{e.sid}-{dt.date.fromordinal(v[V_FROM]).isoformat()}"),
                d.null,
            )
        )

    def entity_header(self) -> list[str]:
        cols = list(schema.SOR_ENTITY_COLUMNS_2025 if self.d.id27 else schema.SOR_ENTITY_COLUMNS)
        if "nsp-fields" in self.d.o:
            cols += ["ValidFrom", "ValidTo", "UniqueCurrentKey", "Unreliable"]
        return cols

    # -- SHAKSORMap

    def shak_header(self) -> list[str]:
        cols = list(
            schema.SHAK_SOR_MAP_COLUMNS_2025 if self.d.id27 else schema.SHAK_SOR_MAP_COLUMNS
        )
        if "nsp-fields" in self.d.o:
            cols += ["ValidFrom", "ValidTo", "UniqueCurrentKey", "Unreliable"]
        return cols

    def shak_rows(self, e: _Ent) -> Iterator[str]:
        if not e.hosp or e.level == "IE":
            return
        # A new row starts at every SOR change, also the inherited ones (seed 003), and
        # wherever the unit the code is attached to changes: a move of the unit or of
        # any unit above it can put the unit under another direct SHAK holder.
        pieces = [
            (v, a, b, src)
            for v in e.versions
            for a, b, src in _shak_pieces(e, v[V_FROM], v[V_TO] or _NO_END)
        ]
        for k, (v, a, b, src) in enumerate(pieces):
            # NSP: no ToDate unless the mapping ends (the next row carries the same code
            # straight on)
            follows = (
                k + 1 < len(pieces)
                and pieces[k + 1][1] == b + 1
                and pieces[k + 1][3].shak == src.shak
            )
            if b == _NO_END or (self.d.nsp_open and follows):
                b = 0
            yield self.shak_row(e, v, src, src is e, a, b)

    def shak_row(self, e: _Ent, v: list[Any], src: _Ent, direct: bool, a: int, b: int) -> str:
        d = self.d
        p = self.p
        day = v[V_FROM]
        parent = v[V_PARENT]
        vis_i = v[V_VISIT] if v[V_VISIT] >= 0 else -1
        if vis_i >= 0:
            visit = d.FALSE + d.delim + self.addr(vis_i, False)
        else:
            visit = d.TRUE + d.delim + self.e_addr
        o = e.owner
        h = e.hi
        src_first = src.versions[0]
        itype = nm.SHAK_INSTITUTION_TYPES[2 if o.kind == "private" else 0]
        otype = nm.SHAK_OWNER_TYPES[1 if o.kind == "private" else 0]
        main = (v[V_SPEC][0] if v[V_SPEC] else "") if e.level == "OE" else ""
        main_code = f"{self.spec_ids.index(main) + 1:03d}" if main in codes.SPECIALITIES else ""
        main_name = codes.SPECIALITIES.get(main, "")
        ean_src = _ean_source(e, day)
        parts = [
            d.bi("0"),
            d.t(src.shak),
            d.sid(e.sid),
            d.b(direct),
            d.null if direct else d.sid(src.sid),
            d.d(a),
            d.d(b),
            d.dt(min(max(a, v[V_UPD]), p.snap), (e.idx * 37) % 86400),
            d.t(e.level),
            d.t(v[V_NAME]),
            d.bi(e.type_id),
            d.t(_TYPE_NAMES.get(e.type_id, "")),
            d.d(e.first),
            d.d(day),
            d.d(e.end),
            d.dt(v[V_UPD], v[V_SECS]),
            d.sid(parent.sid) if parent is not None else d.null,
            d.sid(o.sid),
            d.t(_at(o, day)[V_NAME]),
            d.bi(o.type_id),
            d.t(_TYPE_NAMES[o.type_id]),
            d.sid(h.sid) if h is not None else d.null,
            d.t(_at(h, day)[V_NAME]) if h is not None else d.null,
            d.bi(h.type_id) if h is not None else d.null,
            d.t(_TYPE_NAMES.get(h.type_id, "")) if h is not None else d.null,
            d.t(e.ean_state),
            d.bi(ean_src.ean) if ean_src is not None else d.null,
            d.bi(str(p.geos[e.geo - 1][0])) if e.geo else d.null,
            d.t(p.geos[e.geo - 1][1]) if e.geo else d.null,
            visit,
            self.spec(v[V_SPEC]) if v[V_SPEC] else self.e_spec,
            d.d(src.first),
            d.d(src.end),
            d.dt(min(src_first[V_UPD], p.snap), src_first[V_SECS]),
            d.t(src_first[V_NAME]),
            d.t(itype[0]),
            d.t(itype[1]),
            d.t(otype[0]),
            d.t(otype[1]),
            d.t(main_code),
            d.t(main_name),
            d.empty(6),
        ]
        if d.id27:
            lv = v[V_LEVEL]
            if lv >= 0:
                parts.append(
                    d.t(nm.ORG_LEVELS[lv - 1][0]) + d.delim + d.t(nm.ORG_LEVELS[lv - 1][1])
                )
            else:
                parts.append(d.null + d.delim + d.null)
        if "nsp-fields" in d.o:
            parts.append(self.nsp_fields(e, v))
        return d.delim.join(parts)

    # -- small tables

    def location_rows(self) -> Iterator[str]:
        d = self.d
        for e in self.p.ents:
            if e.ean_state != "own":
                continue
            st, sup, com, note, internal = e.ean_attrs[-1]
            yield d.row(
                (
                    d.bi(e.ean),
                    d.d(e.first),
                    d.d(e.end),
                    d.dt(min(e.versions[-1][V_UPD], self.p.snap), 3600 + e.idx % 7200),
                    d.bi(e.region),
                    d.t(codes.REGIONS.get(e.region, "")),
                    d.bi(nm.COMMUNICATION_SUPPLIERS[com][0]),
                    d.t(nm.COMMUNICATION_SUPPLIERS[com][1]),
                    d.bi(nm.SYSTEM_SUPPLIERS[sup][0]),
                    d.t(nm.SYSTEM_SUPPLIERS[sup][1]),
                    d.bi(nm.SYSTEM_TYPES[st][0]),
                    d.t(nm.SYSTEM_TYPES[st][1]),
                    d.t(note),
                    d.b(bool(e.end and e.end < self.p.snap)),
                    d.b(internal),
                )
            )

    def edi_map_rows(self) -> Iterator[str]:
        d = self.d
        n = len(nm.EDI_TYPES)
        for e in self.p.ents:
            if e.ean_state != "own":
                continue
            # Deterministic per EAN without touching the planner's random stream.
            r = random.Random(int(e.ean) ^ 0x5A5A)
            for k in sorted(r.sample(range(n), r.randint(2, 8))):
                t = nm.EDI_TYPES[k]
                yield d.row(
                    (
                        d.bi(e.ean),
                        d.d(e.first),
                        d.d(e.end),
                        d.dt(min(e.first, self.p.snap), 7200),
                        d.bi(str(k + 1)),
                        d.t(t[0]),
                        d.t(t[1]),
                        d.t(t[2]),
                        d.t(t[3]),
                        d.t(t[4]),
                        d.t(t[5]),
                        d.bi(t[6]),
                        d.t("EDI" if t[6] == "1" else "XML"),
                    )
                )

    def edi_type_rows(self) -> Iterator[str]:
        d = self.d
        start = HISTORY_START
        for k, t in enumerate(nm.EDI_TYPES):
            yield d.row(
                (
                    d.bi(str(k + 1)),
                    d.t(t[0]),
                    d.d(start),
                    d.d(0),
                    d.dt(NSP_LOADED, 7980),
                    d.bi(t[6]),
                    d.t("EDI" if t[6] == "1" else "XML"),
                    d.t(t[1]),
                    d.t(t[2]),
                    d.t(t[3]),
                    d.t(t[4]),
                    d.t(t[5]),
                )
            )

    def classification_rows(self) -> Iterator[str]:
        d = self.d
        lists: list[tuple[str, Iterable[tuple[str, str]]]] = [
            ("ClinicalSpeciality", codes.SPECIALITIES.items()),
            ("InstitutionOwnerEntityType", codes.OWNER_TYPES.items()),
            ("HealthInstitutionEntityType", codes.INSTITUTION_TYPES.items()),
            ("OrganizationalUnitEntityType", codes.UNIT_TYPES.items()),
            ("OrganizationalUnitEntityTypeNonHospital", codes.INSTITUTION_TYPES.items()),
            ("EanLocationCodeRegionType", codes.REGIONS.items()),
            ("EanLocationCodeSystemSupplier", nm.SYSTEM_SUPPLIERS),
            ("EanLocationCodeSystemType", nm.SYSTEM_TYPES),
            ("EanLocationCodeCommunicationSupplier", nm.COMMUNICATION_SUPPLIERS),
        ]
        if d.id27:
            lists.append(("SorOrganisationalLevel", nm.ORG_LEVELS))
        for ctype, items in lists:
            for code, name in items:
                alt = name.capitalize() if ctype == "ClinicalSpeciality" else ""
                closed = code == "726"
                yield d.row(
                    (
                        d.t(ctype),
                        d.t(name),
                        d.bi(code),
                        d.t(alt),
                        d.dt(HISTORY_START, 0),
                        d.dt(_day(2015, 12, 31), 0) if closed else d.null,
                        d.dt(NSP_LOADED, 7980),
                    )
                )

    def geo_rows(self) -> Iterator[str]:
        d = self.d
        p = self.p
        by_idx = {e.idx: e for e in p.ents}  # an earlier download (`cut`) holds fewer
        for gid, name, region_ent, si_idx, first, _end in p.geos:
            si = by_idx.get(si_idx)
            if si is None or region_ent.idx not in by_idx:
                continue
            end = si.end  # as planned, or open in an earlier download that does not know it
            a = p.addrs[si.versions[0][V_POST]] if si.versions[0][V_POST] >= 0 else None
            addr = (
                d.row(
                    (
                        d.t(a[A_STREET]),
                        d.t(a[A_CODE]),
                        d.t(a[A_NO]),
                        d.t(a[A_FLOOR]),
                        d.t(a[A_SUITE]),
                        d.t(a[A_POST]),
                        d.t(a[A_TOWN]),
                        d.code(a[A_MUNI]),
                        d.code(a[A_REGION]),
                        d.t(a[A_COUNTRY]),
                        d.dec(a[A_N]),
                        d.dec(a[A_E]),
                    )
                )
                if a is not None
                else d.empty(12)
            )
            short = next((s for c, _n, s in nm.REGIONS if c == region_ent.region), "")
            yield d.row(
                (
                    d.bi(str(gid)),
                    d.t(name),
                    d.sid(region_ent.sid),
                    d.t(short),
                    d.d(first),
                    d.d(end),
                    d.dt(min(first, p.snap), 3600),
                    addr,
                    d.d(first),
                    d.d(end),
                )
            )

    def replaced_rows(self) -> Iterator[str]:
        d = self.d
        for old, new in self.p.replaced:
            yield d.row(
                (
                    d.sid(old.sid),
                    d.sid(new.sid),
                    d.dt(new.first, 0),
                    d.null,
                    d.dt(min(new.first, self.p.snap), 9000),
                )
            )


_MEMBERS = {
    "SOREntity": ("SOREntity.csv", "sorentity.csv"),
    "SHAKSORMap": ("SHAKSORMap.csv", "shaksormap.csv"),
    "LocationsCode": ("LocationsCode.csv", "LocationsCodes.csv"),
    "LocationsCodeEDITypeMap": ("LocationsCodeEDITypeMap.csv", "LocationsCodesEDITypeMap.csv"),
    "EDITypes": ("EDITypes.csv", "editypes.csv"),
    "SORClassifications": ("SORClassifications.csv", "sorclassifications.csv"),
    "Geolocations": ("Geolocations.csv", "GeoLocations.csv"),
    "SORReplacedEntities": ("SORReplacedEntities.csv", "sorreplacedentities.csv"),
}


class _Counted(io.RawIOBase):
    """Counts bytes on their way into a zip member or file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        n = self.raw.write(b)
        self.count += len(b)
        return n if n is not None else len(b)


def _write_table(
    raw: IO[bytes], d: _Dialect, header: list[str], rows: Iterable[str], chunk: int = 2000
) -> tuple[int, int]:
    """Stream one CSV into `raw`; returns (rows, bytes)."""
    counted = _Counted(raw)
    buf = io.BufferedWriter(counted, buffer_size=1 << 20)
    text = io.TextIOWrapper(buf, encoding=d.encoding, newline="", write_through=False)
    if d.bom:
        text.write("\ufeff")
    text.write(d.row(d.t(h) if d.quote_all else h for h in header))
    n = 0
    pending: list[str] = []
    eol = d.eol
    for row in rows:
        pending.append(row)
        n += 1
        if len(pending) >= chunk:
            text.write(eol)
            text.write(eol.join(pending))
            pending.clear()
    if pending:
        text.write(eol)
        text.write(eol.join(pending))
    if "no-final-newline" not in d.o:
        text.write(eol)
    text.flush()
    text.detach()
    buf.flush()
    return n, counted.count


def _zip_info(name: str, snapshot: dt.date) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=(snapshot.year, snapshot.month, snapshot.day, 2, 30, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi._compresslevel = 1  # type: ignore[attr-defined]  # fast; CSV still shrinks ~10x
    zi.external_attr = 0o644 << 16
    return zi


# --------------------------------------------------------------------------------------
# XML


_NS1 = "urn:oio:sundhedsstyrelsen:organisation:1.0.0"
_NS2 = "urn:oio:nsi:2.0.0"
_XML_DECL_1 = (
    '<SorTree xmlns:itst="http://rep.oio.dk/itst.dk/xml/schemas/2005/01/10/" '
    'xmlns:xkom-1="http://rep.oio.dk/xkom.dk/xml/schemas/2006/01/06/" '
    'xmlns:dkcc="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/" '
    'xmlns:dkcc2005-2="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/05/13/" '
    'xmlns:dkcc2005="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/03/15/" '
    'xmlns:cpr="http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/" '
    'xmlns:xkom="http://rep.oio.dk/xkom.dk/xml/schemas/2005/03/15/" '
    f'xmlns="{_NS1}">'
)
_XML_DECL_2 = (
    '<SorTree xmlns:osak="http://rep.oio.dk/osak.dk/xml/schemas/2006/04/25/" '
    'xmlns:cpr="http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/" '
    'xmlns:cvr="http://rep.oio.dk/cvr.dk/xml/schemas/2005/03/22/" '
    'xmlns:xkom="http://rep.oio.dk/xkom.dk/xml/schemas/2006/01/06/" '
    f'xmlns:sor1="{_NS1}" '
    'xmlns:dkcc="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/" '
    'xmlns:dkcc2005="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/03/15/" '
    'xmlns:kms="http://rep.oio.dk/kms.dk/xml/schemas/2007/05/23/" '
    'xmlns:xkom1="http://rep.oio.dk/xkom.dk/xml/schemas/2005/03/15/" '
    'xmlns:dkcc2005-2="http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/05/13/" '
    f'xmlns="{_NS2}">'
)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cph_offset(day: dt.date) -> str:
    """+02:00 in Danish summer time (last Sunday of March to last Sunday of October)."""

    def last_sunday(month: int) -> dt.date:
        x = dt.date(day.year, month, 31)
        return x - dt.timedelta(days=(x.weekday() + 1) % 7)

    return "+02:00" if last_sunday(3) <= day < last_sunday(10) else "+01:00"


class _XmlWriter:
    """Sor.xml as of the snapshot: every unit once, nested by its parent at that date."""

    def __init__(self, plan: _Planner, version: str) -> None:
        self.p = plan
        self.v2 = version == "2.0.0"
        self.eol = "\r\n" if self.v2 else "\n"
        self.s1 = "sor1:" if self.v2 else ""  # prefix of 1.0.0 elements in 2.0.0
        self.xa = "xkom:" if self.v2 else "xkom-1:"  # AddressPostal
        self.xe = "xkom1:" if self.v2 else "xkom:"  # EmailAddressIdentifier
        snap = plan.snap
        self.kids: dict[int, list[_Ent]] = {}
        for e in plan.ents:
            v = self.version(e)
            par = v[V_PARENT]
            if par is not None:
                self.kids.setdefault(par.idx, []).append(e)
        self.snap = snap
        self.replaces: dict[int, list[_Ent]] = {}
        self.replaced_by: dict[int, list[_Ent]] = {}
        for old, new in plan.replaced:
            self.replaces.setdefault(new.idx, []).append(old)
            self.replaced_by.setdefault(old.idx, []).append(new)

    def version(self, e: _Ent) -> list[Any]:
        return _at(e, self.p.snap)

    def document(self) -> Iterator[str]:
        snap = dt.date.fromordinal(self.p.snap)
        s1 = self.s1
        if self.v2:
            created = (
                f"{snap.isoformat()}T01:00:29.{self.p.snap % 9_999_999:07d}{_cph_offset(snap)}"
            )
            yield '\ufeff<?xml version="1.0" encoding="utf-8"?>' + self.eol + _XML_DECL_2
        else:
            created = f"{snap.isoformat()}T00:00:00{_cph_offset(snap)}"
            yield '\ufeff<?xml version="1.0" encoding="UTF-8"?>' + self.eol + _XML_DECL_1
        out = [
            f"\t<{s1}CreatedAtTime>{created}</{s1}CreatedAtTime>",
            f"\t<{s1}SnapshotDate>{snap.isoformat()}</{s1}SnapshotDate>",
        ]
        yield self.eol + self.eol.join(out)
        for e in self.p.ents:
            if e.level == "IE":
                lines: list[str] = []
                self.unit(e, 1, lines)
                yield self.eol + self.eol.join(lines)
        yield self.eol + "</SorTree>" + (self.eol if self.v2 else "")

    def status(self, first: int, frm: int, to: int, upd: int, ind: str) -> list[str]:
        s1 = self.s1

        def iso(n: int) -> str:
            return dt.date.fromordinal(n).isoformat()

        out = [f"{ind}<{s1}SorStatus>", f"{ind}\t<{s1}FromDate>{iso(frm)}</{s1}FromDate>"]
        if to:
            out.append(f"{ind}\t<{s1}ToDate>{iso(to)}</{s1}ToDate>")
        out.append(f"{ind}\t<{s1}UpdatedAt>{iso(upd)}</{s1}UpdatedAt>")
        out.append(f"{ind}\t<{s1}FirstFromDate>{iso(first)}</{s1}FirstFromDate>")
        out.append(f"{ind}</{s1}SorStatus>")
        return out

    def address(self, tag: str, i: int, ind: str) -> list[str]:
        a = self.p.addrs[i]
        xa = self.xa
        out = [f"{ind}<{tag}>", f"{ind}\t<{xa}AddressPostal>"]
        out.append(f"{ind}\t\t<dkcc2005:StreetName>{_esc(a[A_STREET])}</dkcc2005:StreetName>")
        out.append(
            f"{ind}\t\t<dkcc:StreetBuildingIdentifier>{a[A_NO]}</dkcc:StreetBuildingIdentifier>"
        )
        if a[A_FLOOR]:
            out.append(f"{ind}\t\t<dkcc:FloorIdentifier>{a[A_FLOOR]}</dkcc:FloorIdentifier>")
        if a[A_SUITE]:
            out.append(f"{ind}\t\t<dkcc:SuiteIdentifier>{a[A_SUITE]}</dkcc:SuiteIdentifier>")
        out.append(
            f"{ind}\t\t<dkcc2005:PostCodeIdentifier>{a[A_POST]}</dkcc2005:PostCodeIdentifier>"
        )
        out.append(f"{ind}\t\t<dkcc2005:DistrictName>{_esc(a[A_TOWN])}</dkcc2005:DistrictName>")
        out.append(
            f'{ind}\t\t<dkcc:CountryIdentificationCode scheme="iso3166-alpha2">'
            f"{a[A_COUNTRY]}</dkcc:CountryIdentificationCode>"
        )
        out.append(f"{ind}\t</{xa}AddressPostal>")
        if self.v2:
            out += [
                f"{ind}\t<cpr:MunicipalityCode>{a[A_MUNI]}</cpr:MunicipalityCode>",
                f"{ind}\t<cpr:StreetCode>{a[A_CODE]}</cpr:StreetCode>",
                f"{ind}\t<kms:RegionCode>{a[A_REGION]}</kms:RegionCode>",
                f"{ind}\t<osak:CoordETRS89z32NMeasure>{a[A_N]:.3f}</osak:CoordETRS89z32NMeasure>",
                f"{ind}\t<osak:CoordETRS89z32EMeasure>{a[A_E]:.3f}</osak:CoordETRS89z32EMeasure>",
            ]
        out.append(f"{ind}</{tag}>")
        return out

    def virtual(self, i: int, ind: str) -> list[str]:
        phone, web, mail, fax = self.p.virts[i]
        s1 = self.s1
        out = [f"{ind}<{s1}VirtualAddressInformation>"]
        if mail:
            out.append(
                f"{ind}\t<{self.xe}EmailAddressIdentifier>{mail}</{self.xe}EmailAddressIdentifier>"
            )
        if web:
            out.append(f"{ind}\t<{s1}Website>{web}</{s1}Website>")
        out.append(f"{ind}\t<{s1}TelephoneNumberIdentifier>{phone}</{s1}TelephoneNumberIdentifier>")
        if fax:
            out.append(f"{ind}\t<{s1}FaxNumberIdentifier>{fax}</{s1}FaxNumberIdentifier>")
        out.append(f"{ind}</{s1}VirtualAddressInformation>")
        return out

    def ean_entity(self, e: _Ent, v: list[Any], ind: str) -> list[str]:
        s1 = self.s1
        st, sup, com, _note, internal = e.ean_attrs[v[V_EANV]]
        closed = bool(e.end and e.end < self.p.snap)
        out = [
            f"{ind}<EanLocationCodeEntity>",
            f"{ind}\t<{s1}EanLocationCode>{e.ean}</{s1}EanLocationCode>",
            f"{ind}\t<{s1}OnlyInternalIndicator>{str(internal).lower()}</{s1}OnlyInternalIndicator>",
            f"{ind}\t<{s1}NonActiveIndicator>{str(closed).lower()}</{s1}NonActiveIndicator>",
        ]
        if self.v2:
            out += [
                f"{ind}\t<SystemSupplierIdentifier>{nm.SYSTEM_SUPPLIERS[sup][0]}</SystemSupplierIdentifier>",
                f"{ind}\t<SystemTypeIdentifier>{nm.SYSTEM_TYPES[st][0]}</SystemTypeIdentifier>",
                f"{ind}\t<CommunicationSupplierIdentifier>{nm.COMMUNICATION_SUPPLIERS[com][0]}"
                "</CommunicationSupplierIdentifier>",
                f"{ind}\t<kms:RegionCode>{e.region}</kms:RegionCode>",
                f"{ind}\t<EdiAdministratorIdentifier>{nm.SYSTEM_SUPPLIERS[sup][0]}"
                "</EdiAdministratorIdentifier>",
            ]
        else:
            out += [
                f"{ind}\t<SystemSupplier>{nm.SYSTEM_SUPPLIERS[sup][0]}</SystemSupplier>",
                f"{ind}\t<SystemType>{nm.SYSTEM_TYPES[st][0]}</SystemType>",
                f"{ind}\t<CommunicationSupplier>{nm.COMMUNICATION_SUPPLIERS[com][0]}"
                "</CommunicationSupplier>",
                f"{ind}\t<RegionCode>{e.region}</RegionCode>",
                f"{ind}\t<EdiAdministrator>{nm.SYSTEM_SUPPLIERS[sup][0]}</EdiAdministrator>",
            ]
        out += self.status(e.first, e.first, e.end, min(e.first, self.p.snap), ind + "\t")
        out.append(f"{ind}</EanLocationCodeEntity>")
        return out

    def unit(self, e: _Ent, depth: int, out: list[str]) -> None:
        s1 = self.s1
        v = self.version(e)
        ind = "\t" * depth
        tag = {"IE": "InstitutionOwner", "SI": "HealthInstitution", "OE": "OrganizationalUnit"}[
            e.level
        ]
        out.append(f"{ind}<{tag}Entity>")
        i2 = ind + "\t"
        i3 = i2 + "\t"
        out.append(f"{i2}<{tag}>")
        out.append(f"{i3}<{s1}SorIdentifier>{e.sid}</{s1}SorIdentifier>")
        out.append(f"{i3}<{s1}EntityName>{_esc(v[V_NAME])}</{s1}EntityName>")
        if self.v2:
            out.append(f"{i3}<EntityTypeIdentifier>{e.type_id}</EntityTypeIdentifier>")
        elif e.level == "IE":
            out.append(f"{i3}<OwnerType>{e.type_id}</OwnerType>")
        elif e.level == "SI":
            out.append(f"{i3}<InstitutionType>{e.type_id}</InstitutionType>")
        elif e.hosp:
            out.append(f"{i3}<UnitType>{e.type_id}</UnitType>")
        if e.level == "OE" and v[V_LOCAL]:
            out.append(f"{i3}<LocalCode>{_esc(v[V_LOCAL])}</LocalCode>")
        if e.pharmacy:
            out.append(f"{i3}<PharmacyIdentifier>{e.pharmacy}</PharmacyIdentifier>")
        if e.shak:
            out.append(f"{i3}<ShakIdentifier>{e.shak}</ShakIdentifier>")
        if e.provider:
            out.append(f"{i3}<ProviderIdentifier>{e.provider}</ProviderIdentifier>")
        if e.level == "IE":
            if e.ean_state == "own":
                out += self.ean_entity(e, v, i3)
        else:
            opt = "EanLocationCodeOption" if self.v2 else "OptionalEanLocationCode"
            ind_tag = "EntityInheritanceIndicator" if self.v2 else "EntityInheritedIndicator"
            out.append(f"{i3}<{opt}>")
            if e.ean_state == "own":
                out += self.ean_entity(e, v, i3 + "\t")
            else:
                flag = "true" if e.ean_state == "inherited" else "false"
                out.append(f"{i3}\t<{ind_tag}>{flag}</{ind_tag}>")
            out.append(f"{i3}</{opt}>")
            if not self.v2:
                rel = "1" if e.level == "SI" else "2"
                out += [
                    f"{i3}<GeographicalParent>",
                    f"{i3}\t<GeographicalParentRelation>{rel}</GeographicalParentRelation>",
                    f"{i3}</GeographicalParent>",
                ]
        if v[V_POST] >= 0:
            out += self.address("PostalAddressInformation", v[V_POST], i3)
        if e.level != "IE" and v[V_VISIT] >= 0:
            out += self.address("VisitingAddressInformation", v[V_VISIT], i3)
        if e.level == "OE" and v[V_ACT] >= 0:
            out += self.address("ActivityAddressInformation", v[V_ACT], i3)
        if v[V_VIRT] >= 0:
            out += self.virtual(v[V_VIRT], i3)
        if e.level == "OE" and v[V_SPEC]:
            out.append(f"{i3}<ClinicalSpecialityCollection>")
            for c in v[V_SPEC][:8]:
                out += [
                    f"{i3}\t<ClinicalSpeciality>",
                    f"{i3}\t\t<SpecialityCode>{c}</SpecialityCode>",
                    f"{i3}\t\t<SpecialityType>51000095001</SpecialityType>",
                    f"{i3}\t</ClinicalSpeciality>",
                ]
            out.append(f"{i3}</ClinicalSpecialityCollection>")
        out += self.status(e.first, v[V_FROM], e.end, v[V_UPD], i3)
        if e.level != "IE":
            reps = self.replaces.get(e.idx, [])
            reps_by = self.replaced_by.get(e.idx, [])
            for coll, units in (
                ("ReplacesEntityCollection", reps),
                ("ReplacedByEntityCollection", reps_by),
            ):
                if units:
                    out.append(f"{i3}<{coll}>")
                    out += [f"{i3}\t<{s1}SorIdentifier>{u.sid}</{s1}SorIdentifier>" for u in units]
                    out.append(f"{i3}</{coll}>")
        if e.level == "OE" and v[V_FLAGS] is not None:
            a, b, c = (str(x).lower() for x in v[V_FLAGS])
            out += [
                f"{i3}<OrganizationalUnitInformation>",
                f"{i3}\t<AmbulantActivityIndicator>{b}</AmbulantActivityIndicator>",
                f"{i3}\t<PatientsAdmittedIndicator>{a}</PatientsAdmittedIndicator>",
                f"{i3}\t<ReportingLevelIndicator>{c}</ReportingLevelIndicator>",
                f"{i3}</OrganizationalUnitInformation>",
            ]
        if e.level == "IE" and self.v2:
            out.append(f"{i3}<cvr:CVRnumberIdentifier>{e.cvr}</cvr:CVRnumberIdentifier>")
        out.append(f"{i2}</{tag}>")
        for c in self.kids.get(e.idx, ()):
            self.unit(c, depth + 1, out)
        out.append(f"{ind}</{tag}Entity>")


# --------------------------------------------------------------------------------------
# Entry point


def generate(
    out_path: str | Path,
    *,
    entities: int = 2000,
    seed: int = 1,
    fmt: str = "sor2-zip",
    xml_version: str = "1.0.0",
    dialect: str = "default",
    snapshot: dt.date | None = None,
    known_on: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateStats:
    """Write a synthetic register to `out_path`; same arguments give the same bytes.

    With `known_on` (a day from 2012-03-01 up to the snapshot) the file is the download
    of that earlier day of the same register: the register planned for `snapshot`, cut
    to what was registered by `known_on` (`_Planner.cut`). The same seed and snapshot
    with and without `known_on` give two downloads of one register, e.g. a month apart.
    (The same seed with two different snapshots gives two different registers: the
    planner draws lifetimes around its snapshot.)
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if xml_version not in XML_VERSIONS:
        raise ValueError(f"Unknown XML version {xml_version!r}; choose 1.0.0 or 2.0.0.")
    if not isinstance(entities, int) or entities < 1:
        raise ValueError(
            f"The number of entities must be a whole number of at least 1, not {entities!r}."
        )
    options = _parse_dialect(dialect)
    snap = snapshot or DEFAULT_SNAPSHOT
    if known_on is not None and not NSP_LOADED <= known_on.toordinal() <= snap.toordinal():
        raise ValueError(
            f"The earlier download day {known_on.isoformat()} must lie between "
            f"{dt.date.fromordinal(NSP_LOADED).isoformat()} and the snapshot {snap.isoformat()}."
        )
    t0 = time.perf_counter()
    plan = _Planner(entities, seed, snap, "defects" in options)
    plan.plan()
    plan.assign_ids()
    plan.assign_eans()
    plan.build_versions()
    if known_on is not None:
        plan.cut(known_on.toordinal())
        snap = known_on
    total = len(plan.ents)
    if progress is not None:
        progress(0, total)
    out = Path(out_path)
    rows: dict[str, int] = {}
    nbytes = 0
    if fmt == "sor-xml":
        xw = _XmlWriter(plan, xml_version)
        with zipfile.ZipFile(out, "w") as zf, zf.open(_zip_info("Sor.xml", snap), "w") as raw:
            counted = _Counted(raw)
            buf = io.BufferedWriter(counted, buffer_size=1 << 20)
            for piece in xw.document():
                buf.write(piece.encode("utf-8"))
            buf.flush()
            nbytes = counted.count
        rows["Sor.xml"] = total
    else:
        d = _Dialect(options)
        w = _Writer(plan, d)
        done = [0]

        def entity_rows() -> Iterator[str]:
            for i, e in enumerate(plan.ents):
                yield from w.entity_rows(e)
                if progress is not None and i % 5000 == 4999:
                    progress(i + 1, total)
            done[0] = total

        if fmt == "sor2-csv":
            with open(out, "wb") as fh:
                rows["SorEntity_daily"], nbytes = _write_table(
                    fh, d, w.entity_header(), _daily_rows(plan, w)
                )
        else:
            variant = 1 if "member-variants" in options else 0
            folder = "Sor_complete/" if "member-folder" in options else ""
            tables: list[tuple[str, list[str], Iterable[str]]] = [
                ("SOREntity", w.entity_header(), entity_rows()),
            ]
            if d.shak:
                shak = (r for e in plan.ents for r in w.shak_rows(e))
                tables.append(("SHAKSORMap", w.shak_header(), shak))
            tables += [
                ("LocationsCode", list(schema.LOCATIONS_CODE_COLUMNS), w.location_rows()),
                ("LocationsCodeEDITypeMap", list(schema.EDI_MAP_COLUMNS), w.edi_map_rows()),
                ("EDITypes", list(schema.EDI_TYPES_COLUMNS), w.edi_type_rows()),
                (
                    "SORClassifications",
                    list(schema.CLASSIFICATION_COLUMNS),
                    w.classification_rows(),
                ),
                ("Geolocations", list(schema.GEOLOCATION_COLUMNS), w.geo_rows()),
            ]
            if "no-replaced" not in options:
                tables.append(
                    ("SORReplacedEntities", list(schema.REPLACED_COLUMNS), w.replaced_rows())
                )
            with zipfile.ZipFile(out, "w") as zf:
                for table, header, table_rows in tables:
                    name = folder + _MEMBERS[table][variant]
                    with zf.open(_zip_info(name, snap), "w", force_zip64=True) as raw:
                        n, b = _write_table(raw, d, header, table_rows)
                    rows[table] = n
                    nbytes += b
    if progress is not None:
        progress(total, total)
    return GenerateStats(
        entities=total,
        rows=rows,
        bytes_written=nbytes,
        seconds=time.perf_counter() - t0,
        file_bytes=out.stat().st_size,
        planted={k: v for k, v in plan.planted.items() if v},
    )


def _daily_rows(plan: _Planner, w: _Writer) -> Iterator[str]:
    """SorEntity_daily: units not closed at the snapshot, current and future versions."""
    snap = plan.snap
    for e in plan.ents:
        if e.end and e.end < snap:
            continue
        keep = [v for v in e.versions if not v[V_TO] or v[V_TO] >= snap]
        yield from w.entity_rows(e, keep)
