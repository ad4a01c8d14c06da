"""The synthetic register generator: determinism, shape, dialect quirks, history rules.

Generated files are parsed with the standard csv/zipfile/lxml modules, never with the
project's own loader (except in the last test, which checks that the loader accepts
every dialect without errors).
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from sorviewer import schema
from sorviewer.ids import ean_ok, sor_id_problem
from sorviewer.synthetic import DIALECT_OPTIONS, generate

BOM = b"\xef\xbb\xbf"
WRAP = re.compile(r'^="(.*)"$')
MEMBERS = {f"{name}.csv" for name in schema.TABLES}


def _unwrap(v: str) -> str:
    m = WRAP.match(v)
    return m.group(1) if m else v


def _table(zf: zipfile.ZipFile, member: str, delimiter: str = ";", encoding: str = "utf-8-sig"):
    with zf.open(member) as fh:
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        rows = list(csv.reader(text, delimiter=delimiter))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def default_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("syn") / "Sor_complete.zip"
    generate(path, entities=3000, seed=7)
    return path


@pytest.fixture(scope="module")
def entity_rows(default_zip: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(default_zip) as zf:
        return _table(zf, "SOREntity.csv")[1]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    """Generate a small zip for a dialect (cached per option) and return its path."""
    folder = tmp_path_factory.mktemp("dialects")
    cache: dict[str, Path] = {}

    def make(dialect: str = "default", entities: int = 300) -> Path:
        key = f"{dialect}-{entities}"
        if key not in cache:
            cache[key] = folder / f"{key}.zip"
            generate(cache[key], entities=entities, seed=3, dialect=dialect)
        return cache[key]

    return make


def _raw(path: Path, member: str = "SOREntity.csv") -> bytes:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(member.lower()))
        return zf.read(name)


def _day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# --- determinism and shape -----------------------------------------------------------


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.zip", tmp_path / "b.zip", tmp_path / "c.zip"
    generate(a, entities=400, seed=5)
    generate(b, entities=400, seed=5)
    generate(c, entities=400, seed=6)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_exact_entity_count_and_stats(tmp_path: Path) -> None:
    stats = generate(tmp_path / "s.zip", entities=250, seed=1)
    assert stats.entities == 250
    assert stats.rows["SOREntity"] >= 250
    assert stats.bytes_written > stats.file_bytes > 0
    assert "250 entities" in str(stats)


def test_all_eight_members_with_exact_headers(default_zip: Path) -> None:
    with zipfile.ZipFile(default_zip) as zf:
        assert set(zf.namelist()) == MEMBERS
        for name, spec in schema.TABLES.items():
            raw = zf.read(f"{name}.csv")
            assert raw.startswith(BOM)
            header, rows = _table(zf, f"{name}.csv")
            assert tuple(header) == spec.columns, name
            assert rows, f"{name} is empty"
            info = zf.getinfo(f"{name}.csv")
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (2026, 11, 1, 2, 30, 0)


def test_sor_ids_are_excel_wrapped_and_valid(default_zip: Path, entity_rows) -> None:
    raw = _raw(default_zip).decode("utf-8-sig")
    assert raw.split("\r\n")[1].startswith('"=""')  # the official "=""<id>""" form
    for r in entity_rows:
        assert WRAP.match(r["SorId"])
        for col in ("SorId", "ParentSorId", "InstitutionOwnerSorId"):
            v = _unwrap(r[col])
            if v:
                assert sor_id_problem(v) is None, (col, v)
        if r["EanLocationCode"]:
            assert ean_ok(r["EanLocationCode"])
    lengths = {len(_unwrap(r["SorId"])) for r in entity_rows}
    assert min(lengths) >= 11 and max(lengths) <= 18


def test_other_tables_have_valid_ids(default_zip: Path) -> None:
    with zipfile.ZipFile(default_zip) as zf:
        _, locs = _table(zf, "LocationsCode.csv")
        _, edi = _table(zf, "LocationsCodeEDITypeMap.csv")
        _, types = _table(zf, "EDITypes.csv")
    assert all(ean_ok(r["EanLocationCode"]) for r in locs)
    known = {r["EanLocationCode"] for r in locs}
    assert {r["EanLocationCode"] for r in edi} <= known
    assert {r["EdiId"] for r in edi} <= {r["EdiId"] for r in types}


