"""The search rule written out plainly, one unit at a time: the oracle the array engine
(`sorviewer.search.match_terms` and its word index) is checked against.

A query is split at blanks into terms; a unit matches when every term does. A term
matches when an id or code value starts with it (compared as `starts` says), or when
each of its folded words starts a word of one of the texts (a word of three characters
or more may also be inside a word); a term without letters or digits matches when its
folded text is inside a folded text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sorviewer.text import fold_text, query_words, word_text

INSIDE_MIN = 3


def _word_matches(word: str, texts: Iterable[str]) -> bool:
    for text in texts:
        for have in word_text(fold_text(text)).split():
            if have.startswith(word) or (len(word) >= INSIDE_MIN and word in have):
                return True
    return False


def matches(
    query: str,
    codes: Iterable[str | None],
    texts: Iterable[str | None],
    starts: Callable[[str, str], bool],
) -> bool:
    """Whether a unit with these id/code values and texts matches `query` (a blank
    query matches nothing). `starts(value, term)` says whether a code value starts
    with a term as typed."""
    pieces = query.split()
    if not pieces:
        return False
    code_values = [c for c in codes if c]
    text_values = [t for t in texts if t]
    for piece in pieces:
        if any(starts(c, piece) for c in code_values):
            continue
        words = query_words(piece)
        if words:
            if all(_word_matches(w, text_values) for w in words):
                continue
        elif any(fold_text(piece) in fold_text(t) for t in text_values):
            continue
        return False
    return True
