"""A zip writer that lies on request: any member name (empty, with line breaks or escape
sequences), any method (stored, deflate, bzip2, or a number zipfile does not know), and
header fields (sizes, CRC) that disagree with the data. `zipfile` refuses to write most
of these, and the point is to see what the reader makes of them."""

from __future__ import annotations

import bz2
import struct
import zlib
from dataclasses import dataclass

STORED, DEFLATED, BZIP2 = 0, 8, 12


@dataclass
class Member:
    """One member as it goes into the file; None fields take their true values."""

    name: bytes | str
    data: bytes
    method: int = DEFLATED
    file_size: int | None = None  # the uncompressed size the headers declare
    compress_size: int | None = None  # the compressed size the headers declare
    crc: int | None = None
    flags: int = 0x800  # UTF-8 names
    payload: bytes | None = None  # the compressed bytes as written (default: compress data)


def _compress(data: bytes, method: int) -> bytes:
    if method == DEFLATED:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    if method == BZIP2:
        return bz2.compress(data)
    return data


def build(members: list[Member], comment: bytes = b"") -> bytes:
    """The bytes of a zip holding `members`, with every header as each member says."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode("utf-8") if isinstance(m.name, str) else m.name
        payload = m.payload if m.payload is not None else _compress(m.data, m.method)
        crc = m.crc if m.crc is not None else zlib.crc32(m.data) & 0xFFFFFFFF
        usize = m.file_size if m.file_size is not None else len(m.data)
        csize = m.compress_size if m.compress_size is not None else len(payload)
        usize32, csize32 = min(usize, 0xFFFFFFFF), min(csize, 0xFFFFFFFF)
        version = 46 if m.method == BZIP2 else 20
        offset = len(out)
        local = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            version,
            m.flags,
            m.method,
            0,
            0x21,
            crc,
            csize32,
            usize32,
            len(name),
            0,
        )
        out += local + name + payload
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            version,
            version,
            m.flags,
            m.method,
            0,
            0x21,
            crc,
            csize32,
            usize32,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    start = len(out)
    out += central
    out += struct.pack(
        "<4sHHHHIIH",
        b"PK\x05\x06",
        0,
        0,
        len(members),
        len(members),
        len(central),
        start,
        len(comment),
    )
    out += comment
    return bytes(out)
