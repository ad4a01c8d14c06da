"""Text columns that repeat a few values, kept as dictionaries in memory and on disk.

Most of SOR's 113 columns hold a handful of distinct values over half a million rows
(types, flags, regions, dates). Held as plain text each costs 8-byte offsets plus the
bytes of every row; as a dictionary, a one-byte index per row and the values once. The
register keeps such columns as the Arrow dictionary itself inside pandas (an
`ArrowDtype` of the dictionary type: the load encodes a column once, the cache stores
it and reads it back as it is, nothing is converted on the way), and the store hands
each reader what it needs (`register.Store`): `plain` turns a dictionary array (or the
few rows taken from one) back into the text a string kernel wants, `series_of` into the
pandas text a `.str` method wants.

Why not pandas Categoricals: building one validates its categories (a hash of every
distinct value), which on the full register's 1.27 million distinct values of encoded
columns cost more than decoding them did; the Arrow dictionary is wrapped as it is. A
dictionary column answers `isna`, `dropna`, `take`, `iat`, `factorize`, `astype` and
`to_numpy` like the text column (nulls are `pd.NA`); only the `.str` methods need the
text, which `Store.series` gives.

The rule of which column is a dictionary lives here, once: text with at most
`DICTIONARY_SHARE` of its values distinct, with the narrowest index that holds them.
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: a text column is a dictionary when at most this share of its values differ
DICTIONARY_SHARE = 0.5

A = TypeVar("A", pa.Array, pa.ChunkedArray)


def is_text(t: pa.DataType) -> bool:
    """Whether `t` is a plain text type (32- or 64-bit offsets)."""
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def plain(arr: A) -> A:
    """`arr` as plain text when it is a dictionary array (of text), else `arr` itself."""
    if pa.types.is_dictionary(arr.type):
        return arr.cast(arr.type.value_type)
    return arr


def encoded(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | None:
    """`column` (text) as a dictionary array with the narrowest index, or None when it
    is not text, is all null, or too many of its values differ to gain from it."""
    if not is_text(column.type) or not len(column) or column.null_count == len(column):
        return None
    whole = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    enc = pc.dictionary_encode(whole)
    n = len(enc.dictionary)
    if n > len(whole) * DICTIONARY_SHARE:
        return None
    index = pa.int8() if n < 1 << 7 else pa.int16() if n < 1 << 15 else pa.int32()
    return pa.chunked_array([enc.cast(pa.dictionary(index, enc.dictionary.type))])


def is_dictionary(values: pd.Series) -> bool:
    """Whether a frame's column is kept as an Arrow dictionary."""
    dtype = values.dtype
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_dictionary(dtype.pyarrow_dtype)


def frame_types(t: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """The pandas type of a column read from Arrow (`Table.to_pandas`'s types_mapper):
    text as pandas' pyarrow text, a dictionary as it is, the rest pandas' default."""
    if is_text(t):
        return pd.StringDtype("pyarrow")
    if pa.types.is_dictionary(t):
        return pd.ArrowDtype(t)
    return None


def dictionary_series(arr: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A dictionary array as a pandas Series holding it as it is (no copy)."""
    return pd.Series(pd.arrays.ArrowExtensionArray(arr))


def encoded_series(values: pd.Series) -> pd.Series:
    """`values` (a pandas text Series) as a dictionary when the rule above says so,
    else `values` itself. The index becomes a plain range (as the frames have)."""
    if values.dtype != pd.StringDtype("pyarrow"):  # not text, or a dictionary already
        return values
    arr = pa.array(values.array, from_pandas=True)
    enc = encoded(arr)
    return values if enc is None else dictionary_series(enc)


def encoded_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with its low-cardinality text columns as dictionaries (the other columns
    shared, not copied)."""
    out = {}
    changed = False
    for name, col in df.items():
        enc = encoded_series(col)
        changed |= enc is not col
        out[name] = enc.array if enc is not col else col.array
    if not changed:
        return df
    frame = pd.DataFrame(dict(enumerate(out.values())), copy=False)
    frame.columns = df.columns
    return frame


def series_of(arr: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Plain text (pyarrow) as a pandas text Series, decoding a dictionary first."""
    from .raw import STRING

    text = plain(arr)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks() if text.num_chunks != 1 else text.chunk(0)
    if pa.types.is_string(text.type):
        text = text.cast(pa.large_string())
    return pd.Series(pd.array(text, dtype=STRING))