def test_every_parent_exists_when_the_child_does(entity_rows) -> None:
    versions: dict[str, list[tuple[dt.date, dt.date | None]]] = collections.defaultdict(list)
    for r in entity_rows:
        to = _day(r["ToDate"]) if r["ToDate"] else None
        versions[_unwrap(r["SorId"])].append((_day(r["FromDate"]), to))

    def valid(sid: str, day: dt.date) -> bool:
        return any(f <= day and (t is None or day <= t) for f, t in versions[sid])

    for r in entity_rows:
        parent = _unwrap(r["ParentSorId"])
        if r["SorType"] == "IE":
            assert parent == ""
            continue
        assert parent in versions, parent
        assert valid(parent, _day(r["FromDate"]))
        if r["ToDate"]:
            assert valid(parent, _day(r["ToDate"]))


def test_versions_follow_the_public_csv_todate_rule(entity_rows) -> None:
    by_id: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for r in entity_rows:
        by_id[r["SorId"]].append(r)
    closed = 0
    for rows in by_id.values():
        rows.sort(key=lambda r: r["FromDate"])
        assert len({r["FirstFromDate"] for r in rows}) == 1
        assert rows[0]["FirstFromDate"] == rows[0]["FromDate"]
        for a, b in itertools.pairwise(rows):
            # situation 1: the old row ends the day before the new one starts
            assert a["ToDate"], a["SorId"]
            assert _day(a["ToDate"]) + dt.timedelta(days=1) == _day(b["FromDate"])
        last = rows[-1]
        if last["ToDate"]:  # situation 2: closed, every row has a ToDate
            closed += 1
            assert _day(last["ToDate"]) >= _day(last["FromDate"])
    assert 0 < closed < len(by_id)


def test_about_five_and_a_half_versions_per_entity(entity_rows) -> None:
    per = len(entity_rows) / len({r["SorId"] for r in entity_rows})
    assert 4.5 <= per <= 6.5


def test_history_has_renames_moves_closures_and_future_units(entity_rows) -> None:
    by_id: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for r in entity_rows:
        by_id[r["SorId"]].append(r)
    renamed = moved = future = pending = 0
    snap = dt.date(2026, 11, 1)
    for rows in by_id.values():
        renamed += len({r["EntityName"] for r in rows}) > 1
        moved += len({r["ParentSorId"] for r in rows}) > 1
        future += _day(rows[0]["FirstFromDate"]) > snap
        pending += bool(rows[-1]["ToDate"]) and _day(max(r["ToDate"] for r in rows)) > snap
    assert renamed and moved and future and pending
    types = collections.Counter(r["SorType"] for r in entity_rows)
    assert set(types) == {"IE", "SI", "OE"}


def test_content_looks_danish_and_inside_denmark(entity_rows) -> None:
    names = " ".join(r["EntityName"] for r in entity_rows)
    assert re.search("[æøå]", names)
    for r in entity_rows:
        if r["PostalAddressCoordETRS89z32EMeasure"]:
            east = float(r["PostalAddressCoordETRS89z32EMeasure"].replace(",", "."))
            north = float(r["PostalAddressCoordETRS89z32NMeasure"].replace(",", "."))
            assert 440_000 < east < 900_000 and 6_040_000 < north < 6_410_000
        assert r["PostalAddressInheritanceIndicator"] in ("TRUE", "FALSE")
        if r["PostalAddressInheritanceIndicator"] == "TRUE":
            assert r["PostalAddressStreetName"] == ""  # blank inherited block
    states = collections.Counter(r["EanLocationCodeState"] for r in entity_rows)
    assert set(states) == {"own", "inherited", "none"}
    assert any(r["ProviderId"].startswith("0") for r in entity_rows)
    assert any("," in r["PharmacyId"] for r in entity_rows)
    assert any(r["OrganisationalLevelCode"] for r in entity_rows)


def test_shak_codes_direct_and_inherited(default_zip: Path, entity_rows) -> None:
    shak_lengths = {len(r["ShakId"]) for r in entity_rows if r["ShakId"]}
    assert {4, 6, 7} <= shak_lengths
    with zipfile.ZipFile(default_zip) as zf:
        _, rows = _table(zf, "SHAKSORMap.csv")
    direct = [r for r in rows if r["IsDirectSorShakMapping"] == "TRUE"]
    inherited = [r for r in rows if r["IsDirectSorShakMapping"] == "FALSE"]
    assert direct and inherited
    assert all(r["ShakIdsDirectSorId"] == "" for r in direct)
    assert all(WRAP.match(r["ShakIdsDirectSorId"]) for r in inherited)
    ids = {_unwrap(r["SorId"]) for r in entity_rows}
    assert {_unwrap(r["SorId"]) for r in rows} <= ids


