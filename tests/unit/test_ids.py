"""Check digits against answers known from outside this project: the textbook Verhoeff
examples, the real SOR ids and EANs of the XML cuts, and the GS1 rule."""

from __future__ import annotations

import re

import pytest

from sorviewer import ids
from tests.conftest import SAMPLES


def test_verhoeff_tables_are_the_published_ones() -> None:
    # each row of the permutation table is the first one applied once more
    for i in range(2, 8):
        assert ids._P[i] == tuple(ids._P[1][d] for d in ids._P[i - 1]), i
    # the textbook examples: 236 -> 3, 75872 -> 2, 12345 -> 1
    assert [ids.verhoeff_digit(n) for n in ("236", "75872", "12345")] == [3, 2, 1]
    assert ids.verhoeff_ok("2363") and ids.verhoeff_ok("758722") and ids.verhoeff_ok("123451")
    assert not ids.verhoeff_ok("2364")


def test_every_real_sor_id_in_the_xml_cuts_passes() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("the real SOR XML cuts (../shared/samples) are not on this machine")
    found: set[str] = set()
    for path in SAMPLES.rglob("*.xml"):
        text = path.read_text(encoding="utf-8-sig")
        found.update(re.findall(r"SorIdentifier>(\d+)<", text))
    hand_made = "6984910000160091"  # the one node the samples README calls hand-made
    real = sorted(found - {hand_made})
    assert len(real) >= 10
    assert [s for s in real if ids.sor_id_problem(s)] == []
    assert ids.sor_id_problem(hand_made) is not None


def test_gs1_check_digit() -> None:
    assert ids.ean_ok("5790000173624")  # the Værløse Apotek EAN in the XML cut
    assert ids.make_ean("579000017362") == "5790000173624"
    assert not ids.ean_ok("5790000173625")
