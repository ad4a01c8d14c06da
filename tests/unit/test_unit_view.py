"""The unit view: replacements both ways, problems as messages, the catalogue of the
query sentences, and one engine for one unit and for the whole register."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sorviewer
from sorviewer import Register, provenance, unit_view
from sorviewer.messages import CATALOGUE
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport

from .tiny import FUT, IE, IE2, OE1, OE2, OE3, ROWS, SI, tiny_register

DAY = dt.date(2021, 1, 1)
GONE = "99000016001"


def replaced_register() -> Register:
    table = pd.DataFrame(
        {
            "ReplacedSorId": [OE2, OE2, IE2, "not an id", OE1],
            "ReplacedBySorId": [OE3, GONE, FUT, OE1, OE1],
            "FromDate": ["2022-07-01", None, "2030-01-01", None, None],
            "ToDate": [None, None, None, None, None],
        }
    ).astype("string[pyarrow]")
    raw = RawData(
        entities=pd.DataFrame(ROWS).astype("string[pyarrow]"),
        tables={"SORReplacedEntities": table},
        source=SourceInfo(path="replaced", format="sor2-zip", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


def test_replacements_both_ways_in_show() -> None:
    reg = replaced_register()
    closed = reg.entity(OE2, dt.date(2023, 1, 1))
    assert closed is not None
    assert closed["replaced_by"] == sorted([OE3, GONE], key=int)
    assert closed["replaces"] == []
    assert reg.entity(OE3, DAY)["replaces"] == [OE2]  # type: ignore[index]
    assert reg.entity(FUT, DAY)["replaces"] == [IE2]  # type: ignore[index]
    # always present, lists of strings; a unit replacing itself is no replacement
    for sid in (IE, SI, OE1):
        view = reg.entity(sid, DAY)
        assert view is not None and view["replaced_by"] == [] and view["replaces"] == []
    assert tiny_register().entity(OE2, DAY)["replaced_by"] == []  # type: ignore[index]


def test_replacements_with_names_for_the_window() -> None:
    reg = replaced_register()
    details = reg.unit(OE2, dt.date(2023, 1, 1))
    assert details is not None
    by = {r["sor_id"]: r for r in details.replaced_by}
    assert by[OE3] == {
        "sor_id": OE3,
        "name": "anæstesi",
        "valid_from": "2022-07-01",
        "valid_to": None,
    }
    assert by[GONE]["name"] is None  # not in the file: the id alone
    fut = reg.unit(FUT, DAY)
    assert fut is not None and [r["name"] for r in fut.replaces] == ["Øster Klinik"]
    assert unit_view.replacements(reg, "12", DAY) == ([], [])


def test_generated_xml_replacements_match_the_table(tmp_path: Path) -> None:
    from sorviewer.synthetic import generate

    for fmt in ("sor-xml", "sor2-zip"):
        path = tmp_path / f"r-{fmt}.zip"
        generate(str(path), entities=300, seed=4, fmt=fmt)
        reg = sorviewer.load(str(path), use_cache=False)
        table = reg.tables["SORReplacedEntities"]
        pairs = set(zip(table["ReplacedSorId"], table["ReplacedBySorId"], strict=True))
        assert pairs
        old, new = next(iter(sorted(pairs)))
        assert new in reg.entity(old, DAY)["replaced_by"]  # type: ignore[index]
        assert old in reg.entity(new, DAY)["replaces"]  # type: ignore[index]


def test_problems_are_messages_rendered_in_english_for_show() -> None:
    rows = [dict(r) for r in ROWS]
    si = next(r for r in rows if r["SorId"] == SI)
    si["PostalAddressStreetName"] = "Forkert vej"  # a copy that differs from the owner's
    reg = tiny_register(rows)
    details = reg.unit(SI, DAY)
    assert details is not None
    assert details.view["problems"] == [p.render("en") for p in details.problems]
    assert details.problems[0].code == "query.copy_differs"
    assert "Forkert vej" in details.problems[0].render("da")
    assert "nedarvet fra" in details.problems[0].render("da")


def test_every_query_code_in_the_core_is_in_the_catalogue() -> None:
    root = Path(__file__).resolve().parents[2] / "sorviewer"
    used = set()
    for path in root.rglob("*.py"):
        used.update(re.findall(r"\"(query\.[a-z_]+(?:\.[a-z_]+)?)\"", path.read_text("utf-8")))
    used.update(f"query.group.{k}" for k in provenance.GROUPS)
    assert used and not used - set(CATALOGUE)


@pytest.mark.parametrize("day", [dt.date(2009, 1, 1), DAY, dt.date(2023, 1, 1)])
def test_one_unit_and_the_whole_register_agree(day: dt.date) -> None:
    reg = replaced_register()
    ents = np.arange(len(reg.ids))
    whole = provenance.at(reg, day)
    for e in ents.tolist():
        few = provenance._build(reg, reg.snapshot(day), np.array([e]))
        assert few.entries(e) == whole.entries(e)
        assert few.rows_of(np.array([e])) == whole.rows_of(np.array([e]))
