"""Text rules every part of the program shares: search folding, Danish name order,
and the spellings of yes and no that SOR files use.

The bottom of the module map: it imports nothing from `sorviewer`. Each rule has
one scalar form (for a query a person typed, or one cell) and, where the core
needs it over whole columns, one array form built on pyarrow compute kernels that
gives the same answers (tests compare the two).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# --- search folding -------------------------------------------------------------------

#: The letters folding spells out before accents are dropped, in the order applied.
FOLDED_LETTERS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe"), ("ü", "u"))

#: Text outside Latin-1, where pyarrow's lower case and Unicode tables may differ from
#: Python's casefold and `unicodedata.combining` (ß, ligatures, Greek, marks that are not
#: \p{Mn}); such values, and any that still hold a non-ASCII letter after the kernels,
#: are folded with `fold_text` itself (few distinct values).
_BEYOND_LATIN1 = r"[^\x00-\x{ff}]"


def fold_text(text: str) -> str:
    """Search folding: lower case, æ->ae, ø->oe, å->aa, ä->ae, ö->oe, ü->u, other accents
    removed ("Ærø", "AERØ" and "aeroe" fold alike; "François" is found as typed)."""
    s = text.casefold()
    for letter, plain in FOLDED_LETTERS:
        s = s.replace(letter, plain)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def fold_array(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """`fold_text` over a whole string array: pyarrow kernels for the common case,
    `fold_text` itself on the distinct values the kernels cannot be trusted with."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    out = pc.utf8_lower(arr)
    for letter, plain in FOLDED_LETTERS:
        out = pc.replace_substring(out, letter, plain)
    # Decomposing and dropping marks only where something is left to decompose: most
    # Danish text is plain ASCII once æ, ø and å are spelled out.
    accented = pc.fill_null(pc.invert(pc.string_is_ascii(out)), False)
    if pc.any(accented).as_py():
        part = pc.utf8_normalize(pc.filter(out, accented), form="NFKD")
        part = pc.replace_substring_regex(part, r"\p{Mn}", "")
        out = pc.replace_with_mask(out, accented, part)
    odd = pc.fill_null(
        pc.or_(pc.invert(pc.string_is_ascii(out)), pc.match_substring_regex(arr, _BEYOND_LATIN1)),
        False,
    )
    if pc.any(odd).as_py():
        values = pc.filter(arr, odd)
        uniques = pc.unique(values)
        folded = pa.array([fold_text(u) for u in uniques.to_pylist()], type=pa.string())
        out = pc.replace_with_mask(out, odd, pc.take(folded, pc.index_in(values, uniques)))
    return out


# --- Danish name order ------------------------------------------------------------------

#: æ (and ä), ø (and ö), å sort after z, in that order.
_AFTER_Z = (("æä", "\x7f1"), ("øö", "\x7f2"), ("å", "\x7f3"))


def name_sort_key(name: str) -> str:
    """Case-insensitive Danish collation key: æ, ø, å sort after z; other accents fold."""
    s = name.lower()
    for letters, code in _AFTER_Z:
        for ch in letters:
            s = s.replace(ch, code)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def name_sort_keys(names: pa.Array) -> pa.Array:
    """`name_sort_key` over a whole pyarrow string array, with compute kernels."""
    keys = pc.utf8_lower(names)
    for letters, code in _AFTER_Z:
        for ch in letters:
            keys = pc.replace_substring(keys, ch, code)
    keys = pc.utf8_normalize(keys, form="NFKD")
    return pc.replace_substring_regex(keys, r"\p{Mn}", "")


# --- yes and no ---------------------------------------------------------------------------

#: How SOR files and people write a true flag (compared trimmed and lower-cased).
TRUE_WORDS = ("true", "1", "ja", "j", "yes", "y")
#: ... and a false one. Anything else (or nothing) is unknown.
FALSE_WORDS = ("false", "0", "nej", "n", "no")


def truth(text: str | None) -> bool | None:
    """True, False, or None when `text` is empty or not a yes/no spelling."""
    if text is None:
        return None
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    return None


def truth_masks(values: object) -> tuple[np.ndarray, np.ndarray]:
    """`truth` over a column (a pyarrow array, or anything `pa.array` takes, such as a
    pandas string Series): (is true, is false) numpy boolean arrays."""
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    low = pc.utf8_lower(pc.utf8_trim_whitespace(arr.cast(pa.string())))
    masks = []
    for words in (TRUE_WORDS, FALSE_WORDS):
        hit = pc.fill_null(pc.is_in(low, value_set=pa.array(words)), False)
        masks.append(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool))
    return masks[0], masks[1]
