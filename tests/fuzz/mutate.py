"""Mutations of SOR files at four levels: bytes, CSV, XML and zip.

`make_case(seeds, seed, index)` builds input number `index` of a campaign from its seed
alone (a `random.Random` of both), so any input can be made again on its own. Each
mutator takes the random source and a starting file and returns the mutated bytes, the
file name to write them under, and a label saying what was done.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import zipcraft as zc
from .seeds import Seed, members

#: what a mutator returns: (bytes, file name, label)
Mutant = tuple[bytes, str, str]
Mutator = Callable[[random.Random, Seed], Mutant]

_DEFAULT_NAME = {
    "sor2-zip": "Sor_complete.zip",
    "sor2-csv": "SorEntity_daily.csv",
    "xml": "Sor.xml",
    "xml-zip": "sor.zip",
}
ODD_BYTES = [0x00, 0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xE6, 0xF8, 0xE5, 0xFF, 0xFE, 0x1B, 0x7F, 0x9B]
ESCAPES = ["\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\r", "\n", "\x00", "\u2028", "\x7f", "\b"]
ODD_DATES = [
    "2020-13-45",
    "0000-00-00",
    "31.02.2020",
    "99999999",
    "9999-12-31",
    "-2020-01-01",
    "NULL",
    "2020-02-30T25:61:00",
    "١٢٣٤-٠١-٠١",
    "1" * 40,
    "2020/01/01",
    " ",
    "1900-01-01",
]
ODD_DIGITS = ["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "߀߁߂߃߄߅߆߇߈߉"]


@dataclass
class Case:
    """One input of a campaign."""

    index: int
    family: str  # byte | csv | xml | zip
    label: str
    seed: str
    data: bytes
    filename: str
    command: list[str]  # the arguments after FILE ("OUT" = an output file to write)


# --- byte level --------------------------------------------------------------------------


def _span(rng: random.Random, n: int) -> tuple[int, int]:
    a = rng.randrange(max(n, 1))
    return a, min(n, a + rng.choice([1, 2, 8, 64, 512, 4096]))


def byte_flip(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = bytearray(data)
    k = rng.choice([1, 1, 2, 8, 64])
    for _ in range(k):
        if out:
            i = rng.randrange(len(out))
            out[i] = rng.choice([out[i] ^ (1 << rng.randrange(8)), rng.choice(ODD_BYTES)])
    return bytes(out), f"flip {k}"


def byte_truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    cut = rng.choice([0, 1, 2, 4, rng.randrange(max(len(data), 1)), len(data) - 1, len(data) // 2])
    return data[: max(cut, 0)], f"truncate at {cut}"


def byte_insert(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randrange(len(data) + 1)
    what = rng.choice(
        [
            bytes(rng.choice(ODD_BYTES) for _ in range(rng.choice([1, 3, 100]))),
            rng.randbytes(rng.choice([1, 16, 4096])),
            data[slice(*_span(rng, len(data)))] * rng.choice([1, 2, 50]),
        ]
    )
    return data[:at] + what + data[at:], f"insert {len(what)} at {at}"


def byte_delete(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    a, b = _span(rng, len(data))
    return data[:a] + data[b:], f"delete {a}:{b}"


BYTE_OPS = [byte_flip, byte_truncate, byte_insert, byte_delete]


def mutate_bytes(rng: random.Random, seed: Seed) -> Mutant:
    """Bytes of the file itself, or (for a zip) of one member, re-zipped."""
    if seed.kind.endswith("zip") and rng.random() < 0.6:
        files = members(seed.data)
        name = rng.choice(sorted(files))
        data, label = rng.choice(BYTE_OPS)(rng, files[name])
        files[name] = data
        return _rezip(files), _DEFAULT_NAME[seed.kind], f"member {name}: {label}"
    data, label = rng.choice(BYTE_OPS)(rng, seed.data)
    return data, _DEFAULT_NAME[seed.kind], label


def _rezip(files: dict[str, bytes], method: int = zc.DEFLATED) -> bytes:
    return zc.build([zc.Member(n, d, method) for n, d in files.items()])


# --- CSV level ---------------------------------------------------------------------------


def _csv_parts(text: str) -> tuple[str, list[str], str]:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    return newline, lines, lines[0]


def _delim(header: str) -> str:
    return max([";", ",", "\t", "|"], key=header.count)


def _cells(line: str, d: str) -> list[str]:
    return line.split(d)


def _columns_of(header: str, d: str) -> list[str]:
    return [c.strip('"\ufeff') for c in header.split(d)]


def csv_ragged(rng: random.Random, text: str) -> tuple[str, str]:
    nl, lines, header = _csv_parts(text)
    d = _delim(header)
    rows = lines[1:]
    for _ in range(rng.choice([1, 3, 50])):
        if not rows:
            break
        i = rng.randrange(len(rows))
        cells = _cells(rows[i], d)
        if rng.random() < 0.5 and cells:
            del cells[rng.randrange(len(cells)) :]
        else:
            cells += ["x"] * rng.choice([1, 5, 300])
        if rng.random() < 0.3:
            cells.append(rng.choice(["\xe6", "\x81", "\ufffd"]))
        rows[i] = d.join(cells)
    return nl.join([header, *rows]), "ragged rows"


def csv_quotes(rng: random.Random, text: str) -> tuple[str, str]:
    nl, lines, header = _csv_parts(text)
    rows = lines[1:]
    op = rng.choice(["unbalanced", "newline", "doubled", "all"])
    for _ in range(rng.choice([1, 5])):
        if not rows:
            break
        i = rng.randrange(len(rows))
        at = rng.randrange(len(rows[i]) + 1)
        insert = {"unbalanced": '"', "newline": '"a\nb\r\nc"', "doubled": '""""', "all": '"'}[op]
        rows[i] = rows[i][:at] + insert + rows[i][at:]
    if op == "all" and rows:
        rows[-1] += '"'
    return nl.join([header, *rows]), f"quotes {op}"


