"""The message catalogue: every core sentence has a Danish and an English rendering,
both take the same values, and every code the code base uses is in the catalogue."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import string

import pytest

from sorviewer.messages import CATALOGUE, Message, clean_text, format_value, msg, render

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _fields(template: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_entry_has_both_languages_with_the_same_fields(code: str) -> None:
    da, en = CATALOGUE[code]
    assert da.strip() and en.strip(), code
    assert _fields(da) == _fields(en), code


def test_every_code_used_in_the_code_is_in_the_catalogue() -> None:
    used: dict[str, str] = {}
    pattern = re.compile(r"""\b(?:msg|Message)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    for folder in ("sorviewer", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for code in pattern.findall(path.read_text(encoding="utf-8")):
                used.setdefault(code, str(path.relative_to(ROOT)))
    missing = {c: where for c, where in used.items() if c not in CATALOGUE}
    assert not missing, f"codes used but not in the catalogue: {missing}"


def test_values_follow_the_language() -> None:
    assert format_value(1234567, "da") == "1.234.567"
    assert format_value(1234567, "en") == "1,234,567"
    assert format_value(dt.date(2026, 11, 1), "da") == "01-11-2026"
    assert format_value(dt.date(2026, 11, 1), "en") == "2026-11-01"
    assert format_value(True, "da") == "ja"


def test_message_renders_per_language_and_str_is_english() -> None:
    m = msg("load.no_memory")
    assert m.render("da").startswith("Der er ikke")
    assert str(m) == m.render("en")
    assert isinstance(m, Message)


def test_unknown_code_renders_visibly_instead_of_crashing() -> None:
    assert render("no.such_code", {"a": 1}) == "no.such_code (a=1)"


def test_file_text_cannot_break_a_line_or_send_escapes() -> None:
    assert clean_text("a\nb\x1b[2Jc\u2028d") == "a b [2Jc d"
    assert len(clean_text("x" * 500)) == 200
