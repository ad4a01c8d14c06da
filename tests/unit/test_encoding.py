"""Columns that repeat a few values are dictionaries in memory (`sorviewer.encoding`):
every way the store hands out a column gives the same text and the same nulls as the
plain column would, after a first load and after a reopen from the cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import sorviewer
from sorviewer import encoding
from sorviewer.api import Register
from sorviewer.columns import cells, has_values, rows_column
from sorviewer.raw import LINE, STRING
from sorviewer.synthetic import generate


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "cache"
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(root))
    yield root


def text(values: list[str | None]) -> pd.Series:
    return pd.Series(pd.array(values, dtype=STRING))


def test_the_rule_encodes_repeating_text_only() -> None:
    few = text(["a", "b", None, "a"] * 10)
    enc = encoding.encoded_series(few)
    assert encoding.is_dictionary(enc)
    assert enc.dtype.pyarrow_dtype.index_type == pa.int8()
    assert enc.astype(STRING).equals(few)
    distinct = text([str(i) for i in range(40)])
    assert encoding.encoded_series(distinct) is distinct
    empty = text([None] * 40)
    assert encoding.encoded_series(empty) is empty


def test_the_index_is_as_narrow_as_the_values_allow() -> None:
    many = pa.array([f"v{i % 300}" for i in range(3000)], type=pa.large_string())
    enc = encoding.encoded(many)
    assert enc is not None
    assert enc.type.index_type == pa.int16()
    assert encoding.plain(enc).combine_chunks().equals(many)


def test_series_of_gives_plain_text_with_nulls() -> None:
    enc = encoding.encoded(pa.array(["x", None, "x", "y"] * 4, type=pa.large_string()))
    assert enc is not None
    s = encoding.series_of(enc)
    assert s.dtype == STRING
    assert s.tolist()[:4] == ["x", pd.NA, "x", "y"]


def _registers(tmp_path: Path) -> tuple[Register, Register]:
    path = str(tmp_path / "Sor_complete.zip")
    generate(path, entities=400, seed=11)
    first = sorviewer.load(path)  # read from the file, written to the cache
    again = sorviewer.load(path)  # read from the cache
    assert first is not again
    return first, again


def test_every_reader_sees_the_text_the_file_has(tmp_path: Path) -> None:
    first, again = _registers(tmp_path)
    encoded_columns = [c for c in first.column_names() if encoding.is_dictionary(first.entities[c])]
    assert "SorType" in encoded_columns and len(encoded_columns) > 20
    rng = np.random.default_rng(3)
    n = len(first.sor_id)
    rows = np.sort(rng.choice(n, 200, replace=False))
    few = rows[:5]
    for reg in (first, again):
        for c in encoded_columns:
            expected = reg.entities[c].astype(STRING)  # the plain column
            want = expected.to_numpy(dtype=object, na_value=None)
            arr = reg.arrow_column(c)
            assert not pa.types.is_dictionary(arr.type)
            assert arr.to_pylist() == want.tolist(), c
            assert pa.types.is_dictionary(reg.encoded_column(c).type)
            assert reg.series(c).equals(expected), c
            assert reg.series(c, rows).tolist() == expected.take(rows).tolist(), c
            assert reg.take(c, rows).to_pylist() == want[rows].tolist(), c
            assert reg.take(c, rows[::-1]).to_pylist() == want[rows[::-1]].tolist(), c
            assert reg.reader(rows).take(c).to_pylist() == want[rows].tolist(), c
            kept = reg.takes([c], rows, encoded=True)[c]
            assert pa.types.is_dictionary(kept.type)
            assert encoding.plain(kept).to_pylist() == want[rows].tolist(), c
            assert cells(reg, c, rows).to_pylist() == want[rows].tolist(), c
            assert cells(reg, c, few).type == pa.string()
            assert list(reg.column_values(c, few)) == want[few].tolist(), c
            assert reg.value(int(few[0]), c) == want[few[0]], c
            assert has_values(reg, c) == any(v is not None for v in want)
            assert pa.types.is_dictionary(rows_column(reg, c).type)
        got = reg.cells(few, encoded_columns)
        for c in encoded_columns:
            want = reg.entities[c].astype(STRING).to_numpy(dtype=object, na_value=None)
            assert got[c].tolist() == want[few].tolist(), c
        row = reg.row_dict(int(few[1]))
        assert LINE not in row
        for c in encoded_columns:
            v = reg.entities[c].iat[int(few[1])]
            assert row[c] == (None if pd.isna(v) else v)
    # nulls come out as None, never as "nan"
    for reg in (first, again):
        for c in encoded_columns:
            nulls = np.nonzero(reg.entities[c].isna().to_numpy())[0]
            if len(nulls):
                r = int(nulls[0])
                assert reg.value(r, c) is None
                assert reg.row_dict(r)[c] is None
                break
        else:
            pytest.fail("no encoded column with a null in the generated register")