def csv_header(rng: random.Random, text: str) -> tuple[str, str]:
    nl, lines, header = _csv_parts(text)
    d = _delim(header)
    cols = header.split(d)
    op = rng.choice(["case", "duplicate", "remove_line", "empty", "bom", "spaces", "blank_name"])
    if op == "case":
        cols = [c.upper() if rng.random() < 0.5 else c.lower() for c in cols]
    elif op == "duplicate" and cols:
        i = rng.randrange(len(cols))
        cols[i] = rng.choice(cols).swapcase()
    elif op == "remove_line":
        return nl.join(lines[1:]), "header removed"
    elif op == "empty":
        cols = ["" for _ in cols]
    elif op == "bom":
        return "\ufeff\ufeff" + text.lstrip("\ufeff"), "double BOM"
    elif op == "spaces":
        cols = [f"  {c}\t" for c in cols]
    elif op == "blank_name" and cols:
        cols[rng.randrange(len(cols))] = ""
    return nl.join([d.join(cols), *lines[1:]]), f"header {op}"


def csv_columns(rng: random.Random, text: str) -> tuple[str, str]:
    nl, lines, header = _csv_parts(text)
    d = _delim(header)
    op = rng.choice(["add", "add", "duplicate", "remove", "remove_key"])
    n = rng.choice([1, 10, 1000, 3000, 6000]) if op != "remove_key" else 1
    table = [_cells(line, d) for line in lines]
    width = len(table[0])
    if op == "add":
        names = [f"Extra{i}" for i in range(n)]
        table = [
            row + (names if r == 0 else [rng.choice(["", "", "v"]) for _ in range(n)])
            for r, row in enumerate(table)
        ]
    elif op == "duplicate":
        picks = [rng.randrange(width) for _ in range(n)]
        table = [row + [row[p] if p < len(row) else "" for p in picks] for row in table]
    else:
        cols = _columns_of(lines[0], d)
        drop = (
            {cols.index("SorId")}
            if op == "remove_key" and "SorId" in cols
            else {rng.randrange(width) for _ in range(min(n, width))}
        )
        table = [[c for i, c in enumerate(row) if i not in drop] for row in table]
    return nl.join(d.join(row) for row in table), f"columns {op} {n}"


