"""The XML reader returns exactly what it returned before it was made fast (issue 16).

Every column of every table, the report rows and the source info of the real samples,
generated registers in both XML versions and a document full of faults are compared,
digest by digest, with `tests/unit/data/xml_reference.json` (see `xml_reference`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.unit.xml_reference import FIXTURE, digest, inputs

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples folder absent")


def test_reader_output_is_unchanged(tmp_path: Path) -> None:
    reference = json.loads(FIXTURE.read_text(encoding="utf-8"))
    seen = []
    for name, raw in inputs(SAMPLES, tmp_path):
        seen.append(name)
        assert name in reference, name
        got, want = digest(raw), reference[name]
        assert got["source"] == want["source"], name
        assert got["report_rows"] == want["report_rows"], name
        assert got["report"] == want["report"], name
        assert got["entities"].keys() == want["entities"].keys(), name
        changed = [c for c in want["entities"] if got["entities"][c] != want["entities"][c]]
        assert not changed, (name, changed)
        assert got["tables"] == want["tables"], name
    assert sorted(seen) == sorted(reference)


def test_well_formed_records_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path reads every record of a clean register, and hands each faulty one
    to the general path (which reports it): a count, not a timing."""
    from sorviewer.formats import sor_xml

    general = sor_xml._Reader._general_values
    calls: list[str] = []

    def counted(self: sor_xml._Reader, elem: object, ctx: sor_xml._Ctx) -> object:
        calls.append(ctx.level)
        return general(self, elem, ctx)

    monkeypatch.setattr(sor_xml._Reader, "_general_values", counted)
    read = 0
    for name, raw in inputs(SAMPLES, tmp_path):
        if name == "quirky":
            break
        read += len(raw.entities)
        assert not calls, name
    assert read > 3000
    # every record of the faulty document has something to report (its SorStatus is
    # in no namespace), so each goes to the general path
    assert len(calls) == 6
