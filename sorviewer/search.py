"""One search box over names, ids, codes, postcodes and towns, at a date.

The rules (docs/ARCHITECTURE.md, "The command line"; README.md, "Search"):

- The query is split at blanks into terms; a unit is found when **every** term
  matches it, in any order and in any of the searched columns: "sengeafsnit B3
  kirurgisk" finds "Kirurgisk Sengeafsnit B3".
- A term matches when an id or code column (SOR id, SHAK code, EAN, provider and
  pharmacy number, the postcodes) starts with it as typed (case-insensitive), or
  when each of its folded words (`text.query_words`) starts a word of the name or
  of a town. A word of three characters or more also matches inside a word (Danish
  compounds: "kirurgisk" finds "Hjertekirurgisk afsnit"), ranked after word starts.
- Text is folded the same way on both sides (`text.fold_text`: "ojen", "oejen" and
  "øjen" are one word; "aarhus" and "århus" too), so every spelling finds the same
  units; ids and digits are not folded.
- Results come in three tiers: the whole query equal to an id, then names starting
  with the query's words in the order typed, then the rest; each tier in Danish
  name order. `matched` names the column of the best match (an id equal, a name
  start, a word start in the name, an id/code start or a word start in a town, a
  name containing a word, a town containing one).

The text columns are indexed once per register by their distinct values: each
distinct value's folded words go into a `WordIndex` (sorted distinct words, and for
each the values holding it), so a word costs two binary searches and a gather over
the day's units, never a scan of the text. `find --text` uses the same terms and
`WordIndex` over the effective values of the day (`find._text_mask`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import with_ancestors
from .asof import Snapshot, day_number, snapshot
from .provenance import NONE, OWN, STATE_NAMES, living
from .records import SearchHit
from .register import Store
from .text import fold_array, fold_text, query_words, word_texts

#: Columns matched exactly (after trimming) in the first tier, and by prefix later.
ID_COLUMNS = ("SorId", "ShakId", "EanLocationCode", "ProviderId", "PharmacyId")
#: Code columns matched by prefix.
CODE_PREFIX_COLUMNS = ("PostalAddressPostCodeId", "VisitingAddressPostCodeId")
#: Free-text columns, matched by their folded words.
TEXT_COLUMNS = ("EntityName", "PostalAddressDistrictName", "VisitingAddressDistrictName")
#: Id columns compared in lower case (codes that may hold letters).
_LOWER_COLUMNS = ("ShakId", "PharmacyId")
#: A query word this long or longer also matches inside a word of the text.
INSIDE_MIN = 3

#: The `matched` column of each column number used below.
COLUMNS = ID_COLUMNS + CODE_PREFIX_COLUMNS + TEXT_COLUMNS
_NAME = COLUMNS.index("EntityName")

# How well a unit matched, best first (the `matched` column is the best one's).
EXACT_ID, NAME_PREFIX, NAME_WORD, CODE_OR_TOWN_WORD, NAME_INSIDE, TOWN_INSIDE = range(6)
NO_MATCH = 99

#: Result tiers (docs/ARCHITECTURE.md, "The command line"): exact id matches, name
#: prefixes, the rest.
TIER_EXACT_ID, TIER_NAME_PREFIX, TIER_OTHER = 0, 1, 2


# --- terms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One blank-separated piece of a query: as typed, its folded words, and (for a
    piece without letters or digits, such as "&" or "%") its folded text, which is
    then looked for literally inside the texts."""

    raw: str
    words: tuple[str, ...]
    literal: str = ""


def parse_terms(text: str) -> list[Term]:
    """The terms of a query (no terms for a blank one)."""
    terms = []
    for piece in text.split():
        words = tuple(query_words(piece))
        terms.append(Term(piece, words, "" if words else fold_text(piece)))
    return terms


# --- the word index -------------------------------------------------------------------------