def csv_encoding(rng: random.Random, text: str) -> tuple[bytes, str]:
    op = rng.choice(["cp1252", "utf16", "one_byte", "latin1_rows", "utf8_bom_only"])
    if op == "cp1252":
        return text.encode("cp1252", errors="replace"), "all cp1252"
    if op == "utf16":
        return text.encode("utf-16"), "utf-16"
    data = text.encode("utf-8")
    if op == "one_byte":
        at = rng.randrange(len(data) + 1)
        b = bytes([rng.choice(ODD_BYTES)])
        return data[:at] + b + data[at:], f"one byte {b!r}"
    if op == "latin1_rows":
        nl = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(nl)
        out = [
            (line.encode("latin-1", errors="replace") if rng.random() < 0.2 else line.encode())
            for line in lines
        ]
        return nl.encode().join(out), "latin-1 rows"
    return b"\xef\xbb\xbf", "only a BOM"


def csv_values(rng: random.Random, text: str) -> tuple[str, str]:
    nl, lines, header = _csv_parts(text)
    d = _delim(header)
    cols = _columns_of(header, d)
    op = rng.choice(["dates", "digits", "controls", "huge", "empty_ids", "null_words"])
    rows = [_cells(line, d) for line in lines[1:]]
    date_cols = [i for i, c in enumerate(cols) if c.endswith(("Date", "UpdatedAt"))]
    id_cols = [i for i, c in enumerate(cols) if c.endswith(("SorId", "Id", "Code"))]
    name_cols = [i for i, c in enumerate(cols) if c.endswith("Name")] or [0]
    for _ in range(rng.choice([1, 5, 100])):
        if not rows:
            break
        row = rows[rng.randrange(len(rows))]
        pick: list[int] = {
            "dates": date_cols,
            "digits": id_cols,
            "controls": name_cols,
            "huge": name_cols,
            "empty_ids": id_cols,
            "null_words": id_cols + name_cols,
        }[op] or [0]
        i = rng.choice(pick)
        if i >= len(row):
            continue
        if op == "dates":
            row[i] = rng.choice(ODD_DATES)
        elif op == "digits":
            row[i] = row[i].translate(str.maketrans("0123456789", rng.choice(ODD_DIGITS)))
        elif op == "controls":
            row[i] = row[i][:3] + rng.choice(ESCAPES) + row[i][3:]
            if "\n" in row[i] or "\r" in row[i]:
                row[i] = '"' + row[i].replace('"', '""') + '"'
        elif op == "huge":
            row[i] = "W" * rng.choice([10_000, 1_000_000])
        elif op == "empty_ids":
            row[i] = rng.choice(["", '=""', "0", "-1", "1e5", "123.0", "1" * 25])
        else:
            row[i] = rng.choice(["NULL", "null", "None", "N/A"])
    return nl.join([header, *(d.join(r) for r in rows)]), f"values {op}"


def csv_rows(rng: random.Random, text: str) -> tuple[str, str]:
    nl, lines, header = _csv_parts(text)
    rows = [r for r in lines[1:] if r]
    op = rng.choice(["duplicate", "reverse", "only_header", "blank_lines", "many"])
    if op == "duplicate" and rows:
        rows += rng.sample(rows, min(len(rows), rng.choice([1, 10, 100])))
    elif op == "reverse":
        rows.reverse()
    elif op == "only_header":
        rows = []
    elif op == "blank_lines":
        rows = [r if rng.random() < 0.8 else "" for r in rows for _ in (0, 1)]
    elif op == "many":
        rows = rows * rng.choice([20, 100])
    return nl.join([header, *rows]), f"rows {op}"


