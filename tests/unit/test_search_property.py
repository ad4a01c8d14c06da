"""Property tests for search folding and the word rule.

Folding: idempotent, the array form equal to the scalar one on any text, digits and
punctuation untouched, and every spelling of a Danish letter folding alike. Search:
over small registers of random Danish names, `search.find` returns exactly the units
the plainly written rule (`tests.unit.search_oracle`) accepts, in the contract's order,
and every spelling variant of a query finds the same units.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sorviewer import Register
from sorviewer.ids import make_sor_id
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport
from sorviewer.search import CODE_PREFIX_COLUMNS, ID_COLUMNS, TEXT_COLUMNS, TIER_EXACT_ID, find
from sorviewer.text import fold_array, fold_text, name_sort_key, query_words, word_text, word_texts
from tests.unit import search_oracle

DAY = dt.date(2021, 1, 1)

# --- folding ------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_folding_is_idempotent_and_the_array_form_agrees(text: str) -> None:
    folded = fold_text(text)
    assert fold_text(folded) == folded
    assert fold_array(pa.array([text, None, folded])).to_pylist() == [folded, None, folded]
    assert word_texts(pa.array([folded])).to_pylist() == [word_text(folded)]
    assert word_text(word_text(folded)) == word_text(folded)
    # the query side is the data side: the words of a query are the words of the text
    assert query_words(text) == word_text(folded).split()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=30))
def test_array_folding_equals_scalar_folding_over_many_values(texts: list[str]) -> None:
    assert fold_array(pa.array(texts, type=pa.string())).to_pylist() == [
        fold_text(t) for t in texts
    ]
    chunks = pa.chunked_array([texts[: len(texts) // 2], texts[len(texts) // 2 :]], pa.string())
    assert fold_array(chunks).to_pylist() == [fold_text(t) for t in texts]


@given(st.text(alphabet="0123456789 -./:;,()#+", max_size=30))
def test_ids_codes_and_punctuation_fold_to_themselves(text: str) -> None:
    assert fold_text(text) == text


#: every way of writing each Danish letter without (or with) a Danish keyboard
SPELLINGS = {
    "æ": ("æ", "Æ", "ae", "AE", "Ae", "ä"),
    "ø": ("ø", "Ø", "oe", "OE", "o", "O", "ö"),
    "å": ("å", "Å", "aa", "AA", "Aa", "a", "A"),
}
DANISH = "abcdefghijklmnoprstuvyæøå"
danish_words = st.text(alphabet=DANISH, min_size=1, max_size=12)


def spellings(word: str) -> st.SearchStrategy[str]:
    """`word` with each Danish letter written one of its ways."""
    parts = [st.sampled_from(SPELLINGS[ch]) if ch in SPELLINGS else st.just(ch) for ch in word]
    return st.tuples(*parts).map("".join)


@settings(max_examples=300)
@given(st.data(), danish_words)
def test_every_spelling_of_a_danish_letter_folds_alike(data: st.DataObject, word: str) -> None:
    variant = data.draw(spellings(word))
    assert fold_text(variant) == fold_text(word)


def test_the_examples_of_the_rule() -> None:
    for a, b in (
        ("Øjenafdelingen", "ojenafdelingen"),
        ("oejenafdelingen", "øjenafdelingen"),
        ("Århus", "aarhus"),
        ("arhus", "Aarhus"),
        ("Ærø", "AERO"),
        ("Straße", "strasse"),
        ("François", "francois"),
        ("Müller", "muller"),
    ):
        assert fold_text(a) == fold_text(b), (a, b)
    # what the rule does not do: "a" alone is not "æ", and ids stay as they are
    assert fold_text("fælles") != fold_text("falles")
    assert fold_text("1234567890123") == "1234567890123"
    assert word_text(fold_text("Høje-Taastrup (syd)")) == "hoje tastrup syd"


# --- search against the oracle ---------------------------------------------------------------

IE_ID = make_sor_id(1)


def build(names: list[str], towns: list[str]) -> tuple[Register, list[str]]:
    """An owner and one unit per name under it (the town beside each)."""
    rows = [dict(SorId=IE_ID, SorType="IE", EntityName="Ejer", FromDate="2010-01-01")]
    ids = []
    for i, (name, town) in enumerate(zip(names, towns, strict=True)):
        sid = make_sor_id(100 + i)
        ids.append(sid)
        rows.append(
            dict(
                SorId=sid,
                SorType="OE",
                EntityName=name,
                ParentSorId=IE_ID,
                FromDate="2010-01-01",
                ShakId=f"73{i:02d}011",
                PostalAddressPostCodeId=f"{8000 + i}",
                PostalAddressDistrictName=town,
            )
        )
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables={},
        source=SourceInfo(path="words", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw), ids


def oracle(reg: Register, query: str) -> set[str]:
    out = set()
    snap = reg.snapshot(DAY)
    for e in snap.active_entities().tolist():
        row = snap.row(e)
        codes = [str(reg.ids[e])] + [
            reg.value(row, c) for c in (*ID_COLUMNS[1:], *CODE_PREFIX_COLUMNS)
        ]
        texts = [reg.value(row, c) for c in TEXT_COLUMNS]

        def starts(value: str, term: str) -> bool:
            return value.lower().startswith(term.lower())

        if search_oracle.matches(query, codes, texts, starts):
            out.add(str(reg.ids[e]))
    return out


phrase = st.lists(st.text(alphabet=DANISH + "ABCØÆÅ -/", min_size=1, max_size=10), max_size=4).map(
    " ".join
)


@st.composite
def registers_and_queries(draw: st.DrawFn) -> tuple[Register, list[str], str]:
    names = draw(st.lists(phrase, min_size=1, max_size=8))
    towns = draw(
        st.lists(
            st.sampled_from(["Aarhus C", "Åbyhøj", "Ærøskøbing", ""]),
            min_size=len(names),
            max_size=len(names),
        )
    )
    reg, ids = build(names, towns)
    # a query made of pieces of a name, in another order, respelled; or an id or a code
    words = draw(st.sampled_from(names)).split() or ["x"]
    pieces = [w[: draw(st.integers(1, max(1, len(w))))] for w in words]
    pieces = draw(st.permutations(pieces))
    respelled = [draw(spellings(p.lower())) for p in pieces]
    query = draw(
        st.sampled_from(
            [
                " ".join(respelled),
                " ".join(pieces),
                ids[0][: draw(st.integers(1, len(ids[0])))],
                ids[-1],
                "73",
                "8001 " + " ".join(pieces[:1]),
                # inside a word (three characters or more count there)
                " ".join(w[1:4] for w in words),
                " ".join(w[1:3] for w in words),
                draw(phrase),
            ]
        )
    )
    return reg, ids, query


@settings(max_examples=150, deadline=None)
@given(registers_and_queries())
def test_search_finds_exactly_what_the_rule_says_in_the_contract_order(
    case: tuple[Register, list[str], str],
) -> None:
    reg, _ids, query = case
    snap = reg.snapshot(DAY)
    ents, cols = find(reg, snap, query)
    got = [str(reg.ids[e]) for e in ents]
    assert set(got) == oracle(reg, query), query
    assert len(got) == len(set(got))
    # tiers: exact ids, then names starting with the query's words, then the rest;
    # each tier in Danish name order
    typed = " ".join(query_words(query))
    names = [reg.value(snap.row(int(e)), "EntityName") or "" for e in ents]

    def tier(sid: str, name: str) -> int:
        row = snap.row(reg.entity_index(sid))
        ids = [sid] + [reg.value(row, c) or "" for c in ("ShakId", "EanLocationCode")]
        if len(query.split()) == 1 and query.strip().lower() in [i.lower() for i in ids]:
            return TIER_EXACT_ID
        if typed and word_text(fold_text(name)).startswith(typed):
            return 1
        return 2

    tiers = [tier(s, n) for s, n in zip(got, names, strict=True)]
    assert all(c for c in cols)
    assert tiers == sorted(tiers), (query, list(zip(got, names, tiers, strict=True)))
    for a, b in zip(
        zip(tiers, names, strict=True), zip(tiers[1:], names[1:], strict=True), strict=False
    ):
        if a[0] == b[0]:
            assert name_sort_key(a[1]) <= name_sort_key(b[1])


@settings(max_examples=100, deadline=None)
@given(
    st.data(),
    st.lists(phrase.filter(lambda p: bool(re.search("[æøå]", p))), min_size=1, max_size=6),
)
def test_every_spelling_variant_finds_the_same_units(data: st.DataObject, names: list[str]) -> None:
    reg, _ids = build(names, [""] * len(names))
    snap = reg.snapshot(DAY)
    words = data.draw(st.sampled_from(names)).lower().split()
    query = " ".join(data.draw(st.permutations(words)))
    want = {int(e) for e in find(reg, snap, query)[0]}
    assert want  # the name's own words in any order find it
    for _ in range(3):
        variant = " ".join(data.draw(spellings(w)) for w in query.split())
        assert {int(e) for e in find(reg, snap, variant)[0]} == want, (query, variant)
