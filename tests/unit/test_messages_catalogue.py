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


# --- no plain sentence reaches a person from the core --------------------------------------


def _plain_text(node: object) -> bool:
    """Whether an argument is a sentence written in one language: a string literal, an
    f-string, text glued with + or %, or str()/.format() of something."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _plain_text(node.left) or _plain_text(node.right)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "str":
            return True
        if isinstance(func, ast.Attribute) and func.attr in ("format", "join"):
            return True
    return False


def _sentence_calls() -> list[tuple[str, int, str]]:
    """(file, line, call) of every LoadError, report.add and ReportRow in the core that
    is handed a plain sentence instead of a `msg(...)`."""
    import ast

    bad = []
    for path in sorted((ROOT / "sorviewer").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ("LoadError", "LoadCancelled") and node.args:
                arg = node.args[0]
            elif name == "add" and len(node.args) >= 3 and isinstance(func, ast.Attribute):
                arg = node.args[2]  # report.add(severity, table, message, ...)
            elif name == "ReportRow" and len(node.args) >= 5:
                # a row keeps its English text beside the code it was made from
                has_code = len(node.args) >= 8 or any(k.arg == "code" for k in node.keywords)
                if has_code:
                    continue
                arg = node.args[4]
            else:
                continue
            if _plain_text(arg):
                bad.append((str(path.relative_to(ROOT)), node.lineno, name))
    return bad


def test_the_core_hands_out_messages_never_plain_sentences() -> None:
    """Every `LoadError`, load report row and `report.add` in the core carries a catalogue
    code (`msg(...)`), so the window can say it in the user's language."""
    bad = _sentence_calls()
    assert not bad, f"plain sentences instead of msg(...): {bad}"


def test_the_plain_sentence_check_finds_plain_sentences() -> None:
    import ast

    for source in ('"text"', 'f"x {y}"', '"a" + b', "str(e)", '"{}".format(x)', '"%s" % x'):
        assert _plain_text(ast.parse(source, mode="eval").body), source
    for source in ('msg("load.cancelled")', "message", 'Message("a.b", {})'):
        assert not _plain_text(ast.parse(source, mode="eval").body), source
