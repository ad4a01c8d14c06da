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