@dataclass(frozen=True)
class WordIndex:
    """The words of a list of texts, for "which texts have a word starting with w" and
    "... a word containing w" without reading the texts.

    `words` are the distinct words in code-point order (a Python list's order, so
    `np.searchsorted` finds a prefix's range); the texts holding word k are
    `text[start[k]:start[k + 1]]`. Masks come back over the texts plus one `False`
    at the end, so a code of -1 (no text) indexes it.
    """

    words: np.ndarray  # object array of str, sorted
    words_arrow: pa.Array  # the same words, for pyarrow's substring kernel
    start: np.ndarray  # int64, len(words) + 1
    text: np.ndarray  # int32 text positions, grouped by word
    n_texts: int

    @classmethod
    def build(cls, texts: pa.Array) -> WordIndex:
        """The index of `texts` (word texts: `text.word_texts`, words joined by blanks)."""
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        lists = pc.split_pattern(pc.fill_null(texts, ""), " ")
        flat = pc.list_flatten(lists)
        parent = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
        keep = np.asarray(pc.not_equal(flat, "").to_numpy(zero_copy_only=False), dtype=bool)
        flat = flat.filter(pa.array(keep))
        parent = parent[keep]
        enc = pc.dictionary_encode(flat)
        if isinstance(enc, pa.ChunkedArray):
            enc = enc.combine_chunks()
        distinct = enc.dictionary.cast(pa.string())
        order = np.asarray(pc.sort_indices(distinct), dtype=np.int64)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        word_of = rank[np.asarray(enc.indices, dtype=np.int64)] if len(flat) else parent
        by_word = np.argsort(word_of, kind="stable")
        counts = np.bincount(word_of, minlength=len(order))
        start = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        sorted_words = distinct.take(pa.array(order, type=pa.int64()))
        return cls(
            words=np.array(sorted_words.to_pylist(), dtype=object),
            words_arrow=sorted_words,
            start=start,
            text=parent[by_word].astype(np.int32),
            n_texts=len(texts),
        )

    def _mask(self, positions: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.n_texts + 1, dtype=bool)
        mask[positions] = True
        return mask

    def word_range(self, prefix: str) -> tuple[int, int]:
        """The words starting with `prefix`: `words[lo:hi]`."""
        lo = int(np.searchsorted(self.words, prefix, side="left"))
        last = ord(prefix[-1])
        if last == 0x10FFFF:  # nothing sorts above it: take the words to the end
            return lo, len(self.words)
        upper = prefix[:-1] + chr(last + 1)
        return lo, int(np.searchsorted(self.words, upper, side="left"))

    def starting(self, prefix: str) -> np.ndarray:
        """Per text (plus a `False` for code -1): a word of it starts with `prefix`."""
        lo, hi = self.word_range(prefix)
        return self._mask(self.text[self.start[lo] : self.start[hi]])

    def containing(self, part: str) -> np.ndarray:
        """Per text (plus a `False` for code -1): a word of it contains `part`."""
        hit = pc.match_substring(self.words_arrow, part)
        ids = np.flatnonzero(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool))
        if not len(ids):
            return np.zeros(self.n_texts + 1, dtype=bool)
        lo, hi = self.start[ids], self.start[ids + 1]
        lengths = hi - lo
        total = int(lengths.sum())
        # the postings of every hit word at once: ranges [lo, hi) joined
        ends = np.cumsum(lengths)
        pos = np.arange(total, dtype=np.int64) + np.repeat(lo - (ends - lengths), lengths)
        return self._mask(self.text[pos])


@dataclass(frozen=True)
class WordColumn:
    """A text column as codes over its distinct values, with their word index."""

    column: int  # number in `COLUMNS`
    codes: np.ndarray  # per row or unit: position in the distinct values, -1 for none
    folded: pa.Array  # the distinct values, folded
    texts: pa.Array  # their word texts (`text.word_texts`)
    index: WordIndex

    def containing_text(self, part: str) -> np.ndarray:
        """Per distinct value (plus a `False` for code -1): its folded text holds `part`."""
        hit = pc.fill_null(pc.match_substring(self.folded, part), False)
        return np.append(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool), False)


