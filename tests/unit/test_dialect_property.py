"""Property test for the CSV cell cleaning: the column-wise pyarrow/numpy version gives
what a plain reading of the rules (docs/FORMATS.md, "The CSV dialect") gives, value by value."""

from __future__ import annotations

import re

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sorviewer.formats.dialect import NULL_WORDS, clean_column

EDGE = " \t\r\n"
WRAPPED = re.compile(r'=[ \t\r\n]*"(.*)"', re.DOTALL)
DOT_ZERO = re.compile(r"(\d+)\.0+")


def reference(values: list[str | None], is_id: bool) -> tuple[list[str | None], dict[str, int]]:
    stats: dict[str, int] = {}
    out = list(values)
    if any(v and (v[0] in EDGE or v[-1] in EDGE) for v in out):
        out = [None if v is None else v.strip(EDGE) for v in out]
    wrapped = [v is not None and WRAPPED.fullmatch(v) is not None for v in out]
    if any(wrapped):
        stats["wrapped"] = sum(wrapped)
        out = [WRAPPED.fullmatch(v).group(1) if w else v for v, w in zip(out, wrapped, strict=True)]  # type: ignore[union-attr]
        if any(v and (v[0] in EDGE or v[-1] in EDGE) for v in out):
            out = [None if v is None else v.strip(EDGE) for v in out]
    words = sum(v in NULL_WORDS for v in out)
    if words:
        stats["null_word"] = words
    out = [None if v == "" or v in NULL_WORDS else v for v in out]
    if is_id and any(v is not None and v.endswith(".0") for v in out):
        dotted = [v is not None and DOT_ZERO.fullmatch(v) is not None for v in out]
        if any(dotted):
            stats["dot_zero"] = sum(dotted)
            out = [
                DOT_ZERO.fullmatch(v).group(1) if d else v for v, d in zip(out, dotted, strict=True)
            ]  # type: ignore[union-attr]
    return out, stats


cell = st.one_of(
    st.none(),
    st.text(alphabet='0123456789.=" \t\r\nNULlaæø', max_size=8),
    st.builds(lambda s: f'="{s}"', st.text(alphabet="0123456789 ø\n", max_size=6)),
    st.sampled_from(["NULL", "null", " Null ", "12.0", "7.00", '= "5"', '="', "ab.0"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(cell, min_size=1, max_size=12), st.booleans())
def test_cleaning_matches_the_rules_value_by_value(values: list[str | None], is_id: bool) -> None:
    want, want_stats = reference(values, is_id)
    # the reader hands over empty fields as null already
    given_values = [None if v == "" else v for v in values]
    stats: dict[str, int] = {}
    got = clean_column(
        pa.chunked_array([pa.array(given_values, pa.string())]), is_id=is_id, stats=stats
    )
    assert got.type == pa.large_string()
    assert got.to_pylist() == want
    assert stats == want_stats