def csv_hierarchy(rng: random.Random, text: str) -> tuple[str, str]:
    """Deep parent chains and cycles, written over the ParentSorId of the rows."""
    nl, lines, header = _csv_parts(text)
    d = _delim(header)
    cols = _columns_of(header, d)
    if "SorId" not in cols or "ParentSorId" not in cols:
        return text, "hierarchy (no columns)"
    si, pi = cols.index("SorId"), cols.index("ParentSorId")
    rows = [_cells(line, d) for line in lines[1:] if line]
    rows = [r for r in rows if len(r) > max(si, pi)]
    op = rng.choice(["chain", "cycle", "self", "deep_new"])
    if op == "deep_new":
        depth = rng.choice([600, 3000, 6000])
        template = rows[0] if rows else [""] * len(cols)
        new = []
        for k in range(depth):
            r = list(template)
            r[si] = str(90000000000 + k)
            r[pi] = str(90000000000 + k - 1) if k else ""
            new.append(r)
        rows = new + rows
    elif rows:
        ids = [r[si] for r in rows]
        if op == "chain":
            for k in range(1, len(rows)):
                rows[k][pi] = ids[k - 1]
        elif op == "cycle":
            k = rng.choice([2, 3, 50])
            for j in range(min(k, len(rows))):
                rows[j][pi] = ids[(j + 1) % min(k, len(rows))]
        else:
            for r in rows:
                r[pi] = r[si]
    return nl.join([header, *(d.join(r) for r in rows)]), f"hierarchy {op}"


CSV_TEXT_OPS: list[Callable[[random.Random, str], tuple[str, str]]] = [
    csv_ragged,
    csv_quotes,
    csv_header,
    csv_columns,
    csv_values,
    csv_values,
    csv_rows,
    csv_hierarchy,
]


def mutate_csv(rng: random.Random, seed: Seed) -> Mutant:
    """A CSV table changed as text (or re-encoded): the daily file, or one zip member."""
    if seed.kind == "sor2-csv":
        files = {"": seed.data}
        name = ""
    else:
        files = members(seed.data)
        csvs = sorted(n for n in files if n.lower().endswith(".csv"))
        name = "SOREntity.csv" if rng.random() < 0.6 else rng.choice(csvs)
    text = files[name].decode("utf-8", errors="replace")
    if rng.random() < 0.15:
        data, label = csv_encoding(rng, text)
    else:
        new, label = rng.choice(CSV_TEXT_OPS)(rng, text)
        data = new.encode("utf-8")
    if seed.kind == "sor2-csv":
        return data, _DEFAULT_NAME[seed.kind], label
    files[name] = data
    return _rezip(files), _DEFAULT_NAME[seed.kind], f"{name}: {label}"


# --- XML level ---------------------------------------------------------------------------


_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)[^<>]*?>[^<]*</\1>")
#: the start tag of a unit's name, whatever its prefix
_NAME_OPEN = re.compile(rb"(<(?:\w+:)?EntityName>)")


def _after_name(xml: bytes, insert: bytes, count: int = 1) -> bytes:
    return _NAME_OPEN.sub(lambda m: m.group(1) + insert, xml, count=count)


def xml_structure(rng: random.Random, xml: bytes) -> tuple[bytes, str]:
    found = list(_ELEMENT.finditer(xml))
    op = rng.choice(["delete", "duplicate", "swap_tag", "unclose", "move"])
    if not found:
        return xml + b"<", "append <"
    m = rng.choice(found)
    a, b = m.span()
    if op == "delete":
        return xml[:a] + xml[b:], f"delete {m.group(1)!r}"
    if op == "duplicate":
        return xml[:b] + xml[a:b] * rng.choice([2, 20]) + xml[b:], f"duplicate {m.group(1)!r}"
    if op == "swap_tag":
        other = rng.choice(found).group(1)
        return xml[:a] + m.group(0).replace(m.group(1), other, 1) + xml[b:], "swap tag"
    if op == "unclose":
        return xml[:a] + m.group(0).rsplit(b"</", 1)[0] + xml[b:], "unclosed"
    target = rng.choice(found).start()
    piece = xml[a:b]
    rest = xml[:a] + xml[b:]
    target = min(target, len(rest))
    return rest[:target] + piece + rest[target:], "move"