@pytest.mark.parametrize("dialect", ["default", "nsp-open"])
def test_inherited_shak_rows_name_an_ancestor_all_through(small, dialect: str) -> None:
    """An inherited SHAKSORMap row's ShakIdsDirectSorId is above its unit on every day
    of the row, also after the unit or a unit above it moved (a row ends there)."""
    path = small(dialect, entities=2000)
    with zipfile.ZipFile(path) as zf:
        _, ent_rows = _table(zf, "SOREntity.csv")
        _, map_rows = _table(zf, "SHAKSORMap.csv")
    far = dt.date(9999, 12, 31)
    versions = collections.defaultdict(list)  # SorId -> [(from, to or None, parent)]
    for r in ent_rows:
        to = _day(r["ToDate"]) if r["ToDate"] else None
        versions[_unwrap(r["SorId"])].append((_day(r["FromDate"]), to, _unwrap(r["ParentSorId"])))
    for v in versions.values():
        v.sort()

    def parent_at(sid: str, day: dt.date) -> str | None:
        found = None
        for i, (fr, to, par) in enumerate(versions.get(sid, [])):
            # NSP style: a superseded version without ToDate ends when the next starts
            nxt = versions[sid][i + 1][0] if i + 1 < len(versions[sid]) else None
            end = to or (nxt - dt.timedelta(days=1) if nxt else far)
            if fr <= day <= end:
                found = par or None
        return found

    def above(sid: str, day: dt.date) -> list[str]:
        out: list[str] = []
        p = parent_at(sid, day)
        while p and p not in out and len(out) < 20:
            out.append(p)
            p = parent_at(p, day)
        return out

    keys = collections.defaultdict(list)
    for r in map_rows:
        keys[(r["ShakId"], _unwrap(r["SorId"]))].append(r)
    checked = 0
    for rows in keys.values():
        rows.sort(key=lambda r: r["FromDate"])
        for i, r in enumerate(rows):
            if r["IsDirectSorShakMapping"] != "FALSE":
                continue
            sid, direct = _unwrap(r["SorId"]), _unwrap(r["ShakIdsDirectSorId"])
            start = _day(r["FromDate"])
            nxt = _day(rows[i + 1]["FromDate"]) - dt.timedelta(days=1) if i + 1 < len(rows) else far
            end = _day(r["ToDate"]) if r["ToDate"] else nxt
            chain = [sid, *above(sid, start)]
            # the first change of the way up is a version start of a unit on it
            days = {start, min(end, dt.date(2030, 1, 1))}
            days |= {fr for u in chain for fr, _t, _p in versions[u] if start < fr <= end}
            for day in sorted(days):
                assert direct in above(sid, day), (r["ShakId"], sid, direct, day)
            checked += 1
    assert checked > 100


def test_replacements_point_at_real_units(default_zip: Path, entity_rows) -> None:
    ids = {_unwrap(r["SorId"]) for r in entity_rows}
    with zipfile.ZipFile(default_zip) as zf:
        _, rows = _table(zf, "SORReplacedEntities.csv")
    assert rows
    for r in rows:
        assert _unwrap(r["ReplacedSorId"]) in ids and _unwrap(r["ReplacedBySorId"]) in ids


# --- dialect options ---------------------------------------------------------------


def test_every_option_changes_the_bytes(small) -> None:
    base = small().read_bytes()
    for opt in DIALECT_OPTIONS:
        assert small(opt).read_bytes() != base, opt


@pytest.mark.parametrize(("option", "delimiter"), [("comma", ","), ("tab", "\t"), ("pipe", "|")])
def test_delimiters(small, option: str, delimiter: str) -> None:
    with zipfile.ZipFile(small(option)) as zf:
        header, rows = _table(zf, "SOREntity.csv", delimiter=delimiter)
    assert tuple(header) == schema.SOR_ENTITY_COLUMNS_2025
    assert rows


def test_line_ends_bom_and_final_newline(small) -> None:
    base = _raw(small())
    assert base.startswith(BOM) and base.endswith(b"\r\n")
    lf = _raw(small("lf"))
    assert b"\r\n" not in lf.replace(b'\r\n"', b"") and lf.endswith(b"\n")
    assert not _raw(small("no-bom")).startswith(BOM)
    assert not _raw(small("no-final-newline")).endswith(b"\n")


def _rows(path: Path, **kw) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith("sorentity.csv"))
        return _table(zf, name, **kw)[1]


