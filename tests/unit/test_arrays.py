"""The walks up parent arrays and the id lookup, against brute force; and the two ways
`asof.version_rows` finds a unit's row, against each other."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sorviewer import arrays
from sorviewer.asof import _version_rows_each, version_rows
from sorviewer.dates import to_day

from .test_dates_property import registers
from .tiny import tiny_register


@st.composite
def parent_arrays(draw: st.DrawFn) -> np.ndarray:
    """Any parent array: roots, chains, loops, self-parents."""
    n = draw(st.integers(1, 40))
    return np.array([draw(st.integers(-1, n - 1)) for _ in range(n)], dtype=np.int64)


def walk(parent: np.ndarray, i: int) -> list[int]:
    """i and its ancestors, stopping before a node repeats."""
    out, seen = [i], {i}
    while parent[out[-1]] >= 0 and parent[out[-1]] not in seen:
        out.append(int(parent[out[-1]]))
        seen.add(out[-1])
    return out


@given(parent_arrays(), st.data())
def test_walks_against_brute_force(parent: np.ndarray, data: st.DataObject) -> None:
    n = len(parent)
    stop = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    cyc = {i for i in range(n) if parent[i] >= 0 and i in walk(parent, int(parent[i]))}
    assert set(np.nonzero(arrays.cycle_members(parent))[0].tolist()) == cyc
    want_up = []
    for i in range(n):
        path = walk(parent, i)
        hits = [k for k in path if stop[k]]
        want_up.append(hits[0] if hits else -1)
    assert arrays.first_up(parent, stop).tolist() == want_up
    nodes = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=4)), dtype=np.int64)
    want_mask = {k for i in nodes.tolist() for k in walk(parent, i)}
    assert set(np.nonzero(arrays.with_ancestors(parent, nodes))[0].tolist()) == want_mask
    targets = np.array([data.draw(st.integers(-1, n - 1)) for _ in nodes], dtype=np.int64)
    want_above = [
        t >= 0 and (t in walk(parent, i)[1:] or (t == i and i in cyc))
        for i, t in zip(nodes.tolist(), targets.tolist(), strict=True)
    ]
    assert arrays.is_above(parent, nodes, targets).tolist() == want_above
    for i in range(n):
        assert arrays.path_up(parent, i) == walk(parent, i)


@given(
    st.lists(st.integers(1, 10**15), unique=True, max_size=30),
    st.lists(st.integers(0, 10**15), max_size=30),
)
def test_index_of_is_get_indexer(keys: list[int], values: list[int]) -> None:
    sorted_keys = np.array(sorted(keys), dtype=np.int64)
    got = arrays.index_of(sorted_keys, np.array(values, dtype=np.int64))
    want = pd.Index(sorted_keys).get_indexer(values) if len(values) else []
    assert got.tolist() == list(want)


@settings(max_examples=60, deadline=None)
@given(registers(), st.lists(st.integers(-300, 9500), min_size=1, max_size=5))
def test_version_rows_both_ways(data: tuple, offsets: list[int]) -> None:
    rows, _spans = data
    reg = tiny_register(rows)
    every = np.arange(len(reg.ids), dtype=np.int64)
    for off in offsets:
        day = to_day(dt.date(2006, 1, 1)) + off
        many = version_rows(reg, every, day)  # the one-pass path for a whole day
        each = _version_rows_each(reg, every, np.int64(day))  # one unit at a time
        assert many[0].tolist() == each[0].tolist()
        assert many[1].tolist() == each[1].tolist()
