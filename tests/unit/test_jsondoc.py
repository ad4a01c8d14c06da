"""`jsondoc.dumps` writes what `json.dumps(indent=1, ensure_ascii=False)` writes, at any
depth."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sorviewer.jsondoc import dumps

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(documents)
def test_same_text_as_json(doc: Any) -> None:
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=1)
    assert dumps(doc, indent=2) == json.dumps(doc, ensure_ascii=False, indent=2)


def test_keys_that_are_not_text_and_tuples() -> None:
    doc = {1: (1, 2), None: [], False: {}, 2.5: 0, "ø": "æ\n"}
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=1)


def _chain(depth: int) -> list[dict[str, Any]]:
    top: dict[str, Any] = {"sor_id": "top", "children": []}
    doc = top
    for i in range(depth):
        kid: dict[str, Any] = {"sor_id": str(i), "children": []}
        doc["children"].append(kid)
        doc = kid
    return [top]


def test_deeper_than_the_recursion_limit() -> None:
    assert dumps(_chain(300)) == json.dumps(_chain(300), ensure_ascii=False, indent=1)
    text = dumps(_chain(5000))
    assert text.count('"sor_id"') == 5001
    lines = text.splitlines()
    assert lines[-1] == "]" and max(len(line) - len(line.lstrip()) for line in lines) > 5000