def test_id_wrapping_options(small) -> None:
    plain = _rows(small("no-excel-wrap"))
    assert all(r["SorId"].isdigit() for r in plain)
    wrapped = _rows(small("wrap-all-ids"))
    eans = [r["EanLocationCode"] for r in wrapped if r["EanLocationCode"]]
    assert eans and all(WRAP.match(v) for v in eans)
    assert all(WRAP.match(r["EntityTypeId"]) for r in wrapped)
    dotted = _rows(small("no-excel-wrap,trailing-dot-zero"))
    assert all(r["SorId"].endswith(".0") for r in dotted)
    assert all(not r["ProviderId"].endswith(".0") for r in dotted)  # text, not a number


def test_decimal_and_boolean_options(small) -> None:
    col = "PostalAddressCoordETRS89z32EMeasure"
    assert all("," in r[col] for r in _rows(small()) if r[col])
    assert all("." in r[col] for r in _rows(small("decimal-point")) if r[col])
    ind = "VirtualAddressInheritanceIndicator"
    for opt, words in (
        ("default", {"TRUE", "FALSE"}),
        ("bool-lower", {"true", "false"}),
        ("bool-01", {"1", "0"}),
        ("bool-ja-nej", {"ja", "nej"}),
    ):
        assert {r[ind] for r in _rows(small(opt))} == words, opt


def test_date_options(small) -> None:
    assert all(re.fullmatch(r"\d{2}-\d{2}-\d{4}", r["FromDate"]) for r in _rows(small("dates-dmy")))
    rows = _rows(small("dates-datetime"))
    assert all(r["FromDate"].endswith("T00:00:00") for r in rows)
    assert all(re.search(r"T\d\d:\d\d:\d\d\.\d{7}$", r["UpdatedAt"]) for r in rows)


def test_quote_all_and_null_literal(small) -> None:
    line = _raw(small("quote-all")).decode("utf-8-sig").split("\r\n")[1]
    fields = next(csv.reader([line], delimiter=";"))
    assert line.count('";"') == len(fields) - 1
    nulls = _rows(small("null-literal"))
    assert all(v != "" for r in nulls for v in r.values())
    assert any(v == "NULL" for v in nulls[0].values())