def xml_namespaces(rng: random.Random, xml: bytes) -> tuple[bytes, str]:
    uris = re.findall(rb'xmlns(?::\w+)?="([^"]*)"', xml)
    op = rng.choice(["change_uri", "drop_default", "swap_prefix", "unknown_prefix", "version"])
    if op == "change_uri" and uris:
        u = rng.choice(uris)
        return xml.replace(u, rng.choice([b"urn:x", b"", b"urn:oio:nsi:9.9.9"]), 1), "change uri"
    if op == "drop_default":
        return re.sub(rb'\sxmlns="[^"]*"', b"", xml, count=1), "drop default ns"
    if op == "swap_prefix":
        return xml.replace(b"sor1:", b"xkom:"), "swap prefix"
    if op == "unknown_prefix":
        return xml.replace(b"<EntityName", b"<nope:EntityName", 1), "unknown prefix"
    return xml.replace(b"2.0.0", b"3.0.0").replace(b"1.0.0", b"3.0.0"), "version 3"


def xml_entities(rng: random.Random, xml: bytes) -> tuple[bytes, str]:
    op = rng.choice(["bomb", "external", "undefined", "charref", "internal_subset", "xinclude"])
    start = xml.find(b"<", xml.find(b"?>") + 1 if b"?>" in xml[:200] else 0)
    prolog, body = xml[:start], xml[start:]
    if op == "bomb":
        dtd = b'<!DOCTYPE SorTree [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        return prolog + dtd + body.replace(b"</SorTree>", b"&b;</SorTree>", 1), "entity bomb"
    if op == "external":
        return prolog + b'<!DOCTYPE SorTree SYSTEM "http://127.0.0.1:9/x.dtd">' + body, "ext dtd"
    if op == "undefined":
        return _after_name(xml, b"&nope;"), "undefined entity"
    if op == "charref":
        ref = rng.choice([b"&#0;", b"&#x1b;", b"&#x9b;", b"&#xFFFE;", b"&#x2028;", b"&#1114112;"])
        return _after_name(xml, ref), f"charref {ref!r}"
    if op == "internal_subset":
        return prolog + b"<!DOCTYPE SorTree [<!ELEMENT SorTree ANY>]>" + body, "internal subset"
    xi = b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>'
    return xml.replace(b"</SorTree>", xi + b"</SorTree>", 1), "xinclude"


def xml_depth(rng: random.Random, xml: bytes) -> tuple[bytes, str]:
    op = rng.choice(["nest_stray", "nest_units", "strays", "strays", "wide_record"])
    end = xml.rfind(b"</")
    if op == "nest_stray":
        n = rng.choice([100, 300, 5000, 100_000])
        return xml[:end] + b"<d>" * n + b"</d>" * n + xml[end:], f"nested {n}"
    if op == "nest_units":
        m = re.search(
            rb"<(\w+:)?OrganizationalUnitEntity>.*?</(\w+:)?OrganizationalUnitEntity>", xml, re.S
        )
        if not m:
            return xml, "nest units (none)"
        n = rng.choice([50, 120, 400])
        unit = m.group(0)
        open_tag = unit[: unit.index(b">") + 1]
        close = unit[unit.rindex(b"</") :]
        inner = unit[len(open_tag) : -len(close)]
        deep = (
            b"".join(
                open_tag
                + re.sub(
                    rb"(SorIdentifier>)(\d+)",
                    lambda mm, k=k: mm.group(1) + b"%d" % (8 * 10**12 + k),
                    inner,
                    count=1,
                )
                for k in range(n)
            )
            + close * n
        )
        return xml[: m.end()] + deep + xml[m.end() :], f"units nested {n}"
    if op == "wide_record":
        n = rng.choice([20_000, 200_000])
        m = re.search(rb"</(?:\w+:)?EntityName>", xml)
        if not m:
            return xml, "wide record (no name)"
        return xml[: m.end()] + b"<w/>" * n + xml[m.end() :], f"record {n}"
    n = rng.choice([10_000, 300_000, 2_000_000])
    return xml[:end] + b"<stray/>" * n + xml[end:], f"strays {n}"


