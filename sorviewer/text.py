"""Text rules every part of the program shares: search folding and words, Danish name
order, and the spellings of yes and no that SOR files use.

The bottom of the module map: it imports nothing from `sorviewer`. Each rule has
one scalar form (for a query a person typed, or one cell) and, where the core
needs it over whole columns, one array form built on pyarrow compute kernels that
gives the same answers (tests compare the two).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# --- search folding -------------------------------------------------------------------
#
# One folding, applied alike to the data and to what a person types, so that every way
# of writing a Danish letter without a Danish keyboard finds the same text:
#
#   ø, ö, oe, o   ->  o     ("Øjenafdelingen", "oejenafdelingen", "ojenafdelingen")
#   å, aa, a      ->  a     ("Århus", "Aarhus", "Arhus")
#   æ, ä, ae      ->  ae    ("Ærø", "Aerø", "AERO"; but "a" alone is not "æ")
#   ü             ->  u
#
# plus lower case (Unicode case folding: "Straße" = "strasse") and other accents
# dropped ("François" = "francois"). Two-letter spellings are collapsed after the
# letters are spelled out: a run of a's becomes one a, and o followed by e's becomes o.
# So the folded text of "Poesi" is "posi" and "Saab" reads "sab": the folding is
# coarser than Danish, which costs a few extra hits, never a miss. Digits and
# punctuation are untouched, so ids, codes and postcodes fold to themselves.

#: The letters folding spells out before accents are dropped, in the order applied.
FOLDED_LETTERS = (("æ", "ae"), ("ø", "o"), ("å", "a"), ("ä", "ae"), ("ö", "o"), ("ü", "u"))
#: After the letters: the spellings collapsed (regular expression, replacement).
COLLAPSED = ((r"a{2,}", "a"), (r"oe+", "o"))
_COLLAPSED_RE = tuple((re.compile(p), r) for p, r in COLLAPSED)

#: Text outside Latin-1, where pyarrow's lower case and Unicode tables may differ from
#: Python's casefold and `unicodedata.combining` (ß, ligatures, Greek, marks that are not
#: \p{Mn}); such values, and any that still hold a non-ASCII letter after the kernels,
#: are folded with `fold_text` itself (few distinct values).
_BEYOND_LATIN1 = r"[^\x00-\x{ff}]"


def _fold_letters(text: str) -> str:
    s = text.casefold()
    for letter, plain in FOLDED_LETTERS:
        s = s.replace(letter, plain)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def fold_text(text: str) -> str:
    """Search folding of one text (the rules above): "Øjenafdelingen", "OEJENAFDELINGEN"
    and "ojenafdelingen" all fold to "ojenafdelingen"; "Ærø" and "aero" to "aero"."""
    s = _fold_letters(text)
    # A compatibility form can decompose into a letter the map handles or into an upper
    # case letter ("ǣ" -> "æ" + macron, "ℌ" -> "H"); a few more rounds reach the fixed point.
    for _ in range(3):
        again = _fold_letters(s)
        if again == s:
            break
        s = again
    for pattern, plain in _COLLAPSED_RE:
        s = pattern.sub(plain, s)
    return s


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
    for pattern, plain in COLLAPSED:
        out = pc.replace_substring_regex(out, pattern, plain)
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


# --- words ------------------------------------------------------------------------------
#
# Search compares words: a query word matches where a word of the folded text starts
# with it. A word is a run of letters and digits (Unicode categories L and N); anything
# else separates words, so "Høje-Taastrup", "Høje Taastrup" and "(Høje) Taastrup" have
# the same words "hoje" and "tastrup".


def _is_word_char(ch: str) -> bool:
    return ch.isalpha() or unicodedata.category(ch)[0] == "N"


def word_text(folded: str) -> str:
    """A folded text's words joined by single spaces ("afd. b3 (syd)" -> "afd b3 syd")."""
    return " ".join("".join(ch if _is_word_char(ch) else " " for ch in folded).split())


def word_texts(folded: pa.Array) -> pa.Array:
    """`word_text` over a string array of folded texts: kernels for ASCII text, and
    `word_text` itself on the distinct other values (pyarrow's Unicode tables are newer
    than Python's, so they disagree on recently added letters)."""
    if isinstance(folded, pa.ChunkedArray):
        folded = folded.combine_chunks()
    spaced = pc.replace_substring_regex(folded, r"[^a-zA-Z0-9\x80-\x{10ffff}]+", " ")
    out = pc.utf8_trim(spaced, characters=" ")
    odd = pc.fill_null(pc.invert(pc.string_is_ascii(folded)), False)
    if pc.any(odd).as_py():
        values = pc.filter(folded, odd)
        uniques = pc.unique(values)
        words = pa.array([word_text(u) for u in uniques.to_pylist()], type=pa.string())
        out = pc.replace_with_mask(out, odd, pc.take(words, pc.index_in(values, uniques)))
    return out


def query_words(text: str) -> list[str]:
    """The folded words of what a person typed, in the order typed."""
    return word_text(fold_text(text)).split()


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
