"""The window's wording of the core's load errors and report kinds (ui.messages)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

import sorviewer
from sorviewer import LoadError
from ui.messages import KIND_LABELS, kind_label, load_error_message

ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE SorTree [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0">&b;</SorTree>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE SorTree SYSTEM "http://example.org/sor.dtd">
<SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0"/>
"""


def bad_inputs(tmp: Path) -> dict[str, str]:
    """Files a user can open by mistake, each giving a LoadError."""
    out: dict[str, str] = {}

    def put(name: str, data: bytes) -> None:
        (tmp / name).write_bytes(data)
        out[name] = str(tmp / name)

    out["missing"] = str(tmp / "nope.zip")
    (tmp / "folder").mkdir()
    out["folder"] = str(tmp / "folder")
    put("empty.csv", b"")
    put("random.bin", os.urandom(3000))
    put("truncated.zip", b"PK\x03\x04" + os.urandom(500))
    with zipfile.ZipFile(tmp / "notes.zip", "w") as z:
        z.writestr("notes.txt", "nothing about SOR")
    out["notes.zip"] = str(tmp / "notes.zip")
    with zipfile.ZipFile(tmp / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("SOREntity.csv", b"SorId;EntityName\r\n" + b"0" * (20 << 20))
    out["bomb.zip"] = str(tmp / "bomb.zip")
    put("bomb.xml", ENTITY_BOMB)
    put("dtd.xml", EXTERNAL_DTD)
    put("other.xml", b"<?xml version='1.0'?><html><body/></html>")
    put("SHAKSORMap.csv", b"SorShakMapId;ShakId;SorId;IsDirectSorShakMapping\r\n0;1301;1;true\r\n")
    # a member whose CRC does not match its data, and one declaring a smaller size
    for name, field_local, field_central, value in (
        ("badcrc.zip", 14, 16, 0x12345678),
        ("liar.zip", 22, 24, 1000),
    ):
        with zipfile.ZipFile(tmp / name, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("SOREntity.csv", b"SorId;EntityName\r\n" + b"11000016002;A\r\n" * 5000)
        data = bytearray((tmp / name).read_bytes())
        for sig, at in ((b"PK\x03\x04", field_local), (b"PK\x01\x02", field_central)):
            pos = data.index(sig) + at
            data[pos : pos + 4] = value.to_bytes(4, "little")
        put(name, bytes(data))
    return out


def test_every_load_error_a_user_can_meet_reads_in_danish(tmp_path: Path) -> None:
    for name, path in bad_inputs(tmp_path).items():
        with pytest.raises(LoadError) as err:
            sorviewer.load(path, use_cache=False)
        english = str(err.value)
        danish = load_error_message(err.value, "da")
        assert danish != english, (name, english)
        assert load_error_message(err.value, "en") == english
        # the file name the sentence names survives the translation
        base = os.path.basename(path)
        if base in english:
            assert base in danish, (name, danish)


def test_report_kinds_in_words() -> None:
    assert kind_label("bad_check_digit", "da") == "Forkert kontrolciffer"
    assert kind_label("bad_check_digit", "en") == "Bad check digit"
    assert kind_label("brand_new_kind", "da") == "brand_new_kind"
    assert kind_label(None, "da") == ""
    # every kind the core reports has words (grep of the core's report calls)
    import re

    core = Path(sorviewer.__file__).parent
    kinds = set()
    for f in core.rglob("*.py"):
        kinds |= set(re.findall(r'kind="([a-z_]+)"', f.read_text(encoding="utf-8")))
    kinds -= {"stable"}  # numpy's sort kind, not a report kind
    assert kinds <= set(KIND_LABELS), sorted(kinds - set(KIND_LABELS))


def test_qt_standard_buttons_follow_the_language(qapp: object) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.app import set_qt_language

    def close_text() -> str:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        button = box.button(QDialogButtonBox.StandardButton.Close)
        assert button is not None
        return button.text().replace("&", "")

    try:
        assert set_qt_language("da")
        assert close_text() == "Luk"
    finally:
        set_qt_language("en")
    assert close_text() == "Close"