def xml_text(rng: random.Random, xml: bytes) -> tuple[bytes, str]:
    op = rng.choice(["encoding_decl", "cdata", "comment_pi", "controls", "utf16", "latin1"])
    if op == "encoding_decl":
        enc = rng.choice([b"latin1", b"UTF-16", b"foo", b"ebcdic-cp-us", b"utf-32"])
        body = re.sub(rb"^\xef\xbb\xbf", b"", xml)
        body = re.sub(rb"<\?xml[^>]*\?>", b"", body, count=1)
        return b'<?xml version="1.0" encoding="' + enc + b'"?>' + body, f"declares {enc!r}"
    if op == "cdata":
        return _after_name(xml, b"<![CDATA[<x>&]]>"), "cdata"
    if op == "comment_pi":
        return xml.replace(b"</SorTree>", b"<!-- x --><?pi x?></SorTree>", 1), "comment+pi"
    if op == "controls":
        esc = rng.choice(ESCAPES).encode("utf-8")
        return _after_name(xml, esc, count=3), f"controls {esc!r}"
    if op == "utf16":
        return xml.decode("utf-8-sig", errors="replace").encode("utf-16"), "utf-16"
    return xml.decode("utf-8-sig", errors="replace").encode("latin-1", errors="replace"), "latin-1"


XML_OPS = [xml_structure, xml_namespaces, xml_entities, xml_depth, xml_text]


def mutate_xml(rng: random.Random, seed: Seed) -> Mutant:
    if seed.kind == "xml-zip":
        files = members(seed.data)
        name = next((n for n in files if n.lower().endswith(".xml")), None)
        if name is None:
            return mutate_bytes(rng, seed)
        data, label = rng.choice(XML_OPS)(rng, files[name])
        files[name] = data
        return _rezip(files), _DEFAULT_NAME[seed.kind], f"{name}: {label}"
    data, label = rng.choice(XML_OPS)(rng, seed.data)
    return data, _DEFAULT_NAME[seed.kind], label


# --- zip level ---------------------------------------------------------------------------

ODD_NAMES = [
    "",
    "SOREntity\n.csv",
    "SOREntity\x1b[2J.csv",
    "../../SOREntity.csv",
    "/abs/SOREntity.csv",
    "dir\\SOREntity.csv",
    "S" * 3000 + ".csv",
    "SORENTITY.CSV",
    "Sor_complete/SOREntity.csv",
    "SOREntity",
    "SOREntity.csv/",
    "sørentity.csv",
    "\udcff.csv",
]


