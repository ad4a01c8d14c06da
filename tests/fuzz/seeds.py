"""The files mutations start from: small generated registers in every format, and the
real XML cuts when the shared samples folder is there.

Generated seeds are written once per folder (the generator gives the same bytes for the
same arguments), so a campaign is deterministic from its seed number.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from sorviewer.synthetic import generate

from .runner import ROOT

#: the shared samples, where CI has them: beside the repository, never by an absolute path
SAMPLES = ROOT.parent / "shared" / "samples"


@dataclass(frozen=True)
class Seed:
    """One starting file: its name, bytes, and a few facts the commands need."""

    name: str
    kind: str  # "sor2-zip" | "sor2-csv" | "xml" | "xml-zip"
    data: bytes
    sor_id: str  # an id in the file, for `show`


def _first_id(data: bytes, kind: str) -> str:
    import re

    text = data.decode("utf-8", errors="replace")
    if kind == "xml":
        m = re.search(r"SorIdentifier>\s*(\d+)", text)
    else:
        m = re.search(r"\n\W*(\d{11,18})", text)
    return m.group(1) if m else "1"


def generated_seeds(folder: Path, entities: int = 30) -> list[Seed]:
    """Small generated registers: a SOR2 zip (two dialects), the daily CSV, and XML 1.0.0
    and 2.0.0 (as the zip the generator writes, and as the bare Sor.xml)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Seed] = []
    specs = [
        ("sor2.zip", dict(fmt="sor2-zip")),
        ("sor2-quirks.zip", dict(fmt="sor2-zip", dialect="lf,comma,quote-all,dates-dmy")),
        ("daily.csv", dict(fmt="sor2-csv")),
        ("xml1.zip", dict(fmt="sor-xml", xml_version="1.0.0")),
        ("xml2.zip", dict(fmt="sor-xml", xml_version="2.0.0")),
    ]
    for i, (name, kwargs) in enumerate(specs):
        path = folder / name
        if not path.exists():
            generate(str(path), entities=entities, seed=11 + i, **kwargs)  # type: ignore[arg-type]
        data = path.read_bytes()
        if name.startswith("xml"):
            with zipfile.ZipFile(path) as zf:
                xml = zf.read("Sor.xml")
            out.append(Seed(name, "xml-zip", data, _first_id(xml, "xml")))
            out.append(Seed(name.replace(".zip", ".xml"), "xml", xml, _first_id(xml, "xml")))
        elif name.endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                ent = zf.read("SOREntity.csv")
            out.append(Seed(name, "sor2-zip", data, _first_id(ent, "csv")))
        else:
            out.append(Seed(name, "sor2-csv", data, _first_id(data, "csv")))
    return out


def sample_seeds(folder: Path = SAMPLES) -> list[Seed]:
    """The real XML cuts (and the real sor.zip), or none when the folder is absent."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() == ".xml":
            data = path.read_bytes()
            out.append(Seed(f"real-{path.name}", "xml", data, _first_id(data, "xml")))
        elif path.suffix.lower() == ".zip":
            data = path.read_bytes()
            with zipfile.ZipFile(path) as zf:
                xml = b"".join(zf.read(n) for n in zf.namelist() if n.lower().endswith(".xml"))
            out.append(Seed(f"real-{path.name}", "xml-zip", data, _first_id(xml, "xml")))
    return out


def members(data: bytes) -> dict[str, bytes]:
    """The members of a zip held in memory, by name."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}