def test_cp1252(small) -> None:
    raw = _raw(small("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "ø" in raw.decode("cp1252") or "æ" in raw.decode("cp1252")


def test_nsp_open_and_nsp_fields(small) -> None:
    rows = _rows(small("nsp-open"))
    by_id = collections.defaultdict(list)
    for r in rows:
        by_id[r["SorId"]].append(r)
    multi = [v for v in by_id.values() if len(v) > 1]
    assert multi
    for v in multi:
        v.sort(key=lambda r: r["FromDate"])
        assert all(r["ToDate"] == "" for r in v[:-1])
    with zipfile.ZipFile(small("nsp-fields")) as zf:
        header, _ = _table(zf, "SOREntity.csv")
    assert header[-4:] == ["ValidFrom", "ValidTo", "UniqueCurrentKey", "Unreliable"]


def test_inherited_copies_fill_blank_blocks(small) -> None:
    rows = _rows(small("inherited-copies"))
    inherited = [r for r in rows if r["PostalAddressInheritanceIndicator"] == "TRUE"]
    assert inherited and all(r["PostalAddressStreetName"] for r in inherited)
    ean = [r for r in rows if r["EanLocationCodeState"] == "inherited"]
    assert ean and all(ean_ok(r["EanLocationCode"]) for r in ean)


def test_member_options(small) -> None:
    with zipfile.ZipFile(small("member-variants")) as zf:
        names = set(zf.namelist())
    assert {"LocationsCodes.csv", "GeoLocations.csv", "sorentity.csv"} <= names
    with zipfile.ZipFile(small("member-folder")) as zf:
        assert all(n.startswith("Sor_complete/") for n in zf.namelist())
    with zipfile.ZipFile(small("no-replaced")) as zf:
        assert len(zf.namelist()) == 7
    with zipfile.ZipFile(small("no-shak")) as zf:
        assert "SHAKSORMap.csv" not in zf.namelist()
    assert all(r["ShakId"] == "" for r in _rows(small("no-shak")))
    with zipfile.ZipFile(small("no-id27")) as zf:
        header, _ = _table(zf, "SOREntity.csv")
    assert tuple(header) == schema.SOR_ENTITY_COLUMNS


def test_defects_plant_bad_check_digits(tmp_path: Path) -> None:
    stats = generate(tmp_path / "d.zip", entities=3000, seed=2, dialect="defects")
    assert stats.planted
    rows = _rows(tmp_path / "d.zip")
    bad = {_unwrap(r["SorId"]) for r in rows if sor_id_problem(_unwrap(r["SorId"]))}
    bad_ean = {r["EanLocationCode"] for r in rows if r["EanLocationCode"]} - {
        r["EanLocationCode"] for r in rows if r["EanLocationCode"] and ean_ok(r["EanLocationCode"])
    }
    assert len(bad) == stats.planted.get("bad_sor_id", 0)
    assert len(bad_ean) == stats.planted.get("bad_ean", 0)


# --- other formats -------------------------------------------------------------------


def test_daily_file_leaves_out_closed_units(tmp_path: Path) -> None:
    path = tmp_path / "SorEntity_daily.csv"
    generate(path, entities=500, seed=4, fmt="sor2-csv")
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    snap = dt.date(2026, 11, 1)
    by_id = collections.defaultdict(list)
    for r in rows:
        by_id[r["SorId"]].append(r)
    for v in by_id.values():
        last = max(v, key=lambda r: r["FromDate"])
        assert not last["ToDate"] or _day(last["ToDate"]) >= snap
        for r in v:  # only today's and future versions
            assert not r["ToDate"] or _day(r["ToDate"]) >= snap


NS1 = "urn:oio:sundhedsstyrelsen:organisation:1.0.0"
NS2 = "urn:oio:nsi:2.0.0"


@pytest.mark.parametrize("version", ["1.0.0", "2.0.0"])
def test_xml_snapshot(tmp_path: Path, version: str) -> None:
    path = tmp_path / "sor.zip"
    generate(path, entities=400, seed=9, fmt="sor-xml", xml_version=version)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["Sor.xml"]
        raw = zf.read("Sor.xml")
    assert raw.startswith(BOM)
    assert (b"\r\n" in raw) == (version == "2.0.0")
    root = etree.fromstring(raw)
    main = NS2 if version == "2.0.0" else NS1
    assert root.tag == f"{{{main}}}SorTree"
    if version == "2.0.0":
        assert root.nsmap["sor1"] == NS1
        assert root.find(f"{{{NS1}}}SnapshotDate").text == "2026-11-01"
        assert root.find(f".//{{{NS2}}}EntityTypeIdentifier") is not None
    else:
        assert root.nsmap["xkom-1"] == "http://rep.oio.dk/xkom.dk/xml/schemas/2006/01/06/"
        assert root.find(f"{{{NS1}}}SnapshotDate").text == "2026-11-01"
    ids = [e.text for e in root.iter(f"{{{NS1}}}SorIdentifier")]
    units = root.findall(f".//{{{main}}}InstitutionOwnerEntity")
    assert units and len(set(ids)) == 400
    assert all(sor_id_problem(i) is None for i in ids)
    # nesting: IE > SI > OE, never an OE directly under an IE
    for ie in units:
        for child in ie:
            assert etree.QName(child).localname in ("InstitutionOwner", "HealthInstitutionEntity")


def test_bad_arguments_raise_value_error(tmp_path: Path) -> None:
    out = tmp_path / "x.zip"
    with pytest.raises(ValueError, match="format"):
        generate(out, fmt="sor3-json")
    with pytest.raises(ValueError, match="dialect option"):
        generate(out, dialect="semicolons-please")
    with pytest.raises(ValueError, match="at least 1"):
        generate(out, entities=0)
    with pytest.raises(ValueError, match="XML version"):
        generate(out, fmt="sor-xml", xml_version="3.0.0")
    with pytest.raises(ValueError, match="combined"):
        generate(out, dialect="comma,tab")
    assert not out.exists()


# --- the project loader accepts every dialect -----------------------------------------

PLANTED_KINDS = {"bad_check_digit", "bad_ean"}
#: Warnings an option is meant to cause (a missing optional table, a non-UTF-8 file).
EXPECTED_WARNINGS = {
    "cp1252": {"encoding"},
    "no-shak": {"missing_table"},
    "no-replaced": {"missing_table"},
    "defects": PLANTED_KINDS,
}


@pytest.mark.slow
@pytest.mark.parametrize("option", ["default", *DIALECT_OPTIONS])
def test_loader_reads_every_dialect_without_errors(small, option: str) -> None:
    import sorviewer

    reg = sorviewer.load(str(small(option)), use_cache=False)
    errors = [r for r in reg.report.rows if r.severity == "error" and r.kind not in PLANTED_KINDS]
    assert errors == []
    warned = {r.kind for r in reg.report.rows if r.severity == "warning"}
    assert warned <= EXPECTED_WARNINGS.get(option, set())
    assert len(reg.roots(dt.date(2026, 11, 1))) > 0