def mutate_zip(rng: random.Random, seed: Seed) -> Mutant:
    """The archive itself: member names, methods, lying headers, nesting, many members."""
    files = (
        members(seed.data)
        if seed.kind.endswith("zip")
        else {("Sor.xml" if seed.kind == "xml" else "SorEntity_daily.csv"): seed.data}
    )
    op = rng.choice(["names", "method", "lie", "nested", "many", "duplicate", "garbage", "flags"])
    entries = [zc.Member(n, d) for n, d in files.items()]
    if op == "names":
        m = rng.choice(entries)
        odd = rng.choice(ODD_NAMES)
        m.name = odd.encode("utf-8", errors="surrogateescape")
        label = f"name {odd[:20]!r}"
    elif op == "method":
        method = rng.choice([zc.STORED, zc.BZIP2, 14, 99])
        for m in entries:
            if rng.random() < 0.7:
                m.method = method
                if method in (14, 99):
                    m.payload = m.data
        label = f"method {method}"
    elif op == "lie":
        m = rng.choice(entries)
        what = rng.choice(["size_small", "size_big", "size_4g", "csize_big", "crc"])
        if what == "size_small":
            m.file_size = max(0, len(m.data) // rng.choice([2, 100]))
        elif what == "size_big":
            m.file_size = len(m.data) * rng.choice([3, 1000])
        elif what == "size_4g":
            m.file_size = (4 << 30) - 1
            if rng.random() < 0.5:
                m.method = zc.STORED
                m.compress_size = (4 << 30) - 1
        elif what == "csize_big":
            m.compress_size = rng.choice([len(m.data) * 10, (4 << 30) - 1])
        else:
            m.crc = rng.getrandbits(32)
        label = f"lie {what}"
    elif op == "nested":
        inner = _rezip(files)
        entries = [zc.Member(rng.choice(["Sor_complete.zip", "SOREntity.csv", "inner.zip"]), inner)]
        label = "nested zip"
    elif op == "many":
        n = rng.choice([100, 2000, 20000])
        entries += [zc.Member(f"x/{i}.csv", b"a;b\n1;2\n", zc.STORED) for i in range(n)]
        label = f"{n} more members"
    elif op == "duplicate":
        m = rng.choice(entries)
        entries.append(zc.Member(m.name, rng.choice([m.data, m.data[: len(m.data) // 2], b""])))
        label = "duplicate name"
    elif op == "garbage":
        data = _rezip(files)
        where = rng.choice(["prefix", "suffix", "comment"])
        if where == "prefix":
            return rng.randbytes(1000) + data, "Sor_complete.zip", "garbage before"
        if where == "suffix":
            return data + rng.randbytes(1000), "Sor_complete.zip", "garbage after"
        return zc.build(entries, comment=rng.randbytes(200)), "Sor_complete.zip", "comment"
    else:
        m = rng.choice(entries)
        m.flags = rng.choice([0x1, 0x8, 0x0, 0xFFFF])
        label = f"flags {m.flags:#x}"
    return zc.build(entries), "Sor_complete.zip", label


FAMILIES: dict[str, Mutator] = {
    "byte": mutate_bytes,
    "csv": mutate_csv,
    "xml": mutate_xml,
    "zip": mutate_zip,
}


#: how often each family is drawn, and which starting files it takes
WEIGHTS = {"byte": 20, "csv": 35, "xml": 25, "zip": 20}
_FITS = {
    "byte": ("sor2-zip", "sor2-csv", "xml", "xml-zip"),
    "csv": ("sor2-zip", "sor2-csv"),
    "xml": ("xml", "xml-zip"),
    "zip": ("sor2-zip", "sor2-csv", "xml", "xml-zip"),
}


def _command(rng: random.Random, seed: Seed) -> list[str]:
    cmd = rng.choice(
        [
            ["info"],
            ["info", "--json"],
            ["tree"],
            ["tree", "--all", "--json"],
            ["tree", "--depth", "2"],
            ["show", seed.sor_id],
            ["show", seed.sor_id, "--json"],
            ["search", rng.choice(["a", "region", seed.sor_id[:6], "ø"])],
            ["report"],
            ["report", "--json"],
            ["export", "-o", "OUT.csv", "--all"],
            ["export", "-o", "OUT.json"],
            ["export", "-o", "OUT.xlsx"],
            ["quality"],
            ["history", seed.sor_id],
        ]
    )
    return [*cmd, "--as-of", rng.choice(["2020-01-01", "2026-11-01", "1999-01-01"])]


def make_case(seeds: list[Seed], campaign_seed: int, index: int) -> Case:
    """Input number `index` of the campaign `campaign_seed`: deterministic from the two."""
    rng = random.Random(f"{campaign_seed}:{index}")
    family = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    fits = [s for s in seeds if s.kind in _FITS[family]] or seeds
    seed = rng.choice(fits)
    data, filename, label = FAMILIES[family](rng, seed)
    # sometimes two mutations at once
    if rng.random() < 0.1 and family != "zip":
        data, extra = rng.choice(BYTE_OPS)(rng, data)  # the mutant's raw bytes
        label = f"{label}; {extra}"
    return Case(index, family, label, seed.name, data, filename, _command(rng, seed))