def word_column(column: int, codes: np.ndarray, folded: pa.Array) -> WordColumn:
    """`WordColumn` of distinct folded values and the codes pointing at them."""
    texts = word_texts(folded)
    return WordColumn(column, codes, folded, texts, WordIndex.build(texts))


def encode_words(column: int, values: pa.Array) -> WordColumn:
    """`WordColumn` of a string array (trimmed; null or empty is no text)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    enc = pc.dictionary_encode(values)
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False))
    folded = fold_array(enc.dictionary.cast(pa.string()))
    return word_column(column, codes.astype(np.int32), folded)


# --- matching -----------------------------------------------------------------------------


class _Levels:
    """The best level per unit and its column; `mark` keeps an earlier mark on a tie."""

    def __init__(self, n: int) -> None:
        self.level = np.full(n, NO_MATCH, dtype=np.int8)
        self.column = np.zeros(n, dtype=np.int8)

    def mark(self, mask: np.ndarray, level: int, column: int | np.ndarray) -> None:
        better = mask & (self.level > level)
        self.level[better] = level
        self.column[better] = column if isinstance(column, int) else column[better]

    def merge(self, other: _Levels, where: np.ndarray | None = None) -> None:
        better = other.level < self.level
        if where is not None:
            better &= where
        self.level[better] = other.level[better]
        self.column[better] = other.column[better]


def match_terms(
    terms: Sequence[Term],
    n: int,
    prefix_of: Callable[[str], Iterable[tuple[int, np.ndarray]]],
    words: Sequence[tuple[WordColumn, np.ndarray]],
) -> tuple[np.ndarray, _Levels]:
    """(per unit: every term matches, the unit's best level and column) over `n` units.

    `prefix_of(raw)` gives, per id or code column, (its number in `COLUMNS`, per unit:
    the column starts with the term as typed); `words` pairs each text column with its
    codes for the `n` units. A term matches through an id or code, or through its
    words when every one of them matches the text (a word start, or inside a word for
    words of `INSIDE_MIN` characters or more); a term without words through its text
    found literally in a text."""
    hit = np.ones(n, dtype=bool)
    best = _Levels(n)
    for term in terms:
        levels = _Levels(n)
        for column, mask in prefix_of(term.raw):
            levels.mark(mask, CODE_OR_TOWN_WORD, column)
        if term.literal:
            for col, codes in words:
                level = NAME_INSIDE if col.column == _NAME else TOWN_INSIDE
                levels.mark(col.containing_text(term.literal)[codes], level, col.column)
        text = _Levels(n)
        every_word = np.ones(n, dtype=bool) if term.words else np.zeros(n, dtype=bool)
        for w in term.words:
            one = _Levels(n)
            for col, codes in words:
                level = NAME_WORD if col.column == _NAME else CODE_OR_TOWN_WORD
                one.mark(col.index.starting(w)[codes], level, col.column)
            if len(w) >= INSIDE_MIN:
                for col, codes in words:
                    level = NAME_INSIDE if col.column == _NAME else TOWN_INSIDE
                    one.mark(col.index.containing(w)[codes], level, col.column)
            every_word &= one.level < NO_MATCH
            text.merge(one)
        levels.merge(text, where=every_word)
        hit &= levels.level < NO_MATCH
        best.merge(levels)
    return hit, best


# --- the register's search columns and the day's ---------------------------------------------


def _column_array(reg: Store, col: str) -> pa.Array:
    """One search column, trimmed, with empty text for null: an empty value matches no
    query, and masks without nulls need no fill before every use."""
    if col not in reg.column_names():
        return pc.fill_null(pa.nulls(len(reg.sor_id), pa.string()), "")
    arr = reg.arrow_column(col).combine_chunks().cast(pa.string())
    return pc.fill_null(pc.utf8_trim_whitespace(arr), "")


@dataclass(frozen=True)
class _Base:
    ids: dict[str, pa.Array]  # id and code columns over every version row, trimmed
    text: dict[str, WordColumn]  # text columns over every version row
    #: id and code columns holding nothing but ASCII digits (a term with anything else
    #: cannot start one of their values, so they are not read for it)
    digits: frozenset[str]


def _base(reg: Store) -> _Base:
    """The search columns over every version row (built once per register)."""

    def make() -> _Base:
        ids: dict[str, pa.Array] = {}
        for c in ID_COLUMNS + CODE_PREFIX_COLUMNS:
            a = _column_array(reg, c)
            ids[c] = pc.utf8_lower(a) if c in _LOWER_COLUMNS else a
        text = {c: encode_words(COLUMNS.index(c), _column_array(reg, c)) for c in TEXT_COLUMNS}
        # empty or ASCII digits only (a kernel per class is several times a regex's speed)
        digits = frozenset(
            c
            for c, a in ids.items()
            if pc.all(pc.or_(pc.equal(a, ""), pc.ascii_is_decimal(a))).as_py()
        )
        return _Base(ids, text, digits)

    result: _Base = reg.cache("search_base", make)
    return result


def base_parts(reg: Store) -> tuple[dict[str, pa.Array], dict[str, np.ndarray], list[str]]:
    """The register's search index (built now when it is not yet) as plain arrays, for
    the load cache: (text arrays, number arrays, the all-digit columns)."""
    base = _base(reg)
    texts: dict[str, pa.Array] = {f"id.{c}": a for c, a in base.ids.items()}
    numbers: dict[str, np.ndarray] = {}
    for c, col in base.text.items():
        texts[f"{c}.folded"] = col.folded
        texts[f"{c}.texts"] = col.texts
        texts[f"{c}.words"] = col.index.words_arrow
        numbers[f"{c}.codes"] = col.codes
        numbers[f"{c}.start"] = col.index.start
        numbers[f"{c}.text"] = col.index.text
    return texts, numbers, sorted(base.digits)


def restore_base(
    reg: Store, texts: dict[str, pa.Array], numbers: dict[str, np.ndarray], digits: list[str]
) -> bool:
    """Give `reg` the search index `base_parts` made, after checking that it fits the
    register (lengths, bounds, order: the cache is input too). False when it does not."""
    n = len(reg.sor_id)
    try:
        ids: dict[str, pa.Array] = {}
        for c in ID_COLUMNS + CODE_PREFIX_COLUMNS:
            a = texts[f"id.{c}"].cast(pa.string())
            if len(a) != n or a.null_count:
                return False
            ids[c] = a
        text: dict[str, WordColumn] = {}
        for c in TEXT_COLUMNS:
            folded = texts[f"{c}.folded"].cast(pa.string())
            word_text = texts[f"{c}.texts"].cast(pa.string())
            words = texts[f"{c}.words"].cast(pa.string())
            codes = numbers[f"{c}.codes"]
            start = numbers[f"{c}.start"]
            posts = numbers[f"{c}.text"]
            if codes.dtype != np.int32 or start.dtype != np.int64 or posts.dtype != np.int32:
                return False
            if codes.shape != (n,) or start.shape != (len(words) + 1,) or posts.ndim != 1:
                return False
            if len(word_text) != len(folded) or words.null_count:
                return False
            if n and (codes.min() < -1 or codes.max() >= len(folded)):
                return False
            if start[0] != 0 or start[-1] != len(posts) or np.any(np.diff(start) < 0):
                return False
            if len(posts) and (posts.min() < 0 or posts.max() >= len(word_text)):
                return False
            listed = np.array(words.to_pylist(), dtype=object)
            if len(listed) > 1 and not np.all(listed[:-1] < listed[1:]):
                return False  # the binary searches need the words sorted
            index = WordIndex(listed, words, start, posts, len(word_text))
            text[c] = WordColumn(COLUMNS.index(c), codes, folded, word_text, index)
        if not set(digits) <= set(ids):
            return False
    except (KeyError, TypeError, ValueError, pa.ArrowException):
        return False
    base = _Base(ids, text, frozenset(digits))
    reg.cache("search_base", lambda: base)
    return True


@dataclass(frozen=True)
class _DayIndex:
    ents: np.ndarray  # entity indices present at the day, sorted by name
    ids: dict[str, pa.Array]  # the id and code columns for those entities' rows
    codes: dict[str, np.ndarray]  # each text column's codes for those rows


@dataclass(frozen=True)
class _EanSources:
    """Whose EAN location number each unit of the day index has: the unit's state
    (provenance codes: none, own, inherited) and the position in the day index of the
    unit holding the number (-1 for none). A unit the day's living provenance does not
    cover (a closed or future unit shown with "show closed") keeps its row's number."""

    state: np.ndarray
    holder: np.ndarray


def _ean_sources(reg: Store, snap: Snapshot, idx: _DayIndex) -> _EanSources:
    def make() -> _EanSources:
        prov = living(reg, snap.day)
        n = len(idx.ents)
        pos = np.full(len(reg.ids), -1, dtype=np.int64)
        pos[idx.ents] = np.arange(n)
        state = np.full(n, OWN, dtype=np.int8)
        holder = np.arange(n, dtype=np.int64)
        covered = prov.entity_node[idx.ents] >= 0
        if covered.any():
            ents = idx.ents[covered]
            st = prov.state_of("ean_location_code", ents)
            h = prov.holder_of("ean_location_code", ents)
            state[covered] = st
            holder[covered] = np.where((st != NONE) & (h >= 0), pos[np.maximum(h, 0)], -1)
        own_rows = _bools(pc.not_equal(idx.ids["EanLocationCode"], ""))
        state[~covered & ~own_rows] = NONE
        holder[state == NONE] = -1
        return _EanSources(state, holder)

    return snap.cached("search-ean", make)


def ean_sources(reg: Store, snap: Snapshot, ents: np.ndarray) -> list[tuple[str, str | None]]:
    """For units of a search result: ("own" | "inherited" | "none", the SorId of the
    unit holding their EAN location number at the snapshot's day)."""
    idx = _day_index(reg, snap)
    src = _ean_sources(reg, snap, idx)
    pos = np.full(len(reg.ids), -1, dtype=np.int64)
    pos[idx.ents] = np.arange(len(idx.ents))
    out: list[tuple[str, str | None]] = []
    for e in np.asarray(ents, dtype=np.int64).tolist():
        p = int(pos[e])
        if p < 0:
            out.append(("none", None))
            continue
        h = int(src.holder[p])
        holder = str(reg.ids[idx.ents[h]]) if h >= 0 else None
        out.append((STATE_NAMES[int(src.state[p])], holder))
    return out


def _day_index(reg: Store, snap: Snapshot) -> _DayIndex:
    def make() -> _DayIndex:
        ents = np.nonzero(snap.active_mask if not snap.include_all else snap.present)[0]
        ents = ents[np.argsort(snap.rank[ents], kind="stable")]
        rows = snap.row_of[ents]
        base = _base(reg)
        taken = pa.array(rows)
        ids = {k: v.take(taken) for k, v in base.ids.items()}
        codes = {k: v.codes[rows] for k, v in base.text.items()}
        return _DayIndex(ents, ids, codes)

    return snap.cached("search", make)


def warm_day(reg: Store, day: dt.date) -> None:
    """Build what a search at `day` needs beyond the register's index: the day's index
    and whose EAN location number each unit has (a query of digits needs it; a second
    on the full register), so a worker pays for it instead of the first keystroke."""
    snap = snapshot(reg, day)
    _ean_sources(reg, snap, _day_index(reg, snap))


def find(reg: Store, snap: Snapshot, text: str) -> tuple[np.ndarray, list[str]]:
    """All units matching `text` at the snapshot's day, best first, with the matched column.

    The last few answers per snapshot are kept: the tree filter and the result list ask
    the same question on every keystroke."""
    q = " ".join(text.split())
    if not q:
        return np.array([], dtype=np.int64), []
    ents, cols = snap.answer(("find", q), lambda: _find(reg, snap, q))
    return ents.copy(), list(cols)


def _bools(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _find(reg: Store, snap: Snapshot, q: str) -> tuple[np.ndarray, list[str]]:
    terms = parse_terms(q)
    if not terms:
        return np.array([], dtype=np.int64), []
    idx = _day_index(reg, snap)
    base = _base(reg)
    n = len(idx.ents)

    def prefix_of(raw: str) -> Iterable[tuple[int, np.ndarray]]:
        low = raw.lower()
        is_number = raw.isascii() and raw.isdigit()
        for c in ID_COLUMNS + CODE_PREFIX_COLUMNS:
            if c in base.digits and not is_number:
                continue
            mask = _bools(pc.starts_with(idx.ids[c], low if c in _LOWER_COLUMNS else raw))
            if c == "EanLocationCode" and mask.any():
                # the unit's number at the day: its own, or the one it inherits (no
                # number starts so: none is inherited either, and the day's provenance,
                # a second on the full register, is not needed)
                src = _ean_sources(reg, snap, idx)
                mask = np.append(mask, False)[src.holder]
            yield COLUMNS.index(c), mask

    words = [(base.text[c], idx.codes[c]) for c in TEXT_COLUMNS]
    hit, best = match_terms(terms, n, prefix_of, words)
    if not hit.any():
        return np.array([], dtype=np.int64), []
    # the name starts with the query's words in the order typed
    typed = " ".join(w for t in terms for w in t.words)
    if typed:
        starts = _bools(pc.starts_with(base.text["EntityName"].texts, typed))
        best.mark(hit & np.append(starts, False)[idx.codes["EntityName"]], NAME_PREFIX, _NAME)
    if len(terms) == 1:  # the whole query is an id (an EAN: the unit's own number)
        raw = terms[0].raw
        for c in ID_COLUMNS:
            same = hit & _bools(pc.equal(idx.ids[c], raw.lower() if c in _LOWER_COLUMNS else raw))
            if c == "EanLocationCode" and same.any():  # (no hit: no provenance needed)
                same &= _ean_sources(reg, snap, idx).state == OWN
            best.mark(same, EXACT_ID, COLUMNS.index(c))
    found = np.nonzero(hit)[0]
    tier = np.minimum(best.level[found], TIER_OTHER)
    # idx.ents is name-sorted, so a stable sort by tier keeps name order inside tiers
    found = found[np.argsort(tier, kind="stable")]
    return idx.ents[found], [COLUMNS[c] for c in best.column[found].tolist()]


def search(
    reg: Store, text: str, day: dt.date, limit: int = 50, include_all: bool = False
) -> list[SearchHit]:
    """The `search` CLI document: `[{"sor_id", "name", "sor_type", "matched"}]`."""
    snap = Snapshot(reg, day_number(day), include_all=True) if include_all else snapshot(reg, day)
    ents, cols = find(reg, snap, text)
    out: list[SearchHit] = []
    for e, col in zip(ents[: max(limit, 0)], cols, strict=False):
        r = snap.row(int(e))
        out.append(
            {
                "sor_id": str(reg.ids[e]),
                "name": reg.value(r, "EntityName"),
                "sor_type": reg.value(r, "SorType"),
                "matched": col,
            }
        )
    return out


def match_with_ancestors(reg: Store, snap: Snapshot, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(matching entity indices, a bool mask over all entities of matches and their ancestors).

    This is what a tree filter needs: the proxy keeps a node when the mask is set.
    """
    ents, _ = find(reg, snap, text)
    keep = with_ancestors(np.where(snap.parent_of >= 0, snap.parent_of, -1), ents)
    return ents, keep
